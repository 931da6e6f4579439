"""The log file, private to its user, and log lines for problems that recur.

* `PrivateRotatingFileHandler`: the log (and every file rotation starts) is created
  0600, never through a symbolic link, and only a regular file is opened (a FIFO there
  would block start-up for good).
* `Throttle`: one line per interval for a problem that can recur thousands of times a
  second (a flood of connections, a full file table), with how often it happened.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
import time
from collections.abc import Callable
from io import TextIOWrapper
from pathlib import Path


def open_private(path: Path | str, flags: int = os.O_WRONLY | os.O_APPEND) -> int:
    """A descriptor on the regular file `path`, created 0600, never through a link.

    O_NONBLOCK for the open only: a FIFO planted there is refused instead of waiting
    for a reader. An existing file open to others is made 0600 (through the descriptor).
    """
    fd = os.open(
        path,
        flags | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0),
        0o600,
    )
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if stat.S_IMODE(info.st_mode) & 0o077 and info.st_uid == os.getuid():
            os.fchmod(fd, 0o600)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are 0600 and never opened through a link."""

    def _open(self) -> TextIOWrapper:
        fd = open_private(self.baseFilename)
        stream = open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115
        assert isinstance(stream, TextIOWrapper)
        return stream


class Throttle:
    """At most one log line per `every_s` seconds for each kind of recurring problem.

    The first occurrence is logged at once; later ones within the interval are counted
    and the count goes with the next line (or `flush`).
    """

    def __init__(
        self,
        logger: logging.Logger,
        every_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self.every_s = every_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def warning(self, key: str, message: str, *args: object) -> bool:
        """Log `message` unless `key` was logged less than `every_s` ago; True if logged."""
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self.every_s:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        held = self._held.pop(key, 0)
        suffix = ""
        if held and last is not None:
            suffix = f" (and {held} more like it in the last {now - last:.0f} s)"
        self._last[key] = now
        self._log.warning(message + suffix, *args)
        return True

    def held(self, key: str) -> int:
        return self._held.get(key, 0)

    def flush(self) -> None:
        """Say how many were held back since each kind's last line."""
        for key, count in sorted(self._held.items()):
            self._log.warning("%s: %d more since the last line about it", key, count)
        self._held.clear()


class BriefFormatter(logging.Formatter):
    """For the terminal: a record's message without its traceback, which goes to the log
    file only. The traceback text is not cached on the record, so the file's formatter
    still writes it in full."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        return text + (" (the details are in the log file)" if saved[0] else "")

"""Exceptions nobody caught, logged with their traceback and named to the user.

PySide6 hands an exception raised in a slot (a timer, a socket notifier, a menu
action) to `sys.excepthook` and carries on; by default that prints to a terminal
nobody reads, and the tray icon stays up with nothing behind it working (issue #18).
`ErrorHook` writes the traceback to the log and tells `report` (the app names the
problem in the tray tooltip and `status --json`) in one sentence.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

log = logging.getLogger("deskguard")

_PACKAGE_MARK = "deskguard"


def where(tb: TracebackType | None) -> str:
    """The innermost function of ours in `tb` ("events_in_range"), or the innermost one."""
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if _PACKAGE_MARK in f.filename.replace("\\", "/")]
    found = ours or list(frames)
    return found[-1].name if found else "an unknown place"


def describe(exc: BaseException, tb: TracebackType | None, log_file: Path | None) -> str:
    """One sentence for the user; the traceback itself goes to the log."""
    details = f"details are in the log ({log_file})" if log_file else "details are in the log"
    return (
        f"DeskGuard hit an unexpected error ({type(exc).__name__} in {where(tb)}); "
        f"it keeps running, but something may not work: {details}."
    )


class ErrorHook:
    """Installs itself as sys.excepthook (and threading.excepthook, log only)."""

    def __init__(self, log_file: Path | None = None) -> None:
        self.log_file = log_file
        self.report: Callable[[str], None] | None = None
        self.count = 0
        self._previous = sys.excepthook
        self._previous_thread = threading.excepthook

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        sys.excepthook = self._previous
        threading.excepthook = self._previous_thread

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous(exc_type, exc, tb)
            return
        self.count += 1
        log.critical("unexpected error", exc_info=(exc_type, exc, tb))
        text = describe(exc, tb, self.log_file)
        try:
            if self.report is None:
                print(text, file=sys.stderr)
            else:
                self.report(text)
        except Exception:  # the reporter itself failed: the log has the original
            log.exception("could not report an unexpected error")

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        # Off the GUI thread nothing of Qt's may be touched: the log only.
        if args.exc_value is None:
            return
        self.count += 1
        log.critical(
            "unexpected error in thread %s",
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

"""The log file is private and never opened through a link or a FIFO; recurring
problems are logged once a minute with a count (issue #18)."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskguard.adapters.logfile import PrivateRotatingFileHandler, Throttle, open_private
from tests.hostile import within

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes, links and FIFOs")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@posix_only
def test_the_log_and_every_rotated_file_are_0600(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "deskguard.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=200, backupCount=2, encoding="utf-8")
    logger = logging.getLogger("test-logfile-rotation")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for n in range(30):
            logger.warning("line %d %s", n, "x" * 40)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["deskguard.log", "deskguard.log.1", "deskguard.log.2"]
    # Before: 0644, as the umask left them.
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}


@posix_only
def test_an_existing_open_log_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "deskguard.log"
    path.write_text("old\n")
    path.chmod(0o644)
    os.close(open_private(path))
    assert _mode(path) == 0o600 and path.read_text() == "old\n"


@posix_only
def test_a_link_at_the_log_path_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("someone else's file\n")
    target.chmod(0o644)
    (tmp_path / "deskguard.log").symlink_to(target)
    with pytest.raises(OSError):
        PrivateRotatingFileHandler(tmp_path / "deskguard.log", encoding="utf-8")
    assert target.read_text() == "someone else's file\n" and _mode(target) == 0o644


@posix_only
def test_a_fifo_at_the_log_path_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "deskguard.log"
    os.mkfifo(fifo)
    # Before: opening it for writing waited for a reader, for ever (a start-up that hangs).
    with pytest.raises(OSError):
        within(3, lambda: open_private(fifo), fifos=(fifo,))


def test_throttle_logs_once_per_interval_with_a_count(caplog: pytest.LogCaptureFixture) -> None:
    now = {"t": 1000.0}
    throttle = Throttle(logging.getLogger("test-throttle"), every_s=60, clock=lambda: now["t"])
    with caplog.at_level(logging.WARNING):
        for _ in range(5000):
            throttle.warning("accept", "IPC: accept failed: %s", "EMFILE")
        assert len(caplog.records) == 1
        now["t"] += 61
        assert throttle.warning("accept", "IPC: accept failed: %s", "EMFILE")
        assert throttle.warning("other", "something else")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "IPC: accept failed: EMFILE",
        "IPC: accept failed: EMFILE (and 4999 more like it in the last 61 s)",
        "something else",
    ]


def test_throttle_flush_says_what_was_held_back(caplog: pytest.LogCaptureFixture) -> None:
    throttle = Throttle(logging.getLogger("test-throttle"), every_s=60, clock=time.monotonic)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            throttle.warning("idle", "closed an idle connection")
        throttle.flush()
    assert caplog.records[-1].getMessage() == "idle: 2 more since the last line about it"


def test_the_terminal_gets_the_sentence_and_the_file_the_traceback(tmp_path: Path) -> None:
    import io

    from deskguard.adapters.logfile import BriefFormatter

    terminal = io.StringIO()
    stream = logging.StreamHandler(terminal)
    stream.setFormatter(BriefFormatter("%(levelname)s %(message)s"))
    file = PrivateRotatingFileHandler(tmp_path / "deskguard.log", encoding="utf-8")
    file.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test-brief")
    logger.propagate = False
    logger.handlers = [stream, file]  # the terminal first: it must not hide the traceback
    try:
        try:
            raise KeyError("boom")
        except KeyError:
            logger.exception("DeskGuard could not start")
    finally:
        logger.handlers = []
        file.close()
    assert terminal.getvalue() == (
        "ERROR DeskGuard could not start (the details are in the log file)\n"
    )
    written = (tmp_path / "deskguard.log").read_text()
    assert "Traceback" in written and "KeyError: 'boom'" in written

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from deskguard.adapters.instance import CommandServer, send_command
from deskguard.adapters.notify import (
    CallbackNotifier,
    NotifierChain,
    NotifyError,
    NotifySendNotifier,
    ThreadedNotifier,
    default_chain,
)
from deskguard.core.clock import FakeClock
from tests.adapters.test_dbus_backends import bus  # noqa: F401  (a fixture)
from tests.fakes import RecordingNotifier
from tests.services.test_breaks import Rig as BreaksRig


def send(chain: NotifierChain, title: str, body: str, timeout_s: int) -> str | None:
    names: list[str] = []
    chain.notify(title, body, timeout_s, done=names.append)
    return names[0] if names else None


def test_first_working_notifier_wins() -> None:
    broken, good, spare = (
        RecordingNotifier("a", fail=True),
        RecordingNotifier("b"),
        RecordingNotifier("c"),
    )
    chain = NotifierChain([broken, good, spare])
    assert send(chain, "Title", "Body", 9) == "b"
    assert good.shown == [("Title", "Body", 9)]
    assert spare.shown == []


def test_chain_ends_in_the_log_when_everything_fails(caplog: pytest.LogCaptureFixture) -> None:
    chain = NotifierChain(
        [RecordingNotifier("a", fail=True), CallbackNotifier("tray", lambda *_: False)]
    )
    with caplog.at_level(logging.INFO):
        assert send(chain, "Time to move", "Stand up", 5) == "log"
    assert "notifier a failed" in caplog.text
    assert "tray is not available" in caplog.text
    assert "Time to move - Stand up" in caplog.text


def fake_command(tmp_path: Path, exit_code: int = 0, sleep_s: float = 0) -> Path:
    record = tmp_path / "args.txt"
    script = tmp_path / "fake-notify-send"
    script.write_text(
        f'#!/bin/sh\nfor a in "$@"; do echo "$a" >> {record}; done\n'
        f'sleep {sleep_s}\necho "no daemon" >&2\nexit {exit_code}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def outcome(qtbot: QtBot, notifier: NotifySendNotifier, *message: str) -> str | None:
    """What `notify_async` reported: None when shown, else why it failed."""
    results: list[str | None] = []
    notifier.notify_async(*message, 15, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    return results[0]


@pytest.mark.skipif(os.name != "posix", reason="shell script fake")
def test_notify_send_passes_an_expiry(qtbot: QtBot, tmp_path: Path) -> None:
    notifier = NotifySendNotifier(icon=tmp_path / "i.svg", command=str(fake_command(tmp_path)))
    assert outcome(qtbot, notifier, "Break", "-starts with a dash") is None
    args = (tmp_path / "args.txt").read_text().splitlines()
    assert "--expire-time=15000" in args
    assert "--app-name=DeskGuard" in args
    assert "--hint=string:desktop-entry:io.github.deskguard.DeskGuard" in args
    assert args[-3:] == ["--", "Break", "-starts with a dash"]


@pytest.mark.skipif(os.name != "posix", reason="shell script fake")
def test_notify_send_failure_is_reported(qtbot: QtBot, tmp_path: Path) -> None:
    notifier = NotifySendNotifier(command=str(fake_command(tmp_path, exit_code=1)))
    assert outcome(qtbot, notifier, "a", "b") == "no daemon"


def test_missing_notify_send_is_reported() -> None:
    with pytest.raises(NotifyError, match="not installed"):
        NotifySendNotifier(command="no-such-notify-send-here").notify_async(
            "a", "b", 1, lambda _error: None
        )


def test_default_chain_order() -> None:
    extra = RecordingNotifier("tray")
    names = [n.name for n in default_chain(None, [extra]).notifiers]
    assert names[-2:] == ["tray", "log"]
    assert "plyer" in names


@pytest.mark.skipif(os.name != "posix", reason="shell script fake")
def test_a_slow_notification_daemon_never_blocks_the_event_loop(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """notify-send takes 5 s (a hung daemon): a break countdown's 1-second ticks go on."""
    from deskguard.ui.break_window import BreakWindow

    clock = FakeClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
    window = BreakWindow(clock.now)
    qtbot.addWidget(window)
    window.show_break(None, None, clock.now() + timedelta(minutes=2), 120)
    ticks: list[float] = []
    window._ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    slow = NotifySendNotifier(command=str(fake_command(tmp_path, sleep_s=5)))
    slow.TIMEOUT_MS = 10_000  # slow, not hung
    names: list[str] = []
    started = time.monotonic()
    NotifierChain([slow]).notify("Break", "Stand up", 15, done=names.append)
    assert time.monotonic() - started < 0.5  # returned at once
    qtbot.waitUntil(lambda: len(ticks) >= 3, timeout=4500)
    assert names == []  # still running, and the countdown ticked meanwhile
    qtbot.waitUntil(lambda: bool(names), timeout=8000)
    assert names == ["notify-send"]
    assert slow.running == []


@pytest.mark.skipif(os.name != "posix", reason="shell script fake")
def test_an_asynchronous_failure_goes_on_down_the_chain(qtbot: QtBot, tmp_path: Path) -> None:
    failing = NotifySendNotifier(command=str(fake_command(tmp_path, exit_code=1)))
    spare = RecordingNotifier("tray")
    names: list[str] = []
    NotifierChain([failing, spare]).notify("Break", "Stand up", 15, done=names.append)
    assert spare.shown == []  # not yet: notify-send has not exited
    qtbot.waitUntil(lambda: bool(names), timeout=5000)
    assert names == ["tray"]
    assert spare.shown == [("Break", "Stand up", 15)]


@pytest.mark.skipif(os.name != "posix", reason="shell script fake")
def test_a_hung_notify_send_is_killed_and_the_chain_goes_on(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hung = NotifySendNotifier(command=str(fake_command(tmp_path, sleep_s=60)))
    hung.TIMEOUT_MS = 300
    names: list[str] = []
    NotifierChain([hung]).notify("Break", "Stand up", 15, done=names.append)
    qtbot.waitUntil(lambda: bool(names), timeout=5000)
    assert names == ["log"]
    assert hung.running == []
    assert "did not finish in 0.3 s" in caplog.text


# ---- issue #18: a hung notification daemon never freezes the app -------------------


class Blocking:
    """A notifier that blocks like plyer's notify-send call on a hung daemon."""

    name = "blocking"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls = 0

    def notify(self, title: str, body: str, timeout_s: int) -> None:
        self.calls += 1
        time.sleep(self.seconds)


def thread_done(thread: threading.Thread) -> Callable[[], bool]:
    return lambda: not thread.is_alive()


class Stalls:
    """The longest wait between two runs of the GUI thread's event loop."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.monotonic()
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self._last)
        self._last = now


def test_a_blocking_notifier_runs_off_the_gui_thread_with_a_time_limit(qtbot: QtBot) -> None:
    blocking = Blocking(3.0)
    threaded = ThreadedNotifier(blocking)
    threaded.TIMEOUT_MS = 300
    spare = RecordingNotifier("tray")
    stalls = Stalls()
    names: list[str] = []
    started = time.monotonic()
    NotifierChain([threaded, spare]).notify("Break", "Stand up", 15, done=names.append)
    assert time.monotonic() - started < 0.1
    qtbot.waitUntil(lambda: bool(names), timeout=2000)
    assert names == ["tray"] and time.monotonic() - started < 1.0
    # Still stuck: the next notification is refused at once, not queued behind it.
    NotifierChain([threaded, spare]).notify("Again", "x", 15, done=names.append)
    assert names == ["tray", "tray"] and blocking.calls == 1
    assert stalls.longest < 0.2
    stalls.timer.stop()


def test_a_threaded_notifier_reports_success_and_failure(qtbot: QtBot) -> None:
    names: list[str] = []
    NotifierChain([ThreadedNotifier(RecordingNotifier("ok"))]).notify("a", "b", 5, names.append)
    qtbot.waitUntil(lambda: bool(names), timeout=2000)
    failing = ThreadedNotifier(RecordingNotifier("bad", fail=True))
    NotifierChain([failing, RecordingNotifier("next")]).notify("a", "b", 5, names.append)
    qtbot.waitUntil(lambda: len(names) == 2, timeout=2000)
    assert names == ["ok", "next"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="notify-send and D-Bus")
# plyer warns that dbus-python is missing, then runs notify-send and waits: as an error
# (our warnings policy) the warning would end plyer at once and hide the wait.
@pytest.mark.filterwarnings("ignore:The Python dbus package is not installed")
def test_a_hung_notification_daemon_never_freezes_the_app_and_commands_are_answered(
    qtbot: QtBot,
    rig: BreaksRig,
    bus: str,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A notification daemon that owns its name and never answers, on a private bus; the
    real chain (notify-send in a QProcess, then plyer, which runs notify-send and waits).
    Before: plyer waited on the GUI thread for D-Bus's 25 s, and `break-now` waited too."""
    if shutil.which("notify-send") is None:
        pytest.skip("notify-send is not installed")
    hung = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("fake_hung_notifications.py"))],
        env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": bus, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        text=True,
    )
    server: CommandServer | None = None
    try:
        assert hung.stdout is not None and hung.stdout.readline().strip() == "ready"
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus)  # for notify-send, not for us
        chain = default_chain(None)
        rig.controller.notifier = chain
        socket_name = str(tmp_path / "dg.sock")
        server = CommandServer(socket_name, rig.commands.handle)
        server.listen()
        stalls = Stalls()
        replies: list[float] = []
        ends = time.monotonic() + 12  # notify-send's 5 s, then plyer's 5 s, then the log
        while time.monotonic() < ends:
            asked = time.monotonic()
            box: dict[str, object] = {}

            def ask(box: dict[str, object] = box) -> None:
                box["reply"] = send_command(socket_name, "break-now")

            thread = threading.Thread(target=ask)
            thread.start()
            qtbot.waitUntil(thread_done(thread), timeout=5000)
            replies.append(time.monotonic() - asked)
            assert box["reply"] == {"ok": True, "message": "Break prompt shown."}
            rig.controller.notify("DeskGuard", "another notification meanwhile")
            qtbot.wait(1000)
        assert max(replies) < 1.0, replies
        assert stalls.longest < 0.5, f"the event loop stalled for {stalls.longest:.2f} s"
        qtbot.waitUntil(lambda: rig.controller.last_notifier == "log", timeout=8000)
        stalls.timer.stop()
    finally:
        if server is not None:
            server.close()
        hung.kill()  # stopped: only SIGKILL ends it
        hung.communicate(timeout=10)

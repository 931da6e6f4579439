from __future__ import annotations

import logging
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from deskguard.adapters.notify import (
    CallbackNotifier,
    NotifierChain,
    NotifyError,
    NotifySendNotifier,
    default_chain,
)
from deskguard.core.clock import FakeClock
from tests.fakes import RecordingNotifier


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

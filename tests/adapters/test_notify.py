from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from deskguard.adapters.notify import (
    CallbackNotifier,
    NotifierChain,
    NotifyError,
    NotifySendNotifier,
    default_chain,
)
from tests.fakes import RecordingNotifier


def test_first_working_notifier_wins() -> None:
    broken, good, spare = (
        RecordingNotifier("a", fail=True),
        RecordingNotifier("b"),
        RecordingNotifier("c"),
    )
    chain = NotifierChain([broken, good, spare])
    assert chain.notify("Title", "Body", 9) == "b"
    assert good.shown == [("Title", "Body", 9)]
    assert spare.shown == []


def test_chain_ends_in_the_log_when_everything_fails(caplog: pytest.LogCaptureFixture) -> None:
    chain = NotifierChain(
        [RecordingNotifier("a", fail=True), CallbackNotifier("tray", lambda *_: False)]
    )
    with caplog.at_level(logging.INFO):
        assert chain.notify("Time to move", "Stand up", 5) == "log"
    assert "notifier a failed" in caplog.text
    assert "tray is not available" in caplog.text
    assert "Time to move - Stand up" in caplog.text


def fake_command(tmp_path: Path, exit_code: int = 0) -> Path:
    record = tmp_path / "args.txt"
    script = tmp_path / "fake-notify-send"
    script.write_text(
        f'#!/bin/sh\nfor a in "$@"; do echo "$a" >> {record}; done\n'
        f'echo "no daemon" >&2\nexit {exit_code}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.skipif(os.name != "posix", reason="shell script fake")
def test_notify_send_passes_an_expiry(tmp_path: Path) -> None:
    NotifySendNotifier(icon=tmp_path / "i.svg", command=str(fake_command(tmp_path))).notify(
        "Break", "-starts with a dash", 15
    )
    args = (tmp_path / "args.txt").read_text().splitlines()
    assert "--expire-time=15000" in args
    assert "--app-name=DeskGuard" in args
    assert args[-3:] == ["--", "Break", "-starts with a dash"]


@pytest.mark.skipif(os.name != "posix", reason="shell script fake")
def test_notify_send_failure_is_reported(tmp_path: Path) -> None:
    notifier = NotifySendNotifier(command=str(fake_command(tmp_path, exit_code=1)))
    with pytest.raises(NotifyError, match="no daemon"):
        notifier.notify("a", "b", 1)


def test_missing_notify_send_is_reported() -> None:
    with pytest.raises(NotifyError, match="not installed"):
        NotifySendNotifier(command="no-such-notify-send-here").notify("a", "b", 1)


def test_default_chain_order() -> None:
    extra = RecordingNotifier("tray")
    names = [n.name for n in default_chain(None, [extra]).notifiers]
    assert names[-2:] == ["tray", "log"]
    assert "plyer" in names

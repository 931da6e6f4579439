"""Idle and presentation detection: choosing backends and combining detectors."""

from __future__ import annotations

import sys

import pytest

from deskguard.adapters.hold import Holds, choose_holds
from deskguard.adapters.idle import NullIdle, choose_idle_monitor, has_session_bus


class Says:
    def __init__(self, name: str, answer: str | None, broken: bool = False) -> None:
        self.name = name
        self.answer = answer
        self.broken = broken

    def reason(self) -> str | None:
        if self.broken:
            raise RuntimeError("X went away")
        return self.answer


def test_first_reason_wins_and_broken_detectors_are_skipped() -> None:
    holds = Holds([Says("a", None, broken=True), Says("b", None), Says("c", "presentation")])
    assert holds.reason() == "presentation"
    assert holds.name == "a+b+c"
    assert Holds([]).reason() is None and Holds([]).name == "none"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux backend choice")
def test_nothing_to_ask_means_null_backends(caplog: pytest.LogCaptureFixture) -> None:
    assert isinstance(choose_idle_monitor({}), NullIdle)
    assert "natural breaks are off" in caplog.text
    assert choose_holds({}).detectors == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux backend choice")
def test_a_dead_display_is_skipped_not_fatal() -> None:
    assert isinstance(choose_idle_monitor({"DISPLAY": ":9999"}), NullIdle)
    assert choose_holds({"DISPLAY": ":9999"}).detectors == []


def test_session_bus_detection(tmp_path: object) -> None:
    assert has_session_bus({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"})
    assert not has_session_bus({})
    assert not has_session_bus({"XDG_RUNTIME_DIR": "/nonexistent"})

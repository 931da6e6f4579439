"""The break loop driven by the real alarm (real QTimers, APScheduler's own pass), as in
the app: nothing here calls `tick()` by hand. Time runs at its real pace from a fixed
Monday morning, and APScheduler reads that same clock.

Also: a pause survives a restart of the controller on the same database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot

from deskguard.adapters.alarm import Alarm
from deskguard.adapters.content import load_library
from deskguard.adapters.notify import NotifierChain
from deskguard.adapters.store import Store
from deskguard.app import wire_break_signals
from deskguard.core.clock import FakeClock
from deskguard.core.model import EventKind, Settings, State
from deskguard.services.breaks import Breaks
from deskguard.services.commands import Commands
from deskguard.ui.break_window import BreakWindow
from deskguard.ui.tray import ControlWindow, TrayActions
from tests.adapters.test_session_reminder import fake_datetime
from tests.fakes import RecordingNotifier
from tests.services.test_breaks import BERLIN, MONDAY_9


class RunningClock(FakeClock):
    """Real time, from a fixed start: monotonic seconds drive both clocks."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start, BERLIN)
        self._t0 = time.monotonic()
        self._wall_offset = timedelta(0)

    def monotonic(self) -> float:
        return 1000.0 + time.monotonic() - self._t0

    def now(self) -> datetime:
        elapsed = timedelta(seconds=time.monotonic() - self._t0)
        return (self._now + elapsed + self._wall_offset).astimezone(self.tz)

    def step_wall(self, **delta: float) -> datetime:
        self._wall_offset += timedelta(**delta)
        return self.now()


class ScriptedIdle:
    """Idle time as X11 reports it: seconds since the last input."""

    name = "scripted"

    def __init__(self, clock: RunningClock) -> None:
        self.clock = clock
        self.last_input = clock.now()

    def idle_seconds(self) -> float | None:
        return (self.clock.now() - self.last_input).total_seconds()


class Loop:
    def __init__(
        self,
        qtbot: QtBot,
        db: Path,
        clock: RunningClock,
        interval_s: float,
        heartbeat_s: float = 0.5,
    ) -> None:
        self.clock = clock
        self.store, _ = Store.open(db)
        self.actions = TrayActions()
        self.window = BreakWindow(clock.now, monotonic=clock.monotonic)
        qtbot.addWidget(self.window)
        self.idle = ScriptedIdle(clock)
        self.alarm = Alarm(heartbeat_seconds=heartbeat_s, now=clock.now)
        self.controller = Breaks(
            clock=clock,
            settings=Settings(break_minutes=1),
            store=self.store,
            library=load_library(),
            notifier=NotifierChain([RecordingNotifier()]),
            alarm=self.alarm,
            window=self.window,
            tz=BERLIN,
            idle=self.idle,
            interval_override=timedelta(seconds=interval_s),
        )
        wire_break_signals(self.controller, self.actions, self.window, self.alarm)
        self.commands = Commands(self.controller, request_quit=lambda: None)
        self.host = ControlWindow(self.actions, QIcon(), "test")
        qtbot.addWidget(self.host)
        self.controller.start(self.host)

    def events(self, kind: EventKind) -> list[datetime]:
        return [e.at for e in self.store.iter_events() if e.kind is kind]

    def close(self) -> None:
        self.controller.stop()
        self.store.close()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> RunningClock:
    clock = RunningClock(MONDAY_9 + timedelta(hours=1))
    fake = fake_datetime(clock)  # APScheduler's own "now" follows the same clock
    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", fake)
    monkeypatch.setattr(apscheduler.executors.base, "datetime", fake)
    return clock


@pytest.fixture
def loop(qtbot: QtBot, tmp_path: Path, clock: RunningClock) -> Iterator[Loop]:
    loop = Loop(qtbot, tmp_path / "dg.db", clock, interval_s=1.0)
    yield loop
    loop.close()


def test_after_a_natural_break_the_next_prompt_comes_one_interval_after_return(
    loop: Loop, qtbot: QtBot
) -> None:
    loop.idle.last_input = loop.clock.now() - timedelta(minutes=5)  # away already
    qtbot.waitUntil(lambda: bool(loop.events(EventKind.NATURAL)), timeout=5000)
    assert loop.events(EventKind.PROMPTED) == []
    assert loop.alarm.heartbeat.isActive()
    back = loop.idle.last_input = loop.clock.now()  # input again
    qtbot.waitUntil(lambda: bool(loop.events(EventKind.PROMPTED)), timeout=5000)
    delay = (loop.events(EventKind.PROMPTED)[0] - back).total_seconds()
    assert 0.9 <= delay <= 1.7  # one interval after the return (plus a heartbeat at most)
    assert loop.window.isVisible()


def test_a_break_ended_by_its_timer_is_followed_by_the_next_prompt_on_time(
    qtbot: QtBot, tmp_path: Path, clock: RunningClock
) -> None:
    # A one-minute break is too long to wait for here: the break runs on the planner's
    # real-time wake, so shorten it by starting the break late in a 1-minute window.
    loop = Loop(qtbot, tmp_path / "dg.db", clock, interval_s=1.0)
    try:
        qtbot.waitUntil(lambda: bool(loop.events(EventKind.PROMPTED)), timeout=5000)
        loop.idle.last_input = clock.now()
        planner = loop.controller.planner
        loop.controller.start_break()
        assert planner.active is not None and planner.active.started_at is not None
        # The break began 58.5 s ago: 1.5 s of it are left.
        planner.active = replace(
            planner.active, started_at=planner.active.started_at - timedelta(seconds=58.5)
        )
        loop.controller._refresh()
        qtbot.waitUntil(lambda: bool(loop.events(EventKind.COMPLETED)), timeout=5000)
        ended = loop.events(EventKind.COMPLETED)[0]
        loop.idle.last_input = clock.now()
        qtbot.waitUntil(lambda: len(loop.events(EventKind.PROMPTED)) == 2, timeout=5000)
        delay = (loop.events(EventKind.PROMPTED)[1] - ended).total_seconds()
        assert 0.9 <= delay <= 1.3  # the interval, not the next heartbeat
    finally:
        loop.close()


def test_a_wall_clock_set_back_does_not_hold_the_next_prompt(
    qtbot: QtBot, tmp_path: Path, clock: RunningClock
) -> None:
    # The app's one-minute heartbeat: only the wait armed on real time can bring it.
    loop = Loop(qtbot, tmp_path / "dg.db", clock, interval_s=2.0, heartbeat_s=60)
    try:
        started = clock.monotonic()
        clock.step_wall(minutes=-40)  # 09:20 on the wall: still working hours
        qtbot.waitUntil(lambda: bool(loop.events(EventKind.PROMPTED)), timeout=5000)
        assert 1.8 <= clock.monotonic() - started <= 3.5
        assert loop.events(EventKind.NATURAL) == []
    finally:
        loop.close()


def test_a_pause_survives_a_restart_and_resume_clears_it(
    qtbot: QtBot, tmp_path: Path, clock: RunningClock
) -> None:
    db = tmp_path / "dg.db"
    first = Loop(qtbot, db, clock, interval_s=600)
    until = first.controller.pause(120)
    first.close()  # a clean quit; a crash leaves the same record

    second = Loop(qtbot, db, clock, interval_s=600)
    status = second.commands.status()
    assert status["state"] == State.PAUSED.value
    assert status["paused_until"] == until.astimezone(BERLIN).isoformat(timespec="seconds")
    assert second.commands.handle("resume", {})["ok"]
    second.close()

    third = Loop(qtbot, db, clock, interval_s=600)
    assert third.commands.status()["state"] == State.WORKING.value
    third.close()


def test_a_pause_that_ended_while_deskguard_was_off_is_over(
    qtbot: QtBot, tmp_path: Path, clock: RunningClock
) -> None:
    db = tmp_path / "dg.db"
    first = Loop(qtbot, db, clock, interval_s=600)
    first.controller.pause(1)
    first.close()
    clock.step_wall(minutes=2)  # as if DeskGuard came back two minutes later
    second = Loop(qtbot, db, clock, interval_s=600)
    assert second.commands.status()["state"] == State.WORKING.value
    second.close()

"""The break service: planner, store, alarm, notifier and the real windows, on a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot

from deskguard.adapters.alarm import Alarm
from deskguard.adapters.content import load_library
from deskguard.adapters.notify import NotifierChain
from deskguard.adapters.store import Store
from deskguard.app import wire_break_signals
from deskguard.core.clock import FakeClock
from deskguard.core.model import EventKind, Settings
from deskguard.core.stats import WeekReport, query_range, week_report
from deskguard.services.breaks import Breaks
from deskguard.services.commands import Commands
from deskguard.ui.break_window import BreakWindow
from deskguard.ui.tray import ControlWindow, Tray, TrayActions
from tests.fakes import RecordingNotifier

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)


class Rig:
    def __init__(self, qtbot: QtBot, tmp_path: Path) -> None:
        self.clock = FakeClock(MONDAY_9)
        self.settings = Settings()
        self.store, _ = Store.open(tmp_path / "dg.db")
        self.notes = RecordingNotifier()
        self.actions = TrayActions()
        self.window = BreakWindow(self.clock.now)
        qtbot.addWidget(self.window)
        self.alarm = Alarm()
        self.controller = Breaks(
            clock=self.clock,
            settings=self.settings,
            store=self.store,
            library=load_library(),
            notifier=NotifierChain([self.notes]),
            alarm=self.alarm,
            window=self.window,
            tz=BERLIN,
        )
        wire_break_signals(self.controller, self.actions, self.window, self.alarm)
        self.quits: list[bool] = []
        self.commands = Commands(self.controller, request_quit=lambda: self.quits.append(True))
        self.host = ControlWindow(self.actions, QIcon(), "test")
        qtbot.addWidget(self.host)
        self.controller.start(self.host)

    def advance(self, **delta: float) -> None:
        """Let time pass the way the running app sees it: a tick at least once a minute."""
        end = self.clock.now() + timedelta(**delta)
        while self.clock.now() < end:
            self.clock.set(min(end, self.clock.now() + timedelta(seconds=60)))
            self.controller.tick()

    def week_report(self) -> WeekReport:
        """This week's figures, as `report` computes them from the record."""
        today = self.clock.now().astimezone(BERLIN).date()
        monday = today - timedelta(days=today.weekday())
        events = self.store.events_in_range(*query_range(monday))
        return week_report(events, monday, self.settings, history=self.store, today=today)

    def kinds(self) -> list[EventKind]:
        """Break events only: the posture micro-check has a test of its own."""
        return [e.kind for e in self.store.iter_events() if e.kind is not EventKind.POSTURE_CHECK]


def test_due_prompt_notifies_shows_and_records(rig: Rig, qtbot: QtBot) -> None:
    rig.advance(minutes=30)
    assert rig.alarm.wake_time == datetime(2026, 11, 23, 9, 45, tzinfo=BERLIN)
    rig.advance(minutes=15)
    assert rig.window.isVisible() and not rig.window.on_break_page
    assert rig.notes.shown and rig.notes.shown[-1][0] == "Time to stand and move"
    exercise_id = rig.controller.planner.active.prompt.exercise_id  # type: ignore[union-attr]
    assert rig.controller.library.exercise(exercise_id).desk_friendly  # type: ignore[arg-type]
    assert "45 minutes" in rig.window.subline.text()
    qtbot.keyClick(rig.window, Qt.Key.Key_Return)
    assert rig.window.on_break_page
    assert rig.commands.status()["state"] == "on_break"
    rig.advance(minutes=2)  # the break timer runs out
    assert rig.window.on_finish_page  # a short "well done" rather than vanishing
    assert rig.window.finish_line.text() == "2 min on your feet, your first break today"
    qtbot.keyClick(rig.window, Qt.Key.Key_Return)  # any key ends it sooner
    assert not rig.window.isVisible()
    assert rig.kinds() == [EventKind.PROMPTED, EventKind.STARTED, EventKind.COMPLETED]
    assert rig.controller.planner.next_due == datetime(2026, 11, 23, 10, 32, tzinfo=BERLIN)
    assert rig.alarm.wake_time == datetime(2026, 11, 23, 10, 9, 30, tzinfo=BERLIN)  # posture


def test_snooze_from_the_window_then_missed(rig: Rig, qtbot: QtBot) -> None:
    rig.advance(minutes=45)
    qtbot.keyClick(rig.window, Qt.Key.Key_S)
    assert not rig.window.isVisible()
    rig.advance(minutes=5)
    assert rig.window.isVisible()
    assert "1 snooze left" in rig.window.snooze_note.text()
    rig.advance(minutes=10)
    assert not rig.window.isVisible()
    assert rig.kinds() == [
        EventKind.PROMPTED,
        EventKind.SNOOZED,
        EventKind.PROMPTED,
        EventKind.MISSED,
    ]
    report = rig.week_report()
    monday = report.days[0]
    assert (monday.prompted, monday.snoozed, monday.missed, monday.adherence) == (1, 1, 1, 0.0)


def test_ipc_commands(rig: Rig) -> None:
    status = rig.commands.handle("status", {})
    assert status["state"] == "working"
    assert status["next_break_at"] == "2026-11-23T09:45:00+01:00"
    assert status["paused_until"] is None
    reply = rig.commands.handle("pause", {"minutes": 30})
    assert reply["ok"] and reply["state"] == "paused"
    assert reply["paused_until"] == "2026-11-23T09:30:00+01:00"
    assert rig.actions.resume_action.isEnabled()
    assert rig.commands.handle("resume", {})["state"] == "working"
    assert rig.commands.handle("pause", {"until": "tomorrow"})["paused_until"] == (
        "2026-11-24T09:00:00+01:00"
    )
    for bad in ({"minutes": 0}, {"minutes": "5"}, {"minutes": True}, {"until": "later"}, {}):
        assert rig.commands.handle("pause", bad)["ok"] is False
    assert rig.commands.handle("dance", {}) == {"ok": False, "error": "unknown command 'dance'"}
    rig.commands.handle("break-now", {})
    assert rig.window.isVisible()
    assert rig.commands.status()["prompt"]["source"] == "manual"


def test_tray_menu_drives_the_planner(rig: Rig, qtbot: QtBot) -> None:
    rig.actions.take_break.trigger()
    assert rig.window.isVisible()
    rig.actions.snooze_action.trigger()
    assert not rig.window.isVisible()
    rig.actions.pause_actions[0].trigger()  # pausing while snoozed skips the prompt
    assert rig.commands.status()["state"] == "paused"
    assert "Paused until" in rig.host.next_line.text()
    assert rig.kinds()[-2:] == [EventKind.SKIPPED, EventKind.PAUSED]


def test_quitting_records_the_open_prompt_as_missed(rig: Rig) -> None:
    rig.advance(minutes=45)
    rig.controller.stop()
    assert rig.kinds()[-1] is EventKind.MISSED
    assert not rig.window.isVisible()


def test_posture_micro_check_halfway_once_per_sitting_stretch(rig: Rig) -> None:
    assert rig.alarm.wake_time == datetime(2026, 11, 23, 9, 22, 30, tzinfo=BERLIN)
    rig.advance(minutes=23)
    assert [title for title, _, _ in rig.notes.shown] == ["Quick posture check"]
    checks = [e for e in rig.store.iter_events() if e.kind is EventKind.POSTURE_CHECK]
    assert len(checks) == 1 and checks[0].prompt_id is None and checks[0].detail
    rig.advance(minutes=20)
    assert len(rig.notes.shown) == 1  # not again before the break
    rig.advance(minutes=2)
    rig.window.start_requested.emit()
    rig.advance(minutes=2)  # break done at 09:47: the next check is at 10:09:30
    rig.advance(minutes=23)
    checks = [e for e in rig.store.iter_events() if e.kind is EventKind.POSTURE_CHECK]
    assert len(checks) == 2 and checks[0].detail != checks[1].detail  # a different item
    assert rig.week_report().days[0].prompted == 1  # not counted as a break


def test_posture_checks_can_be_turned_off(rig: Rig) -> None:
    rig.controller.apply_settings(Settings(posture_checks=False))
    rig.advance(minutes=30)
    assert rig.notes.shown == []
    assert rig.alarm.wake_time == datetime(2026, 11, 23, 9, 45, tzinfo=BERLIN)


def test_not_for_me_keeps_an_exercise_out_of_prompts(rig: Rig) -> None:
    desk = [e.id for e in rig.controller.library.desk_friendly()]
    for exercise_id in desk[1:]:
        rig.controller.set_excluded(exercise_id, True)
    assert rig.store.excluded_exercises() == set(desk[1:])
    for _ in range(3):
        rig.actions.take_break.trigger()
        assert rig.controller.planner.active.prompt.exercise_id == desk[0]  # type: ignore[union-attr]
        rig.window.skip_requested.emit()
    rig.controller.set_excluded(desk[0], True)
    rig.actions.take_break.trigger()
    assert rig.controller.planner.active.prompt.exercise_id is None  # type: ignore[union-attr]
    assert rig.window.prompt_card.name.text() == "Stand up and walk"


class FakeIdle:
    name = "fake"

    def __init__(self) -> None:
        self.seconds = 0.0

    def idle_seconds(self) -> float | None:
        return self.seconds


class FakeHold:
    name = "fake-hold"

    def __init__(self) -> None:
        self.now: str | None = None

    def reason(self) -> str | None:
        return self.now


def test_desktop_is_looked_at_only_as_often_as_the_rules_need(rig: Rig) -> None:
    from deskguard.adapters.hold import Holds

    idle, hold = FakeIdle(), FakeHold()
    rig.controller.idle = idle
    rig.controller.holds = Holds([hold])
    idle.seconds = 10.0
    rig.controller.tick()
    # Active user: the earliest they can have been away a whole 2-min break is in 110 s.
    assert rig.controller._poll.isActive() and rig.controller._poll.interval() == 110_500
    idle.seconds = 200.0
    rig.controller.tick()
    # Away: look every 5 s, so that a user who comes back and keeps typing is seen back
    # when they came, not at the next heartbeat (idle time only dates the last input).
    assert rig.controller._poll.isActive() and rig.controller._poll.interval() == 5000
    assert rig.controller.planner.away_since is not None
    idle.seconds = 0.0
    hold.now = "presentation"
    rig.advance(minutes=47)  # back at 09:01 after the absence: due at 09:46
    assert rig.commands.status()["held"] == "presentation"
    assert rig.controller._poll.interval() == 5000  # watch for the presentation's end
    assert "Break held: presentation" in rig.host.next_line.text()
    tray = Tray(rig.actions, QIcon())
    rig.controller.set_host(tray)
    assert "Away detection: fake; presentations: fake-hold" in tray.icon.toolTip()
    rig.controller.set_host(rig.host)
    hold.now = None
    rig.controller.tick()
    assert rig.window.isVisible()
    rig.controller.pause(30)
    assert not rig.controller._poll.isActive()  # nothing is read while paused


def test_todays_breaks_reach_the_tray_line(rig: Rig) -> None:
    assert "breaks today" not in rig.host.next_line.text()
    rig.advance(minutes=45)
    rig.window.start_requested.emit()
    rig.advance(minutes=2)  # completed by its timer
    assert rig.host.next_line.text().endswith(" · 1 of 1 break today")
    rig.advance(minutes=45)
    rig.window.skip_requested.emit()
    assert rig.host.next_line.text().endswith(" · 1 of 2 breaks today")

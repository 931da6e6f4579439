"""The back-care programme wired into the app (app.start_programme, app.Windows).

The tray entries open the programme and progress windows on the coach (released when
closed, built afresh when asked for again; an open session outlives them), the coach's
reminders reach the notifier chain, red flags bring up the clinician screen, settings
changes reach the coach and the session-day job, and `programme` answers over IPC.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from PySide6.QtCore import SIGNAL, QObject, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from deskguard.adapters.paths import Paths
from deskguard.adapters.session_reminder import JOB_ID, SessionReminder
from deskguard.app import make_windows, start_programme
from deskguard.core.model import Settings
from deskguard.core.programme import Kind, ProgrammeEvent
from deskguard.ui.windows import Windows
from tests.adapters.test_session_reminder import fake_datetime
from tests.services.test_breaks import BERLIN, MONDAY_9, Rig

PROGRAMME_KEYS = {
    "ok",
    "started",
    "phase",
    "phase_title",
    "phase_since",
    "hold_until",
    "paused",
    "pause_reasons",
    "train_today",
    "advance",
    "review",
    "review_on",
    "checkin_due",
    "sessions_this_week",
    "last_session",
    "reminded_today",
    "next_session_day",
    "next_reminder_at",
    "days",
    "time",
    "reminders",
}


@dataclasses.dataclass
class Wired:
    rig: Rig
    windows: Windows
    reminder: SessionReminder | None


@pytest.fixture
def wired(qtbot: QtBot, tmp_path: Path) -> Iterator[Wired]:
    rig = Rig(qtbot, tmp_path)
    paths = Paths(tmp_path / "c", tmp_path / "d", tmp_path / "l", tmp_path / "r")
    windows = make_windows(rig.controller, rig.commands, rig.actions, paths, QIcon(), False)
    reminder = start_programme(rig.controller, rig.commands, windows, rig.store, rig.alarm)
    yield Wired(rig, windows, reminder)
    rig.controller.stop()
    rig.store.close()


def opened(wired: Wired, name: str, qtbot: QtBot) -> QWidget:
    window = wired.windows._open[name]
    qtbot.addWidget(window)
    return window


def test_tray_entries_open_the_programme_and_progress_windows(wired: Wired, qtbot: QtBot) -> None:
    from deskguard.ui.programme_window import ProgrammeWindow
    from deskguard.ui.progress import ProgressWindow

    coach = wired.rig.commands.coach
    assert coach is not None
    wired.rig.actions.programme_action.trigger()
    programme = opened(wired, "programme", qtbot)
    assert isinstance(programme, ProgrammeWindow)
    assert programme.isVisible() and programme.coach is coach
    wired.rig.actions.progress_action.trigger()
    progress = opened(wired, "progress", qtbot)
    assert isinstance(progress, ProgressWindow)
    assert progress.isVisible() and progress.coach is coach and progress.weeks == 12
    assert progress.breaks.history is wired.rig.store  # the breaks come from the database
    with qtbot.waitSignal(progress.destroyed):  # closing only hides it: released all the same
        progress.close()
        assert "progress" not in wired.windows._open
    del progress
    wired.rig.actions.programme_action.trigger()
    assert wired.windows._open["programme"] is programme  # still open: shown again, not rebuilt
    # The programme window's own "Progress" button goes through the same method.
    assert programme.open_progress == wired.windows.show_progress
    programme.open_progress()
    again = opened(wired, "progress", qtbot)  # built afresh
    assert isinstance(again, ProgressWindow) and again.isVisible() and again.coach is coach


def changed_receivers(coach: QObject) -> int:
    return coach.receivers(SIGNAL("changed()"))


def test_a_closed_programme_window_is_released_and_built_again(wired: Wired, qtbot: QtBot) -> None:
    from deskguard.ui.programme_window import ProgrammeWindow
    from deskguard.ui.screening import ClinicianDialog, ClinicianWatch

    coach = wired.rig.commands.coach
    assert coach is not None
    before = changed_receivers(coach)
    wired.rig.actions.programme_action.trigger()
    first = wired.windows._open["programme"]
    assert isinstance(first, ProgrammeWindow) and first.isVisible()
    assert changed_receivers(coach) > before
    gone = weakref.ref(first)
    with qtbot.waitSignal(first.destroyed):  # Esc closes it
        qtbot.keyClick(first, Qt.Key.Key_Escape)
    del first
    qtbot.waitUntil(lambda: gone() is None)  # nothing keeps the Python side alive either
    assert "programme" not in wired.windows._open
    assert changed_receivers(coach) == before  # nothing left connected to it
    coach.changed.emit()  # reaches no deleted window
    coach.start([])  # the coach goes on without its window
    wired.rig.actions.programme_action.trigger()
    second = opened(wired, "programme", qtbot)
    assert isinstance(second, ProgrammeWindow) and second.isVisible()
    # The clinician screen's watch belongs to the coach, not to a window.
    coach.screen(["leg-weakness"])
    watch = coach.findChild(ClinicianWatch)
    assert isinstance(watch, ClinicianWatch) and isinstance(watch.dialog, ClinicianDialog)
    qtbot.addWidget(watch.dialog)
    assert watch.dialog.isVisible()


def test_an_open_session_outlives_its_closed_programme_window(wired: Wired, qtbot: QtBot) -> None:
    from deskguard.ui.programme_window import ProgrammeWindow
    from deskguard.ui.session_player import SessionPlayer

    coach = wired.rig.commands.coach
    assert coach is not None
    coach.start([])
    wired.rig.actions.programme_action.trigger()
    programme = wired.windows._open["programme"]
    assert isinstance(programme, ProgrammeWindow)
    programme.open_session()
    player = programme.player
    assert isinstance(player, SessionPlayer) and player.isVisible()
    qtbot.addWidget(player)
    with qtbot.waitSignal(programme.destroyed):
        programme.close()
    del programme
    assert player.isVisible()  # the session goes on
    assert wired.windows._open["session"] is player
    wired.rig.actions.programme_action.trigger()  # a new programme window finds it
    programme = opened(wired, "programme", qtbot)
    assert isinstance(programme, ProgrammeWindow) and programme.player is player
    programme.open_session()
    assert programme.player is player  # raised, not a second player
    with qtbot.waitSignal(player.destroyed):
        player.abandon()
    assert "session" not in wired.windows._open
    assert programme.player is None  # nothing holds the deleted player
    del player
    programme.open_session()  # a new session, a new player
    assert isinstance(programme.player, SessionPlayer) and programme.player.isVisible()
    qtbot.addWidget(programme.player)


def test_the_coach_logs_to_the_store(wired: Wired) -> None:
    coach = wired.rig.commands.coach
    assert coach is not None
    coach.start([])
    assert [e.kind for e in wired.rig.store.programme_events()] == [Kind.SCREENED, Kind.STARTED]


def test_a_session_day_reminder_reaches_the_notifier_chain(wired: Wired) -> None:
    coach = wired.rig.commands.coach
    assert coach is not None
    coach.start([])
    wired.rig.clock.set(MONDAY_9.replace(hour=18))
    assert coach.session_day_reached()
    title, body, _timeout = wired.rig.notes.shown[-1]
    assert title == "Back-care session today"
    assert body.startswith("Phase 1, Settle and re-activate")
    assert wired.rig.controller.last_notifier == "recording"
    assert not coach.session_day_reached()  # once a day
    assert [t for t, _, _ in wired.rig.notes.shown].count("Back-care session today") == 1


def test_a_red_flag_brings_up_the_clinician_screen(wired: Wired, qtbot: QtBot) -> None:
    from deskguard.ui.screening import ClinicianDialog, ClinicianWatch

    coach = wired.rig.commands.coach
    assert coach is not None
    coach.start([])
    coach.screen(["leg-weakness"])
    watch = coach.findChild(ClinicianWatch)
    assert isinstance(watch, ClinicianWatch)
    dialog = watch.dialog
    assert isinstance(dialog, ClinicianDialog)
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert dialog.view.reason_texts == ["Your legs or feet feel weak or lose strength."]
    dialog.close()
    coach.resume()
    coach.screen(["night-pain"])  # the second time the watch answers by itself
    assert dialog.isVisible() and watch.dialog is dialog
    assert len(dialog.view.reason_texts) == 1
    assert dialog.view.reason_texts != ["Your legs or feet feel weak or lose strength."]


def test_new_settings_reach_the_coach_and_the_session_day_job(wired: Wired) -> None:
    assert wired.reminder is not None
    first = wired.reminder.next_run_time
    assert first is not None and first.weekday() in (0, 2, 4) and first.hour == 18
    coach = wired.rig.commands.coach
    assert coach is not None
    new = Settings(programme_days=frozenset({1, 3, 5}), programme_time=time(7, 15))
    wired.rig.controller.apply_settings(new)
    assert coach.settings == new
    after = wired.reminder.next_run_time
    assert after is not None and after.weekday() in (1, 3, 5)
    assert (after.hour, after.minute) == (7, 15)
    wired.rig.controller.apply_settings(dataclasses.replace(new, programme_reminders=False))
    assert wired.rig.alarm.scheduler.get_job(JOB_ID) is None


def test_programme_status_over_ipc(wired: Wired) -> None:
    controller = wired.rig.commands
    before = controller.handle("programme", {})
    assert set(before) == PROGRAMME_KEYS
    assert before["ok"] and before["started"] is None and before["next_session_day"] is None
    assert before["days"] == ["monday", "wednesday", "friday"] and before["time"] == "18:00"
    assert controller.coach is not None
    controller.coach.start([])
    reply = controller.handle("programme", {})
    monday = MONDAY_9.date()
    assert reply["started"] == monday.isoformat() and reply["phase"] == 1
    assert reply["phase_title"] == "Settle and re-activate"
    assert reply["train_today"] == {"ok": True, "reason": "A session is due today."}
    assert reply["advance"]["ok"] is False and reply["paused"] is False
    assert reply["next_session_day"] == monday.isoformat()
    assert reply["review_on"] == (monday + timedelta(days=28)).isoformat()
    assert reply["reminded_today"] is False
    when = datetime.fromisoformat(reply["next_reminder_at"])
    assert when.tzinfo is not None and when.astimezone(BERLIN).hour == 18
    controller.coach.finish_session(5, 5)
    done = controller.handle("programme", {})
    assert done["last_session"] == monday.isoformat()
    assert done["next_session_day"] == (monday + timedelta(days=2)).isoformat()
    controller.coach.pause()
    paused = controller.handle("programme", {})
    assert paused["paused"] and paused["pause_reasons"] == ["user"]
    assert paused["next_session_day"] is None


def test_an_unreadable_programme_log_leaves_breaks_running_and_says_why(
    qtbot: QtBot, tmp_path: Path
) -> None:
    rig = Rig(qtbot, tmp_path)
    try:
        rig.store.add_programme_events([ProgrammeEvent(Kind.STARTED, MONDAY_9, phase=1)])
        rig.store._conn.execute(
            "INSERT INTO program_log (kind, at_utc, utc_offset_min)"
            " VALUES ('teleported', '2026-11-23T08:00:00.000000Z', 60)"
        )
        paths = Paths(tmp_path / "c", tmp_path / "d", tmp_path / "l", tmp_path / "r")
        windows = make_windows(rig.controller, rig.commands, rig.actions, paths, QIcon(), False)
        assert start_programme(rig.controller, rig.commands, windows, rig.store, rig.alarm) is None
        title, body, _ = rig.notes.shown[-1]
        assert title == "DeskGuard cannot open the back-care programme"
        assert "programme log row 2 has an unknown kind 'teleported'" in body
        reply = rig.commands.handle("programme", {})
        assert reply["ok"] is False and "unknown kind 'teleported'" in reply["error"]
        rig.actions.programme_action.trigger()  # tells again instead of opening
        assert "programme" not in windows._open
        assert rig.notes.shown[-1][0] == "The back-care programme is not available"
        assert rig.commands.status()["state"] == "working"  # breaks go on
        count = rig.store._conn.execute("SELECT count(*) FROM program_log").fetchone()[0]
        assert count == 2  # nothing the user recorded was touched
    finally:
        rig.controller.stop()
        rig.store.close()


def test_started_after_a_session_time_today_the_reminder_catches_up(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = Rig(qtbot, tmp_path)
    fake = fake_datetime(rig.clock)  # APScheduler's own "now" follows the test's clock
    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", fake)
    monkeypatch.setattr(apscheduler.executors.base, "datetime", fake)
    try:
        start = MONDAY_9 - timedelta(days=3)
        rig.store.add_programme_events([ProgrammeEvent(Kind.STARTED, start, phase=1)])
        rig.clock.set(MONDAY_9.replace(hour=19))
        paths = Paths(tmp_path / "c", tmp_path / "d", tmp_path / "l", tmp_path / "r")
        reminder = start_programme(
            rig.controller,
            rig.commands,
            make_windows(rig.controller, rig.commands, rig.actions, paths, QIcon(), False),
            rig.store,
            rig.alarm,
        )
        assert reminder is not None
        when = reminder.next_run_time
        assert when is not None and when.astimezone(BERLIN) == MONDAY_9.replace(hour=18)
        rig.alarm.scheduler._process_jobs()  # what the alarm's timer does next
        rig.alarm.scheduler.executor.run_pending()
        reminded = [e for e in rig.store.programme_events() if e.kind is Kind.REMINDED]
        assert [e.detail for e in reminded] == [date(2026, 11, 23).isoformat()]
        assert rig.notes.shown[-1][0] == "Back-care session today"
    finally:
        rig.controller.stop()
        rig.store.close()

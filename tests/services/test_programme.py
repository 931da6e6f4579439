"""The coach records what core/programme.py decides and tells the windows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import load_library
from deskguard.core.clock import FakeClock
from deskguard.core.model import Settings
from deskguard.core.programme import Kind, PainWhen, ProgrammeEvent, Sensation
from deskguard.services.programme import Coach, MemoryProgrammeLog

MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def make(log: MemoryProgrammeLog | None = None, **settings: object) -> tuple[Coach, FakeClock]:
    clock = FakeClock(MONDAY)
    coach = Coach(
        log=log or MemoryProgrammeLog(),
        clock=clock,
        settings=Settings(**settings),  # type: ignore[arg-type]
        library=load_library(),
    )
    return coach, clock


def test_actions_are_logged_and_announced(qtbot: QtBot) -> None:
    log = MemoryProgrammeLog()
    coach, _clock = make(log)
    with qtbot.waitSignal(coach.changed, timeout=1000):
        coach.start([])
    coach.log_pain(5, Sensation.ACHE, PainWhen.BEFORE)
    coach.finish_session(5, 5)
    assert [e.kind for e in log.events] == [
        Kind.SCREENED,
        Kind.STARTED,
        Kind.PAIN,
        Kind.SESSION_DONE,
    ]
    assert coach.status().last_session == MONDAY.date()


def test_a_red_flag_asks_for_the_clinician_screen_with_its_reasons(qtbot: QtBot) -> None:
    coach, _clock = make()
    coach.start([])
    with qtbot.waitSignal(coach.clinician_needed, timeout=1000) as signal:
        coach.screen(["leg-weakness"])
    assert signal.args == [["leg-weakness"]]
    assert coach.status().paused
    assert coach.flag_texts(["leg-weakness", "user"]) == [
        "Your legs or feet feel weak or lose strength."
    ]


def test_a_user_pause_is_not_a_clinical_one(qtbot: QtBot) -> None:
    coach, _clock = make()
    coach.start([])
    with qtbot.assertNotEmitted(coach.clinician_needed):
        coach.pause()
    assert coach.status().paused
    coach.resume()
    assert coach.status().active


def test_screening_leaves_out_what_the_review_answers() -> None:
    coach, _clock = make()
    ids = [f.id for f in coach.screening_questions()]
    assert "no-progress-with-exercise" not in ids
    assert "leg-weakness" in ids and "bladder-or-bowel-control" in ids


def test_session_day_reminds_once(qtbot: QtBot) -> None:
    coach, clock = make()
    coach.start([])
    with qtbot.waitSignal(coach.reminder, timeout=1000) as signal:
        assert coach.session_day_reached()
    assert "Phase 1" in signal.args[1]
    clock.advance(hours=2)
    with qtbot.assertNotEmitted(coach.reminder):
        assert not coach.session_day_reached()
    clock.advance(days=1)  # Tuesday: not a session day
    assert not coach.session_day_reached()


def test_reminders_can_be_turned_off() -> None:
    coach, _clock = make(programme_reminders=False)
    coach.start([])
    assert not coach.session_day_reached()


def test_routine_follows_the_phase() -> None:
    coach, _clock = make()
    coach.start([])
    assert {s.exercise_id for s in coach.routine()} == set(coach.phase().exercise_ids)


class BrokenLog(MemoryProgrammeLog):
    def add_programme_events(self, events: Sequence[ProgrammeEvent]) -> None:
        raise OSError("disk full")


def test_a_failed_write_changes_nothing() -> None:
    coach, _clock = make(BrokenLog())
    with pytest.raises(OSError):
        coach.start([])
    assert coach.status().started is None and coach.events() == []

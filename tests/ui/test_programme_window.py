"""The programme window shows coach.status() as days go by on a fake clock (issue 7)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import load_library
from deskguard.core import programme
from deskguard.core.clock import FakeClock
from deskguard.core.model import Settings
from deskguard.core.programme import Kind, PainWhen, Sensation
from deskguard.services.programme import Coach, MemoryProgrammeLog
from deskguard.ui.programme_window import TITLE, ProgrammeWindow, days_text
from deskguard.ui.screening import clinician_watch
from deskguard.ui.session_player import SessionPlayer

MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(autouse=True)
def close_windows(qapp: QApplication) -> Iterator[None]:
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SessionPlayer):
            widget.abandon()
        widget.close()


def make(settings: Settings | None = None) -> tuple[Coach, FakeClock]:
    clock = FakeClock(MONDAY)
    coach = Coach(
        log=MemoryProgrammeLog(),
        clock=clock,
        settings=settings or Settings(),
        library=load_library(),
    )
    return coach, clock


def open_window(qtbot: QtBot, coach: Coach, open_progress: object = None) -> ProgrammeWindow:
    window = ProgrammeWindow(coach, open_progress)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def shown(window: ProgrammeWindow) -> str:
    return "\n".join(label.text() for label in window.findChildren(QLabel) if label.isVisible())


def session(coach: Coach, before: int = 4) -> None:
    coach.log_pain(before, Sensation.ACHE, PainWhen.BEFORE)
    coach.finish_session(5, 5)


def clean_week(coach: Coach, clock: FakeClock, before: int = 4) -> None:
    """Sessions on Monday, Wednesday and Friday; the clock ends on the next Monday."""
    for gap in (2, 2, 3):
        session(coach, before)
        clock.advance(days=gap)


# ---- not started ----------------------------------------------------------------------------


def test_before_the_start_it_explains_the_programme(qtbot: QtBot) -> None:
    coach, _clock = make()
    window = open_window(qtbot, coach)
    assert window.windowTitle() == TITLE
    text = shown(window)
    for phase in programme.PHASES:
        assert f"Phase {phase.number} · {phase.title}" in text
        assert phase.goal in text
    rules = window.rules.text()
    assert "3–4 sessions a week, on days that are not back to back" in rules
    assert "At least a full week in each phase" in rules
    assert "10–25 lb (5–11 kg)" in rules
    assert "steps back a phase for a week" in rules
    assert "Monday, Wednesday and Friday, at 18:00" in window.intro_days.text()
    assert window.start_button.isVisible() and not window.current.isVisible()
    assert (
        window.disclaimer.isVisible() and window.disclaimer.text() == programme.NOT_MEDICAL_ADVICE
    )


def test_starting_asks_the_warning_signs_first(qtbot: QtBot) -> None:
    coach, _clock = make()
    window = open_window(qtbot, coach)
    window.start_button.click()
    screening = window.screening
    assert screening is not None and screening.isVisible() and screening.starting
    assert coach.events() == []  # nothing starts before the answers
    screening.form.none_apply()
    screening.form.confirm_button.click()
    assert coach.status().active
    # Redrawn through coach.changed: phase 1, week 1, today's session on offer.
    assert not window.intro.isVisible() and window.current.isVisible()
    assert window.phase_title.text() == "Settle and re-activate"
    assert window.phase_of.text() == "Phase 1 of 3"
    assert window.phase_week.text() == "Week 1 of this phase, since Monday 23 November."
    assert window.session_button.isEnabled()
    assert window.today_reason.text() == "A session is due today."
    assert not window.advance_button.isVisible()
    assert "at least a full week" in window.advance_reason.text()
    assert not window.phase_load.isVisible()
    assert "Monday, Wednesday and Friday, at 18:00" in window.days.text()


def test_a_yes_at_the_start_pauses_until_a_clinician_clears_it(qtbot: QtBot) -> None:
    coach, _clock = make()
    window = open_window(qtbot, coach)
    window.start_button.click()
    assert window.screening is not None
    window.screening.form.none_apply()
    window.screening.form.yes["after-fall-or-injury"].click()
    window.screening.form.confirm()
    assert coach.status().paused
    assert window.paused_box.isVisible()
    assert "after a fall, an accident" in window.paused_reasons.text()
    assert "not a diagnosis" in window.paused_lead.text()
    assert not window.session_button.isEnabled()
    assert "clinician has cleared you" in window.today_reason.text()
    dialog = clinician_watch(coach).dialog
    assert dialog is not None and dialog.isVisible()
    assert window.resume_button.text() == "A clinician has cleared me to continue"
    window.resume_button.click()
    assert coach.status().active and not window.paused_box.isVisible()
    assert window.session_button.isEnabled()


def test_a_pause_of_the_users_own_is_not_a_clinical_one(qtbot: QtBot) -> None:
    coach, _clock = make()
    coach.start([])
    coach.pause()
    window = open_window(qtbot, coach)
    assert window.paused_box.isVisible()
    assert window.paused_lead.text() == "You paused the programme yourself."
    assert not window.paused_reasons.isVisible()
    assert window.resume_button.accessibleName() == "Resume the programme"


def test_the_user_can_pause_and_resume_without_a_warning_sign(qtbot: QtBot) -> None:
    coach, _clock = make()
    window = open_window(qtbot, coach)
    assert not window.pause_button.isVisible()  # nothing to pause before the start
    coach.start([])
    assert window.pause_button.isVisible()
    with qtbot.assertNotEmitted(coach.clinician_needed):
        window.pause_button.click()
    assert coach.status().paused and coach.status().pause_reasons == ("user",)
    assert window.paused_box.isVisible() and not window.pause_button.isVisible()
    assert not window.session_button.isEnabled()
    window.resume_button.click()
    assert coach.status().active and window.pause_button.isVisible()


# ---- days go by ------------------------------------------------------------------------------


def test_session_days_rest_days_and_the_weekly_count(qtbot: QtBot) -> None:
    coach, clock = make()
    coach.start([])
    window = open_window(qtbot, coach)
    session(coach)  # redrawn on coach.changed
    assert not window.session_button.isEnabled()
    assert window.today_reason.text().startswith("Today's session is done")
    assert window.week_count.text() == "1 session so far this week; the plan asks for 3–4."
    clock.advance(days=1)
    window.refresh()
    assert not window.session_button.isEnabled()
    assert window.today_reason.text().startswith("Rest day")
    clock.advance(days=1)
    window.refresh()
    assert window.session_button.isEnabled()


def test_after_a_clean_week_the_next_phase_is_offered_and_taken(qtbot: QtBot) -> None:
    coach, clock = make()
    coach.start([])
    window = open_window(qtbot, coach)
    clean_week(coach, clock)
    assert not window.advance_button.isVisible()  # not redrawn yet: a new day, no change
    window.refresh()
    assert window.advance_button.isVisible()
    assert window.advance_button.text() == "Move on to phase 2"
    assert window.phase_week.text().startswith("Week 2 of this phase")
    window.advance_button.click()
    assert coach.status().phase == 2
    assert window.phase_title.text() == "Build stability"
    assert window.phase_week.text() == "Week 1 of this phase, since Monday 30 November."
    assert not window.advance_button.isVisible()
    assert [e.kind for e in coach.events()][-1] is Kind.ADVANCED


def test_phase_three_shows_the_light_load(qtbot: QtBot) -> None:
    coach, clock = make()
    coach.start([])
    for _ in range(2):
        clean_week(coach, clock)
        coach.advance()
    window = open_window(qtbot, coach)
    assert window.phase_of.text() == "Phase 3 of 3"
    assert window.phase_load.isVisible()
    assert f"{programme.LOAD_LB[0]}–{programme.LOAD_LB[1]} lb" in window.phase_load.text()
    assert f"({programme.LOAD_KG[0]}–{programme.LOAD_KG[1]} kg)" in window.phase_load.text()
    assert window.advance_title.text() == "The last phase"
    assert not window.advance_button.isVisible()


def test_the_weekly_check_in_comes_due_and_goes_away_once_done(qtbot: QtBot) -> None:
    coach, clock = make()
    coach.start([])
    window = open_window(qtbot, coach)
    assert not window.checkin_box.isVisible()
    clock.advance(days=programme.CHECKIN_EVERY_DAYS)
    window.refresh()
    assert window.checkin_box.isVisible()
    window.checkin_button.click()
    dialog = window.checkin
    assert dialog is not None and dialog.isVisible() and dialog.when is PainWhen.CHECKIN
    dialog.rating.set_rating(3)
    dialog.rating.set_sensation(Sensation.ACHE)
    dialog.save_button.click()
    assert coach.events()[-1].when is PainWhen.CHECKIN
    assert not window.checkin_box.isVisible()


def test_four_weeks_without_improvement_recommend_a_physical_therapist(qtbot: QtBot) -> None:
    coach, clock = make()
    coach.start([])
    for _ in range(4):
        clean_week(coach, clock, before=5)
    window = open_window(qtbot, coach)
    review = coach.status().review
    assert review is not None and review.see_therapist
    assert window.review_box.isVisible()
    assert window.review_title.text() == "Four-week review: please see a physiotherapist"
    text = window.review_text.text()
    assert "averaged 5.0 out of 10 in your first week and 5.0 over the last seven days" in text
    assert "no change" in text and "at least 20–30% less pain" in text
    assert "DeskGuard for 30% (our choice)" in text
    assert "physiotherapist assess your back" in text


def test_four_weeks_with_improvement_say_on_track(qtbot: QtBot) -> None:
    coach, clock = make()
    coach.start([])
    clean_week(coach, clock, before=6)
    for _ in range(3):
        clean_week(coach, clock, before=3)
    window = open_window(qtbot, coach)
    assert window.review_title.text() == "Four-week review: on track"
    assert "6.0 out of 10 in your first week and 3.0" in window.review_text.text()
    assert "50% less pain" in window.review_text.text()
    assert "physiotherapist" not in window.review_text.text()


def test_steady_severe_pain_advises_a_clinician(qtbot: QtBot) -> None:
    coach, _clock = make()
    coach.start([])
    window = open_window(qtbot, coach)
    assert not window.severe_box.isVisible()
    coach.log_pain(7, Sensation.ACHE, PainWhen.CHECKIN)
    assert not window.severe_box.isVisible()  # one bad day is not "steady"
    coach.log_pain(6, Sensation.ACHE, PainWhen.BEFORE)
    assert window.severe_box.isVisible()
    assert "doctor or physiotherapist" in window.severe_text.text()


# ---- buttons ----------------------------------------------------------------------------------


def test_todays_session_opens_the_player(qtbot: QtBot) -> None:
    coach, _clock = make()
    coach.start([])
    window = open_window(qtbot, coach)
    window.session_button.click()
    player = window.player
    assert player is not None and player.isVisible() and "Session" in player.windowTitle()
    window.session_button.click()
    assert window.player is player  # one player at a time


def test_progress_opens_through_the_callback(qtbot: QtBot) -> None:
    calls: list[str] = []
    coach, _clock = make()
    window = open_window(qtbot, coach, lambda: calls.append("progress"))
    assert window.progress_button.isVisible()
    window.progress_button.click()
    assert calls == ["progress"]
    other = open_window(qtbot, coach)
    assert not other.progress_button.isVisible()


def test_the_chosen_days_and_time_are_shown(qtbot: QtBot) -> None:
    coach, _clock = make(Settings(programme_days=frozenset({1, 3, 5}), programme_time=time(7, 30)))
    window = open_window(qtbot, coach)
    assert (
        window.intro_days.text() == "Your session days: Tuesday, Thursday and Saturday, at 07:30."
    )
    assert days_text({2}) == "Wednesday"


def test_every_state_carries_the_disclaimer_and_named_buttons(qtbot: QtBot) -> None:
    coach, clock = make()
    window = open_window(qtbot, coach)
    states = [
        lambda: None,
        lambda: coach.start([]),
        lambda: clean_week(coach, clock),
        lambda: coach.screen(["leg-weakness"]),
    ]
    for step in states:
        step()
        window.refresh()
        assert window.disclaimer.isVisible()
        assert "not medical advice" in window.disclaimer.text()
        buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisible()]
        assert buttons
        assert [b.text() for b in buttons if not b.accessibleName()] == []

"""The programme's boundaries, each pinned by a scenario: the ones a mutation run over
core/programme.py showed no other test would notice (benchmarks/mutate_core.py)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest

from deskguard.core import programme
from deskguard.core.clock import FakeClock
from deskguard.core.model import Dose, Exercise, Range
from deskguard.core.programme import Kind, Offer, PainWhen, ProgrammeEvent, Sensation, Status
from tests.core.test_programme import MONDAY, MWF, Journey, started

DAY0 = MONDAY.date()


def on(day: int) -> datetime:
    return MONDAY + timedelta(days=day)


# ---- documented numbers -----------------------------------------------------------------


def test_rest_between_sets_is_deskguards_thirty_seconds() -> None:
    assert programme.REST_BETWEEN_SETS_SECONDS == 30  # DeskGuard's choice
    steps = programme.plan_session(1, {"cat-cow": _exercise("cat-cow", Dose(sets=Range(2, 2)))})
    assert [s.rest_after_seconds for s in steps] == [30, 0]


def test_the_phases_are_numbered_one_to_three_004() -> None:
    assert [p.number for p in programme.PHASES] == [1, 2, 3]
    assert [programme.phase(n).number for n in (1, 2, 3)] == [1, 2, 3]


# ---- before the start -------------------------------------------------------------------


def test_no_programme_yet_gives_the_documented_defaults() -> None:
    for state in (programme.status([], DAY0), Status()):
        assert state.started is None and not state.active
        assert state.phase == 1 and state.paused is False
        assert state.sessions_this_week == 0 and state.clean_sessions == 0
        assert state.advance == Offer(False, "The programme has not started.")
        assert state.train_today == Offer(False, "The programme has not started.")
        assert state.checkin_due is False and state.steady_severe_pain is False
        assert programme.week_in_phase(state, DAY0 + timedelta(days=30)) == 1


def test_start_logs_phase_one() -> None:
    events = programme.start(MONDAY, [])
    assert [(e.kind, e.phase) for e in events] == [(Kind.SCREENED, 0), (Kind.STARTED, 1)]


def test_a_session_without_a_phase_before_the_start_counts_as_phase_one() -> None:
    log = [ProgrammeEvent(Kind.SESSION_DONE, on(-3)), *programme.start(MONDAY, [])]
    assert programme.status(log, DAY0).sessions == ((DAY0 - timedelta(days=3), 1),)


# ---- stored events without a phase or a sensation --------------------------------------


def test_sessions_stored_without_a_phase_count_for_the_current_phase() -> None:
    j = started()
    j.train_week()
    j.advance()
    j.log.append(ProgrammeEvent(Kind.SESSION_DONE, j.clock.now()))
    j.days(2)
    j.log.append(ProgrammeEvent(Kind.SESSION_STOPPED, j.clock.now(), detail="dead-bug"))
    state = j.state()
    assert state.sessions[-2:] == ((j.today - timedelta(days=2), 2), (j.today, 2))
    assert state.clean_sessions == 2


def test_a_pain_rating_without_a_sensation_does_not_block_the_offer() -> None:
    j = started()
    j.train_week()
    j.log.append(ProgrammeEvent(Kind.PAIN, j.clock.now(), rating=3, when=PainWhen.BEFORE))
    assert j.state().advance.ok


def test_a_good_ache_does_not_block_the_offer_004() -> None:
    j = started()
    for gap in (0, 2, 2):
        j.days(gap)
        j.session()
        j.rate(3, PainWhen.AFTER, Sensation.ACHE)
    j.days(3)
    assert j.state().advance.ok


# ---- sessions and the offer to advance --------------------------------------------------


def test_the_last_session_is_the_latest_one() -> None:
    j = started()
    j.session()  # Monday
    j.days(2)
    j.session()  # Wednesday
    j.days(1)  # Thursday: the day after the latest session
    state = j.state()
    assert state.last_session == j.today - timedelta(days=1)
    assert not state.train_today.ok and "Rest day" in state.train_today.reason


def test_sessions_older_than_a_week_do_not_count_for_the_offer() -> None:
    j = started()
    for gap in (0, 2, 2):
        j.days(gap)
        j.session()
    j.days(8)  # day 12: the three sessions are more than 7 days old
    state = j.state()
    assert state.clean_sessions == 0
    assert not state.advance.ok and "0 so far" in state.advance.reason


def test_after_a_step_back_the_earlier_sessions_of_that_phase_do_not_count() -> None:
    j = started()
    j.train_week()  # phase-1 sessions on days 0, 2 and 4
    j.advance()  # day 7: phase 2
    j.days(2)
    j.sharp("dead-bug")  # day 9: back to phase 1; days 2 and 4 are inside the window
    state = j.state()
    assert state.phase == 1 and state.phase_since == j.today
    assert state.clean_sessions == 0


def test_sharp_pain_in_phase_three_steps_back_to_phase_two_004() -> None:
    j = started()
    for _ in range(2):
        j.train_week()
        j.advance()
    assert j.state().phase == 3
    j.sharp("squat")
    assert j.log[-1].phase == 2 and j.state().phase == 2


def test_no_offer_to_advance_while_paused() -> None:
    j = started()
    j.train_week()
    j.log.append(programme.pause(j.clock.now()))
    offer = j.state().advance
    assert offer == Offer(False, "The programme is paused.")
    with pytest.raises(ValueError, match="paused"):
        j.advance()


def test_the_offer_names_the_day_the_next_phase_opens() -> None:
    j = started()  # Monday 23 November 2026
    j.days(3)
    offer = j.state().advance
    assert not offer.ok and "opens on Monday 30 November" in offer.reason


def test_the_offer_names_the_next_phase() -> None:
    j = started()
    j.train_week()
    offer = j.state().advance
    assert offer.ok and "phase 2 is open to you" in offer.reason


def test_steady_severe_pain_looks_at_the_last_two_ratings_only_002() -> None:
    j = started()
    j.rate(9)
    assert not j.state().steady_severe_pain  # one rating is not yet steady
    j.rate(3)
    j.rate(6)
    j.rate(7)
    assert j.state().steady_severe_pain  # the 3 before them no longer counts


# ---- the four-week review (004) ---------------------------------------------------------


def _rated(*ratings: tuple[int, int], today: int = 28) -> programme.Review | None:
    """Ratings before a session on the given days after the start, read on `today`."""
    j = started()
    log = list(j.log)
    for day, rating in ratings:
        log.append(programme.log_pain(on(day), rating, Sensation.ACHE, PainWhen.BEFORE))
    return programme.status(log, DAY0 + timedelta(days=today)).review


def test_the_review_compares_the_first_seven_days_with_the_last_seven() -> None:
    review = _rated((0, 6), (2, 4), (7, 2), (21, 1), (22, 4), (28, 3))
    assert review is not None
    assert review.baseline == 5  # days 0 and 2; day 7 is the second week
    assert review.recent == 3.5  # days 22 and 28 (today); day 21 is a week old


def test_without_ratings_in_either_week_the_review_uses_the_first_and_last() -> None:
    review = _rated((10, 5), (12, 3))
    assert review is not None
    assert (review.baseline, review.recent) == (5, 3)
    assert review.improvement == pytest.approx(0.4) and not review.see_therapist


def test_zero_ratings_outside_both_weeks_are_read_as_zero() -> None:
    review = _rated((10, 0), (12, 0))
    assert review == programme.Review(0.0, 0.0, 0.0, False)


def test_a_baseline_of_zero_reports_no_improvement() -> None:
    review = _rated((0, 0), (28, 2))
    assert review == programme.Review(0.0, 2.0, 0.0, True)  # worse than no pain: see someone


def test_a_baseline_of_one_is_measured_like_any_other() -> None:
    review = _rated((0, 1), (28, 1))
    assert review == programme.Review(1.0, 1.0, 0.0, True)
    review = _rated((0, 1), (28, 0))
    assert review == programme.Review(1.0, 0.0, 1.0, False)


def test_exactly_thirty_percent_better_needs_no_therapist_004() -> None:
    assert programme.MIN_IMPROVEMENT == 0.30
    review = _rated((0, 10), (28, 7))
    assert review is not None and review.improvement == 0.30
    assert not review.see_therapist


# ---- the routine ------------------------------------------------------------------------


def _exercise(exercise_id: str, dose: Dose) -> Exercise:
    return Exercise(exercise_id, exercise_id, "strength", "floor", False, (), "", (), (), dose)


def test_doses_without_sets_reps_or_holds_fall_back_as_documented() -> None:
    library = {
        "cat-cow": _exercise("cat-cow", Dose(reps=Range(5, 8))),  # no sets: one
        "pelvic-tilt": _exercise("pelvic-tilt", Dose(duration_seconds=Range(20, 30))),
        "glute-bridge": _exercise(
            "glute-bridge", Dose(reps=Range(8, 10), duration_seconds=Range(40, 60))
        ),
        "knee-to-chest": _exercise(
            "knee-to-chest", Dose(hold_seconds=Range(15, 20), duration_seconds=Range(40, 60))
        ),
    }
    first = programme.plan_session(1, library, week_in_phase=1)
    later = programme.plan_session(1, library, week_in_phase=2)
    assert [(s.exercise_id, s.sets, s.reps, s.hold_seconds) for s in first] == [
        ("cat-cow", 1, 5, None),
        ("pelvic-tilt", 1, None, 20),  # duration only: held that long
        ("glute-bridge", 1, 8, None),  # reps win over a duration
        ("knee-to-chest", 1, None, 15),  # a hold wins over a duration
    ]
    assert [(s.exercise_id, s.sets, s.reps, s.hold_seconds) for s in later] == [
        ("cat-cow", 1, 8, None),
        ("pelvic-tilt", 1, None, 30),
        ("glute-bridge", 1, 10, None),
        ("knee-to-chest", 1, None, 20),
    ]


# ---- weekly summary ---------------------------------------------------------------------


def test_the_weeks_phase_is_the_one_on_its_sunday() -> None:
    j = Journey(clock=FakeClock(MONDAY - timedelta(days=1)))  # starts on a Sunday
    j.start()
    j.train_week()  # Sunday, Tuesday, Thursday; then the next Sunday
    j.advance()
    assert j.today == DAY0 + timedelta(days=6)
    (week,) = programme.weekly_progress(j.log, MWF, [DAY0])
    assert week.phase == 2


def test_a_start_late_in_the_week_plans_only_the_days_after_it() -> None:
    j = Journey(clock=FakeClock(MONDAY + timedelta(days=3)))  # starts on a Thursday
    j.start()
    first, second = programme.weekly_progress(j.log, MWF, [DAY0, DAY0 + timedelta(days=7)])
    assert first.planned == 1  # Friday only
    assert second.planned == 3


def test_value_objects_are_immutable_and_hashable() -> None:
    j = started()
    j.rate(4)
    objects: list[object] = [
        programme.phase(1),
        j.log[-1],
        j.state(),
        _rated((0, 6), (28, 3)),
        programme.plan_session(1, {"cat-cow": _exercise("cat-cow", Dose())})[0],
        programme.weekly_progress(j.log, MWF, [DAY0])[0],
        Offer(True, "x"),
    ]
    for obj in objects:
        assert dataclasses.is_dataclass(obj)
        hash(obj)
        name = dataclasses.fields(obj)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, None)


def test_a_session_is_due_only_on_a_session_day() -> None:
    """Started on a Saturday with sessions on Mon/Wed/Fri: Saturday is not "due" (a
    session is still allowed, to make up a missed day); Monday is."""
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
    log = programme.start(saturday, [])
    mwf = frozenset({0, 2, 4})
    offer = programme.status(log, saturday.date(), mwf).train_today
    assert offer.ok and "No session planned today (your days: Mon, Wed, Fri)" in offer.reason
    assert "due" not in offer.reason
    monday = programme.status(log, date(2026, 11, 30), mwf).train_today
    assert monday.ok and monday.reason == "A session is due today."
    # Without the days (old callers), every allowed day reads as due.
    assert programme.status(log, saturday.date()).train_today.reason == "A session is due today."

"""Scenario tests for the back-care programme: weeks replayed with a fake clock.

Each rule's test names the seed article it comes from (004 = the three-phase
progression, 002 = when to seek help).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskguard.adapters.content import load_library
from deskguard.core import programme
from deskguard.core.clock import FakeClock
from deskguard.core.programme import Kind, PainWhen, ProgrammeEvent, Sensation, Status

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN)  # a Monday evening
MWF = frozenset({0, 2, 4})


@dataclass
class Journey:
    """A user's programme: the log, the clock, and the moves a user makes."""

    clock: FakeClock = field(default_factory=lambda: FakeClock(MONDAY))
    log: list[ProgrammeEvent] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.clock.now().date()

    def state(self) -> Status:
        return programme.status(self.log, self.today)

    def days(self, n: int) -> None:
        self.clock.advance(days=n)

    def start(self, *yes: str) -> None:
        self.log += programme.start(self.clock.now(), yes)

    def rate(
        self, rating: int, when: PainWhen = PainWhen.BEFORE, s: Sensation = Sensation.ACHE
    ) -> None:
        self.log.append(programme.log_pain(self.clock.now(), rating, s, when))

    def session(self) -> None:
        state = self.state()
        assert state.train_today.ok, state.train_today.reason
        self.log += programme.finish_session(state, self.clock.now(), 5, 5)

    def sharp(self, exercise: str = "squat") -> None:
        self.log += programme.report_sharp(self.state(), self.clock.now(), exercise)

    def advance(self) -> None:
        self.log += programme.advance(self.state(), self.clock.now())

    def train_week(self) -> None:
        """Monday, Wednesday and Friday sessions, ending on the next Monday."""
        for gap in (0, 2, 2):
            self.days(gap)
            self.session()
        self.days(3)


def started() -> Journey:
    j = Journey()
    j.start()
    return j


# ---- start and red flags (issue 7 item 4; red flags from 000/002/004) ----


def test_start_screens_first_then_begins_at_phase_one() -> None:
    j = started()
    assert [e.kind for e in j.log] == [Kind.SCREENED, Kind.STARTED]
    state = j.state()
    assert state.active and state.phase == 1 and state.phase_since == j.today
    assert state.train_today.ok


def test_any_red_flag_at_start_pauses_and_logs_the_reasons() -> None:
    j = Journey()
    j.start("leg-weakness", "fever-or-chills")
    state = j.state()
    assert state.paused and not state.active
    assert state.pause_reasons == ("fever-or-chills", "leg-weakness")
    assert j.log[0].flags == ("fever-or-chills", "leg-weakness")  # the screening is logged
    assert not state.train_today.ok and "clinician" in state.train_today.reason
    assert not programme.reminder_due(state, range(7), j.today)


def test_red_flag_after_a_sharp_report_pauses_until_cleared() -> None:
    j = started()
    j.sharp("glute-bridge")
    j.log += programme.screen(j.clock.now(), ["shooting-leg-pain"])
    assert j.state().paused
    j.days(2)
    assert not j.state().train_today.ok
    j.log.append(programme.resume(j.state(), j.clock.now()))
    assert j.state().active and j.state().train_today.ok


def test_a_clear_screening_does_not_pause() -> None:
    j = started()
    j.log += programme.screen(j.clock.now(), [])
    assert j.log[-1].kind is Kind.SCREENED and not j.state().paused


def test_resume_needs_a_pause() -> None:
    j = started()
    with pytest.raises(ValueError, match="not paused"):
        programme.resume(j.state(), j.clock.now())


# ---- advancing (004: a full week per phase, without sharp pain) ----


def test_no_offer_before_a_full_week_in_the_phase_004() -> None:
    j = started()
    for gap in (0, 2, 2):  # Mon, Wed, Fri: three clean sessions, but only 4 days in
        j.days(gap)
        j.session()
    offer = j.state().advance
    assert not offer.ok and "full week" in offer.reason
    with pytest.raises(ValueError):
        j.advance()


def test_offer_after_a_full_week_of_sessions_without_sharp_pain_004() -> None:
    j = started()
    j.train_week()
    assert j.state().advance.ok
    j.advance()
    state = j.state()
    assert state.phase == 2 and state.phase_since == j.today
    assert not state.advance.ok  # the next week starts over


def test_a_week_is_not_enough_without_three_sessions_004() -> None:
    j = started()
    j.session()
    j.days(3)
    j.session()
    j.days(4)
    offer = j.state().advance
    assert not offer.ok and "2 so far" in offer.reason


def test_sharp_pain_rated_after_a_session_blocks_the_offer_for_a_week_004() -> None:
    j = started()
    j.train_week()
    j.rate(4, PainWhen.AFTER, Sensation.SHARP)
    assert not j.state().advance.ok
    assert "sharp pain" in j.state().advance.reason
    j.train_week()
    assert j.state().advance.ok


def test_radiating_pain_counts_as_sharp_004() -> None:
    assert Sensation.RADIATING.is_bad and Sensation.SHARP.is_bad
    assert not Sensation.ACHE.is_bad and not Sensation.NONE.is_bad


def test_the_last_phase_offers_nothing_further_004() -> None:
    j = started()
    for _ in range(2):
        j.train_week()
        j.advance()
    j.train_week()
    state = j.state()
    assert state.phase == programme.PHASE_COUNT == 3
    assert not state.advance.ok and "last phase" in state.advance.reason


# ---- stepping back (004: sharp pain stops it; previous phase for another week) ----


def test_sharp_pain_stops_the_session_and_steps_back_one_phase_for_a_week_004() -> None:
    j = started()
    j.train_week()
    j.advance()
    j.days(2)
    j.sharp("dead-bug")
    assert [e.kind for e in j.log[-2:]] == [Kind.SESSION_STOPPED, Kind.STEPPED_BACK]
    assert j.log[-2].detail == "dead-bug"
    state = j.state()
    assert state.phase == 1
    assert state.hold_until == j.today + timedelta(days=programme.STEP_BACK_DAYS)
    for _ in range(3):
        j.days(2)
        j.session()
    # Six days after the step back, with three clean sessions: still held.
    assert not j.state().advance.ok and "step back" in j.state().advance.reason
    j.days(1)
    assert j.state().advance.ok


def test_sharp_pain_in_phase_one_holds_phase_one_for_a_week_004() -> None:
    j = started()
    j.train_week()
    j.sharp()
    state = j.state()
    assert state.phase == 1 and state.hold_until == j.today + timedelta(days=7)
    assert not state.advance.ok


def test_a_stopped_session_still_counts_as_a_session_day() -> None:
    j = started()
    j.sharp()
    assert j.state().last_session == j.today
    assert not j.state().train_today.ok


# ---- session days (004: 3-4 times a week on non-consecutive days) ----


def test_the_day_after_a_session_is_a_rest_day_004() -> None:
    j = started()
    j.session()
    assert "done" in j.state().train_today.reason
    j.days(1)
    offer = j.state().train_today
    assert not offer.ok and "Rest day" in offer.reason
    j.days(1)
    assert j.state().train_today.ok


def test_at_most_four_sessions_a_week_004() -> None:
    j = started()
    j.session()  # Monday
    j.days(1)
    j.log += programme.finish_session(j.state(), j.clock.now(), 5, 5)  # Tuesday, recorded anyway
    j.days(2)
    j.session()  # Thursday
    j.days(1)
    j.log += programme.finish_session(j.state(), j.clock.now(), 5, 5)  # Friday, recorded anyway
    j.days(2)  # Sunday: rested Saturday, but the week already has four
    offer = j.state().train_today
    assert j.state().sessions_this_week == 4
    assert not offer.ok and "4 sessions this week" in offer.reason


@pytest.mark.parametrize(
    ("days", "problem"),
    [
        ({0, 2, 4}, None),
        ({0, 2, 4, 6}, None),
        ({1, 3, 5}, None),
        ({0, 2}, "pick 3 or 4 days a week, not 2"),
        ({0, 2, 4, 5, 6}, "not 5"),
        ({0, 1, 3}, "Monday and Tuesday are back to back"),
        ({2, 4, 5}, "Friday and Saturday are back to back"),
        ({0, 2, 7}, "0 (Monday) to 6 (Sunday)"),
    ],
)
def test_session_days_are_three_or_four_non_consecutive_days_004(
    days: set[int], problem: str | None
) -> None:
    found = programme.check_days(days)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_sunday_then_monday_makes_monday_a_rest_day_004() -> None:
    j = started()
    j.days(6)  # Sunday
    j.session()
    j.days(1)
    assert j.today.weekday() == 0
    assert not programme.reminder_due(j.state(), {0, 2, 4, 6}, j.today)


def test_one_reminder_per_session_day_never_two() -> None:
    j = started()
    state = j.state()
    assert programme.reminder_due(state, MWF, j.today)
    j.log.append(programme.remind(j.clock.now()))
    j.clock.advance(hours=3)
    assert not programme.reminder_due(j.state(), MWF, j.today)
    j.days(1)  # Tuesday is not a session day
    assert not programme.reminder_due(j.state(), MWF, j.today)
    j.days(1)  # Wednesday: Monday's session was missed; today's reminder is a new one
    assert programme.reminder_due(j.state(), MWF, j.today)


# ---- pain: the four-week check (004) and steady severe pain (002) ----


def _four_weeks(first: int, last: int) -> Journey:
    j = started()
    j.rate(first)
    for week in range(4):
        for gap in (0, 2, 2):
            j.days(gap)
            j.rate(first if week == 0 else last)
            j.session()
        j.days(3)
    return j


def test_no_review_before_four_weeks_004() -> None:
    j = started()
    j.rate(6)
    j.days(27)
    assert j.state().review is None
    assert j.state().review_on == MONDAY.date() + timedelta(days=28)


def test_less_than_thirty_percent_better_after_four_weeks_recommends_a_therapist_004() -> None:
    review = _four_weeks(6, 5).state().review
    assert review is not None
    assert review.baseline == 6 and review.recent == 5
    assert review.improvement == pytest.approx(1 / 6)
    assert review.see_therapist


def test_a_third_better_after_four_weeks_needs_no_therapist_004() -> None:
    review = _four_weeks(6, 4).state().review
    assert review is not None and review.improvement == pytest.approx(1 / 3)
    assert not review.see_therapist


def test_the_threshold_is_the_safe_end_of_twenty_to_thirty_percent_004() -> None:
    review = _four_weeks(10, 8).state().review  # 20 % better
    assert review is not None and review.improvement == pytest.approx(0.2)
    assert review.see_therapist  # 20 % is inside the band: err towards a therapist


def test_after_session_ratings_do_not_count_in_the_review() -> None:
    j = _four_weeks(6, 3)
    j.rate(9, PainWhen.AFTER)
    review = j.state().review
    assert review is not None and review.recent == 3


def test_no_referral_for_progress_when_there_was_no_pain() -> None:
    review = _four_weeks(0, 0).state().review
    assert review is not None and not review.see_therapist


def test_two_ratings_of_six_or_more_in_a_row_flag_steady_severe_pain_002() -> None:
    j = started()
    j.rate(6)
    assert not j.state().steady_severe_pain
    j.rate(7, PainWhen.CHECKIN)
    assert j.state().steady_severe_pain
    j.rate(3)
    assert not j.state().steady_severe_pain


def test_weekly_check_in_is_due_seven_days_after_the_last() -> None:
    j = started()
    j.days(6)
    assert not j.state().checkin_due
    j.days(1)
    assert j.state().checkin_due
    j.rate(4, PainWhen.CHECKIN)
    assert not j.state().checkin_due


def test_pain_rating_outside_zero_to_ten_is_refused() -> None:
    with pytest.raises(ValueError, match="0 to 10, got 11"):
        programme.log_pain(MONDAY, 11, Sensation.NONE, PainWhen.BEFORE)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        programme.start(MONDAY.replace(tzinfo=None), [])


# ---- the routine ----


def test_every_phase_exercise_is_in_the_library_and_safe_for_the_floor() -> None:
    library = {e.id: e for e in load_library().exercises}
    for phase in programme.PHASES:
        assert phase.exercise_ids, phase.title
        for exercise_id in phase.exercise_ids:
            assert exercise_id in library, (phase.number, exercise_id)


def test_phase_three_adds_a_light_load_of_10_to_25_lb_004() -> None:
    assert "10–25 lb" in programme.phase(3).load and "5–11 kg" in programme.phase(3).load
    assert not programme.phase(1).load and not programme.phase(2).load
    with pytest.raises(ValueError, match="1 to 3"):
        programme.phase(4)


def test_routine_builds_up_from_the_low_end_of_each_dose() -> None:
    library = {e.id: e for e in load_library().exercises}
    first = programme.plan_session(2, library, week_in_phase=1)
    later = programme.plan_session(2, library, week_in_phase=2)
    bridge_first = [s for s in first if s.exercise_id == "glute-bridge"]
    bridge_later = [s for s in later if s.exercise_id == "glute-bridge"]
    assert [s.reps for s in bridge_first] == [8]  # 1 set of 8 in the first week
    assert [s.reps for s in bridge_later] == [10, 10]  # then 2 sets of 10
    assert [s.set_number for s in bridge_later] == [1, 2]


def test_per_side_exercises_get_a_step_for_each_side() -> None:
    library = {e.id: e for e in load_library().exercises}
    steps = programme.plan_session(2, library)
    sides = [s.side for s in steps if s.exercise_id == "side-lying-leg-raise"]
    assert sides == ["left", "right"]
    assert steps[-1].rest_after_seconds == 0
    assert all(s.rest_after_seconds == programme.REST_BETWEEN_SETS_SECONDS for s in steps[:-1])
    plank = [s for s in steps if s.exercise_id == "forearm-plank"]
    assert plank and all(s.hold_seconds == 15 and s.reps is None for s in plank)


def test_week_in_phase_counts_from_the_phase_start() -> None:
    j = started()
    assert programme.week_in_phase(j.state(), j.today) == 1
    j.days(7)
    assert programme.week_in_phase(j.state(), j.today) == 2


# ---- weekly summary ----


def test_weekly_progress_adds_up_sessions_plans_and_pain() -> None:
    j = started()
    j.rate(6)
    j.train_week()
    j.rate(4, PainWhen.CHECKIN)
    j.rate(8, PainWhen.AFTER)  # ignored in the means
    j.session()
    j.days(2)
    j.sharp()
    mondays = [MONDAY.date() - timedelta(days=7), MONDAY.date(), MONDAY.date() + timedelta(days=7)]
    weeks = programme.weekly_progress(j.log, MWF, mondays)
    before, first, second = weeks
    assert before.sessions == 0 and before.planned == 0 and before.phase is None
    assert (first.sessions, first.planned, first.stopped) == (3, 3, 0)
    assert first.mean_pain == 6 and first.worst_pain == 6 and first.phase == 1
    assert (second.sessions, second.stopped) == (1, 1)
    assert second.mean_pain == 4 and second.worst_pain == 4

"""The stats' boundaries, each pinned by a scenario: the ones a mutation run over
core/stats.py showed no other test would notice (benchmarks/mutate_core.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from deskguard.core.checklist import ChecklistResult, Score
from deskguard.core.model import Event
from deskguard.core.stats import (
    DayRow,
    WeekReport,
    adherence_text,
    day_rows,
    query_range,
    trend,
    week_report,
)
from tests.core.test_stats import MONDAY, SETTINGS, FakeReader, K, at, taken_day, trail

UTC = timezone.utc
TUESDAY = MONDAY + timedelta(days=1)


def utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# ---- query ranges ----------------------------------------------------------------------


def test_query_range_is_a_day_before_and_two_after_in_utc() -> None:
    sunday = MONDAY + timedelta(days=6)
    assert query_range(MONDAY) == (
        utc_midnight(MONDAY - timedelta(days=1)),
        utc_midnight(sunday + timedelta(days=2)),
    )
    assert query_range(MONDAY, MONDAY) == (
        utc_midnight(MONDAY - timedelta(days=1)),
        utc_midnight(MONDAY + timedelta(days=2)),
    )


# ---- one day's numbers --------------------------------------------------------------------


def test_meets_is_exact_just_below_the_goal() -> None:
    below = DayRow(MONDAY, True, completed=79, missed=20)  # 79.8 %
    assert below.meets(80) is False
    assert DayRow(MONDAY, True, completed=80, missed=20).meets(80) is True


def test_a_completed_break_without_a_start_moved_for_the_break_length() -> None:
    events = trail("a", at(MONDAY, 10), (K.PROMPTED, 0), (K.COMPLETED, 3))
    [mon] = day_rows(events, MONDAY, MONDAY, SETTINGS)
    assert mon.completed == 1
    assert mon.movement_seconds == SETTINGS.break_minutes * 60


def test_the_longest_stretch_can_lie_before_a_natural_break() -> None:
    events = [
        *trail("a", at(MONDAY, 10), (K.PROMPTED, 0), (K.MISSED, 10)),
        *trail("b", at(MONDAY, 12), (K.NATURAL, 0)),  # a rest 11:58-12:00
        *trail("c", at(MONDAY, 12, 30), (K.PROMPTED, 0), (K.SKIPPED, 1)),
    ]
    [mon] = day_rows(events, MONDAY, MONDAY, SETTINGS)
    # Span 9:15-12:31; the stretch 9:15-11:58 beats 12:00-12:31.
    assert mon.sitting_seconds == 163 * 60


def test_only_today_is_in_progress() -> None:
    wednesday = MONDAY + timedelta(days=2)
    report = week_report([], MONDAY, SETTINGS, today=wednesday)
    assert [d.in_progress for d in report.days] == [False, False, True] + [False] * 4
    assert not any(d.in_progress for d in week_report([], MONDAY, SETTINGS).days)


# ---- pauses ---------------------------------------------------------------------------------


def test_a_pause_ends_at_its_own_end_unless_something_comes_earlier() -> None:
    thu, fri = MONDAY + timedelta(days=3), MONDAY + timedelta(days=4)
    events = [
        *trail("a", at(TUESDAY, 9, 45), (K.PROMPTED, 0), (K.MISSED, 10)),
        # Paused until 13:00 and nothing logged when it ran out: it ends at 13:00 all the
        # same, not at the next app event two days later.
        Event(K.PAUSED, at(TUESDAY, 12), None, at(TUESDAY, 13).isoformat()),
        *trail("b", at(TUESDAY, 16), (K.PROMPTED, 0), (K.SKIPPED, 1)),
        # The last app event: a half-hour pause with nothing after it.
        Event(K.PAUSED, at(thu, 12), None, at(thu, 12, 30).isoformat()),
    ]
    rows = day_rows(events, TUESDAY, fri, SETTINGS)
    # Span 9:00-16:01, rest 12:00-13:00: 13:00-16:01 beats 9:00-12:00.
    assert rows[0].sitting_seconds == 181 * 60
    assert [r.paused for r in rows] == [False] * 4  # neither pause outlives its end


def test_a_pause_over_exactly_the_working_hours_pauses_the_day() -> None:
    events = [
        # An earlier pause and its resume: only what comes after a pause can end it.
        Event(K.PAUSED, at(MONDAY, 12), None, at(MONDAY, 13).isoformat()),
        Event(K.RESUMED, at(MONDAY, 13), None, "pause ended"),
        Event(K.PAUSED, at(TUESDAY, 9), None, at(TUESDAY, 17, 30).isoformat()),
        Event(K.RESUMED, at(TUESDAY, 17, 30), None, "pause ended"),
    ]
    [tue] = day_rows(events, TUESDAY, TUESDAY, SETTINGS)
    assert tue.paused and tue.status == "paused"
    late = [Event(K.PAUSED, at(TUESDAY, 9, 1), None, at(TUESDAY, 17, 30).isoformat())]
    early = [Event(K.PAUSED, at(TUESDAY, 9), None, at(TUESDAY, 17, 29).isoformat())]
    assert not day_rows(late, TUESDAY, TUESDAY, SETTINGS)[0].paused
    assert not day_rows(early, TUESDAY, TUESDAY, SETTINGS)[0].paused


def test_a_resume_at_the_instant_a_pause_ran_out_keeps_the_pauses_own_end() -> None:
    # Paused until 17:30 (+01:00); the resume is logged at that very instant, but in UTC
    # (16:30). The pause keeps its own end, 17:30 on its wall clock: the day is paused.
    events = [
        Event(K.PAUSED, at(TUESDAY, 8), None, at(TUESDAY, 17, 30).isoformat()),
        Event(K.RESUMED, at(TUESDAY, 17, 30).astimezone(UTC), None, "pause ended"),
    ]
    [tue] = day_rows(events, TUESDAY, TUESDAY, SETTINGS)
    assert tue.paused


# ---- the week's totals and its JSON -----------------------------------------------------------


def test_week_totals_row_and_defaults() -> None:
    events = [
        *taken_day(MONDAY, "a", ok=False),  # span 9:15-10:10: 55 min
        *trail("b", at(TUESDAY, 11), (K.PROMPTED, 0), (K.MISSED, 30)),  # 10:15-11:30: 75 min
    ]
    report = week_report(events, MONDAY, SETTINGS)
    assert [d.longest_sitting_minutes for d in report.days[:2]] == [55, 75]
    assert report.totals.longest_sitting_minutes == 75  # the week's longest, not shortest
    assert report.totals.date == MONDAY
    empty = WeekReport("2026-W48", week_report([], MONDAY, SETTINGS).days)
    assert adherence_text(empty.totals) == "—"  # a total, never a "day off"
    assert empty.totals.status == "working"
    assert (empty.goal, empty.streak) == (80, 0)


def test_as_dict_rounds_shares_to_four_places_and_the_change_to_one() -> None:
    last_week = MONDAY - timedelta(days=7)
    events = [
        *taken_day(last_week, "a", ok=True),
        *taken_day(last_week + timedelta(days=1), "b", ok=False),
        *taken_day(last_week + timedelta(days=2), "c", ok=False),  # last week 1/3
        *taken_day(MONDAY, "d", ok=True),
        *trail("e", at(MONDAY, 11), (K.PROMPTED, 0), (K.MISSED, 10)),
        *trail("f", at(MONDAY, 12), (K.PROMPTED, 0), (K.MISSED, 10)),  # Monday 1/3
        *taken_day(TUESDAY, "g", ok=True),  # this week 2/4
    ]
    reader = FakeReader(events)
    report = week_report(
        reader.events_in_range(*query_range(MONDAY)), MONDAY, SETTINGS, history=reader
    )
    assert report.previous_adherence == pytest.approx(1 / 3)
    assert report.change == 16.7  # 50 % - 33.33 %
    data = report.as_dict()
    assert data["previous_adherence"] == 0.3333
    assert data["days"][0]["adherence"] == 0.3333  # type: ignore[index]
    assert data["change_points"] == 16.7


# ---- the week before, the checklist ------------------------------------------------------------


def test_the_week_before_runs_to_its_sunday() -> None:
    last_week = MONDAY - timedelta(days=7)
    events = [
        *taken_day(last_week, "a", ok=True),
        *taken_day(MONDAY - timedelta(days=1), "b", ok=False),  # Sunday: a day off, missed
    ]
    reader = FakeReader(events)
    report = week_report([], MONDAY, SETTINGS, history=reader)
    assert report.previous_adherence == 0.5


def test_the_checklist_is_the_last_one_up_to_and_including_sunday() -> None:
    sunday = MONDAY + timedelta(days=6)

    def check(when: datetime, ticked: int) -> ChecklistResult:
        return ChecklistResult("workstation", when, {}, Score(ticked, 8))

    checks = [
        check(at(MONDAY - timedelta(days=2), 10), 3),
        check(at(sunday, 23, 30), 5),
        check(at(sunday + timedelta(days=1), 8), 7),  # the next week's Monday
    ]
    report = week_report([], MONDAY, SETTINGS, history=FakeReader([], checks))
    assert report.checklist is checks[1]


# ---- trend and streaks -------------------------------------------------------------------------


def test_trend_leaves_the_streak_at_zero() -> None:
    events = [*taken_day(MONDAY - timedelta(days=7), "a", ok=True), *taken_day(MONDAY, "b", True)]
    weeks = trend(FakeReader(events), MONDAY, SETTINGS, weeks=2)
    assert [w.adherence for w in weeks] == [1.0, 1.0]
    assert [w.streak for w in weeks] == [0, 0]


def test_an_empty_history_has_no_streak() -> None:
    report = week_report([], MONDAY, SETTINGS, history=FakeReader([]), today=MONDAY)
    assert report.streak == 0


def test_the_streak_reads_history_back_eight_weeks_at_a_time() -> None:
    # Reading back from the week before (16-22 Nov): 21 Sep-15 Nov, then 27 Jul-20 Sep.
    # Three met days, each at the edge of a read: Sunday 15 Nov (the first read's last
    # day), Monday 21 Sep (its first) and Sunday 20 Sep (the second read's last). On 21 Sep
    # the user is in Auckland (+13); 11 hours later, flown to Los Angeles (-7), it is 20 Sep
    # again. The oldest event is the Auckland one, yet its local day is not the first day.
    auckland, los_angeles = timezone(timedelta(hours=13)), timezone(timedelta(hours=-7))
    sep_21 = date(2026, 9, 21)
    sep_20 = sep_21 - timedelta(days=1)
    nov_15 = MONDAY - timedelta(days=8)
    events = [
        *trail("nz", at(sep_21, 7, tz=auckland), (K.PROMPTED, 0), (K.STARTED, 0), (K.COMPLETED, 2)),
        *trail("la", at(sep_20, 22, tz=los_angeles), (K.PROMPTED, 0), (K.NATURAL, 1)),
        *taken_day(nov_15, "sun", ok=True),
    ]
    reader = FakeReader(events)
    assert reader.first_event_at() == at(sep_21, 7, tz=auckland)
    report = week_report([], MONDAY, SETTINGS, history=reader, today=MONDAY + timedelta(days=6))
    assert report.streak == 3
    assert reader.reads == [
        query_range(MONDAY - timedelta(days=7)),
        query_range(sep_21, nov_15),
        query_range(date(2026, 7, 27), sep_20),
    ]


def test_the_streak_reads_nothing_from_before_the_history() -> None:
    # History starts on Tuesday 22 Sep: the read of 21 Sep-15 Nov holds it, and the one
    # day of slack before it (for a change of offset) lies in the same read: nothing more.
    events = taken_day(date(2026, 9, 22), "first", ok=True)
    reader = FakeReader(events)
    report = week_report([], MONDAY, SETTINGS, history=reader)
    assert report.streak == 1
    assert reader.reads == [
        query_range(MONDAY - timedelta(days=7)),
        query_range(date(2026, 9, 21), MONDAY - timedelta(days=8)),
    ]

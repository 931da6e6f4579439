"""Stats on seeded histories with answers worked out by hand (DESIGN §2)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from deskguard.core.checklist import ChecklistResult, Score
from deskguard.core.model import Event, EventKind, Prompt, Settings
from deskguard.core.stats import (
    DayRow,
    WeekSource,
    adherence_text,
    day_rows,
    longest_sitting,
    minutes_text,
    query_range,
    streak_of,
    trend,
    week_report,
)

K = EventKind
CET = timezone(timedelta(hours=1))
MONDAY = date(2026, 11, 23)  # ISO week 2026-W48
SETTINGS = Settings()  # 45 min interval, 2 min break, Mon-Fri 9:00-17:30, goal 80 %


class FakeReader:
    """The store's reading side, in memory."""

    def __init__(self, events: list[Event], checks: list[ChecklistResult] | None = None) -> None:
        self.events = sorted(events, key=lambda e: e.at)
        self.checks = checks or []
        self.reads: list[tuple[datetime, datetime]] = []

    def events_in_range(self, start: datetime, end: datetime) -> list[Event]:
        self.reads.append((start, end))
        return [e for e in self.events if start <= e.at < end]

    def prompts_between(self, start: datetime, end: datetime) -> list[Prompt]:
        return []

    def first_event_at(self) -> datetime | None:
        return self.events[0].at if self.events else None

    def checklist_results(self, checklist_id: str) -> list[ChecklistResult]:
        return self.checks


def at(day: date, hh: int, mm: int = 0, tz: tzinfo = CET) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=tz)


def trail(pid: str, start: datetime, *steps: tuple[EventKind, float]) -> list[Event]:
    """A prompt's events: (kind, minutes after `start`)."""
    return [Event(kind, start + timedelta(minutes=m), pid) for kind, m in steps]


def taken_day(day: date, pid: str, ok: bool, tz: tzinfo = CET) -> list[Event]:
    """One prompt at 10:00 that ends completed (ok) or missed."""
    end = (K.STARTED, 1) if ok else (K.PROMPTED, 5)
    final = (K.COMPLETED, 3) if ok else (K.MISSED, 10)
    return trail(pid, at(day, 10, tz=tz), (K.PROMPTED, 0), end, final)


# ---- one seeded day with every kind of ending -------------------------------------------

SEEDED_DAY = [
    # a: shown at 9:45, started at once, timer ran 2 min.
    *trail("a", at(MONDAY, 9, 45), (K.PROMPTED, 0), (K.STARTED, 0.5), (K.COMPLETED, 2.5)),
    # b: snoozed twice, then started and finished early with Done (1.5 min).
    *trail(
        "b",
        at(MONDAY, 10, 32),
        (K.PROMPTED, 0),
        (K.SNOOZED, 1),
        (K.PROMPTED, 6),
        (K.SNOOZED, 6.5),
        (K.PROMPTED, 11.5),
        (K.STARTED, 12),
        (K.COMPLETED, 13.5),
    ),
    # c: snoozed, then no answer: missed.
    *trail(
        "c", at(MONDAY, 11, 30), (K.PROMPTED, 0), (K.SNOOZED, 1), (K.PROMPTED, 6), (K.MISSED, 16)
    ),
    # d: the user was away when it came due at 12:31: natural, never shown.
    *trail("d", at(MONDAY, 12, 31), (K.NATURAL, 0)),
    # e: skipped.
    *trail("e", at(MONDAY, 14, 0), (K.PROMPTED, 0), (K.SKIPPED, 0.5)),
    # f: held back by a presentation until the cap: missed without ever being shown.
    *trail("f", at(MONDAY, 15, 0), (K.DEFERRED, 0), (K.MISSED, 30)),
    # g: still open (shown, no answer yet) - counts as prompted, not finished.
    *trail("g", at(MONDAY, 16, 0), (K.PROMPTED, 0)),
]


def test_seeded_day_counts_adherence_and_movement() -> None:
    [mon] = day_rows(SEEDED_DAY, MONDAY, MONDAY, SETTINGS)
    assert (mon.prompted, mon.completed, mon.natural, mon.snoozed, mon.skipped, mon.missed) == (
        7,
        2,
        1,
        3,
        1,
        2,
    )
    assert mon.finished == 6
    assert mon.adherence == pytest.approx(3 / 6)
    assert mon.movement_seconds == pytest.approx(2 * 60 + 1.5 * 60)  # a: 2 min, b: 1.5 min
    assert mon.movement_minutes == 4  # 3.5 rounds to even
    assert mon.status == "working" and adherence_text(mon) == "50%"


def test_seeded_day_longest_sitting_stretch() -> None:
    # Observed span: 9:00 (9:45 minus 45 min, not before 9:00) to 16:00 (the last event).
    # Rests: a 9:45:30-9:47:30, b 10:44-10:45:30, d 12:29-12:31 (natural: 2 min before).
    # Gaps: 45.5, 56.5, 103.5 (10:45:30-12:29), 209 (12:31-16:00) minutes.
    [mon] = day_rows(SEEDED_DAY, MONDAY, MONDAY, SETTINGS)
    assert mon.sitting_seconds == pytest.approx(209 * 60)
    assert mon.longest_sitting_minutes == 209
    assert minutes_text(209) == "3 h 29 min"


def test_longest_sitting_definition_edges() -> None:
    day = MONDAY
    nine, five = at(day, 9), at(day, 17, 30)
    # The span starts at the first activity, never before working hours...
    assert longest_sitting(day, at(day, 10, 15), at(day, 12), [], SETTINGS) == 105 * 60
    assert longest_sitting(day, at(day, 8), at(day, 9, 30), [], SETTINGS) == 30 * 60
    # ...and ends at the last event, never after working hours.
    assert longest_sitting(day, at(day, 9), at(day, 20), [], SETTINGS) == 8.5 * 3600
    # A rest that covers everything leaves nothing; overlapping rests merge.
    assert longest_sitting(day, at(day, 10), at(day, 12), [(nine, five)], SETTINGS) == 0
    rests = [(at(day, 10), at(day, 10, 30)), (at(day, 10, 15), at(day, 11))]
    assert longest_sitting(day, at(day, 9, 45), at(day, 12), rests, SETTINGS) == 60 * 60
    # Before working hours entirely: an empty span.
    assert longest_sitting(day, at(day, 6), at(day, 7), [], SETTINGS) == 0


def test_a_pause_is_a_rest_for_the_sitting_stretch() -> None:
    events = [
        *taken_day(MONDAY, "a", ok=False),  # 10:00-10:10 missed
        Event(K.PAUSED, at(MONDAY, 11), None, at(MONDAY, 13).isoformat()),
        Event(K.RESUMED, at(MONDAY, 12), None, ""),  # resumed early: the pause ends at 12
        *trail("b", at(MONDAY, 15), (K.PROMPTED, 0), (K.SKIPPED, 1)),
    ]
    [mon] = day_rows(events, MONDAY, MONDAY, SETTINGS)
    # Span 9:15-15:01; rest 11:00-12:00; longest is 12:00-15:01.
    assert mon.sitting_seconds == pytest.approx(181 * 60)
    assert not mon.paused


# ---- day off, paused, upcoming ------------------------------------------------------------


def test_days_off_and_paused_days_are_not_failures() -> None:
    tue, wed, thu = (MONDAY + timedelta(days=n) for n in (1, 2, 3))
    events = [
        *taken_day(MONDAY, "m", ok=True),
        # Paused on Tuesday at 8:00 "until tomorrow": covers Tuesday's 9:00-17:30.
        Event(K.PAUSED, at(tue, 8), None, at(wed, 9).isoformat()),
        Event(K.RESUMED, at(wed, 9), None, "pause ended"),
        # Wednesday: a one-hour pause only - still a working day.
        Event(K.PAUSED, at(wed, 12), None, at(wed, 13).isoformat()),
        Event(K.RESUMED, at(wed, 13), None, "pause ended"),
        *taken_day(wed, "w", ok=False),
        # Thursday: paused at 8:00 until 18:00, but resumed at 16:00 - not the whole day.
        Event(K.PAUSED, at(thu, 8), None, at(thu, 18).isoformat()),
        Event(K.RESUMED, at(thu, 16), None, ""),
    ]
    report = week_report(events, MONDAY, SETTINGS, today=MONDAY + timedelta(days=4))
    _mon, tue_row, wed_row, thu_row, fri, sat, sun = report.days
    assert tue_row.paused and tue_row.status == "paused" and adherence_text(tue_row) == "paused"
    assert not wed_row.paused and wed_row.adherence == 0.0
    assert not thu_row.paused and adherence_text(thu_row) == "—"
    assert fri.in_progress and not fri.upcoming
    assert sat.status == "day off" and adherence_text(sat) == "day off"
    assert not sun.working_day
    assert [d["status"] for d in report.as_dict()["days"]] == [  # type: ignore[attr-defined]
        "working",
        "paused",
        "working",
        "working",
        "working",
        "day off",
        "day off",
    ]


def test_days_after_today_are_upcoming() -> None:
    report = week_report([], MONDAY, SETTINGS, today=MONDAY + timedelta(days=1))
    assert [d.status for d in report.days[:5]] == ["working", "working"] + ["upcoming"] * 3
    assert report.empty and report.adherence is None
    assert adherence_text(report.days[4]) == "upcoming"


def test_a_prompt_that_ends_after_midnight_counts_on_its_first_day() -> None:
    events = trail("late", at(MONDAY, 23, 55), (K.PROMPTED, 0), (K.MISSED, 10))
    mon, tue = day_rows(events, MONDAY, MONDAY + timedelta(days=1), SETTINGS)
    assert (mon.prompted, mon.missed, tue.prompted, tue.missed) == (1, 1, 0, 0)


def test_only_the_first_final_outcome_counts() -> None:
    events = trail("x", at(MONDAY, 10), (K.PROMPTED, 0), (K.SKIPPED, 1), (K.MISSED, 10))
    [mon] = day_rows(events, MONDAY, MONDAY, SETTINGS)
    assert (mon.skipped, mon.missed, mon.finished) == (1, 0, 1)


# ---- streaks and the week before ------------------------------------------------------------


def test_streak_rules() -> None:
    def row(n: int, taken: int, finished: int, working: bool = True, **kw: bool) -> DayRow:
        r = DayRow(MONDAY + timedelta(days=n), working, **kw)
        r.completed, r.missed = taken, finished - taken
        return r

    newest_first = [
        row(9, 0, 0, upcoming=True),  # upcoming: passed over
        row(8, 0, 2, in_progress=True),  # today, below goal so far: passed over
        row(7, 4, 5),  # exactly 80 %: counts
        row(6, 0, 3, working=False),  # day off below goal: passed over
        row(5, 0, 0),  # no prompts: passed over
        row(4, 0, 1, paused=True),  # paused day: passed over
        row(3, 1, 1, working=False),  # day off at goal: counts
        row(2, 3, 3),
        row(1, 3, 4),  # 75 %: ends the streak
        row(0, 5, 5),
    ]
    assert streak_of(newest_first, 80) == (3, True)
    assert streak_of(newest_first[:8], 80) == (3, False)
    assert streak_of(newest_first, 75) == (5, False)  # nothing fails at 75 %


def test_week_report_follows_the_streak_back_through_history() -> None:
    # 80 working days met (16 weeks, far more than one 8-week read), then one failed day.
    start = MONDAY - timedelta(weeks=16)
    events = taken_day(start - timedelta(days=3), "fail", ok=False)  # a Friday
    day = start
    while day <= MONDAY + timedelta(days=2):  # to the Wednesday of the report week
        if day.weekday() < 5:
            events += taken_day(day, f"p{day}", ok=True)
        day += timedelta(days=1)
    reader = FakeReader(events)
    today = MONDAY + timedelta(days=2)
    report = week_report(
        reader.events_in_range(*query_range(MONDAY)), MONDAY, SETTINGS, history=reader, today=today
    )
    assert report.streak == 16 * 5 + 3
    assert report.previous_adherence == 1.0 and report.change == 0.0
    assert report.previous_week == "2026-W47"
    # Without history the streak stops at Monday and there is no week before.
    alone = week_report(reader.events_in_range(*query_range(MONDAY)), MONDAY, SETTINGS, today=today)
    assert (alone.streak, alone.previous_adherence, alone.change) == (3, None, None)


def test_streak_stops_at_the_start_of_history() -> None:
    events = [*taken_day(MONDAY, "a", ok=True), *taken_day(MONDAY + timedelta(days=1), "b", True)]
    reader = FakeReader(events)
    report = week_report(events, MONDAY, SETTINGS, history=reader, today=MONDAY + timedelta(1))
    assert report.streak == 2
    assert len(reader.reads) <= 3  # the week before, then at most one read further back


def test_change_from_the_week_before_in_points() -> None:
    last_week = MONDAY - timedelta(days=7)
    events = [
        *taken_day(last_week, "a", ok=True),
        *taken_day(last_week + timedelta(days=1), "b", ok=False),  # last week 50 %
        *taken_day(MONDAY, "c", ok=True),
        *taken_day(MONDAY + timedelta(days=1), "d", ok=True),
        *taken_day(MONDAY + timedelta(days=2), "e", ok=True),
        *taken_day(MONDAY + timedelta(days=3), "f", ok=False),  # this week 75 %
    ]
    reader = FakeReader(events, [ChecklistResult("workstation", at(MONDAY, 9), {}, Score(5, 8))])
    report = week_report(
        reader.events_in_range(*query_range(MONDAY)), MONDAY, SETTINGS, history=reader
    )
    assert report.adherence == 0.75 and report.previous_adherence == 0.5
    assert report.change == 25.0
    data = report.as_dict()
    assert data["change_points"] == 25.0 and data["previous_adherence"] == 0.5
    assert data["checklist"] == {"date": "2026-11-23", "ticked": 5, "total": 8}
    assert data["goal"] == 80 and data["streak"] == 0  # Thursday missed
    totals = data["totals"]
    assert totals["movement_minutes"] == 6  # type: ignore[index]  # three 2-minute breaks


# ---- time zones and DST ---------------------------------------------------------------------


def two_a_day(days: list[date], zones: list[tzinfo]) -> list[Event]:
    """Per day a completed prompt at 00:30 and a skipped one at 23:30 local time."""
    events: list[Event] = []
    for day, tz in zip(days, zones, strict=True):
        events += trail(
            f"{day}-early", at(day, 0, 30, tz), (K.PROMPTED, 0), (K.STARTED, 0), (K.COMPLETED, 2)
        )
        events += trail(f"{day}-late", at(day, 23, 30, tz), (K.PROMPTED, 0), (K.SKIPPED, 1))
    return events


def check_seven_days(events: list[Event], monday: date) -> None:
    # The neighbouring days get events too, to catch any leaking across the week's edges.
    reader = FakeReader(events)
    report = week_report(reader.events_in_range(*query_range(monday)), monday, SETTINGS)
    assert [d.date for d in report.days] == [monday + timedelta(days=n) for n in range(7)]
    assert [(d.prompted, d.completed, d.skipped) for d in report.days] == [(2, 1, 1)] * 7
    assert report.totals.prompted == 14


def test_a_week_across_the_autumn_dst_change_has_seven_days() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    monday = date(2026, 10, 19)  # Sunday 25 October: 03:00 CEST becomes 02:00 CET
    days = [monday + timedelta(days=n) for n in range(-1, 8)]
    events = two_a_day(days, [berlin] * len(days))
    assert events[0].at.utcoffset() == timedelta(hours=2)
    assert events[-1].at.utcoffset() == timedelta(hours=1)
    check_seven_days(events, monday)


def test_a_week_across_the_spring_dst_change_has_seven_days() -> None:
    new_york = ZoneInfo("America/New_York")
    monday = date(2026, 3, 2)  # Sunday 8 March: 02:00 EST becomes 03:00 EDT
    days = [monday + timedelta(days=n) for n in range(-1, 8)]
    check_seven_days(two_a_day(days, [new_york] * len(days)), monday)


def test_a_week_with_a_time_zone_move_has_seven_days() -> None:
    # Berlin until Wednesday, then a flight to Los Angeles, then on to Auckland on Sunday;
    # the next Monday starts in Kiribati (+14), where 00:30 is still Sunday in UTC.
    berlin, la = ZoneInfo("Europe/Berlin"), ZoneInfo("America/Los_Angeles")
    auckland, kiribati = ZoneInfo("Pacific/Auckland"), ZoneInfo("Pacific/Kiritimati")
    zones: list[tzinfo] = [berlin, berlin, berlin, berlin, la, la, la, auckland, kiribati]
    days = [MONDAY + timedelta(days=n) for n in range(-1, 8)]
    check_seven_days(two_a_day(days, zones), MONDAY)


# ---- the trend, the CSV and the window's source agree with the week --------------------------


def history_of(weeks: int) -> list[Event]:
    events: list[Event] = []
    first = MONDAY - timedelta(weeks=weeks - 1)
    for n in range(weeks * 7):
        day = first + timedelta(days=n)
        if day.weekday() < 5:
            for hour in range(10, 10 + 1 + n % 4):
                events += taken_day(day, f"{day}-{hour}", ok=(hour + n) % 3 != 0)
                events[-1] = Event(events[-1].kind, at(day, hour, 3), events[-1].prompt_id)
    return events


def test_trend_weeks_equal_week_reports() -> None:
    reader = FakeReader(history_of(14))
    weeks = trend(reader, MONDAY, SETTINGS)
    assert len(weeks) == 12 and len(reader.reads) == 1  # one query
    assert weeks[-1].week == "2026-W48" and weeks[0].week == "2026-W37"
    for week in weeks:
        alone = week_report(
            reader.events_in_range(*query_range(week.monday)), week.monday, SETTINGS, history=reader
        )
        assert week.as_dict()["days"] == alone.as_dict()["days"]
        assert week.adherence == alone.adherence
        assert week.previous_adherence == alone.previous_adherence


def test_week_source_feeds_the_window_from_the_same_functions() -> None:
    reader = FakeReader(history_of(3))
    source = WeekSource(reader, SETTINGS, today=lambda: MONDAY + timedelta(days=3))
    assert source.this_monday() == MONDAY
    assert source.earliest_monday() == MONDAY - timedelta(weeks=2)
    week = source.week(MONDAY)
    direct = week_report(
        reader.events_in_range(*query_range(MONDAY)),
        MONDAY,
        SETTINGS,
        history=reader,
        today=MONDAY + timedelta(days=3),
    )
    assert week.as_dict() == direct.as_dict()
    handle = io.StringIO()
    written = source.write_week_csv(MONDAY, handle)
    rows = list(csv.DictReader(io.StringIO(handle.getvalue())))
    assert written == len(rows) > 0
    assert {r["day"] for r in rows} <= {(MONDAY + timedelta(n)).isoformat() for n in range(7)}
    done = sum(r["kind"] == "completed" for r in rows)
    assert done == week.totals.completed
    assert WeekSource(FakeReader([]), SETTINGS, lambda: MONDAY).earliest_monday() is None

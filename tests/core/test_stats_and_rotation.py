from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from deskguard.core.model import Dose, Event, EventKind, Exercise, Range, Settings
from deskguard.core.rotation import pick_exercise
from deskguard.core.stats import iso_week, query_range, week_report, week_start

MONDAY = date(2026, 11, 23)


def ev(kind: EventKind, day: int, hour: int, prompt: str, offset_h: int = 1) -> Event:
    tz = timezone(timedelta(hours=offset_h))
    return Event(kind, datetime(2026, 11, 23 + day, hour, tzinfo=tz), prompt)


def test_week_counts_and_adherence() -> None:
    events = [
        ev(EventKind.PROMPTED, 0, 10, "a"),
        ev(EventKind.COMPLETED, 0, 10, "a"),
        ev(EventKind.PROMPTED, 0, 11, "b"),
        ev(EventKind.SNOOZED, 0, 11, "b"),
        ev(EventKind.PROMPTED, 0, 11, "b"),  # shown again after the snooze: still one prompt
        ev(EventKind.COMPLETED, 0, 11, "b"),
        ev(EventKind.PROMPTED, 1, 9, "c"),
        ev(EventKind.MISSED, 1, 9, "c"),
        ev(EventKind.PROMPTED, 2, 9, "d"),
        ev(EventKind.NATURAL, 2, 9, "d"),
        ev(EventKind.PROMPTED, 2, 10, "e"),
        ev(EventKind.SKIPPED, 2, 10, "e"),
    ]
    report = week_report(events, MONDAY, Settings())
    mon, tue, wed, thu, _, sat, _ = report.days
    assert (mon.prompted, mon.completed, mon.snoozed, mon.adherence) == (2, 2, 1, 1.0)
    assert (tue.prompted, tue.missed, tue.adherence) == (1, 1, 0.0)
    assert (wed.natural, wed.skipped, wed.adherence) == (1, 1, 0.5)
    assert thu.adherence is None and thu.working_day
    assert not sat.working_day
    totals = report.as_dict()["totals"]
    assert totals["prompted"] == 5 and totals["adherence"] == 0.6  # type: ignore[index]
    assert report.week == "2026-W48"


def test_local_day_uses_each_events_own_offset() -> None:
    # 23:30 on Monday at UTC-5 is already Tuesday in UTC: it still counts for Monday.
    new_york_winter = timezone(timedelta(hours=-5))
    late = Event(EventKind.PROMPTED, datetime(2026, 11, 23, 23, 30, tzinfo=new_york_winter), "x")
    report = week_report([late], MONDAY, Settings())
    assert report.days[0].prompted == 1
    start, end = query_range(MONDAY)
    assert start <= late.at < end


def test_iso_weeks() -> None:
    assert week_start("2026-W48") == MONDAY
    assert iso_week(MONDAY + timedelta(days=6)) == "2026-W48"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    for bad in ("2026-48", "2026-W54", "W48", "2026-Wxx"):
        with pytest.raises(ValueError, match="not an ISO week"):
            week_start(bad)


def exercise(eid: str, kind: str) -> Exercise:
    return Exercise(eid, eid, kind, "standing", True, (), "", ("s",), (), Dose(reps=Range(8, 10)))


def test_rotation_balances_kinds_and_never_repeats() -> None:
    pool = [exercise("s1", "stretch"), exercise("s2", "stretch"), exercise("m1", "mobility")]
    recent: list[str] = []
    for _ in range(6):
        chosen = pick_exercise(pool, recent)
        assert chosen is not None
        assert not recent or chosen.id != recent[-1]
        recent.append(chosen.id)
    assert recent.count("m1") >= 2  # the lone mobility move is not starved by two stretches
    assert pick_exercise(pool, recent, excluded={"s1", "s2", "m1"}) is None
    assert pick_exercise(pool[:1], ["s1"]).id == "s1"  # type: ignore[union-attr]

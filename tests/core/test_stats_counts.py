"""What counts (issue #13): self-started breaks only help, movement to the second, and
the longest sitting stretch from the day's first activity. Each scenario is a small
record with its answer worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from deskguard.core.model import Event, EventKind
from deskguard.core.stats import day_rows, week_report
from tests.core.test_stats import CET, MONDAY, SETTINGS, FakeReader, at

K = EventKind
SATURDAY = MONDAY + timedelta(days=5)


def steps(pid: str, start: datetime, *items: tuple[EventKind, float, str]) -> list[Event]:
    """A prompt's events: (kind, seconds after `start`, detail)."""
    return [Event(kind, start + timedelta(seconds=s), pid, d) for kind, s, d in items]


def scheduled(pid: str, start: datetime, ok: bool) -> list[Event]:
    """A scheduled prompt: started and finished in 2 min, or skipped at once."""
    if ok:
        return steps(
            pid, start, (K.PROMPTED, 0, "scheduled"), (K.STARTED, 5, ""), (K.COMPLETED, 125, "")
        )
    return steps(pid, start, (K.PROMPTED, 0, "scheduled"), (K.SKIPPED, 30, ""))


def self_started(pid: str, start: datetime, seconds: float, finished: bool) -> list[Event]:
    """A break the user asked for (tray, break-now), finished or stopped after `seconds`."""
    end = K.COMPLETED if finished else K.SKIPPED
    return steps(pid, start, (K.PROMPTED, 0, "manual"), (K.STARTED, 2, ""), (end, 2 + seconds, ""))


def test_a_stopped_self_started_break_is_not_a_skipped_prompt() -> None:
    # Three scheduled prompts taken of four, then a self-started break stopped early.
    record = [
        *scheduled("a", at(MONDAY, 9, 45), True),
        *scheduled("b", at(MONDAY, 10, 32), True),
        *scheduled("c", at(MONDAY, 11, 19), True),
        *scheduled("d", at(MONDAY, 12, 6), False),
        *self_started("m", at(MONDAY, 13), 50, finished=False),
    ]
    [row] = day_rows(record, MONDAY, MONDAY, SETTINGS)
    assert (row.prompted, row.taken, row.skipped, row.self_started) == (4, 3, 1, 0)
    assert row.adherence == 0.75  # as without the stopped break
    assert row.movement_seconds == 3 * 120 + 50  # the 50 s it ran still count


def test_a_finished_self_started_break_counts_toward_the_day_and_only_helps() -> None:
    base = [
        *scheduled("a", at(MONDAY, 9, 45), True),
        *scheduled("b", at(MONDAY, 10, 32), False),
    ]
    [before] = day_rows(base, MONDAY, MONDAY, SETTINGS)
    [after] = day_rows(
        [*base, *self_started("m", at(MONDAY, 14), 120, finished=True)], MONDAY, MONDAY, SETTINGS
    )
    assert before.adherence == 0.5
    assert (after.prompted, after.self_started, after.breaks, after.counted) == (2, 1, 2, 3)
    assert after.adherence is not None and after.adherence > before.adherence
    assert after.movement_seconds == before.movement_seconds + 120


def test_a_self_started_break_on_a_day_off_is_a_bonus_not_a_day_with_prompts() -> None:
    record = [
        *self_started("m", at(SATURDAY, 11), 120, finished=True),
        *self_started("n", at(SATURDAY, 15), 30, finished=False),
    ]
    report = week_report(record, MONDAY, SETTINGS, today=SATURDAY + timedelta(days=1))
    sat = report.days[5]
    assert sat.status == "day off"
    assert (sat.prompted, sat.finished, sat.self_started) == (0, 0, 1)
    assert sat.adherence is None and sat.meets(80) is None  # neither met nor missed
    assert sat.movement_seconds == 150
    assert report.empty is False  # the week shows the bonus
    assert report.totals.adherence is None  # no prompt, nothing to measure against


def test_self_started_breaks_never_end_a_streak_and_never_lower_the_week() -> None:
    record: list[Event] = []
    for offset in range(5):
        day = MONDAY + timedelta(days=offset)
        record += scheduled(f"s{offset}", at(day, 10), True)
        record += self_started(f"m{offset}", at(day, 14), 10, finished=False)
    report = week_report(record, MONDAY, SETTINGS, today=MONDAY + timedelta(days=6))
    assert report.totals.adherence == 1.0
    assert report.streak == 5


def test_movement_is_summed_to_the_second() -> None:
    # A 20-second break finished, and one stopped after 50 s: 70 s, not "0 min".
    record = [
        *steps(
            "a",
            at(MONDAY, 10),
            (K.PROMPTED, 0, "scheduled"),
            (K.STARTED, 3, ""),
            (K.COMPLETED, 23, ""),
        ),
        *steps(
            "b",
            at(MONDAY, 11),
            (K.PROMPTED, 0, "scheduled"),
            (K.STARTED, 1, ""),
            (K.SKIPPED, 51, ""),
        ),
    ]
    [row] = day_rows(record, MONDAY, MONDAY, SETTINGS)
    assert row.movement_seconds == 70
    assert row.as_dict()["movement_seconds"] == 70
    # Never more than a break's length for a break that did not finish.
    long_stop = steps(
        "c",
        at(MONDAY, 12),
        (K.PROMPTED, 0, "scheduled"),
        (K.STARTED, 0, ""),
        (K.MISSED, 3600, "interrupted"),
    )
    [row] = day_rows(long_stop, MONDAY, MONDAY, SETTINGS)
    assert row.movement_seconds == SETTINGS.break_minutes * 60


def test_longest_sitting_counts_from_the_first_activity_of_the_day() -> None:
    # First day: the app starts at 10:20 and the first prompt comes at 11:05 (45 min on),
    # completed 11:07; the next at 11:52, skipped. Sitting: 11:07 -> 11:52 = 45 min, and
    # the 45 min before the first prompt; never counted from 09:00 or midnight.
    record = [
        *scheduled("a", at(MONDAY, 11, 5), True),
        *scheduled("b", at(MONDAY, 11, 52), False),
    ]
    [row] = day_rows(record, MONDAY, MONDAY, SETTINGS)
    assert row.sitting_seconds == 45 * 60 - 5 + 30  # 11:07:05 to 11:52:30, the skip


def test_a_self_started_break_is_activity_not_a_countdown() -> None:
    # A day whose only record is one self-started break has no sitting on record: "—".
    [row] = day_rows(self_started("m", at(MONDAY, 10), 120, True), MONDAY, MONDAY, SETTINGS)
    assert row.sitting_seconds is None and row.longest_sitting_minutes is None
    # A self-started break at 10:00, then a scheduled prompt skipped at 12:00:30: the
    # stretch is from the end of the break, not from one interval before it.
    record = [
        *self_started("m", at(MONDAY, 10), 120, True),
        *scheduled("a", at(MONDAY, 12), False),
    ]
    [row] = day_rows(record, MONDAY, MONDAY, SETTINGS)
    assert row.sitting_seconds == (2 * 3600 + 30) - 122


def test_an_empty_or_fully_rested_day_has_no_sitting_figure() -> None:
    [row] = day_rows([], MONDAY, MONDAY, SETTINGS)
    assert row.sitting_seconds is None
    # A prompt outside working hours: nothing observed inside them.
    evening = scheduled("a", datetime(2026, 11, 23, 20, tzinfo=CET), True)
    [row] = day_rows(evening, MONDAY, MONDAY, SETTINGS)
    assert row.sitting_seconds is None


def test_the_report_reads_the_same_rules() -> None:
    record = [
        *scheduled("a", at(MONDAY, 9, 45), True),
        *self_started("m", at(MONDAY, 13), 50, finished=False),
    ]
    reader = FakeReader(record)
    report = week_report(record, MONDAY, SETTINGS, history=reader, today=MONDAY)
    totals = report.as_dict()["totals"]
    assert isinstance(totals, dict)
    assert (totals["prompted"], totals["self_started"], totals["adherence"]) == (1, 0, 1.0)

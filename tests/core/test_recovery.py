"""Prompts a crash left open get exactly one `missed` "interrupted" (core/recovery.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from deskguard.core.model import FINAL_KINDS, Event, EventKind, Prompt, Settings
from deskguard.core.recovery import GRACE, INTERRUPTED, interrupted_outcomes, would_end_at
from deskguard.core.stats import day_rows

K = EventKind
CET = timezone(timedelta(hours=1))
TOKYO = timezone(timedelta(hours=9))
MONDAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=CET)
SETTINGS = Settings()  # 2 min break, 5 min snooze, 10 min response window, 30 min hold cap


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def prompt(pid: str = "p", due: datetime = T0, source: str = "scheduled") -> Prompt:
    return Prompt(pid, due, source, None)


def steps(pid: str, *kinds: tuple[EventKind, float], detail: str = "") -> list[Event]:
    """A prompt's events: (kind, minutes after T0)."""
    return [Event(kind, T0 + minutes(m), pid, detail) for kind, m in kinds]


def recover(
    prompts: list[Prompt],
    events: list[Event],
    alive: datetime | None,
    now: datetime | None = None,
    unreadable: frozenset[str] = frozenset(),
) -> list[Event]:
    return interrupted_outcomes(prompts, events, alive, SETTINGS, now=now, unreadable=unreadable)


# ---- when the recovered `missed` is stamped --------------------------------------------


def test_a_running_break_ends_when_the_app_was_last_alive() -> None:
    events = steps("p", (K.PROMPTED, 0), (K.STARTED, 1))
    [missed] = recover([prompt()], events, T0 + minutes(1) + timedelta(seconds=40))
    assert missed == Event(K.MISSED, T0 + minutes(1) + timedelta(seconds=40), "p", INTERRUPTED)


def test_a_running_break_ends_at_most_a_break_length_after_its_start() -> None:
    events = steps("p", (K.PROMPTED, 0), (K.STARTED, 1))
    [missed] = recover([prompt()], events, T0 + minutes(45))  # alive long after, then died
    assert missed.at == T0 + minutes(1 + SETTINGS.break_minutes)


@pytest.mark.parametrize("alive", [None, T0 - minutes(5)])
def test_never_before_the_prompts_last_event(alive: datetime | None) -> None:
    # No heartbeat, or one older than the prompt (a clock set back): the last event counts.
    events = steps("p", (K.PROMPTED, 0), (K.STARTED, 1))
    [missed] = recover([prompt()], events, alive)
    assert missed.at == T0 + minutes(1)


def test_a_shown_prompt_ends_by_its_response_window() -> None:
    events = steps("p", (K.PROMPTED, 0))
    assert recover([prompt()], events, T0 + minutes(3))[0].at == T0 + minutes(3)
    assert recover([prompt()], events, T0 + minutes(60))[0].at == T0 + minutes(10)


def test_a_snoozed_prompt_ends_by_the_snooze_plus_the_window() -> None:
    until = (T0 + minutes(7)).isoformat()  # the planner writes the snooze's end
    events = [*steps("p", (K.PROMPTED, 0)), Event(K.SNOOZED, T0 + minutes(2), "p", until)]
    assert recover([prompt()], events, T0 + minutes(90))[0].at == T0 + minutes(7 + 10)
    fallback = T0 + minutes(2 + 5 + 10)  # the snooze length from the settings
    for detail in ("+5 min", "2026-11-23T10:07:00", (T0 + minutes(2)).isoformat()):
        # Old rows, a time without an offset, a snooze that ends when it began.
        odd = [*steps("p", (K.PROMPTED, 0)), Event(K.SNOOZED, T0 + minutes(2), "p", detail)]
        assert recover([prompt()], odd, T0 + minutes(90))[0].at == fallback, detail


def test_a_held_prompt_ends_by_its_hold_cap() -> None:
    events = steps("p", (K.DEFERRED, 0), detail="presentation")
    assert recover([prompt()], events, T0 + minutes(90))[0].at == T0 + minutes(30)
    assert recover([prompt()], events, T0 + minutes(12))[0].at == T0 + minutes(12)


def test_a_prompt_stored_without_events_ends_at_its_due_time_at_the_earliest() -> None:
    assert recover([prompt()], [], None)[0].at == T0
    assert recover([prompt()], [], T0 + minutes(4))[0].at == T0 + minutes(4)


def test_a_self_started_break_stored_without_events_is_left_alone() -> None:
    # Never shown; a lone `missed` would make the stats count it as a scheduled prompt.
    assert recover([prompt("m", T0, "manual")], [], T0 + minutes(4)) == []


def test_the_outcome_keeps_the_offset_of_the_prompts_last_event() -> None:
    events = [Event(K.PROMPTED, T0.astimezone(TOKYO), "p")]
    [missed] = recover([prompt()], events, (T0 + minutes(2)).astimezone(timezone.utc))
    assert missed.at == T0 + minutes(2) and missed.at.utcoffset() == timedelta(hours=9)


# ---- which prompts, how many -----------------------------------------------------------


def test_exactly_one_per_open_prompt_none_for_closed_ones_in_time_order() -> None:
    prompts = [prompt("done", T0), prompt("late", T0 + minutes(50)), prompt("early", T0)]
    events = [
        *steps("done", (K.PROMPTED, 0), (K.STARTED, 1), (K.COMPLETED, 3)),
        *steps("late", (K.PROMPTED, 50), (K.SNOOZED, 51)),
        *steps("early", (K.PROMPTED, 0)),
    ]
    out = recover(prompts, events, T0 + minutes(52))
    assert [(e.prompt_id, e.kind, e.detail) for e in out] == [
        ("early", K.MISSED, INTERRUPTED),
        ("late", K.MISSED, INTERRUPTED),
    ]


@pytest.mark.parametrize("final", sorted(FINAL_KINDS))
def test_any_final_outcome_closes_a_prompt(final: EventKind) -> None:
    events = steps("p", (K.PROMPTED, 0), (final, 1), (K.STARTED, 2))  # whatever came after
    assert recover([prompt()], events, T0 + minutes(5)) == []


def test_idempotent_across_repeated_crashes() -> None:
    prompts = [prompt("a"), prompt("b", T0 + minutes(45))]
    events = [*steps("a", (K.PROMPTED, 0), (K.STARTED, 1)), *steps("b", (K.PROMPTED, 45))]
    first = recover(prompts, events, T0 + minutes(47))
    assert len(first) == 2
    again = recover(prompts, events + first, T0 + minutes(47))
    assert again == []
    # A later crash leaves a new prompt open: only that one is closed.
    prompts.append(prompt("c", T0 + minutes(90)))
    events += [*first, *steps("c", (K.PROMPTED, 90))]
    [third] = recover(prompts, events, T0 + minutes(91))
    assert third.prompt_id == "c" and third.at == T0 + minutes(91)


def test_a_prompt_with_rows_this_version_cannot_read_is_left_alone() -> None:
    events = steps("p", (K.PROMPTED, 0))
    assert recover([prompt()], events, T0 + minutes(5), unreadable=frozenset({"p"})) == []


def test_events_of_other_prompts_and_app_events_do_not_matter() -> None:
    events = [
        *steps("p", (K.PROMPTED, 0)),
        *steps("other", (K.COMPLETED, 1)),
        Event(K.PAUSED, T0 + minutes(2), None, (T0 + minutes(60)).isoformat()),
    ]
    [missed] = recover([prompt()], events, T0 + minutes(4))
    assert missed.prompt_id == "p"


# ---- a reader that does not write: only prompts that should have ended ------------------


def test_with_now_a_prompt_is_closed_only_a_grace_after_its_end() -> None:
    events = steps("p", (K.PROMPTED, 0), (K.STARTED, 1))
    ends = T0 + minutes(1 + SETTINGS.break_minutes)
    alive = T0 + minutes(2)
    assert recover([prompt()], events, alive, now=ends) == []  # a running app closes it now
    assert recover([prompt()], events, alive, now=ends + GRACE - timedelta(seconds=1)) == []
    [missed] = recover([prompt()], events, alive, now=ends + minutes(2))
    assert missed.at == alive  # the same stamp the app will write at its next start
    assert minutes(2) == GRACE


def test_would_end_at_uses_the_last_start_like_the_stats() -> None:
    events = steps("p", (K.PROMPTED, 0), (K.STARTED, 1), (K.STARTED, 4))
    assert would_end_at(prompt(), events, SETTINGS) == T0 + minutes(4 + 2)


# ---- what the stats make of it -----------------------------------------------------------


def test_a_recovered_running_break_counts_the_time_it_ran() -> None:
    alive = T0 + minutes(1) + timedelta(seconds=50)
    events = steps("p", (K.PROMPTED, 0), (K.STARTED, 1))
    events += recover([prompt()], events, alive)
    [row] = day_rows(events, MONDAY, MONDAY, SETTINGS)
    assert row.movement_seconds == 50
    assert (row.prompted, row.missed, row.finished) == (1, 1, 1)


def test_a_recovered_break_now_counts_its_time_and_never_against_the_user() -> None:
    # break-now; kill -9 a minute into the break; start.
    events = [
        Event(K.PROMPTED, T0, "m", "manual"),
        Event(K.STARTED, T0 + timedelta(seconds=5), "m"),
    ]
    events += recover([prompt("m", T0, "manual")], events, T0 + timedelta(seconds=65))
    [row] = day_rows(events, MONDAY, MONDAY, SETTINGS)
    assert row.movement_seconds == 60
    assert (row.prompted, row.missed, row.self_started, row.adherence) == (0, 0, 0, None)


def test_after_recovery_every_prompt_has_an_outcome() -> None:
    # The picture after many kills: prompted, snoozed and started prompts left open.
    prompts: list[Prompt] = []
    events: list[Event] = []
    for n, last in enumerate([K.PROMPTED, K.SNOOZED, K.STARTED, K.DEFERRED]):
        pid = f"p{n}"
        prompts.append(prompt(pid, T0 + minutes(50 * n)))
        events += [Event(K.PROMPTED, T0 + minutes(50 * n), pid), *steps(pid, (last, 50 * n + 1))]
    events += recover(prompts, events, T0 + minutes(200))
    [row] = day_rows(events, MONDAY, MONDAY, SETTINGS)
    assert row.prompted == row.finished == row.missed == 4

"""The planner's boundaries, each pinned by a scenario: the ones a mutation run over
core/planner.py showed no other test would notice (benchmarks/mutate_core.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from deskguard.core.model import EventKind, Settings, State
from deskguard.core.planner import Activity, NewPrompt, Planner
from tests.core.test_planner import (
    BERLIN,
    MONDAY,
    away_between,
    held_between,
    make,
    take_break_at_once,
)


def at(hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return MONDAY.replace(hour=hh, minute=mm, second=ss)


# ---- the working window ---------------------------------------------------------------


def test_the_working_window_includes_both_ends() -> None:
    planner = Planner(Settings(), at(8), tz=BERLIN)
    assert planner.state(at(8, 59, 59)) is State.OUTSIDE_HOURS
    assert planner.state(at(9)) is State.WORKING
    assert planner.state(at(17, 30)) is State.WORKING
    assert planner.state(at(17, 30, 1)) is State.OUTSIDE_HOURS


def test_a_break_due_exactly_at_work_end_still_comes() -> None:
    short = Settings(work_start=time(9), work_end=time(9, 45))
    planner = Planner(short, at(8), tz=BERLIN)  # before the window: scheduled from its start
    assert planner.next_due == at(9, 45)
    too_short = Settings(work_start=time(9), work_end=time(9, 44))
    assert Planner(too_short, at(8), tz=BERLIN).next_due is None  # no window holds one


def test_no_working_day_means_no_break_and_tomorrow_is_the_next_day() -> None:
    nobody = Settings(working_days=frozenset())
    planner = Planner(nobody, at(10), tz=BERLIN)
    assert planner.next_due is None
    assert planner.pause_until_tomorrow(at(10)) == at(9) + timedelta(days=1)


def test_a_fortnight_ahead_is_looked_at_for_the_next_window() -> None:
    # Only Sundays: from Monday the next window is six days ahead (well within 15).
    sundays = Settings(working_days=frozenset({6}))
    assert Planner(sundays, at(10), tz=BERLIN).next_due == at(9, 45) + timedelta(days=6)


def test_pause_until_tomorrow_skips_to_the_next_working_day_within_a_week() -> None:
    saturdays = Settings(working_days=frozenset({5}))
    planner = Planner(saturdays, at(10), tz=BERLIN)
    assert planner.pause_until_tomorrow(at(10)) == at(9) + timedelta(days=5)
    mondays = Settings(working_days=frozenset({0}))
    planner = Planner(mondays, at(10), tz=BERLIN)
    assert planner.pause_until_tomorrow(at(10)) == at(9) + timedelta(days=7)


# ---- sleep and absence ------------------------------------------------------------------


def test_a_gap_of_exactly_the_sleep_threshold_is_a_rest() -> None:
    one_minute = Settings(break_minutes=1)
    replay = make(at(9, 30), one_minute)
    replay.tick()
    replay.clock.advance(seconds=90)  # the README's figure, not the constant: it is pinned
    replay.tick()
    back = at(9, 31, 30)
    assert replay.planner.next_due == back + timedelta(minutes=45)  # the interval restarted


def test_a_gap_longer_than_a_break_but_under_the_threshold_is_no_rest() -> None:
    # A one-minute break, a stall of 80 s: longer than the break, but a heartbeat late
    # is not a sleep (the threshold, not the break length, decides).
    replay = make(at(9, 30), Settings(break_minutes=1))
    replay.tick()
    replay.clock.advance(seconds=80)
    replay.tick()
    assert replay.planner.next_due == at(10, 15)


def test_a_three_minute_suspend_counts_as_a_rest() -> None:
    """README: a suspend at least as long as a break counts as a rest."""
    replay = make(at(9, 30))
    replay.tick()
    replay.clock.advance(minutes=3)
    replay.tick()
    assert replay.planner.next_due == at(9, 33) + timedelta(minutes=45)


def test_idle_exactly_a_break_long_is_away() -> None:
    replay = make(at(9))
    replay.run_until(at(9, 44))
    replay.activity = lambda _now: Activity(idle_seconds=120.0)
    replay.clock.set(at(9, 45))
    replay.tick()
    assert [e.at for e in replay.kinds(EventKind.NATURAL)] == [at(9, 45)]
    assert replay.kinds(EventKind.PROMPTED) == []


def busy_until(planner: Planner, end: datetime) -> None:
    when = at(9)
    while when < end:
        planner.tick(when, Activity(idle_seconds=1.0))
        when += timedelta(minutes=1)


def test_an_absence_exactly_a_break_long_restarts_the_interval() -> None:
    planner = Planner(Settings(), at(9), tz=BERLIN)
    busy_until(planner, at(9, 22))
    planner.tick(at(9, 22), Activity(idle_seconds=120.0))  # last input 09:20
    assert planner.away_since == at(9, 20)
    planner.tick(at(9, 23), Activity(idle_seconds=60.0))  # typed again at 09:22
    assert planner.next_due == at(10, 7)
    planner = Planner(Settings(), at(9), tz=BERLIN)
    busy_until(planner, at(9, 22))
    planner.tick(at(9, 22), Activity(idle_seconds=120.0))
    planner.tick(at(9, 23), Activity(idle_seconds=61.0))  # away a second short
    assert planner.next_due == at(9, 45)


def test_a_break_due_exactly_when_the_user_returns_is_natural() -> None:
    replay = make(at(9), policy=take_break_at_once)
    replay.activity = away_between(at(9, 40), at(9, 45))
    replay.run_until(at(10, 40))
    assert [e.at for e in replay.kinds(EventKind.NATURAL)] == [at(9, 45)]
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 10:30"]


def test_away_exactly_a_break_long_when_the_prompt_window_closes_is_natural() -> None:
    replay = make(at(9))
    replay.activity = away_between(at(9, 53), at(11))  # prompt at 09:45 closes 09:55
    replay.run_until(at(10))
    assert [e.kind for e in replay.events] == [EventKind.PROMPTED, EventKind.NATURAL]
    replay = make(at(9))
    replay.activity = away_between(at(9, 53, 1), at(11))  # a second short of a break
    replay.run_until(at(10))
    assert [e.kind for e in replay.events] == [EventKind.PROMPTED, EventKind.MISSED]


def test_a_stall_across_the_end_of_the_day_gives_no_prompt_after_hours() -> None:
    replay = make(at(17), Settings(work_end=time(17, 45)))
    assert replay.planner.next_due == at(17, 45)  # due exactly at work end
    replay.run_until(at(17, 44, 20))
    replay.clock.set(at(17, 45, 40))  # frozen 80 s across the due time and work end
    replay.tick()
    assert replay.prompts == 0
    assert replay.planner.state(replay.clock.now()) is State.OUTSIDE_HOURS
    assert replay.planner.next_due == at(9, 45) + timedelta(days=1)


def test_running_at_the_moment_the_window_opens_counts_as_running() -> None:
    minute = timedelta(seconds=60)
    planner = Planner(Settings(), at(8, 59, 30), tz=BERLIN, interval_override=minute)
    assert planner.next_due == at(9, 1)
    planner.tick(at(9))  # a tick exactly as the window opens
    effects = planner.tick(at(9, 1))
    assert [e.kind for e in effects if not isinstance(e, NewPrompt)] == [EventKind.PROMPTED]


# ---- queries -------------------------------------------------------------------------------


def test_snoozes_left_counts_from_the_limit() -> None:
    replay = make(at(9))
    assert replay.planner.snoozes_left() == 2
    replay.run_until(at(9, 46))
    assert replay.planner.snoozes_left() == 2
    replay.apply(replay.planner.snooze(at(9, 46)))
    assert replay.planner.snoozes_left() == 1


def test_next_break_at_follows_the_state() -> None:
    replay = make(at(9))
    assert replay.planner.next_break_at() == at(9, 45)
    replay.run_until(at(9, 46))
    assert replay.planner.next_break_at() == at(9, 45)  # shown now
    replay.apply(replay.planner.snooze(at(9, 46)))
    assert replay.planner.next_break_at() == at(9, 51)
    replay.clock.set(at(9, 51))
    replay.tick()
    replay.apply(replay.planner.start_break(at(9, 51)))
    assert replay.planner.next_break_at() is None  # on a break: none planned yet
    replay.run_until(at(9, 54))
    assert replay.planner.next_break_at() == at(10, 38)
    replay.apply(replay.planner.pause(at(9, 54), at(10, 30)))
    assert replay.planner.next_break_at() is None


def test_the_first_look_at_the_clocks_is_no_step() -> None:
    planner = Planner(Settings(), at(9), tz=BERLIN)
    assert planner.observe_clock(at(12), 5.0) == timedelta(0)
    assert planner.next_due == at(9, 45)


def test_without_clock_observation_a_backward_jump_never_waits_over_an_interval() -> None:
    planner = Planner(Settings(), at(10), tz=BERLIN)
    assert planner.next_due == at(10, 45)
    planner.tick(at(9, 30))  # no monotonic reading given: the fallback guard
    assert planner.next_due == at(10, 15)
    planner.tick(at(9, 31))
    assert planner.next_due == at(10, 15)  # and it holds: no creeping


def test_a_step_moves_a_held_prompt_and_its_cap() -> None:
    replay = make(at(9))
    replay.activity = held_between(at(9, 40), at(12))
    replay.run_until(at(9, 50))
    assert replay.planner.held_reason == "presentation"
    replay.clock.step_wall(hours=1)
    replay.tick()
    replay.run_until(replay.clock.now() + timedelta(minutes=24))
    assert replay.kinds(EventKind.MISSED) == []
    replay.run_until(replay.clock.now() + timedelta(minutes=2))
    missed = replay.kinds(EventKind.MISSED)
    assert [e.at for e in missed] == [at(10, 45) + timedelta(minutes=30)]


# ---- the user's requests at the edges -------------------------------------------------------


def test_requests_that_do_not_fit_the_state_change_nothing() -> None:
    replay = make(at(9))
    p = replay.planner
    assert p.complete_break(at(9, 1)) == []  # nothing open
    assert p.start_break(at(9, 1)) == []
    assert p.snooze(at(9, 1)) == []
    replay.run_until(at(9, 46))
    assert p.complete_break(at(9, 46)) == []  # prompted, not started
    replay.apply(p.start_break(at(9, 46)))
    assert p.start_break(at(9, 46, 30)) == []  # already running
    assert p.snooze(at(9, 46, 30)) == []  # a running break is not snoozed
    replay.apply(p.complete_break(at(9, 47)))
    assert [e.kind for e in replay.events][-1] is EventKind.COMPLETED


def test_pausing_during_a_running_break_keeps_the_break() -> None:
    replay = make(at(9), policy=take_break_at_once)
    replay.run_until(at(9, 46))
    assert replay.planner.state(at(9, 46)) is State.ON_BREAK
    replay.apply(replay.planner.pause(at(9, 46), at(10, 30)))
    assert replay.kinds(EventKind.SKIPPED) == []
    assert replay.planner.state(at(9, 46)) is State.ON_BREAK
    replay.run_until(at(9, 48))
    assert [e.detail for e in replay.kinds(EventKind.COMPLETED)] == ["break timer finished"]
    assert replay.planner.state(at(9, 48)) is State.PAUSED


def test_quitting_exactly_when_the_break_ends_counts_it_completed() -> None:
    replay = make(at(9), policy=take_break_at_once)
    replay.run_until(at(9, 46))
    ends = replay.planner.break_ends_at()
    assert ends == at(9, 47)
    assert [e.kind for e in replay.planner.shutdown(at(9, 47))] == [EventKind.COMPLETED]


def test_a_pause_ending_exactly_now_is_not_restored() -> None:
    planner = Planner(Settings(), at(10), tz=BERLIN)
    assert not planner.restore_pause(at(10), at(10))
    assert planner.state(at(10)) is State.WORKING


def test_new_settings_while_paused_leave_the_pause_alone() -> None:
    replay = make(at(9))
    replay.apply(replay.planner.pause(at(9, 10), at(10)))
    replay.planner.update_settings(Settings(interval_minutes=30), at(9, 20))
    assert replay.planner.next_due is None
    assert replay.planner.state(at(9, 20)) is State.PAUSED


def test_the_planners_values_are_frozen_and_hashable() -> None:
    """Effects and observations are values: shared freely, never changed in place."""
    import dataclasses

    import pytest

    from deskguard.core.model import Prompt

    prompt = NewPrompt(Prompt("p", at(9), "scheduled", None))
    for value in (Activity(idle_seconds=1.0, held=None), prompt):
        hash(value)
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.held = "x"  # type: ignore[misc,union-attr]

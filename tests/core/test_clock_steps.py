"""Wall-clock steps against real time: the planner waits real time, reads the schedule
on the wall clock, and never takes a step for sleep or absence (nor the reverse).

The FakeClock moves its two clocks separately: `advance`/`set` let real time pass (the
machine running or suspended), `step_wall` sets the wall clock as NTP or the user does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest

from deskguard.core.model import EventKind, Settings, State
from deskguard.core.planner import STEP_TOLERANCE, Activity, Planner
from tests.core.test_planner import BERLIN, MONDAY, Replay, at, make, take_break_at_once


def active_user(_now: datetime) -> Activity:
    return Activity(idle_seconds=0.3)  # the mouse moved a moment ago


def real_minutes(replay: Replay, since: float) -> float:
    return (replay.clock.monotonic() - since) / 60


def run_real(replay: Replay, minutes: float) -> None:
    """Let real time pass with a tick at least once a minute and at each wake time."""
    replay.run_until(replay.clock.now() + timedelta(minutes=minutes))


def prompt_times_real(replay: Replay, start_mono: float, minutes: float) -> list[float]:
    """Real minutes (since `start_mono`) at which prompts appear in the next `minutes`."""
    seen: list[float] = []
    before = len(replay.kinds(EventKind.PROMPTED))
    end = replay.clock.monotonic() + minutes * 60
    while replay.clock.monotonic() < end:
        run_real(replay, 0.25)
        now_count = len(replay.kinds(EventKind.PROMPTED))
        if now_count > before:
            seen.append(round(real_minutes(replay, start_mono), 2))
            before = now_count
    return seen


def test_small_differences_are_jitter_not_a_step() -> None:
    replay = make(at(MONDAY, 9))
    clock, planner = replay.clock, replay.planner
    planner.observe_clock(clock.now(), clock.monotonic())
    clock.advance(seconds=60)
    clock.step_wall(seconds=STEP_TOLERANCE.total_seconds())
    assert planner.observe_clock(clock.now(), clock.monotonic()) == timedelta(0)
    clock.step_wall(seconds=3)
    assert planner.observe_clock(clock.now(), clock.monotonic()) == timedelta(seconds=3)


@pytest.mark.parametrize("activity", [None, active_user], ids=["no idle backend", "active user"])
def test_a_backward_step_neither_stalls_nor_repeats(
    activity: Callable[[datetime], Activity] | None,
) -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    if activity is not None:
        replay.activity = activity
    replay.run_until(at(MONDAY, 10, 0))
    assert replay.prompts == 1  # 09:45, completed 09:47, next due 10:32: 32 real minutes on
    replay.clock.step_wall(hours=-1)  # NTP or the user set the clock back an hour
    replay.tick()
    assert replay.planner.next_due == at(MONDAY, 9, 32)
    start = replay.clock.monotonic()
    assert prompt_times_real(replay, start, 40) == [32.0]
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45", "Mon 09:32"]
    assert replay.kinds(EventKind.NATURAL) == []


@pytest.mark.parametrize("activity", [None, active_user], ids=["no idle backend", "active user"])
def test_a_forward_step_is_not_an_absence_and_fires_nothing_early(
    activity: Callable[[datetime], Activity] | None,
) -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    if activity is not None:
        replay.activity = activity
    replay.run_until(at(MONDAY, 10, 0))
    replay.clock.step_wall(hours=2)
    replay.tick()
    assert replay.kinds(EventKind.NATURAL) == []
    assert replay.planner.next_due == at(MONDAY, 12, 32)
    assert replay.planner.state(replay.clock.now()) is State.WORKING
    start = replay.clock.monotonic()
    assert prompt_times_real(replay, start, 40) == [32.0]


def test_a_step_between_ticks_is_seen_before_anything_is_due() -> None:
    """The alarm fires at the wake time; a forward step made just before must not make
    the tick take the moved wall clock for 'due'."""
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 30))
    replay.clock.advance(seconds=20)
    replay.clock.step_wall(minutes=20)  # wall 09:50: past 09:45 on the wall only
    replay.tick()
    assert replay.prompts == 0
    assert replay.planner.next_due == at(MONDAY, 10, 5)


def test_a_step_during_a_break_keeps_its_real_length() -> None:
    replay = make(at(MONDAY, 10), policy=take_break_at_once)
    replay.run_until(at(MONDAY, 10, 46))  # prompted and started at 10:45
    assert replay.planner.state(replay.clock.now()) is State.ON_BREAK
    replay.clock.step_wall(hours=-1)
    replay.tick()
    ends = replay.planner.break_ends_at()
    assert ends is not None
    assert ends - replay.clock.now() == timedelta(minutes=1)  # not 61 minutes
    run_real(replay, 1)
    completed = replay.kinds(EventKind.COMPLETED)
    assert [e.detail for e in completed] == ["break timer finished"]
    assert replay.planner.state(replay.clock.now()) is State.WORKING


def test_a_step_while_snoozed_keeps_the_snooze_real() -> None:
    def snooze_once(replay: Replay, event: object) -> None:
        if not replay.kinds(EventKind.SNOOZED):
            replay.apply(replay.planner.snooze(replay.clock.now()))

    replay = make(at(MONDAY, 10), policy=snooze_once)
    replay.run_until(at(MONDAY, 10, 46))  # prompted 10:45, snoozed to 10:50
    replay.clock.step_wall(minutes=30)
    replay.tick()
    start = replay.clock.monotonic()
    assert prompt_times_real(replay, start, 6) == [4.0]  # 10:50 by real time


def test_a_step_while_paused_keeps_the_pause_real() -> None:
    replay = make(at(MONDAY, 10))
    replay.apply(
        replay.planner.pause(replay.clock.now(), replay.clock.now() + timedelta(minutes=30))
    )
    replay.clock.advance(minutes=5)
    replay.clock.step_wall(hours=-2)
    replay.tick()
    run_real(replay, 24)
    assert replay.planner.paused_until is not None
    run_real(replay, 2)
    assert replay.planner.paused_until is None  # 30 real minutes, not 2 h 30


def test_a_suspend_moves_both_clocks_and_is_still_a_rest() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 30))
    replay.clock.advance(hours=3)  # suspended: real time passed without the process
    replay.tick()
    assert [e.at for e in replay.kinds(EventKind.NATURAL)] == [at(MONDAY, 9, 45)]
    assert replay.planner.next_due == at(MONDAY, 13, 15)


def test_away_and_back_natural_then_one_interval_after_return() -> None:
    away, back = at(MONDAY, 9, 40), at(MONDAY, 9, 55)

    def activity(now: datetime) -> Activity:
        if away <= now < back:
            return Activity(idle_seconds=(now - away).total_seconds())
        return Activity(idle_seconds=1.0)

    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    replay.activity = activity
    replay.run_until(at(MONDAY, 11))
    assert [e.at for e in replay.kinds(EventKind.NATURAL)] == [at(MONDAY, 9, 45)]
    # Back at 09:55 (idle 1 s at the 09:55 tick: input at 09:54:59): next at 10:39:59.
    assert [
        e.at.astimezone(BERLIN).strftime("%H:%M:%S") for e in replay.kinds(EventKind.PROMPTED)
    ] == ["10:39:59"]


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN), "spring: 02:00 CET -> 03:00 CEST"),
        (datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN), "autumn: 03:00 CEST -> 02:00 CET"),
    ],
)
def test_dst_is_no_step_and_keeps_real_intervals(day: datetime, name: str) -> None:
    everyday = Settings(working_days=frozenset(range(7)), work_start=time(1), work_end=time(5))
    replay = make(day, everyday, policy=take_break_at_once)
    steps: list[timedelta] = []
    planner: Planner = replay.planner
    observe = planner.observe_clock

    def watching(now: datetime, mono: float) -> timedelta:
        step = observe(now, mono)
        steps.append(step)
        return step

    planner.observe_clock = watching  # type: ignore[method-assign]
    replay.run_until(day + timedelta(hours=7))
    assert set(steps) == {timedelta(0)}, name
    times = [e.at.astimezone(UTC) for e in replay.kinds(EventKind.PROMPTED)]
    assert {b - a for a, b in itertools.pairwise(times)} == {timedelta(minutes=47)}
    assert all(time(1) <= t.astimezone(BERLIN).time() <= time(5) for t in times)
    assert replay.kinds(EventKind.NATURAL) == []


def test_restore_pause_holds_until_its_end_and_an_ended_one_is_over() -> None:
    replay = make(at(MONDAY, 10))
    now = replay.clock.now()
    assert not replay.planner.restore_pause(now, now - timedelta(minutes=1))
    assert replay.planner.state(now) is State.WORKING
    assert replay.planner.restore_pause(now, now + timedelta(minutes=90))
    assert replay.planner.state(now) is State.PAUSED
    assert replay.planner.next_break_at() is None
    replay.run_until(at(MONDAY, 11, 29))
    assert replay.prompts == 0
    replay.run_until(at(MONDAY, 11, 31))
    assert [e.detail for e in replay.kinds(EventKind.RESUMED)] == ["pause ended"]
    assert replay.planner.next_due == at(MONDAY, 12, 15)

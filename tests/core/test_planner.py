"""Scenario tests: whole working days replayed with a fake clock in milliseconds."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskguard.core.clock import FakeClock
from deskguard.core.model import Event, EventKind, Settings, State
from deskguard.core.planner import NO_ACTIVITY, Activity, Effect, NewPrompt, Planner

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, tzinfo=BERLIN)


def at(day: datetime, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return day.replace(hour=hh, minute=mm, second=ss)


Policy = Callable[["Replay", Event], None]


@dataclass
class Replay:
    """Drives a planner like the real alarm does: at each wake time and at least once a minute."""

    planner: Planner
    clock: FakeClock
    policy: Policy | None = None
    events: list[Event] = field(default_factory=list)
    prompts: int = 0
    activity: Callable[[datetime], Activity] = lambda _now: NO_ACTIVITY

    def apply(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, NewPrompt):
                self.prompts += 1
                continue
            self.events.append(effect)
            if effect.kind is EventKind.PROMPTED and self.policy is not None:
                self.policy(self, effect)

    def tick(self) -> None:
        now = self.clock.now()
        self.planner.observe_clock(now, self.clock.monotonic())  # as the controller does
        self.apply(self.planner.tick(now, self.activity(now)))

    def run_until(self, end: datetime) -> None:
        while self.clock.now() < end:
            now = self.clock.now().astimezone(UTC)  # UTC: wall arithmetic loops in a DST fold
            wake = self.planner.wake_time()
            step = now + timedelta(seconds=60)
            if wake is not None and now < wake < step:
                step = wake
            self.clock.set(min(step, end))
            self.tick()

    def kinds(self, kind: EventKind) -> list[Event]:
        return [e for e in self.events if e.kind is kind]

    def local_times(self, kind: EventKind) -> list[str]:
        return [e.at.astimezone(BERLIN).strftime("%a %H:%M") for e in self.kinds(kind)]


def take_break_at_once(replay: Replay, event: Event) -> None:
    replay.apply(replay.planner.start_break(event.at))


def make(start: datetime, settings: Settings | None = None, policy: Policy | None = None) -> Replay:
    clock = FakeClock(start)
    planner = Planner(settings or Settings(), clock.now(), tz=BERLIN)
    planner.observe_clock(clock.now(), clock.monotonic())  # as the controller does at start
    return Replay(planner, clock, policy)


def test_a_working_day_prompts_every_interval_after_each_break() -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    replay.run_until(at(MONDAY, 23))
    # 45 min sitting + a 2 min break = one prompt every 47 minutes, last one before 17:30.
    expected = []
    t = at(MONDAY, 9, 45)
    while t <= at(MONDAY, 17, 30):
        expected.append(t.strftime("Mon %H:%M"))
        t += timedelta(minutes=47)
    assert replay.local_times(EventKind.PROMPTED) == expected
    assert len(replay.kinds(EventKind.COMPLETED)) == len(expected) == replay.prompts


def test_nothing_before_work_starts_and_first_prompt_one_interval_in() -> None:
    replay = make(at(MONDAY, 6, 30), policy=take_break_at_once)
    replay.run_until(at(MONDAY, 10))
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45"]


def test_weekend_is_quiet_and_monday_resumes() -> None:
    saturday = MONDAY - timedelta(days=2)
    replay = make(at(saturday, 8), policy=take_break_at_once)
    assert replay.planner.state(replay.clock.now()) is State.OUTSIDE_HOURS
    replay.run_until(at(MONDAY, 10))
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45"]


def test_ignored_prompt_is_missed_after_the_response_window() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 11))
    missed = replay.kinds(EventKind.MISSED)
    assert [e.at.astimezone(BERLIN).strftime("%H:%M") for e in missed] == ["09:55", "10:50"]
    # The next prompt comes one interval after the missed one ended.
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45", "Mon 10:40"]


def test_snooze_limit_holds_and_the_prompt_returns_after_each_snooze() -> None:
    def snooze_always(replay: Replay, event: Event) -> None:
        replay.apply(replay.planner.snooze(event.at))

    replay = make(at(MONDAY, 9), policy=snooze_always)
    replay.run_until(at(MONDAY, 10, 30))
    assert len(replay.kinds(EventKind.SNOOZED)) == 2
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45", "Mon 09:50", "Mon 09:55"]
    assert replay.prompts == 1
    # The third showing cannot be snoozed, so it ends as missed after the window.
    assert [e.at.astimezone(BERLIN).strftime("%H:%M") for e in replay.kinds(EventKind.MISSED)] == [
        "10:05"
    ]


def test_snooze_then_complete_is_one_prompt_with_one_outcome() -> None:
    def snooze_once_then_go(replay: Replay, event: Event) -> None:
        if event.detail == "after snooze":
            replay.apply(replay.planner.start_break(event.at))
        else:
            replay.apply(replay.planner.snooze(event.at))

    replay = make(at(MONDAY, 9), policy=snooze_once_then_go)
    replay.run_until(at(MONDAY, 10))
    finals = [e for e in replay.events if e.kind in (EventKind.COMPLETED, EventKind.MISSED)]
    assert len(finals) == 1 and finals[0].kind is EventKind.COMPLETED
    assert finals[0].at.astimezone(BERLIN).strftime("%H:%M") == "09:52"


def test_skip_and_done_end_the_prompt() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 45))
    replay.apply(replay.planner.skip(replay.clock.now()))
    assert [e.kind for e in replay.events] == [EventKind.PROMPTED, EventKind.SKIPPED]
    assert replay.planner.next_due == at(MONDAY, 10, 30)
    replay.apply(replay.planner.break_now(replay.clock.advance(minutes=5)))
    replay.apply(replay.planner.start_break(replay.clock.advance(seconds=3)))
    assert replay.planner.state(replay.clock.now()) is State.ON_BREAK
    replay.apply(replay.planner.complete_break(replay.clock.advance(seconds=40)))
    assert replay.events[-1].kind is EventKind.COMPLETED
    assert replay.events[-1].detail == "done pressed"


def test_pause_for_thirty_minutes_then_resumes_by_itself() -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    replay.run_until(at(MONDAY, 9, 40))
    replay.apply(replay.planner.pause(replay.clock.now(), at(MONDAY, 10, 10)))
    assert replay.planner.state(replay.clock.now()) is State.PAUSED
    assert replay.planner.next_break_at() is None
    replay.run_until(at(MONDAY, 11))
    assert [e.kind for e in replay.events][:2] == [EventKind.PAUSED, EventKind.RESUMED]
    assert replay.local_times(EventKind.RESUMED) == ["Mon 10:10"]
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 10:55"]


def test_pause_until_tomorrow_and_manual_resume() -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    until = replay.planner.pause_until_tomorrow(replay.clock.now())
    assert until == at(MONDAY + timedelta(days=1), 9)
    replay.apply(replay.planner.pause(replay.clock.now(), until))
    replay.run_until(at(MONDAY, 17))
    assert replay.kinds(EventKind.PROMPTED) == []
    replay.apply(replay.planner.resume(replay.clock.now()))
    assert replay.planner.state(replay.clock.now()) is State.WORKING
    replay.run_until(at(MONDAY, 17, 50))
    assert (
        replay.local_times(EventKind.PROMPTED) == ["Mon 17:45"]
        or replay.local_times(EventKind.PROMPTED) == []
    )
    # 17:00 + 45 min lies after 17:30, so the next prompt is tomorrow at 09:45.
    assert replay.planner.next_due == at(MONDAY + timedelta(days=1), 9, 45)


def test_friday_pause_until_tomorrow_means_monday() -> None:
    friday = MONDAY + timedelta(days=4)
    replay = make(at(friday, 15))
    assert replay.planner.pause_until_tomorrow(replay.clock.now()) == at(MONDAY + timedelta(7), 9)


def test_pausing_an_open_prompt_skips_it() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 46))
    replay.apply(replay.planner.pause(replay.clock.now(), at(MONDAY, 10, 30)))
    assert [e.kind for e in replay.events] == [
        EventKind.PROMPTED,
        EventKind.SKIPPED,
        EventKind.PAUSED,
    ]


def test_a_short_stall_past_the_due_time_gives_exactly_one_prompt() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 44))
    replay.clock.set(at(MONDAY, 9, 45, 50))  # frozen for 110 s: shorter than a break
    for _ in range(5):
        replay.tick()
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45"]
    assert replay.prompts == 1


def test_a_sleep_gap_is_a_rest_with_one_natural_break_and_no_prompt_on_wake() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 30))
    replay.clock.set(at(MONDAY, 13))  # the laptop slept through three due breaks
    for _ in range(5):
        replay.tick()
    assert replay.kinds(EventKind.PROMPTED) == []
    assert [e.at for e in replay.kinds(EventKind.NATURAL)] == [at(MONDAY, 9, 45)]
    assert replay.prompts == 1
    assert replay.planner.next_due == at(MONDAY, 13, 45)  # the interval restarts on wake
    replay.run_until(at(MONDAY, 13, 46))
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 13:45"]


def test_sleeping_through_an_open_prompt_records_missed_and_no_burst() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 46))
    replay.clock.set(at(MONDAY, 12))
    replay.tick()
    replay.tick()
    assert [e.kind for e in replay.events] == [EventKind.PROMPTED, EventKind.MISSED]
    assert replay.events[-1].at == at(MONDAY, 9, 55)  # when the window really closed
    assert replay.planner.next_due == at(MONDAY, 12, 45)


def test_waking_on_a_later_day_starts_afresh_without_a_prompt() -> None:
    replay = make(at(MONDAY, 17))
    replay.clock.set(at(MONDAY + timedelta(days=1), 10))
    replay.tick()
    assert replay.kinds(EventKind.PROMPTED) == []
    assert replay.planner.next_due == at(MONDAY + timedelta(days=1), 10, 45)


def test_dst_change_keeps_real_intervals_and_local_hours() -> None:
    everyday = Settings(working_days=frozenset(range(7)), work_start=time(1), work_end=time(5))
    sunday = datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN)  # 03:00 CEST -> 02:00 CET
    replay = make(sunday, everyday, policy=take_break_at_once)
    replay.run_until(sunday + timedelta(hours=7))
    times = [e.at.astimezone(UTC) for e in replay.kinds(EventKind.PROMPTED)]
    gaps = {b - a for a, b in itertools.pairwise(times)}
    assert gaps == {timedelta(minutes=47)}
    assert all(time(1) <= t.astimezone(BERLIN).time() <= time(5) for t in times)
    # The repeated hour makes the window 5 real hours long: 01:45 ... until 05:00 local.
    assert len(times) == 6


def test_break_now_works_while_paused_and_outside_hours() -> None:
    replay = make(at(MONDAY, 20))
    effects = replay.planner.break_now(replay.clock.now())
    assert isinstance(effects[0], NewPrompt) and effects[0].prompt.source == "manual"
    assert replay.planner.state(replay.clock.now()) is State.PROMPTING
    replay.apply(replay.planner.skip(replay.clock.now()))
    replay.apply(replay.planner.pause(replay.clock.now(), at(MONDAY, 22)))
    replay.apply(replay.planner.break_now(replay.clock.now()))
    assert replay.planner.state(replay.clock.now()) is State.PROMPTING
    assert replay.planner.paused_until == at(MONDAY, 22)


def test_break_now_during_an_open_prompt_creates_nothing_new() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 46))
    assert replay.planner.break_now(replay.clock.now()) == []


def test_quitting_with_an_open_prompt_records_missed() -> None:
    replay = make(at(MONDAY, 9))
    replay.run_until(at(MONDAY, 9, 46))
    replay.apply(replay.planner.shutdown(replay.clock.now()))
    assert replay.events[-1].kind is EventKind.MISSED
    assert replay.events[-1].detail == "app quit"
    assert replay.planner.shutdown(replay.clock.now()) == []


def test_shorter_interval_takes_effect_at_once() -> None:
    replay = make(at(MONDAY, 9))
    replay.clock.set(at(MONDAY, 9, 20))
    replay.planner.update_settings(Settings(interval_minutes=30), replay.clock.now())
    assert replay.planner.next_due == at(MONDAY, 9, 30)
    replay.clock.set(at(MONDAY, 9, 40))
    replay.planner.update_settings(Settings(interval_minutes=5), replay.clock.now())
    assert replay.planner.next_due == at(MONDAY, 9, 40)


def test_wake_time_tracks_the_next_thing_to_do() -> None:
    replay = make(at(MONDAY, 9))
    assert replay.planner.wake_time() == at(MONDAY, 9, 45)
    replay.run_until(at(MONDAY, 9, 45))
    assert replay.planner.wake_time() == at(MONDAY, 9, 55)
    replay.apply(replay.planner.snooze(replay.clock.now()))
    assert replay.planner.wake_time() == at(MONDAY, 9, 50)
    replay.apply(replay.planner.start_break(replay.clock.now()))
    assert replay.planner.wake_time() == at(MONDAY, 9, 47)


# ---- activity awareness: natural breaks and holds (issue 5) --------------------------


def away_between(start: datetime, end: datetime) -> Callable[[datetime], Activity]:
    """Idle time of a user who stops typing at `start` and comes back at `end`."""

    def activity(now: datetime) -> Activity:
        if start <= now < end:
            return Activity(idle_seconds=(now - start).total_seconds())
        return Activity(idle_seconds=0.0)

    return activity


def test_away_across_a_due_break_records_it_natural_and_restarts_on_return() -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    replay.activity = away_between(at(MONDAY, 9, 30), at(MONDAY, 10, 5))
    replay.run_until(at(MONDAY, 11))
    assert [e.at for e in replay.kinds(EventKind.NATURAL)] == [at(MONDAY, 9, 45)]
    # Back at 10:05: no prompt then, the next one a full interval later.
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 10:50"]


def test_a_short_absence_changes_nothing() -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    replay.activity = away_between(at(MONDAY, 9, 20), at(MONDAY, 9, 21))
    replay.run_until(at(MONDAY, 10))
    assert replay.kinds(EventKind.NATURAL) == []
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45"]


def test_an_absence_as_long_as_a_break_restarts_the_interval() -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    replay.activity = away_between(at(MONDAY, 9, 20), at(MONDAY, 9, 25))
    replay.run_until(at(MONDAY, 10, 30))
    assert replay.kinds(EventKind.NATURAL) == []  # nothing came due while away
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 10:10"]


def test_lunch_gives_no_prompt_on_return() -> None:
    replay = make(at(MONDAY, 9), policy=take_break_at_once)
    replay.activity = away_between(at(MONDAY, 12), at(MONDAY, 13, 2))
    replay.run_until(at(MONDAY, 14))
    prompted = replay.local_times(EventKind.PROMPTED)
    assert not any("12:" in t or t == "Mon 13:02" for t in prompted)
    assert "Mon 13:47" in prompted
    assert len(replay.kinds(EventKind.NATURAL)) == 1  # one due break, however long the lunch


def test_walking_away_from_an_open_prompt_is_natural() -> None:
    replay = make(at(MONDAY, 9))
    replay.activity = away_between(at(MONDAY, 9, 46), at(MONDAY, 10, 30))
    replay.run_until(at(MONDAY, 10))
    assert [e.kind for e in replay.events] == [EventKind.PROMPTED, EventKind.NATURAL]
    assert replay.events[-1].detail == "away during the prompt"


def test_without_an_idle_backend_nobody_is_ever_away() -> None:
    replay = make(at(MONDAY, 9))
    replay.activity = lambda _now: Activity(idle_seconds=None)
    replay.run_until(at(MONDAY, 10))
    assert replay.kinds(EventKind.NATURAL) == []
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45"]


def held_between(start: datetime, end: datetime) -> Callable[[datetime], Activity]:
    def activity(now: datetime) -> Activity:
        return Activity(idle_seconds=1.0, held="presentation" if start <= now < end else None)

    return activity


def test_a_presentation_defers_the_prompt_until_it_ends() -> None:
    replay = make(at(MONDAY, 9))
    replay.activity = held_between(at(MONDAY, 9, 40), at(MONDAY, 10, 2))
    replay.run_until(at(MONDAY, 9, 50))
    assert [e.kind for e in replay.events] == [EventKind.DEFERRED]
    assert replay.events[0].detail == "presentation"
    assert replay.planner.held_reason == "presentation"
    assert replay.planner.state(replay.clock.now()) is State.WORKING
    replay.run_until(at(MONDAY, 10, 5))
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 10:02"]
    assert replay.prompts == 1


def test_a_long_presentation_ends_in_missed_after_the_cap() -> None:
    replay = make(at(MONDAY, 9))
    replay.activity = held_between(at(MONDAY, 9, 40), at(MONDAY, 11))
    replay.run_until(at(MONDAY, 10, 30))
    assert [e.kind for e in replay.events] == [EventKind.DEFERRED, EventKind.MISSED]
    assert replay.events[-1].at == at(MONDAY, 10, 15)
    assert replay.planner.next_due == at(MONDAY, 11, 0)


def test_break_now_is_never_held_back() -> None:
    replay = make(at(MONDAY, 9))
    replay.activity = held_between(at(MONDAY, 9), at(MONDAY, 12))
    replay.run_until(at(MONDAY, 9, 50))
    replay.apply(replay.planner.break_now(replay.clock.now()))
    assert replay.planner.state(replay.clock.now()) is State.PROMPTING
    assert replay.kinds(EventKind.PROMPTED)[0].detail == "manual"
    fresh = make(at(MONDAY, 9))
    fresh.activity = held_between(at(MONDAY, 9), at(MONDAY, 12))
    fresh.apply(fresh.planner.break_now(fresh.clock.now()))
    assert fresh.planner.state(fresh.clock.now()) is State.PROMPTING


def test_snooze_ending_during_a_presentation_waits_for_it() -> None:
    def snooze_first(replay: Replay, event: Event) -> None:
        if event.detail == "scheduled":
            replay.apply(replay.planner.snooze(event.at))

    replay = make(at(MONDAY, 9), policy=snooze_first)
    replay.activity = held_between(at(MONDAY, 9, 48), at(MONDAY, 9, 58))
    replay.run_until(at(MONDAY, 10))
    assert [e.kind for e in replay.events] == [
        EventKind.PROMPTED,
        EventKind.SNOOZED,
        EventKind.DEFERRED,
        EventKind.PROMPTED,
    ]
    assert replay.local_times(EventKind.PROMPTED) == ["Mon 09:45", "Mon 09:58"]

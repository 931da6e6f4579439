"""The break state machine. Every method is handed `now`; none reads a clock.

Instants are kept in UTC inside: `aware + timedelta` in a named zone is wall-clock
arithmetic and would stretch or shrink an interval across a DST change. Events
leave in the local zone so the store keeps the user's offset.

The planner keeps a single `next_due` instant, so a burst of prompts after a gap
is impossible by construction: each tick shows at most one prompt, and the next
one is scheduled from the moment the previous one ended.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from deskguard.core.model import Event, EventKind, Outcome, Prompt, Settings, State

Picker = Callable[[datetime], "str | None"]

# A tick later than this after the previous one means the process did not run
# (suspend, a stopped VM, the clock jumping forwards): the heartbeat is one minute.
SLEEP_GAP = timedelta(seconds=90)

# Wall and monotonic time disagreeing by more than this between two looks means the wall
# clock was set (NTP, the user, a VM resync). Below it, the difference is reading jitter.
STEP_TOLERANCE = timedelta(seconds=2)


@dataclass(frozen=True)
class Activity:
    """What the desktop says about the user at a tick."""

    idle_seconds: float | None = None  # None: no idle backend, so nobody is ever "away"
    held: str | None = None  # why prompts must wait now, e.g. "presentation"


NO_ACTIVITY = Activity()


@dataclass(frozen=True)
class NewPrompt:
    """A prompt came into being; it is stored before any of its events."""

    prompt: Prompt


Effect = NewPrompt | Event


@dataclass
class Active:
    prompt: Prompt
    shown_at: datetime | None  # None while held back (deferred) and not yet shown
    snoozes: int = 0
    snoozed_until: datetime | None = None
    started_at: datetime | None = None
    held: str | None = None  # the reason it is held back, while it is


def at_local(day: date, clock_time: time, tz: tzinfo | None) -> datetime:
    """`day` at `clock_time` on the wall clock of `tz` (None: the system zone), in UTC."""
    if tz is None:
        return datetime.combine(day, clock_time).astimezone().astimezone(timezone.utc)
    return datetime.combine(day, clock_time, tzinfo=tz).astimezone(timezone.utc)


def utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("the planner needs timezone-aware times")
    return when.astimezone(timezone.utc)


class Planner:
    def __init__(
        self,
        settings: Settings,
        now: datetime,
        tz: tzinfo | None = None,
        pick_exercise: Picker | None = None,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        interval_override: timedelta | None = None,
    ) -> None:
        self.settings = settings
        self.interval_override = interval_override  # developer setting: seconds-long intervals
        self.tz = tz
        self._pick = pick_exercise or (lambda _now: None)
        self._new_id = new_id
        self.active: Active | None = None
        self.paused_until: datetime | None = None
        now = utc(now)
        self._anchor = now  # the interval is measured from here
        self._last_seen = now
        self.away_since: datetime | None = None  # the user's last input before an absence
        self._clock_seen: tuple[datetime, float] | None = None  # (wall, monotonic) last looked at
        self.next_due: datetime | None = self._schedule_from(now)

    # ---- time arithmetic -------------------------------------------------
    @property
    def _interval(self) -> timedelta:
        if self.interval_override is not None:
            return self.interval_override
        return timedelta(minutes=self.settings.interval_minutes)

    @property
    def _break_length(self) -> timedelta:
        return timedelta(minutes=self.settings.break_minutes)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def in_hours(self, when: datetime) -> bool:
        local = self.local(when)
        s = self.settings
        return local.weekday() in s.working_days and s.work_start <= local.time() <= s.work_end

    def _window_start(self, when: datetime) -> datetime:
        return at_local(self.local(when).date(), self.settings.work_start, self.tz)

    def _schedule_from(self, base: datetime) -> datetime | None:
        """The first due time one interval after `base` that lies in working hours."""
        candidate = base + self._interval
        if self.in_hours(candidate) and self.in_hours(base):
            return candidate
        first = self.local(base).date()
        for offset in range(15):
            day = first + timedelta(days=offset)
            if day.weekday() not in self.settings.working_days:
                continue
            start = at_local(day, self.settings.work_start, self.tz)
            end = at_local(day, self.settings.work_end, self.tz)
            if end <= base:
                continue
            due = max(start, base) + self._interval
            if due <= end:
                return due
        return None  # no working window long enough in the next two weeks

    # ---- queries -----------------------------------------------------------
    def state(self, now: datetime) -> State:
        now = utc(now)
        if self.active is not None:
            if self.active.started_at is not None:
                return State.ON_BREAK
            if self.active.snoozed_until is None and self.active.held is None:
                return State.PROMPTING
        if self.paused_until is not None:
            return State.PAUSED
        if not self.in_hours(now):
            return State.OUTSIDE_HOURS
        return State.WORKING

    @property
    def sitting_since(self) -> datetime:
        """When the current stretch of sitting began: the last break's end, or the start."""
        return self._anchor

    @property
    def held_reason(self) -> str | None:
        return self.active.held if self.active is not None else None

    def snoozes_left(self) -> int:
        used = self.active.snoozes if self.active else 0
        return max(0, self.settings.snooze_limit - used)

    def break_ends_at(self) -> datetime | None:
        if self.active is None or self.active.started_at is None:
            return None
        return self.active.started_at + timedelta(minutes=self.settings.break_minutes)

    def next_break_at(self) -> datetime | None:
        """What the tray shows as the next break."""
        if self.active is not None:
            if self.active.started_at is not None:
                return None  # on a break now; the next one is scheduled when it ends
            return self.active.snoozed_until or self.active.shown_at or self.active.prompt.due_at
        if self.paused_until is not None:
            return None
        return self.next_due

    def wake_time(self) -> datetime | None:
        """The earliest instant at which `tick` has something to do."""
        if self.active is not None:
            a = self.active
            if a.started_at is not None:
                return self.break_ends_at()
            if a.snoozed_until is not None:
                return a.snoozed_until
            if a.shown_at is None:
                return self._hold_cap(a)
            return a.shown_at + timedelta(minutes=self.settings.response_window_minutes)
        if self.paused_until is not None:
            return self.paused_until
        return self.next_due

    # ---- the clock moved -----------------------------------------------------
    def observe_clock(self, now: datetime, mono: float) -> timedelta:
        """Compare the wall clock with monotonic time; return the wall-clock step since
        the last look (zero if none).

        A step is not time passing: every instant the planner holds (next due, the
        sitting anchor, an open prompt's times, a running break, a pause's end) moves
        with the wall clock, so the real time left to wait is unchanged, a forward step
        is not taken for an absence and a backward one stalls nothing. A suspend moves
        both clocks alike and stays a gap for `tick` to see.
        """
        now = utc(now)
        seen, self._clock_seen = self._clock_seen, (now, mono)
        if seen is None:
            return timedelta(0)
        step = (now - seen[0]) - timedelta(seconds=mono - seen[1])
        if abs(step) <= STEP_TOLERANCE:
            return timedelta(0)
        self._shift(step)
        return step

    def _shift(self, step: timedelta) -> None:
        def moved(when: datetime | None) -> datetime | None:
            return None if when is None else when + step

        self._anchor += step
        self._last_seen += step
        self.away_since = moved(self.away_since)
        self.next_due = moved(self.next_due)
        self.paused_until = moved(self.paused_until)
        a = self.active
        if a is not None:
            self.active = replace(
                a,
                prompt=replace(a.prompt, due_at=utc(a.prompt.due_at) + step),
                shown_at=moved(a.shown_at),
                snoozed_until=moved(a.snoozed_until),
                started_at=moved(a.started_at),
            )

    def tick(self, now: datetime, activity: Activity = NO_ACTIVITY) -> list[Effect]:
        now = utc(now)
        gap = now - self._last_seen
        last_seen, self._last_seen = self._last_seen, now
        returned = self._observe(now, last_seen, gap, activity.idle_seconds)
        if self.active is not None:
            return self._tick_active(now, activity)
        if self.paused_until is not None:
            if now < self.paused_until:
                return []
            return self.resume(now, detail="pause ended")
        effects: list[Effect] = []
        if returned is not None:
            # Back from an absence (or a sleep) as long as a break: that was a rest.
            effects += self._natural_if_due(returned)
            self._anchor = returned
            self.next_due = self._schedule_from(returned)
            return effects
        if self.away_since is not None:
            # Away now: a break that comes due is taken already; nothing is scheduled
            # until they return, so there is no prompt the moment they sit down.
            return self._natural_if_due(now)
        if self.next_due is None:
            self.next_due = self._schedule_from(now)
            return []
        fresh = self._schedule_from(now)
        if fresh is not None and self.next_due > fresh:
            # The wall clock went backwards: never wait longer than one interval from now.
            self.next_due = fresh
            return []
        if now < self.next_due:
            return []
        if not self.in_hours(now) or last_seen < self._window_start(now):
            # Not running when today's window opened (asleep overnight, say): the user's
            # sitting began when they came back, so the interval starts afresh.
            self.next_due = fresh
            return []
        return self._open(now, source="scheduled", due=self.next_due, held=activity.held)

    def _observe(
        self, now: datetime, last_seen: datetime, gap: timedelta, idle_seconds: float | None
    ) -> datetime | None:
        """Track absences; return the moment the user came back from one of a break's length."""
        rest = self._break_length
        if gap >= max(rest, SLEEP_GAP) and self.away_since is None:
            self.away_since = last_seen  # asleep: nobody typed since the last tick we saw
        idle = timedelta(seconds=idle_seconds) if idle_seconds is not None else None
        if idle is not None and idle >= rest:
            if self.away_since is None:
                self.away_since = now - idle
            return None
        if self.away_since is None:
            return None
        back_at = now - (idle or timedelta(0))
        away_since, self.away_since = self.away_since, None
        return back_at if back_at - away_since >= rest else None

    def _natural_if_due(self, until: datetime) -> list[Effect]:
        """A break that came due while the user was away counts as taken: `natural`."""
        due = self.next_due
        if due is None or due > until or not self.in_hours(due):
            return []
        self.next_due = None
        prompt = Prompt(self._new_id(), due, "scheduled", None)
        return [NewPrompt(prompt), Event(EventKind.NATURAL, self.local(due), prompt.id, "away")]

    def _hold_cap(self, active: Active) -> datetime:
        return active.prompt.due_at + timedelta(minutes=self.settings.defer_cap_minutes)

    def _tick_active(self, now: datetime, activity: Activity = NO_ACTIVITY) -> list[Effect]:
        assert self.active is not None
        a = self.active
        if a.started_at is not None:
            ends = self.break_ends_at()
            assert ends is not None
            if now >= ends:
                return self._close(Outcome.COMPLETED, ends, now, "break timer finished")
            return []
        if a.snoozed_until is not None:
            if now < a.snoozed_until:
                return []
            self.active = replace(a, snoozed_until=None, shown_at=None)
            return self._show_or_hold(now, activity.held, "after snooze")
        if a.shown_at is None:
            cap = self._hold_cap(a)
            if now >= cap:
                return self._close(Outcome.MISSED, cap, now, f"held back: {a.held}")
            return self._show_or_hold(now, activity.held, "after hold")
        deadline = a.shown_at + timedelta(minutes=self.settings.response_window_minutes)
        if now >= deadline:
            if self.away_since is not None and deadline - self.away_since >= self._break_length:
                return self._close(Outcome.NATURAL, deadline, now, "away during the prompt")
            return self._close(Outcome.MISSED, deadline, now, "no answer in time")
        return []

    def _show_or_hold(self, now: datetime, held: str | None, detail: str) -> list[Effect]:
        assert self.active is not None
        a = self.active
        if held is not None:
            if a.held == held:
                return []
            self.active = replace(a, held=held)
            return [self._event(EventKind.DEFERRED, now, held)]
        self.active = replace(a, held=None, shown_at=now)
        return [self._event(EventKind.PROMPTED, now, detail)]

    # ---- the user acted --------------------------------------------------------
    def break_now(self, now: datetime) -> list[Effect]:
        """An explicit request: honoured even when paused or outside working hours."""
        now = utc(now)
        if self.active is not None:
            if self.active.snoozed_until is not None or self.active.shown_at is None:
                self.active = replace(self.active, snoozed_until=None, held=None, shown_at=now)
                return [self._event(EventKind.PROMPTED, now, "manual")]
            return []
        return self._open(now, source="manual", due=now)

    def start_break(self, now: datetime) -> list[Effect]:
        now = utc(now)
        if self.active is None or self.active.started_at is not None:
            return []
        self.active = replace(self.active, started_at=now, snoozed_until=None)
        return [self._event(EventKind.STARTED, now)]

    def snooze(self, now: datetime) -> list[Effect]:
        now = utc(now)
        a = self.active
        if a is None or a.started_at is not None or a.snoozed_until is not None:
            return []
        if a.shown_at is None or self.snoozes_left() == 0:
            return []
        until = now + timedelta(minutes=self.settings.snooze_minutes)
        self.active = replace(a, snoozes=a.snoozes + 1, snoozed_until=until)
        return [self._event(EventKind.SNOOZED, now, self.local(until).isoformat())]

    def skip(self, now: datetime) -> list[Effect]:
        now = utc(now)
        if self.active is None:
            return []
        return self._close(Outcome.SKIPPED, now, now, "")

    def complete_break(self, now: datetime) -> list[Effect]:
        now = utc(now)
        if self.active is None or self.active.started_at is None:
            return []
        return self._close(Outcome.COMPLETED, now, now, "done pressed")

    def pause(self, now: datetime, until: datetime) -> list[Effect]:
        now, until = utc(now), utc(until)
        effects: list[Effect] = []
        if self.active is not None and self.active.started_at is None:
            effects += self._close(Outcome.SKIPPED, now, now, "paused")
        self.paused_until = until
        self.next_due = None
        effects.append(
            Event(EventKind.PAUSED, self.local(now), None, self.local(until).isoformat())
        )
        return effects

    def restore_pause(self, now: datetime, until: datetime) -> bool:
        """At start: a pause recorded before a restart still holds until it ends.

        Nothing is recorded (the pause is on record already); one that has ended by now
        is simply over. Returns whether the pause holds.
        """
        now, until = utc(now), utc(until)
        if until <= now or self.active is not None:
            return False
        self.paused_until = until
        self.next_due = None
        return True

    def resume(self, now: datetime, detail: str = "") -> list[Effect]:
        now = utc(now)
        if self.paused_until is None:
            return []
        self.paused_until = None
        self._anchor = now
        if self.active is None:
            self.next_due = self._schedule_from(now)
        return [Event(EventKind.RESUMED, self.local(now), None, detail)]

    def shutdown(self, now: datetime) -> list[Effect]:
        """The app is quitting: an open prompt cannot be answered any more."""
        now = utc(now)
        if self.active is None:
            return []
        ends = self.break_ends_at()
        if ends is not None and now >= ends:
            return self._close(Outcome.COMPLETED, ends, now, "break timer finished")
        return self._close(Outcome.MISSED, now, now, "app quit")

    def update_settings(self, settings: Settings, now: datetime) -> None:
        now = utc(now)
        self.settings = settings
        if self.active is None and self.paused_until is None:
            due = self._schedule_from(self._anchor)
            self.next_due = max(due, now) if due is not None else self._schedule_from(now)

    def pause_until_tomorrow(self, now: datetime) -> datetime:
        """Start of the next working day's window (or tomorrow's start if none is set)."""
        now = utc(now)
        today = self.local(now).date()
        for offset in range(1, 8):
            day = today + timedelta(days=offset)
            if day.weekday() in self.settings.working_days:
                return at_local(day, self.settings.work_start, self.tz)
        return at_local(today + timedelta(days=1), self.settings.work_start, self.tz)

    # ---- internals -----------------------------------------------------------------
    def _open(
        self, now: datetime, source: str, due: datetime, held: str | None = None
    ) -> list[Effect]:
        prompt = Prompt(self._new_id(), due, source, self._pick(now))
        self.active = Active(prompt=prompt, shown_at=None)
        self.next_due = None
        return [NewPrompt(prompt), *self._show_or_hold(now, held, source)]

    def _close(self, outcome: Outcome, at: datetime, now: datetime, detail: str) -> list[Effect]:
        assert self.active is not None
        event = self._event(EventKind(outcome.value), at, detail)
        self.active = None
        self._anchor = max(at, now)
        if self.paused_until is None:
            self.next_due = self._schedule_from(self._anchor)
        return [event]

    def _event(self, kind: EventKind, at: datetime, detail: str = "") -> Event:
        assert self.active is not None
        return Event(kind, self.local(at), self.active.prompt.id, detail)

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


@dataclass(frozen=True)
class NewPrompt:
    """A prompt came into being; it is stored before any of its events."""

    prompt: Prompt


Effect = NewPrompt | Event


@dataclass
class Active:
    prompt: Prompt
    shown_at: datetime
    snoozes: int = 0
    snoozed_until: datetime | None = None
    started_at: datetime | None = None


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
    ) -> None:
        self.settings = settings
        self.tz = tz
        self._pick = pick_exercise or (lambda _now: None)
        self._new_id = new_id
        self.active: Active | None = None
        self.paused_until: datetime | None = None
        now = utc(now)
        self._anchor = now  # the interval is measured from here
        self._last_seen = now
        self.next_due: datetime | None = self._schedule_from(now)

    # ---- time arithmetic -------------------------------------------------
    @property
    def _interval(self) -> timedelta:
        return timedelta(minutes=self.settings.interval_minutes)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def in_hours(self, when: datetime) -> bool:
        local = self.local(when)
        s = self.settings
        return local.weekday() in s.working_days and s.work_start <= local.time() <= s.work_end

    def _window_start(self, when: datetime) -> datetime:
        return at_local(self.local(when).date(), self.settings.work_start, self.tz)

    def _window_end(self, when: datetime) -> datetime:
        return at_local(self.local(when).date(), self.settings.work_end, self.tz)

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
            if self.active.snoozed_until is None:
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
            return self.active.snoozed_until or self.active.shown_at
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
            return a.shown_at + timedelta(minutes=self.settings.response_window_minutes)
        if self.paused_until is not None:
            return self.paused_until
        return self.next_due

    # ---- the clock moved -----------------------------------------------------
    def tick(self, now: datetime) -> list[Effect]:
        now = utc(now)
        last_seen, self._last_seen = self._last_seen, now
        if self.active is not None:
            return self._tick_active(now)
        if self.paused_until is not None:
            if now < self.paused_until:
                return []
            return self.resume(now, detail="pause ended")
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
        return self._open(now, source="scheduled", due=self.next_due)

    def _tick_active(self, now: datetime) -> list[Effect]:
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
            self.active = replace(a, snoozed_until=None, shown_at=now)
            return [self._event(EventKind.PROMPTED, now, "after snooze")]
        deadline = a.shown_at + timedelta(minutes=self.settings.response_window_minutes)
        if now >= deadline:
            return self._close(Outcome.MISSED, deadline, now, "no answer in time")
        return []

    # ---- the user acted --------------------------------------------------------
    def break_now(self, now: datetime) -> list[Effect]:
        """An explicit request: honoured even when paused or outside working hours."""
        now = utc(now)
        if self.active is not None:
            if self.active.snoozed_until is not None:
                self.active = replace(self.active, snoozed_until=None, shown_at=now)
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
        if self.snoozes_left() == 0:
            return []
        until = now + timedelta(minutes=self.settings.snooze_minutes)
        self.active = replace(a, snoozes=a.snoozes + 1, snoozed_until=until)
        return [self._event(EventKind.SNOOZED, now, self.local(until).isoformat())]

    def skip(self, now: datetime) -> list[Effect]:
        now = utc(now)
        if self.active is None:
            return []
        return self._close(Outcome.SKIPPED, now, now, "")

    def finish(self, now: datetime) -> list[Effect]:
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
    def _open(self, now: datetime, source: str, due: datetime) -> list[Effect]:
        prompt = Prompt(self._new_id(), due, source, self._pick(now))
        self.active = Active(prompt=prompt, shown_at=now)
        self.next_due = None
        return [NewPrompt(prompt), self._event(EventKind.PROMPTED, now, source)]

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

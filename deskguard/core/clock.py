"""Time flows in from outside: production code reads a Clock, tests move a FakeClock.

A clock gives two readings. `now()` is the wall clock: what the schedule (working
hours, "until tomorrow") is written in, and what the user or NTP may set at any
moment. `monotonic()` is real elapsed time that no one can set, counting suspended
time: how long to wait is measured on it, and comparing the two on each tick tells a
wall-clock step (wall moved, monotonic did not) from a sleep (both moved).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never steps and keeps counting while suspended."""
        ...


def _suspend_aware_clock() -> int | None:
    # Linux: CLOCK_MONOTONIC stops while suspended, CLOCK_BOOTTIME does not. macOS:
    # clock_gettime's CLOCK_MONOTONIC counts sleep (time.monotonic does not). Windows:
    # time.monotonic (GetTickCount64) counts sleep already.
    if sys.platform.startswith("linux"):
        return getattr(time, "CLOCK_BOOTTIME", None)
    if sys.platform == "darwin":
        return getattr(time, "CLOCK_MONOTONIC", None)
    return None


class SystemClock:
    """The machine's wall clock in the local zone (DST-correct per instant)."""

    def __init__(self) -> None:
        self._clock_id = _suspend_aware_clock()

    def now(self) -> datetime:
        return datetime.now().astimezone()

    def monotonic(self) -> float:
        if self._clock_id is not None:
            return time.clock_gettime(self._clock_id)
        return time.monotonic()


class FakeClock:
    """A clock that only moves when told to; `now()` is given in `tz`.

    `advance` and `set` let time pass (both clocks move, as while running or asleep);
    `step_wall` sets the wall clock only, as the user or NTP does.
    """

    def __init__(self, start: datetime, tz: tzinfo | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self.tz = tz or start.tzinfo
        # Kept in UTC: aware arithmetic in a named zone is wall-clock arithmetic across DST.
        self._now = start.astimezone(timezone.utc)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now.astimezone(self.tz)

    def monotonic(self) -> float:
        return self._mono

    def advance(self, **delta: float) -> datetime:
        step = timedelta(**delta)
        if step < timedelta(0):
            raise ValueError("time does not run backwards: use step_wall for a clock change")
        self._now = self._now + step
        self._mono += step.total_seconds()
        return self.now()

    def set(self, when: datetime) -> datetime:
        """Let time pass until `when` (never backwards: that is `step_wall`)."""
        if when.tzinfo is None:
            raise ValueError("FakeClock.set needs a timezone-aware time")
        return self.advance(seconds=(when - self._now).total_seconds())

    def step_wall(self, **delta: float) -> datetime:
        """The wall clock is set forwards or backwards; no real time passes."""
        self._now = self._now + timedelta(**delta)
        return self.now()

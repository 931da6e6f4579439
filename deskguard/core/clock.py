"""Time flows in from outside: production code reads a Clock, tests move a FakeClock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The machine's wall clock in the local zone (DST-correct per instant)."""

    def now(self) -> datetime:
        return datetime.now().astimezone()


class FakeClock:
    """A clock that only moves when told to; `now()` is given in `tz`."""

    def __init__(self, start: datetime, tz: tzinfo | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self.tz = tz or start.tzinfo
        # Kept in UTC: aware arithmetic in a named zone is wall-clock arithmetic across DST.
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now.astimezone(self.tz)

    def advance(self, **delta: float) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self.now()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("FakeClock.set needs a timezone-aware time")
        self._now = when.astimezone(timezone.utc)
        return self.now()

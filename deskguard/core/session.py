"""The session player's state machine: where today's routine stands, one set at a time.

A session walks the `Step`s of `programme.plan_session` in order: a set counted in reps or
held for a time, a rest after it when the step has one, and the finish (the summary and
the pain rating after) once the last set is passed. Sharp pain stops it at once; a sharp
or travelling pain rated before it starts means no session today; closing part-way
abandons it and nothing counts as done.

Time is handed in as monotonic seconds (`Clock.monotonic()`), never read here: a hold or
a rest is a length of real time, which a wall clock set by NTP or the user would stretch
or cut. Every action first lets time pass up to `now`, so a hold that has run out counts
even when the action comes before the next tick does.

Nothing here records anything: the player tells the coach (log_pain, report_sharp,
finish_session, screen) what this machine decided.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from deskguard.core.programme import REST_DAYS_BETWEEN, Sensation, Step

__all__ = [
    "IN_SET",
    "LIVE",
    "Counter",
    "ExerciseTally",
    "Phase",
    "Session",
    "Why",
    "next_session_day",
]


class Phase(enum.Enum):
    BEFORE = "before"  # not begun: the pain rating before comes first
    REPS = "reps"  # a set counted in reps
    HOLD = "hold"  # a set held for a time (the hold running or not)
    REST = "rest"  # the rest after a set; the next set starts by itself
    FINISHED = "finished"  # every set passed: the summary waits for the rating after
    SAVED = "saved"  # the rating after is in: the session is over
    DECLINED = "declined"  # sharp or travelling pain before: no session today
    STOPPED = "stopped"  # sharp pain during a set or a rest
    ABANDONED = "abandoned"  # closed part-way: nothing counts as done


LIVE = (Phase.REPS, Phase.HOLD, Phase.REST, Phase.FINISHED)  # closing now loses the session
IN_SET = (Phase.REPS, Phase.HOLD)


class Why(enum.Enum):
    """Why the red-flag questions are asked."""

    SHARP = "sharp"  # "This hurts (sharp)" during the session
    BEFORE = "before"  # sharp or travelling pain rated before starting
    AFTER = "after"  # sharp or travelling pain rated after the session


@dataclass(frozen=True)
class Counter:
    """The set's counter panel: reps counted, or the hold's seconds."""

    hold: bool
    target: int  # reps, or seconds to hold
    value: int  # reps counted, or seconds held (the target once held and stopped)
    left: int  # reps still to do, or seconds of the hold left
    running: bool  # a hold is counting down
    done: bool  # this set reached its target (a hold may run again after that)


@dataclass(frozen=True)
class ExerciseTally:
    """One exercise in the finish summary: sets counted per set number, all sides in."""

    exercise_id: str
    sets: int
    sets_done: int

    @property
    def full(self) -> bool:
        return self.sets_done == self.sets


def next_session_day(today: date, session_days: Collection[int]) -> date | None:
    """The first of the session days (weekday numbers) after the rest day(s) after today."""
    # A week of candidates past the rest days visits every weekday once.
    for ahead in range(REST_DAYS_BETWEEN + 1, REST_DAYS_BETWEEN + 8):
        day = today + timedelta(days=ahead)
        if day.weekday() in session_days:
            return day
    return None


class Session:
    """Today's routine, its position and its timers. Every method is handed `now`."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps: tuple[Step, ...] = tuple(steps)
        # In order of first appearance: the routine lists each exercise once.
        self.exercise_ids: tuple[str, ...] = tuple(dict.fromkeys(s.exercise_id for s in steps))
        self.phase = Phase.BEFORE
        self.index = 0
        self.reps = 0
        self._completed: set[int] = set()  # steps whose reps or hold reached the target
        self.why: Why | None = None  # set once the red-flag questions are due
        self.answered = False  # the red-flag questions were answered
        self._hold_ends: float | None = None
        self._rest_ends: float | None = None

    # ---- where it is ---------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def completed(self) -> frozenset[int]:
        return frozenset(self._completed)

    @property
    def is_hold(self) -> bool:
        return self.step.reps is None

    @property
    def target(self) -> int:
        step = self.step
        return step.reps if step.reps is not None else (step.hold_seconds or 0)

    @property
    def is_last(self) -> bool:
        return self.index == len(self.steps) - 1

    @property
    def exercise_number(self) -> int:
        """The current exercise's place in the routine, from 1."""
        return self.exercise_ids.index(self.step.exercise_id) + 1

    @property
    def following(self) -> Step | None:
        """The set after this one: what a rest announces."""
        return self.steps[self.index + 1] if self.index + 1 < len(self.steps) else None

    @property
    def can_begin(self) -> bool:
        return self.phase is Phase.BEFORE and bool(self.steps)

    @property
    def in_progress(self) -> bool:
        """Part-way through a session that closing now would throw away."""
        return self.phase in LIVE

    @property
    def asking(self) -> bool:
        """The red-flag questions are due and not yet answered."""
        return self.why is not None and not self.answered

    @property
    def ticking(self) -> bool:
        """A hold or a rest is counting down: the caller should tick about once a second."""
        return self._hold_ends is not None or self._rest_ends is not None

    @property
    def hold_running(self) -> bool:
        return self._hold_ends is not None

    def hold_left(self, now: float) -> int:
        if self._hold_ends is None:
            return self.target
        return _seconds_until(self._hold_ends, now)

    @property
    def rest_seconds(self) -> int:
        """The length of the rest after the current set."""
        return self.step.rest_after_seconds

    def rest_left(self, now: float) -> int:
        if self._rest_ends is None:
            return 0
        return _seconds_until(self._rest_ends, now)

    def counter(self, now: float) -> Counter:
        target = self.target
        done = self.index in self._completed
        if not self.is_hold:
            return Counter(False, target, self.reps, target - self.reps, False, done)
        running = self._hold_ends is not None
        left = self.hold_left(now)
        # Once held and stopped the bar stays full; a new hold counts down from the top.
        held = target if done and not running else target - left
        return Counter(True, target, held, left, running, done)

    # ---- the user's actions ----------------------------------------------------------
    def begin(self, before: Sensation, now: float) -> bool:
        """Starts the first set, or declines the day for a sharp or travelling pain."""
        if not self.can_begin:
            return False
        if before.is_bad:
            self.phase = Phase.DECLINED
            self.why = Why.BEFORE
            return True
        self._enter(0)
        return True

    def count(self, now: float) -> None:
        """One rep more (never past the target), or start or stop the hold."""
        self.tick(now)
        if self.phase is Phase.HOLD:
            if self._hold_ends is not None:
                self._hold_ends = None  # stopped part-way: the set starts again from the top
            else:
                self._hold_ends = now + self.target
        elif self.phase is Phase.REPS and self.reps < self.target:
            self.reps += 1
            if self.reps == self.target:
                self._completed.add(self.index)

    def next(self, now: float) -> None:
        """Done with this set (finished or not): the rest, the next set or the finish."""
        self.tick(now)
        if self.phase not in IN_SET:
            return
        self._hold_ends = None  # a hold still running is dropped, not counted
        if self.is_last:
            self.phase = Phase.FINISHED
        elif self.rest_seconds > 0:
            self.phase = Phase.REST
            self._rest_ends = now + self.rest_seconds
        else:
            self._enter(self.index + 1)

    def skip_rest(self, now: float) -> None:
        if self.phase is Phase.REST:
            self._enter(self.index + 1)

    def tick(self, now: float) -> None:
        """Time passes: a hold that has run out counts, a rest that has run out ends."""
        if self._hold_ends is not None and now >= self._hold_ends:
            self._hold_ends = None
            self._completed.add(self.index)
        if self._rest_ends is not None and now >= self._rest_ends:
            self.skip_rest(now)

    def sharp(self) -> str | None:
        """Stops at once; the exercise it hurt in (during a rest: the set just done)."""
        if self.phase not in (*IN_SET, Phase.REST):
            return None
        self._clear_timers()
        self.phase = Phase.STOPPED
        self.why = Why.SHARP
        return self.step.exercise_id

    def save(self, after: Sensation) -> bool:
        """The rating after is in; a sharp or travelling pain asks the red-flag questions."""
        if self.phase is not Phase.FINISHED:
            return False
        self.phase = Phase.SAVED
        if after.is_bad:
            self.why = Why.AFTER
        return True

    def answer(self) -> None:
        """The red-flag questions were answered (whatever the answers)."""
        if self.why is not None:
            self.answered = True

    def abandon(self) -> bool:
        """Closing: ends whatever runs. True when that threw a session in progress away."""
        was = self.in_progress
        self._clear_timers()
        if self.phase is Phase.BEFORE or was:
            self.phase = Phase.ABANDONED
        return was

    # ---- the summary -----------------------------------------------------------------
    def tally(self) -> tuple[ExerciseTally, ...]:
        """Per exercise, the sets done: a set counts when every side of it reached its
        target; moving on early does not count."""
        sets: dict[tuple[str, int], bool] = {}
        for i, step in enumerate(self.steps):
            key = (step.exercise_id, step.set_number)
            sets[key] = sets.get(key, True) and i in self._completed
        return tuple(
            ExerciseTally(
                exercise_id,
                sum(1 for (e, _n) in sets if e == exercise_id),
                sum(1 for (e, _n), done in sets.items() if e == exercise_id and done),
            )
            for exercise_id in self.exercise_ids
        )

    def done_in_full(self) -> list[str]:
        return [t.exercise_id for t in self.tally() if t.full]

    # ---- inside ----------------------------------------------------------------------
    def _enter(self, index: int) -> None:
        self.index = index
        self.reps = 0
        self._clear_timers()
        self.phase = Phase.HOLD if self.is_hold else Phase.REPS

    def _clear_timers(self) -> None:
        self._hold_ends = self._rest_ends = None


def _seconds_until(end: float, now: float) -> int:
    # Rounded up: a countdown shows 0:01 until the very end, and 0 only when it is over.
    return max(0, math.ceil(end - now))

"""The week at a glance: what the week chart draws and the sentence over it.

One scale only: every bar, goal mark and tick counts breaks. A day's bar stacks its
breaks by outcome, the ones the user got up for at the bottom (completed, natural,
self-started) and the rest above (skipped, missed); its goal mark sits at the number of
breaks the user needed to reach the adherence goal that day. So the bar's lower part
reaches the mark exactly when the day met its goal, and a day with 8 of 8 breaks is
drawn above its mark, never below it. `deskguard report` prints the same headline.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from deskguard.core.stats import DayRow, WeekReport


class Mark(str, enum.Enum):
    """How a day did, in words (never by colour alone)."""

    MET = "goal met"
    NOT_MET = "goal not met"
    TODAY = "so far"  # today: still in progress, judged tonight
    DAY_OFF = "day off"
    BONUS = "bonus"  # no prompts that day, but the user took breaks of their own
    PAUSED = "paused"
    NO_PROMPTS = "no prompts"
    UPCOMING = "upcoming"


# Bottom to top; the first three are the breaks the user got up for.
SEGMENTS = ("completed", "natural", "self_started", "skipped", "missed")
TAKEN_SEGMENTS = frozenset({"completed", "natural", "self_started"})


@dataclass(frozen=True)
class DayGlance:
    row: DayRow
    counts: tuple[int, ...]  # per SEGMENTS
    goal_count: int | None  # breaks needed to meet the goal; None: nothing to meet
    mark: Mark

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def taken(self) -> int:
        return self.row.breaks


@dataclass(frozen=True)
class WeekGlance:
    days: tuple[DayGlance, ...]
    axis_top: int  # the value axis runs from 0 to this many breaks
    ticks: tuple[int, ...]
    met_days: int  # days that met the goal (today not judged yet)
    judged_days: int  # days with prompts and a result (today not judged yet)
    headline: str


def goal_count(counted: int, goal: int) -> int:
    """The fewest breaks out of `counted` that reach `goal` percent (exact integers)."""
    return -(-goal * counted // 100)


def day_mark(row: DayRow, goal: int) -> Mark:
    if row.upcoming:
        return Mark.UPCOMING if row.working_day else Mark.DAY_OFF
    if row.in_progress and row.working_day:
        return Mark.TODAY
    met = row.meets(goal)
    if met is not None and row.working_day and not row.paused:
        return Mark.MET if met else Mark.NOT_MET
    if row.self_started:
        return Mark.BONUS
    if not row.working_day:
        return Mark.DAY_OFF
    if row.paused:
        return Mark.PAUSED
    return Mark.NO_PROMPTS


def axis_for(most: int) -> tuple[int, tuple[int, ...]]:
    """A top and whole-number ticks with room above the tallest bar for its figure."""
    step = 1 if most <= 5 else 2 if most <= 12 else 5
    top = max(4, most + 1)
    top = -(-top // step) * step
    return top, tuple(range(0, top + 1, step))


def _breaks(n: int) -> str:
    return f"{n} break" if n == 1 else f"{n} breaks"


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


def week_ongoing(report: WeekReport) -> bool:
    """Whether a working day of the week is still to come (today included)."""
    return any(d.working_day and (d.in_progress or d.upcoming) for d in report.days)


def headline(report: WeekReport, met: int, judged: int) -> str:
    """One sentence that answers "did I get up enough?" for the week."""
    totals = report.totals
    ongoing = week_ongoing(report)
    if totals.counted == 0 and totals.prompted == 0:
        return ""  # the window and the report say what an empty week means in context
    if totals.finished == 0:
        return (
            f"You took {_breaks(totals.self_started)} on your own"
            + (" so far" if ongoing else "")
            + " — no scheduled breaks to measure against."
        )
    sentence = f"You got up for {totals.breaks} of {_breaks(totals.counted)}"
    sentence += " so far" if ongoing else ""
    if totals.self_started:
        sentence += f" ({totals.self_started} started by you)"
    if judged:
        sentence += f" — goal met on {met} of {_days(judged)}"
    sentence += "."
    today = next((d for d in report.days if d.in_progress), None)
    if today is not None and today.counted and today.counted != totals.counted:
        sentence += f" Today: {today.breaks} of {today.counted} so far."
    return sentence


def week_glance(report: WeekReport) -> WeekGlance:
    goal = report.goal
    days = []
    for row in report.days:
        counts = tuple(int(getattr(row, key)) for key in SEGMENTS)
        needed = goal_count(row.counted, goal) if row.finished and not row.upcoming else None
        days.append(DayGlance(row, counts, needed, day_mark(row, goal)))
    met = sum(1 for d in days if d.mark is Mark.MET)
    judged = sum(1 for d in days if d.mark in (Mark.MET, Mark.NOT_MET))
    top, ticks = axis_for(max((d.total for d in days), default=0))
    return WeekGlance(tuple(days), top, ticks, met, judged, headline(report, met, judged))

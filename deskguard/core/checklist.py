"""Checklist answers: the score, the saved result, and when the next check is due.

Pure Python: the dialog collects answers, the store keeps results, this decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from deskguard.core.model import Checklist

__all__ = [
    "RECHECK_DAYS",
    "WORKSTATION",
    "ChecklistResult",
    "Score",
    "checklist_due",
    "next_due",
    "score",
]

RECHECK_DAYS = 30  # the workstation check is offered on first run, then every 30 days
WORKSTATION = "workstation"  # the checklist id offered at first run and every 30 days


@dataclass(frozen=True)
class Score:
    ticked: int
    total: int

    @property
    def percent(self) -> int | None:
        """Whole percent ticked; None for an empty checklist."""
        return None if self.total == 0 else round(100 * self.ticked / self.total)

    def __str__(self) -> str:
        return f"{self.ticked}/{self.total}"


@dataclass(frozen=True)
class ChecklistResult:
    """One saved check: which list, when (timezone-aware), every answer and the score."""

    checklist_id: str
    taken_at: datetime
    answers: Mapping[str, bool] = field(default_factory=dict)
    score: Score = Score(0, 0)


def score(answers: Mapping[str, bool], checklist: Checklist | None = None) -> Score:
    """Ticked out of total.

    With `checklist`, the total is its item count and answers to ids not on it are
    ignored (an item removed in an update no longer counts); unanswered items count as
    not ticked. Without it, every answer counts.
    """
    if checklist is None:
        return Score(sum(1 for v in answers.values() if v), len(answers))
    ids = [item.id for item in checklist.items]
    return Score(sum(1 for i in ids if answers.get(i, False)), len(ids))


def next_due(last_saved: date | None, today: date) -> date:
    """The day the next check is offered: today when never saved."""
    if last_saved is None:
        return today
    return date.fromordinal(last_saved.toordinal() + RECHECK_DAYS)


def checklist_due(last_saved: date | None, today: date) -> bool:
    """True on first run (never saved) and again once 30 days have passed since the last."""
    return today >= next_due(last_saved, today)

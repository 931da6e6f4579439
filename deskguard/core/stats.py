"""Outcomes -> per-day adherence rows. One function feeds `report`, `report --json` and the UI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from deskguard.core.model import Event, EventKind, Settings


@dataclass
class DayRow:
    date: date
    working_day: bool
    prompted: int = 0
    completed: int = 0
    natural: int = 0
    snoozed: int = 0
    skipped: int = 0
    missed: int = 0

    @property
    def finished(self) -> int:
        return self.completed + self.natural + self.skipped + self.missed

    @property
    def adherence(self) -> float | None:
        """(completed + natural) / prompts with a final outcome; None without prompts."""
        if self.finished == 0:
            return None
        return (self.completed + self.natural) / self.finished

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "working_day": self.working_day,
            "prompted": self.prompted,
            "completed": self.completed,
            "natural": self.natural,
            "snoozed": self.snoozed,
            "skipped": self.skipped,
            "missed": self.missed,
            "adherence": None if self.adherence is None else round(self.adherence, 4),
        }


@dataclass
class WeekReport:
    week: str  # ISO week, e.g. "2026-W47"
    days: list[DayRow] = field(default_factory=list)

    @property
    def totals(self) -> DayRow:
        total = DayRow(self.days[0].date, working_day=True)
        for day in self.days:
            total.prompted += day.prompted
            total.completed += day.completed
            total.natural += day.natural
            total.snoozed += day.snoozed
            total.skipped += day.skipped
            total.missed += day.missed
        return total

    def as_dict(self) -> dict[str, object]:
        totals = self.totals.as_dict()
        del totals["date"], totals["working_day"]
        return {"week": self.week, "days": [d.as_dict() for d in self.days], "totals": totals}


_COUNTED = {
    EventKind.COMPLETED: "completed",
    EventKind.NATURAL: "natural",
    EventKind.SNOOZED: "snoozed",
    EventKind.SKIPPED: "skipped",
    EventKind.MISSED: "missed",
}


def week_start(week: str) -> date:
    """Monday of an ISO week written YYYY-Www; ValueError names what is wrong."""
    try:
        year_text, week_text = week.split("-W")
        return date.fromisocalendar(int(year_text), int(week_text), 1)
    except ValueError:
        raise ValueError(f"{week!r} is not an ISO week; write it like 2026-W47") from None


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def query_range(monday: date) -> tuple[datetime, datetime]:
    """A UTC range wide enough to hold every event whose *local* day lies in the week."""
    start = datetime(monday.year, monday.month, monday.day, tzinfo=timezone.utc)
    return start - timedelta(days=1), start + timedelta(days=8)


def week_report(events: Iterable[Event], monday: date, settings: Settings) -> WeekReport:
    """Count a week's events by the local day they happened on (their own UTC offset)."""
    days = [
        DayRow(monday + timedelta(days=i), working_day=i in settings.working_days) for i in range(7)
    ]
    prompted_seen: set[str] = set()
    for event in events:
        index = (event.at.date() - monday).days
        if not 0 <= index < 7:
            continue
        row = days[index]
        if event.kind is EventKind.PROMPTED:
            # A prompt shown again after a snooze is still one prompt.
            if event.prompt_id not in prompted_seen:
                prompted_seen.add(event.prompt_id or "")
                row.prompted += 1
        elif event.kind in _COUNTED:
            name = _COUNTED[event.kind]
            setattr(row, name, getattr(row, name) + 1)
    return WeekReport(iso_week(monday), days)

"""The back-care programme week by week: what the progress window and the summary show.

`summarise` gathers it from the two records that already exist: the programme's log
(folded by `core.programme.weekly_progress` and `status`) and the break record (through the
same `WeekSource.trend` as the weekly chart). Nothing is counted twice or cached. The
caller hands in everything from outside: the events, the session days, today, and the
content's words for exercises and red flags (ui/therapist_report.py reads them from the
Coach), so this module stays pure and testable without Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from deskguard.core import programme
from deskguard.core.model import WEEKDAY_LABELS
from deskguard.core.programme import Kind, ProgrammeEvent, Review, Status, WeekProgress
from deskguard.core.stats import WeekReport, iso_week, monday_of

DEFAULT_WEEKS = 12

WEEK_COLUMNS = (
    "Week",
    "Dates",
    "Phase",
    "Sessions",
    "Sharp stops",
    "Breaks taken",
    "Mean pain",
    "Worst pain",
)


class BreakTrend(Protocol):
    """The break record week by week (`stats.WeekSource` in the app)."""

    def trend(self, last_monday: date, weeks: int = ...) -> list[WeekReport]: ...


@dataclass(frozen=True)
class ProgressWeek:
    """One week: the programme's figures (`weekly_progress`) beside the breaks' (`trend`)."""

    week: str  # ISO week, e.g. "2026-W48"
    programme: WeekProgress
    breaks_taken: int
    breaks_finished: int
    break_adherence: float | None  # 0..1; None: no break prompts that week

    @property
    def monday(self) -> date:
        return self.programme.monday

    @property
    def sunday(self) -> date:
        return self.programme.monday + timedelta(days=6)

    @property
    def sessions_share(self) -> float | None:
        """Sessions done as a share of the planned ones; None when none were planned."""
        p = self.programme
        if p.planned == 0:
            return None
        return p.sessions / p.planned

    def sessions_text(self) -> str:
        p = self.programme
        if p.planned == 0 and p.sessions == 0:
            return "—"
        return f"{p.sessions}/{p.planned}"

    def adherence_text(self) -> str:
        if self.break_adherence is None:
            return "—"
        return f"{self.break_adherence:.0%} ({self.breaks_taken}/{self.breaks_finished})"

    def mean_pain_text(self) -> str:
        return "—" if self.programme.mean_pain is None else f"{self.programme.mean_pain:.1f}"

    def worst_pain_text(self) -> str:
        return "—" if self.programme.worst_pain is None else str(self.programme.worst_pain)

    def phase_text(self) -> str:
        return "—" if self.programme.phase is None else str(self.programme.phase)


@dataclass(frozen=True)
class Milestone:
    """A moment in the programme's history: start, phase change, sharp stop, pause, resume."""

    at: datetime
    kind: Kind
    phase: int  # the phase after it (the stopped session's phase for a sharp stop)
    text: str

    @property
    def day(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class Screening:
    """One round of red-flag questions: when, and the warning signs answered yes."""

    at: datetime
    flags: tuple[str, ...]
    answers: tuple[str, ...]  # the flags' own words


@dataclass(frozen=True)
class ProgressSummary:
    today: date
    weeks: tuple[ProgressWeek, ...]  # oldest first, the last one is this week
    status: Status
    timeline: tuple[Milestone, ...]  # start, phase changes, stops, pauses, screenings
    screenings: tuple[Screening, ...]
    programme_days: tuple[int, ...]  # Monday 0
    questions: int  # how many red-flag questions a screening asks

    @property
    def started(self) -> bool:
        return self.status.started is not None

    @property
    def first_day(self) -> date:
        return self.weeks[0].monday

    @property
    def last_day(self) -> date:
        return self.weeks[-1].sunday

    @property
    def has_ratings(self) -> bool:
        return any(w.programme.mean_pain is not None for w in self.weeks)

    @property
    def phase_changes(self) -> tuple[Milestone, ...]:
        return tuple(m for m in self.timeline if m.kind in (Kind.ADVANCED, Kind.STEPPED_BACK))

    @property
    def stops(self) -> tuple[Milestone, ...]:
        """Sessions stopped by sharp pain."""
        return tuple(m for m in self.timeline if m.kind is Kind.SESSION_STOPPED)

    def in_period(self, moments: Sequence[Milestone]) -> list[Milestone]:
        return [m for m in moments if self.first_day <= m.day <= self.last_day]

    def week_index(self, day: date) -> int | None:
        index = (monday_of(day) - self.first_day).days // 7
        return index if 0 <= index < len(self.weeks) else None

    def period_text(self) -> str:
        first, last = self.first_day, self.last_day
        return f"{first:%a} {first.day} {first:%b %Y} – {last:%a} {last.day} {last:%b %Y}"

    def days_text(self) -> str:
        return ", ".join(WEEKDAY_LABELS[d] for d in self.programme_days) or "none chosen"

    def this_week(self) -> ProgressWeek:
        return self.weeks[-1]


def review_text(review: Review) -> str:
    """'6.0 → 3.2 (47% better)': the four-week review's baseline, recent mean and change."""
    if review.improvement >= 0:
        change = f"{review.improvement:.0%} better"
    else:
        change = f"{-review.improvement:.0%} worse"
    return f"{review.baseline:.1f} → {review.recent:.1f} ({change})"


FlagTexts = Callable[[Iterable[str]], list[str]]


def timeline(
    events: Iterable[ProgrammeEvent],
    exercise_name: Callable[[str], str],
    flag_texts: FlagTexts,
    questions: int,
) -> list[Milestone]:
    """Start, phase changes, sharp stops, pauses, resumes and red-flag screenings, in the
    log's order. `flag_texts` gives the red flags' own words (unknown ids left out)."""
    moments: list[Milestone] = []
    for e in events:
        if e.kind is Kind.STARTED:
            text = f"Started at phase 1, {programme.phase(1).title}"
            moments.append(Milestone(e.at, e.kind, 1, text))
        elif e.kind is Kind.ADVANCED:
            text = f"Moved up to phase {e.phase}, {programme.phase(e.phase).title}"
            moments.append(Milestone(e.at, e.kind, e.phase, text))
        elif e.kind is Kind.SESSION_STOPPED:
            text = f"Session stopped: sharp pain during {exercise_name(e.detail)}"
            moments.append(Milestone(e.at, e.kind, e.phase, text))
        elif e.kind is Kind.STEPPED_BACK:
            text = (
                f"Stepped back to phase {e.phase}, {programme.phase(e.phase).title}, "
                f"for at least {programme.STEP_BACK_DAYS} days"
            )
            moments.append(Milestone(e.at, e.kind, e.phase, text))
        elif e.kind is Kind.PAUSED:
            reasons = flag_texts(e.flags)
            if e.flags == ("user",) or not reasons:
                text = "Paused by the user"
            else:
                text = "Paused for a clinician's check: " + " ".join(reasons)
            moments.append(Milestone(e.at, e.kind, 0, text))
        elif e.kind is Kind.RESUMED:
            moments.append(Milestone(e.at, e.kind, 0, "Resumed"))
        elif e.kind is Kind.SCREENED:
            if e.flags:
                said = " ".join(flag_texts(e.flags)) or ", ".join(e.flags)
                text = f"Warning-sign questions: yes to: {said}"
            else:
                text = f"Warning-sign questions: no to all {questions}"
            moments.append(Milestone(e.at, e.kind, 0, text))
    return moments


def summarise(
    events: Sequence[ProgrammeEvent],
    programme_days: Collection[int],
    breaks: BreakTrend,
    today: date,
    weeks: int = DEFAULT_WEEKS,
    *,
    exercise_name: Callable[[str], str],
    flag_texts: FlagTexts,
    questions: int,
) -> ProgressSummary:
    """Up to `weeks` weeks ending with `today`'s week, programme and breaks side by side;
    weeks before anything was recorded are left out (this week always stays).

    `exercise_name` names a stopped session's exercise by its id, `flag_texts` gives the
    red flags' words, `questions` is how many red-flag questions a screening asks.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    last_monday = monday_of(today)
    mondays = [last_monday - timedelta(days=7 * (weeks - 1 - i)) for i in range(weeks)]
    days = tuple(sorted(programme_days))
    progress = programme.weekly_progress(events, days, mondays)
    reports = {r.monday: r for r in breaks.trend(last_monday, weeks)}
    rows: list[ProgressWeek] = []
    # Leading weeks before any record (no programme, no break prompts) are left out.
    while len(progress) > 1 and progress[0].phase is None:
        report = reports.get(progress[0].monday)
        if report is not None and not report.empty:
            break
        progress.pop(0)
    for week in progress:
        report = reports.get(week.monday)
        totals = report.totals if report is not None else None
        rows.append(
            ProgressWeek(
                week=iso_week(week.monday),
                programme=week,
                breaks_taken=totals.taken if totals is not None else 0,
                breaks_finished=totals.finished if totals is not None else 0,
                break_adherence=totals.adherence if totals is not None else None,
            )
        )
    screenings = [
        Screening(e.at, e.flags, tuple(flag_texts(e.flags)))
        for e in events
        if e.kind is Kind.SCREENED
    ]
    return ProgressSummary(
        today=today,
        weeks=tuple(rows),
        status=programme.status(events, today),
        timeline=tuple(timeline(events, exercise_name, flag_texts, questions)),
        screenings=tuple(screenings),
        programme_days=days,
        questions=questions,
    )


# ---- the weekly table as text (the window's table and the PDF's) ----------------------------


def _span(monday: date, sunday: date) -> str:
    if monday.month == sunday.month:
        return f"{monday:%d}–{sunday:%d %b}"
    return f"{monday:%d %b} – {sunday:%d %b}"


def week_rows(summary: ProgressSummary) -> list[list[str]]:
    """The weekly table as text (`WEEK_COLUMNS`), oldest week first."""
    return [
        [
            w.week,
            _span(w.monday, w.sunday),
            w.phase_text(),
            w.sessions_text(),
            str(w.programme.stopped) if w.programme.stopped else "—",
            w.adherence_text(),
            w.mean_pain_text(),
            w.worst_pain_text(),
        ]
        for w in summary.weeks
    ]

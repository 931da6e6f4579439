"""Outcomes -> per-day adherence rows, weeks, streaks and sitting stretches (DESIGN §2).

`day_rows` is the one computation behind everything the user sees about their record:
`week_report` and `trend` build on it, and the chart window, `deskguard report`,
`report --json` and the CSV export (`core.export.event_csv_rows`, whose `day` column is
the day the stats count each event on) all read their numbers from here, so they cannot
disagree.

What the numbers mean
---------------------
* **Days** are the user's local days: each event is placed by the UTC offset it was
  recorded with, so a week that crosses a DST change or a move to another time zone still
  has 7 days. A prompt and all its events (snoozes, the outcome) count on the day of the
  prompt's first event, even when it ends after midnight.
* **prompted**: scheduled prompts that came due that day, including natural breaks
  (which needed no showing) and prompts held back until they were missed. A prompt shown
  again after a snooze is still one prompt.
* **completed / natural / skipped / missed**: each scheduled prompt's final outcome (the
  first one recorded; there is exactly one per prompt). **snoozed** counts snooze steps.
* **self-started breaks** (tray, `break-now`; their first event is `prompted` with the
  detail ``manual``) only ever help: finished, one counts as a break taken that day
  (``self_started``); stopped, it is not a skipped prompt and counts nowhere. On a day
  without scheduled prompts (a day off, a paused day) they are a bonus: the day still
  has no adherence and is neither met nor missed.
* **adherence** = (completed + natural + self-started) / (scheduled prompts with a final
  outcome + self-started); None on a day without scheduled prompts with an outcome. So a
  self-started break can raise a day's share, never lower it.
* **movement**: the time actually spent on breaks, to the second: from the press of
  Start to the break's end, whatever ended it (a break stopped after 50 s counts 50 s;
  one that was never ended counts nothing), scheduled or self-started; a completed break
  with no recorded start counts the break length. Natural breaks are not counted:
  DeskGuard does not know what the user did while away.
* **longest sitting stretch** (see `longest_sitting`): the longest time within the day's
  working hours with no break and no pause, counted from the day's first activity
  DeskGuard saw (the start of the countdown to its first scheduled prompt, or a
  self-started break) to its last event. None (shown "—") when the record holds no
  sitting for the day, never 0 from an empty span.
* **status** of a day: ``day off`` outside the working days (never a failure), ``paused``
  when one pause covered the whole of its working hours, ``upcoming`` after today,
  else ``working``.
* **streak**: consecutive days, counted back from the end of the week (or today), at or
  above the adherence goal (`Settings.adherence_goal`, percent). A working day below the
  goal ends it; days off, paused days, days without prompts and today (still in progress)
  never end it. A day counts towards it when its adherence meets the goal.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import IO, Protocol

from deskguard.core.checklist import WORKSTATION, ChecklistResult
from deskguard.core.model import FINAL_KINDS, Event, EventKind, Prompt, Settings

# How far back `week_report` reads at a time while following a streak into the past.
STREAK_CHUNK_WEEKS = 8
TREND_WEEKS = 12


class EventReader(Protocol):
    """What the stats need from the event log (the SQLite store implements it)."""

    def events_in_range(self, start: datetime, end: datetime) -> list[Event]:
        """Events with start <= at < end, in time order."""
        ...

    def prompts_between(self, start: datetime, end: datetime) -> list[Prompt]: ...

    def first_event_at(self) -> datetime | None: ...

    def checklist_results(self, checklist_id: str) -> list[ChecklistResult]: ...


# ---- rows ------------------------------------------------------------------------------


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
    paused: bool = False  # one pause covered the day's whole working hours
    upcoming: bool = False  # after today: nothing could have happened yet
    in_progress: bool = False  # today
    self_started: int = 0  # self-started breaks finished: a bonus, never a prompt
    movement_seconds: float = 0.0
    sitting_seconds: float | None = None  # None: no prompts that day, nothing to measure

    @property
    def finished(self) -> int:
        return self.completed + self.natural + self.skipped + self.missed

    @property
    def taken(self) -> int:
        """Scheduled prompts the user got up for."""
        return self.completed + self.natural

    @property
    def breaks(self) -> int:
        """Every break the user got up for, self-started ones included."""
        return self.taken + self.self_started

    @property
    def counted(self) -> int:
        """What adherence divides by: prompts with an outcome plus self-started breaks."""
        return self.finished + self.self_started

    @property
    def adherence(self) -> float | None:
        """breaks / counted; None without a scheduled prompt that has an outcome."""
        if self.finished == 0:
            return None
        return self.breaks / self.counted

    @property
    def status(self) -> str:
        if not self.working_day:
            return "day off"
        if self.paused:
            return "paused"
        if self.upcoming:
            return "upcoming"
        return "working"

    @property
    def movement_minutes(self) -> int:
        return round(self.movement_seconds / 60)

    @property
    def longest_sitting_minutes(self) -> int | None:
        return None if self.sitting_seconds is None else round(self.sitting_seconds / 60)

    def meets(self, goal: int) -> bool | None:
        """Adherence at or above `goal` percent; None when the day has no result."""
        if self.finished == 0:
            return None
        return self.breaks * 100 >= goal * self.counted  # exact, no float rounding

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "working_day": self.working_day,
            "status": self.status,
            "prompted": self.prompted,
            "completed": self.completed,
            "natural": self.natural,
            "snoozed": self.snoozed,
            "skipped": self.skipped,
            "missed": self.missed,
            "adherence": None if self.adherence is None else round(self.adherence, 4),
            "movement_minutes": self.movement_minutes,
            "longest_sitting_minutes": self.longest_sitting_minutes,
            "self_started": self.self_started,
            "movement_seconds": round(self.movement_seconds),
        }


def adherence_text(row: DayRow) -> str:
    """How a day's adherence reads in a table: a share, or why there is none."""
    if row.adherence is not None:
        return f"{row.adherence:.0%}"
    if row.status == "working":
        return "—"
    return row.status


def minutes_text(minutes: int | None) -> str:
    if minutes is None:
        return "—"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def duration_text(seconds: float) -> str:
    """Time on breaks, to the second: "50 s", "2 min 10 s", "1 h 05 min"."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return minutes_text(minutes)


@dataclass
class WeekReport:
    week: str  # ISO week, e.g. "2026-W47"
    days: list[DayRow] = field(default_factory=list)
    goal: int = 80  # percent
    streak: int = 0  # days at or above the goal, back from the week's end (or today)
    previous_week: str | None = None
    previous_adherence: float | None = None
    checklist: ChecklistResult | None = None  # the last workstation check up to Sunday

    @property
    def monday(self) -> date:
        return self.days[0].date

    @property
    def totals(self) -> DayRow:
        total = DayRow(self.days[0].date, working_day=True)
        sitting = [d.sitting_seconds for d in self.days if d.sitting_seconds is not None]
        for day in self.days:
            total.prompted += day.prompted
            total.completed += day.completed
            total.natural += day.natural
            total.snoozed += day.snoozed
            total.skipped += day.skipped
            total.missed += day.missed
            total.self_started += day.self_started
            total.movement_seconds += day.movement_seconds
        total.sitting_seconds = max(sitting) if sitting else None
        return total

    @property
    def adherence(self) -> float | None:
        return self.totals.adherence

    @property
    def change(self) -> float | None:
        """Adherence minus the week before's, in percentage points; None if either is empty."""
        now = self.adherence
        if now is None or self.previous_adherence is None:
            return None
        return round((now - self.previous_adherence) * 100, 1)

    @property
    def empty(self) -> bool:
        return all(d.prompted == 0 and d.self_started == 0 for d in self.days)

    def as_dict(self) -> dict[str, object]:
        totals = self.totals.as_dict()
        del totals["date"], totals["working_day"], totals["status"]
        return {
            "week": self.week,
            "days": [d.as_dict() for d in self.days],
            "totals": totals,
            "goal": self.goal,
            "streak": self.streak,
            "previous_week": self.previous_week,
            "previous_adherence": (
                None if self.previous_adherence is None else round(self.previous_adherence, 4)
            ),
            "change_points": self.change,
            "checklist": None
            if self.checklist is None
            else {
                "date": self.checklist.taken_at.date().isoformat(),
                "ticked": self.checklist.score.ticked,
                "total": self.checklist.score.total,
            },
        }


# ---- weeks and ranges --------------------------------------------------------------------


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


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def query_range(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """A UTC range wide enough to hold every event whose *local* day lies in first..last.

    `last` defaults to the Sunday of the week starting at `first`. A day before and two
    after cover every UTC offset (-12:00 to +14:00) and prompts that end after midnight.
    """
    last = first + timedelta(days=6) if last is None else last
    start = datetime(first.year, first.month, first.day, tzinfo=timezone.utc)
    end = datetime(last.year, last.month, last.day, tzinfo=timezone.utc)
    return start - timedelta(days=1), end + timedelta(days=2)


# ---- the one computation -------------------------------------------------------------------


@dataclass
class _Trail:
    """The events of one prompt."""

    day: date
    first: datetime
    last: datetime
    snoozes: int = 0
    started: datetime | None = None
    final: Event | None = None
    manual: bool = False  # self-started: its first event is `prompted` "manual"


Interval = tuple[datetime, datetime]


def _pause_intervals(app_events: Sequence[Event]) -> list[tuple[datetime, datetime | None]]:
    """Pauses as (start, end) in each event's own offset; end None: never ended."""
    pauses: list[tuple[datetime, datetime | None]] = []
    for i, event in enumerate(app_events):
        if event.kind is not EventKind.PAUSED:
            continue
        end: datetime | None = None
        try:
            until = datetime.fromisoformat(event.detail)
            if until.tzinfo is not None:
                end = until
        except ValueError:
            pass
        # A resume, or a new pause that replaces this one, ends it early.
        later = app_events[i + 1] if i + 1 < len(app_events) else None
        if later is not None and (end is None or later.at < end):
            end = later.at
        pauses.append((event.at, end))
    return pauses


def _covers_hours(pause: tuple[datetime, datetime | None], day: date, s: Settings) -> bool:
    """The pause spans the day's working hours on the wall clock (each end in its offset)."""
    start, end = pause
    opens = datetime.combine(day, s.work_start)
    closes = datetime.combine(day, s.work_end)
    if start.replace(tzinfo=None) > opens:
        return False
    return end is None or end.replace(tzinfo=None) >= closes


def longest_sitting(
    day: date,
    first_activity: datetime,
    last_event: datetime,
    rests: Iterable[Interval],
    settings: Settings,
) -> float:
    """Seconds of the longest stretch without a break, for one day. Precisely:

    The *observed span* runs from the day's first activity DeskGuard saw (`day_rows`
    passes the start of the countdown to the first scheduled prompt, one interval before
    it, or the first self-started break), but not before the start of working hours, to
    the day's last prompt event, but not after the end of working hours (each end on the
    wall clock of the offset of that event). Outside it DeskGuard has no evidence the user
    sat at the desk. *Rests* are breaks while under way (from Start to their end, or the
    break length before a completed one with no start), natural breaks (the break length
    up to when they were recorded) and pauses. The longest sitting stretch is the longest
    part of the observed span that no rest touches; 0 when the span is empty. Skipped and
    missed prompts are not rests: the user kept sitting. Time the app did not run inside
    the span counts as sitting, since nothing recorded a break.
    """
    opens = datetime.combine(day, settings.work_start, tzinfo=first_activity.tzinfo)
    closes = datetime.combine(day, settings.work_end, tzinfo=last_event.tzinfo)
    lo = max(opens, first_activity)
    hi = min(closes, last_event)
    if hi <= lo:
        return 0.0
    best = timedelta(0)
    cursor = lo
    for start, end in sorted(rests):
        if end <= cursor:
            continue
        if start >= hi:
            break
        if start > cursor:
            best = max(best, start - cursor)
        cursor = end
        if cursor >= hi:
            break
    if cursor < hi:
        best = max(best, hi - cursor)
    return best.total_seconds()


def prompt_days(events: Iterable[Event]) -> Iterator[tuple[Event, date]]:
    """Each event with the local day the stats count it on (its prompt's first day).

    `events` must be in time order.
    """
    first_day: dict[str, date] = {}
    for event in events:
        if event.prompt_id is None:
            yield event, event.at.date()
        else:
            yield event, first_day.setdefault(event.prompt_id, event.at.date())


def day_rows(
    events: Iterable[Event],
    first: date,
    last: date,
    settings: Settings,
    as_of: date | None = None,
) -> list[DayRow]:
    """One row per local day from `first` to `last` inclusive (see the module docstring).

    `events` should hold everything in `query_range(first, last)`; events of days outside
    the range are ignored. `as_of` is today: later days are upcoming, today in progress.
    """
    count = (last - first).days + 1
    rows = [
        DayRow(
            first + timedelta(days=i),
            working_day=(first + timedelta(days=i)).weekday() in settings.working_days,
        )
        for i in range(count)
    ]
    ordered = sorted(events, key=lambda e: e.at)  # stable: same instant keeps store order
    trails: dict[str, _Trail] = {}
    app_events: list[Event] = []
    for event in ordered:
        pid = event.prompt_id
        if pid is None:
            if event.kind in (EventKind.PAUSED, EventKind.RESUMED):
                app_events.append(event)
            continue
        trail = trails.get(pid)
        if trail is None:
            trail = trails[pid] = _Trail(event.at.date(), event.at, event.at)
            trail.manual = event.kind is EventKind.PROMPTED and event.detail == "manual"
        trail.last = event.at
        kind = event.kind
        if kind is EventKind.SNOOZED:
            trail.snoozes += 1
        elif kind is EventKind.STARTED:
            trail.started = event.at
        elif kind in FINAL_KINDS and trail.final is None:
            trail.final = event

    brk = timedelta(minutes=settings.break_minutes)
    interval = timedelta(minutes=settings.interval_minutes)
    rests: dict[int, list[Interval]] = {}
    spans: dict[int, list[datetime]] = {}
    for trail in trails.values():
        index = (trail.day - first).days
        if not 0 <= index < count:
            continue
        row = rows[index]
        # The first activity this trail shows: a scheduled prompt's countdown began one
        # interval before it; a self-started break is activity in itself.
        began_sitting = trail.first if trail.manual else trail.first - interval
        span = spans.setdefault(index, [began_sitting, trail.last])
        span[0], span[1] = min(span[0], began_sitting), max(span[1], trail.last)
        final = trail.final
        moved = _moved(trail, brk)
        if moved is not None:
            row.movement_seconds += (moved[1] - moved[0]).total_seconds()
            # A self-started break rests from the request: the user was getting up.
            rests.setdefault(index, []).append((trail.first, moved[1]) if trail.manual else moved)
        if trail.manual:
            if final is not None and final.kind is EventKind.COMPLETED:
                row.self_started += 1
            continue
        row.prompted += 1
        row.snoozed += trail.snoozes
        if final is None:
            continue
        if final.kind is EventKind.COMPLETED:
            row.completed += 1
        elif final.kind is EventKind.NATURAL:
            row.natural += 1
            rests.setdefault(index, []).append((final.at - brk, final.at))
        elif final.kind is EventKind.SKIPPED:
            row.skipped += 1
        else:
            row.missed += 1

    pauses = _pause_intervals(app_events)
    for index, row in enumerate(rows):
        row.upcoming = as_of is not None and row.date > as_of
        row.in_progress = as_of is not None and row.date == as_of
        row.paused = row.working_day and any(_covers_hours(p, row.date, settings) for p in pauses)
        seen = spans.get(index)
        if seen is None:
            continue
        lo, hi = seen
        cuts = list(rests.get(index, []))
        cuts += [(start, end or hi) for start, end in pauses if start < hi]
        sat = longest_sitting(row.date, lo, hi, cuts, settings)
        row.sitting_seconds = sat if sat > 0 else None
    return rows


def _moved(trail: _Trail, brk: timedelta) -> Interval | None:
    """The time this prompt's break was actually under way, or None when it never was."""
    final = trail.final
    if final is None:
        return None
    if trail.started is None:
        if final.kind is not EventKind.COMPLETED:
            return None
        return final.at - brk, final.at  # completed with no start on record
    end = max(trail.started, final.at)
    if final.kind is not EventKind.COMPLETED:
        end = min(end, trail.started + brk)  # stopped or interrupted: at most a break
    return trail.started, end


def streak_of(rows_newest_first: Iterable[DayRow], goal: int) -> tuple[int, bool]:
    """(days at or above goal, whether a failing day ended the count) - see the module doc."""
    count = 0
    for row in rows_newest_first:
        if row.upcoming:
            continue
        met = row.meets(goal)
        if met:
            count += 1
        elif met is False and row.working_day and not row.paused and not row.in_progress:
            return count, True
    return count, False


def week_report(
    events: Iterable[Event],
    monday: date,
    settings: Settings,
    *,
    history: EventReader | None = None,
    today: date | None = None,
) -> WeekReport:
    """The week starting `monday`, from its events (everything in `query_range(monday)`).

    With `history`, it also reads the week before (for the change) and follows the streak
    back as far as it goes, a few weeks at a time; without it the streak stops at Monday.
    """
    rows = day_rows(events, monday, monday + timedelta(days=6), settings, as_of=today)
    goal = settings.adherence_goal
    report = WeekReport(iso_week(monday), rows, goal=goal)
    streak, ended = streak_of(reversed(rows), goal)
    if history is not None:
        before = monday - timedelta(days=7)
        previous = day_rows(
            history.events_in_range(*query_range(before)),
            before,
            monday - timedelta(days=1),
            settings,
            as_of=today,
        )
        sunday = monday + timedelta(days=6)
        checks = history.checklist_results(WORKSTATION)
        report.checklist = next((c for c in reversed(checks) if c.taken_at.date() <= sunday), None)
        report.previous_week = iso_week(before)
        report.previous_adherence = WeekReport(report.previous_week, previous).adherence
        if not ended:
            more, ended = streak_of(reversed(previous), goal)
            streak += more
        if not ended:
            streak += _streak_before(history, before, settings, goal)
    report.streak = streak
    return report


def _streak_before(history: EventReader, day: date, settings: Settings, goal: int) -> int:
    """The part of a streak that lies before `day`, read back a few weeks at a time."""
    oldest = history.first_event_at()
    if oldest is None:
        return 0
    stop = oldest.date() - timedelta(days=1)
    streak = 0
    end = day - timedelta(days=1)
    while end >= stop:
        start = end - timedelta(days=7 * STREAK_CHUNK_WEEKS - 1)
        rows = day_rows(history.events_in_range(*query_range(start, end)), start, end, settings)
        more, ended = streak_of(reversed(rows), goal)
        streak += more
        if ended:
            break
        end = start - timedelta(days=1)
    return streak


def trend(
    history: EventReader,
    last_monday: date,
    settings: Settings,
    weeks: int = TREND_WEEKS,
    today: date | None = None,
) -> list[WeekReport]:
    """`weeks` weeks ending with the one starting `last_monday`, oldest first (one query).

    Each week's `previous_adherence` is filled in (for the first, from one more week read
    in the same query); the streak is left at 0: it belongs to `week_report`.
    """
    first = last_monday - timedelta(days=7 * weeks)
    last = last_monday + timedelta(days=6)
    rows = day_rows(
        history.events_in_range(*query_range(first, last)), first, last, settings, today
    )
    reports = [
        WeekReport(iso_week(rows[i].date), rows[i : i + 7], goal=settings.adherence_goal)
        for i in range(0, len(rows), 7)
    ]
    for before, report in itertools.pairwise(reports):
        report.previous_week = before.week
        report.previous_adherence = before.adherence
    return reports[1:]


# ---- what the chart window reads --------------------------------------------------------------


class WeekSource:
    """The chart window's view of the record: weeks, the trend and CSV export.

    Every figure comes from `week_report` / `trend`, the same functions `deskguard report`
    uses; nothing is cached, so the window always shows what the database holds.
    """

    def __init__(self, history: EventReader, settings: Settings, today: Callable[[], date]) -> None:
        self.history = history
        self.settings = settings
        self.today = today

    def this_monday(self) -> date:
        return monday_of(self.today())

    def earliest_monday(self) -> date | None:
        first = self.history.first_event_at()
        return None if first is None else monday_of(first.date())

    def week(self, monday: date) -> WeekReport:
        events = self.history.events_in_range(*query_range(monday))
        return week_report(events, monday, self.settings, history=self.history, today=self.today())

    def trend(self, last_monday: date, weeks: int = TREND_WEEKS) -> list[WeekReport]:
        return trend(self.history, last_monday, self.settings, weeks, today=self.today())

    def write_week_csv(self, monday: date, handle: IO[str]) -> int:
        """The raw events the week's numbers were counted from, as CSV; returns the count."""
        # Imported here: core.export builds on this module (prompt_days, query_range).
        from deskguard.core.export import write_week_csv

        return write_week_csv(self.history, monday, handle)

"""Frozen dataclasses shared by every layer. Signals carry these, never Qt types."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, time


class Outcome(str, enum.Enum):
    """How a prompt ended: exactly one per prompt (DESIGN §2)."""

    COMPLETED = "completed"
    SKIPPED = "skipped"
    MISSED = "missed"
    NATURAL = "natural"


class EventKind(str, enum.Enum):
    """Every row in the event log. Outcomes are events too; the rest are steps."""

    PROMPTED = "prompted"  # a prompt was shown (again after a snooze, too)
    SNOOZED = "snoozed"
    DEFERRED = "deferred"
    STARTED = "started"  # the user began the break timer
    COMPLETED = "completed"
    SKIPPED = "skipped"
    MISSED = "missed"
    NATURAL = "natural"
    PAUSED = "paused"  # app-level, no prompt
    RESUMED = "resumed"  # app-level, no prompt
    POSTURE_CHECK = "posture_check"  # app-level reminder, not a break


FINAL_KINDS = frozenset(
    {EventKind.COMPLETED, EventKind.SKIPPED, EventKind.MISSED, EventKind.NATURAL}
)


class State(str, enum.Enum):
    WORKING = "working"
    PAUSED = "paused"
    ON_BREAK = "on_break"
    PROMPTING = "prompting"
    OUTSIDE_HOURS = "outside_hours"


# The one weekday table, Monday 0 as in `date.weekday()` and `Settings`: the settings
# file's short keys, its long spelling (programme days), and the English display labels
# (reports; the Qt forms keep their own tr() literals, which lupdate must see).
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
THEMES = ("system", "light", "dark")  # Settings.theme: the desktop's look, or ours


@dataclass(frozen=True)
class Settings:
    interval_minutes: int = 45
    break_minutes: int = 2
    snooze_minutes: int = 5
    snooze_limit: int = 2
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday is 0
    work_start: time = time(9, 0)
    work_end: time = time(17, 30)
    response_window_minutes: int = 10
    defer_cap_minutes: int = 30  # a prompt held back longer than this is missed
    adherence_goal: int = 80  # percent
    posture_checks: bool = True  # a light posture reminder halfway between breaks
    # The back-care programme (core/programme.py): session days (Monday 0) and reminder time.
    programme_days: frozenset[int] = frozenset({0, 2, 4})
    programme_time: time = time(18, 0)
    programme_reminders: bool = True
    theme: str = "system"  # "system", "light" or "dark" (ui/theme.py)


@dataclass(frozen=True)
class Prompt:
    """One due break shown to the user."""

    id: str
    due_at: datetime
    source: str  # "scheduled" or "manual"
    exercise_id: str | None = None


@dataclass(frozen=True)
class Event:
    """One append-only row of the log. `prompt_id` is None for app-level events."""

    kind: EventKind
    at: datetime  # timezone-aware; the offset is kept so local days survive zone moves
    prompt_id: str | None = None
    detail: str = ""


# ---- content (resources/*.toml) ----


@dataclass(frozen=True)
class Range:
    """An inclusive range from the articles, e.g. 8-10 reps or 20-30 s."""

    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass(frozen=True)
class Dose:
    sets: Range | None = None
    reps: Range | None = None
    hold_seconds: Range | None = None
    duration_seconds: Range | None = None
    per_side: bool = False
    note: str = ""


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    kind: str  # strength | stretch | mobility | warm-up
    position: str  # standing | seated | wall | kneeling | floor
    desk_friendly: bool
    targets: tuple[str, ...]
    why: str
    steps: tuple[str, ...]
    cues: tuple[str, ...]
    dose: Dose
    cautions: tuple[str, ...] = ()
    phase: int | None = None
    sources: tuple[str, ...] = ()
    picture: str | None = None  # file name under resources/pictograms/
    # Where the dose and the step list come from (core/evidence.py): article codes
    # ("000"-"004") and/or "ours"; with "ours", *_choice says what DeskGuard chose and why.
    dose_source: tuple[str, ...] = ()
    dose_choice: str = ""
    steps_source: tuple[str, ...] = ()
    steps_choice: str = ""
    # Other names the articles (or people) use for it; the library's search finds them.
    aliases: tuple[str, ...] = ()
    # Offered by break prompts while only gentle movement is advised (a programme paused
    # for a warning sign, a fresh sharp-pain stop): walking, standing, gentle mobility.
    gentle: bool = False


@dataclass(frozen=True)
class AvoidItem:
    """A movement the articles warn against: shown in the library, never prompted."""

    id: str
    name: str
    why: str
    instead: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    reason: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    items: tuple[ChecklistItem, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RedFlag:
    id: str
    text: str
    threshold: str = ""  # e.g. "lasting longer than 6 weeks"
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrayStatus:
    """What the tray (or the no-tray window) shows: the state and the next break."""

    state: State
    now: datetime
    next_break_at: datetime | None
    paused_until: datetime | None
    can_snooze: bool
    snooze_minutes: int = 5
    held: str | None = None  # why a due prompt waits, e.g. "presentation"
    note: str = ""  # e.g. a settings problem, shown in the tooltip
    watching: str = ""  # which idle / presentation backends are in use, for the tooltip
    taken_today: int = 0  # breaks taken today (completed or natural)
    prompts_today: int = 0  # today's prompts with an outcome

"""What the services need from the outside world, as protocols (DESIGN §1).

The adapters implement them (the SQLite store, the APScheduler alarm, the notifier
chain, the desktop's idle time and presentation state); tests hand in fakes. Nothing
here imports anything outside the standard library and core.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from deskguard.core.checklist import ChecklistResult
from deskguard.core.model import AvoidItem, Checklist, Event, Exercise, Prompt, RedFlag, Settings
from deskguard.core.programme import ProgrammeEvent
from deskguard.core.stats import EventReader


class RecordError(Exception):
    """The record could not be read or written because of the environment (a full disk,
    a locked or unreadable database). The message names the file and what is wrong.

    Services catch this one, keep running and tell the user; any other exception is a
    programming error and must not be swallowed.
    """


class SettingsError(Exception):
    """A setting could not be saved or applied outside the app (the settings file, the
    session's autostart entry); the message is a sentence for the user."""


class SettingsFile(Protocol):
    def save(self, settings: Settings) -> None:
        """Write the settings, keeping the user's comments; OSError when it cannot."""
        ...


class Autostart(Protocol):
    def enabled(self) -> bool: ...

    def set(self, enabled: bool) -> None:
        """Start DeskGuard with the session, or not; SettingsError when it cannot."""
        ...


class EventLog(EventReader, Protocol):
    """The append-only record of breaks (the Store in the app); the stats read it too."""

    path: Path

    def add_prompt(self, prompt: Prompt) -> None: ...

    def add_event(self, event: Event) -> None: ...

    def excluded_exercises(self) -> set[str]: ...

    def set_excluded(self, exercise_id: str, excluded: bool, at: datetime) -> bool: ...

    def last_pause(self, now: datetime) -> datetime | None: ...

    def last_checklist_result(self, checklist_id: str) -> ChecklistResult | None: ...

    def add_checklist_result(self, result: ChecklistResult) -> None: ...

    def add_offer(self, what: str, at: datetime) -> None:
        """Note that DeskGuard offered `what` (the welcome, the workstation check)."""
        ...

    def last_offer(self, what: str) -> datetime | None: ...


class ProgrammeLog(Protocol):
    """Where programme events live: the Store in the app, a list in tests."""

    def add_programme_events(self, events: Sequence[ProgrammeEvent]) -> None: ...

    def programme_events(self) -> list[ProgrammeEvent]: ...


class Content(Protocol):
    """The exercises, checklists and red flags (resources/*.toml, validated)."""

    @property
    def exercises(self) -> tuple[Exercise, ...]: ...

    @property
    def checklists(self) -> tuple[Checklist, ...]: ...

    @property
    def avoid(self) -> tuple[AvoidItem, ...]: ...

    @property
    def red_flags(self) -> tuple[RedFlag, ...]: ...

    @property
    def disclaimer(self) -> str: ...

    def exercise(self, exercise_id: str) -> Exercise: ...

    def checklist(self, checklist_id: str) -> Checklist: ...

    def picture_path(self, exercise: Exercise) -> Path | None: ...


class Alarm(Protocol):
    """Calls back at a wake time and at least once a heartbeat (adapters/alarm.py).

    The caller connects to its `fired` signal; `set_wake` is safe from inside it.
    """

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def set_wake(self, when: datetime | None) -> None: ...


class Notifier(Protocol):
    """Shows a notification without blocking; `done` gets the name of what showed it."""

    def notify(
        self,
        title: str,
        body: str,
        timeout_s: int = 15,
        done: Callable[[str], None] | None = None,
    ) -> None: ...


class IdleMonitor(Protocol):
    @property
    def name(self) -> str: ...

    def idle_seconds(self) -> float | None:
        """Seconds since the user's last input; None when this desktop cannot tell."""
        ...


class HoldDetector(Protocol):
    @property
    def name(self) -> str: ...

    def reason(self) -> str | None:
        """Why prompts must wait now (e.g. "presentation"), or None."""
        ...

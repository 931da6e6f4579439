"""Carries out the back-care programme: core/programme.py decides, the coach records.

Every action appends the events core returns to the programme log and emits
`changed`, so every open programme window redraws from one `status()`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date

from PySide6.QtCore import QObject, Signal

from deskguard.core import programme
from deskguard.core.clock import Clock
from deskguard.core.model import Exercise, RedFlag, Settings
from deskguard.core.ports import Content, ProgrammeLog
from deskguard.core.programme import PainWhen, ProgrammeEvent, Sensation, Status, Step

log = logging.getLogger("deskguard")


class MemoryProgrammeLog:
    """A programme log in a list (tests, benchmarks)."""

    def __init__(self, events: Iterable[ProgrammeEvent] = ()) -> None:
        self.events = list(events)

    def add_programme_events(self, events: Sequence[ProgrammeEvent]) -> None:
        self.events.extend(events)

    def programme_events(self) -> list[ProgrammeEvent]:
        return list(self.events)


class Coach(QObject):
    """The programme's state for the UI, and the one way to change it."""

    changed = Signal()
    # A clinician screen is needed: the red-flag ids (or "severe-pain") that caused it.
    clinician_needed = Signal(list)
    # A session-day reminder: title, body (the app routes it to the notifier chain).
    reminder = Signal(str, str)

    def __init__(
        self, *, log: ProgrammeLog, clock: Clock, settings: Settings, library: Content
    ) -> None:
        super().__init__()
        self.log = log
        self.clock = clock
        self.settings = settings
        self.library = library
        self._events = log.programme_events()

    # ---- reading -------------------------------------------------------------------

    def today(self) -> date:
        return self.clock.now().date()

    def events(self) -> list[ProgrammeEvent]:
        return list(self._events)

    def status(self) -> Status:
        return programme.status(self._events, self.today(), self.settings.programme_days)

    def phase(self) -> programme.Phase:
        return programme.phase(self.status().phase)

    def exercises(self) -> dict[str, Exercise]:
        return {e.id: e for e in self.library.exercises}

    def routine(self) -> tuple[Step, ...]:
        state = self.status()
        week = programme.week_in_phase(state, self.today())
        return programme.plan_session(state.phase, self.exercises(), week)

    def screening_questions(self) -> list[RedFlag]:
        return [f for f in self.library.red_flags if f.id not in programme.COMPUTED_FLAGS]

    def flag_texts(self, ids: Iterable[str]) -> list[str]:
        """The red flags' own words for ids; unknown ids (e.g. "user") are left out."""
        by_id = {f.id: f.text for f in self.library.red_flags}
        return [by_id[i] for i in ids if i in by_id]

    @property
    def disclaimer(self) -> str:
        return self.library.disclaimer

    # ---- acting --------------------------------------------------------------------

    def _append(self, events: Sequence[ProgrammeEvent]) -> None:
        self.log.add_programme_events(events)  # first: a failed write must not change state
        self._events.extend(events)
        for event in events:
            log.info("programme: %s %s", event.kind.value, event.flags or event.detail or "")
        self.changed.emit()
        paused = [e for e in events if e.kind is programme.Kind.PAUSED and e.flags != ("user",)]
        if paused:
            self.clinician_needed.emit(list(paused[-1].flags))

    def start(self, yes: Iterable[str]) -> None:
        self._append(programme.start(self.clock.now(), yes))

    def screen(self, yes: Iterable[str]) -> None:
        self._append(programme.screen(self.clock.now(), yes))

    def log_pain(self, rating: int, sensation: Sensation, when: PainWhen) -> None:
        self._append([programme.log_pain(self.clock.now(), rating, sensation, when)])

    def finish_session(self, done: int, total: int) -> None:
        self._append(programme.finish_session(self.status(), self.clock.now(), done, total))

    def report_sharp(self, exercise_id: str) -> None:
        """Stops the session and steps back; the UI asks the red-flag questions next."""
        self._append(programme.report_sharp(self.status(), self.clock.now(), exercise_id))

    def advance(self) -> None:
        self._append(programme.advance(self.status(), self.clock.now()))

    def pause(self) -> None:
        self._append([programme.pause(self.clock.now())])

    def resume(self) -> None:
        self._append([programme.resume(self.status(), self.clock.now())])

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.changed.emit()

    def session_day_reached(self) -> bool:
        """Called by the session-day cron job: reminds at most once a day."""
        state = self.status()
        days = self.settings.programme_days
        if not (
            self.settings.programme_reminders and programme.reminder_due(state, days, self.today())
        ):
            return False
        self._append([programme.remind(self.clock.now())])
        title = "Back-care session today"
        count = len(self.phase().exercise_ids)
        body = f"Phase {state.phase}, {self.phase().title}: {count} exercises, on the floor."
        self.reminder.emit(title, body)
        return True

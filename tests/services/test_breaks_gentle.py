"""The break service follows the back-care programme (issue 15): while the programme is
paused for a warning sign or a sharp-pain stop is fresh, prompts offer only gentle
movement, say why (`gentle_reason`), and the notification never suggests floor or
loaded work. Fake alarm, view and notifier; the real store and content; a fake clock."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import load_library
from deskguard.adapters.store import Store
from deskguard.core import programme
from deskguard.core.clock import FakeClock
from deskguard.core.model import Exercise, Settings
from deskguard.core.programme import ProgrammeEvent
from deskguard.core.rotation import GENTLE_PAUSED, GENTLE_SHARP
from deskguard.services.breaks import Breaks

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
NOT_AT_A_DESK = re.compile(r"\b(floor|lie|kneel\w*|weights?|kg|lb)\b", re.IGNORECASE)


class Alarm:
    def start(self) -> None: ...

    def stop(self) -> None: ...

    def set_wake(self, when: datetime | None) -> None:
        self.wake = when


class View:
    """The break window as the service sees it: what it was asked to show."""

    def __init__(self) -> None:
        self.prompts: list[Exercise | None] = []
        self.notes: list[str] = []

    def show_prompt(
        self,
        exercise: Exercise | None,
        picture: Path | None,
        sat_minutes: int | None,
        snoozes_left: int,
        snooze_minutes: int,
        note: str = "",
    ) -> None:
        self.prompts.append(exercise)
        self.notes.append(note)

    def show_break(
        self,
        exercise: Exercise | None,
        picture: Path | None,
        ends_at: datetime,
        total_s: int,
        note: str = "",
    ) -> None: ...

    def bring_forward(self) -> None: ...

    def show_finish(self, moved_s: int, breaks_today: int) -> None: ...

    def dismiss(self) -> None: ...


class Notes:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def notify(
        self,
        title: str,
        body: str,
        timeout_s: int = 15,
        done: Callable[[str], None] | None = None,
    ) -> None:
        self.shown.append((title, body))
        if done is not None:
            done("notes")


class Rig:
    def __init__(self, tmp_path: Path, events: list[ProgrammeEvent] | None) -> None:
        self.clock = FakeClock(MONDAY_9)
        self.view = View()
        self.notes = Notes()
        store, _ = Store.open(tmp_path / "dg.db")
        self.breaks = Breaks(
            clock=self.clock,
            settings=Settings(interval_minutes=30, posture_checks=False),
            store=store,
            library=load_library(),
            notifier=self.notes,
            alarm=Alarm(),
            window=self.view,
            tz=BERLIN,
        )
        self.events = events
        if events is not None:
            self.breaks.follow_programme(lambda: list(self.events or []))

    def day(self, prompts: int) -> list[tuple[str | None, str | None]]:
        """Let `prompts` prompts come and be skipped: (exercise id, gentle reason) each."""
        seen: list[tuple[str | None, str | None]] = []
        for _ in range(prompts):
            before = len(self.view.prompts)
            for _ in range(40):
                self.clock.advance(minutes=1)
                self.breaks.tick()
                if len(self.view.prompts) > before:
                    break
            assert len(self.view.prompts) > before, "no prompt came"
            exercise = self.view.prompts[-1]
            seen.append((exercise.id if exercise else None, self.breaks.gentle_reason))
            # The window is told the same reason, to show under the exercise.
            assert self.view.notes[-1] == (self.breaks.gentle_reason or "")
            self.breaks.skip()
        return seen


def warning_sign() -> list[ProgrammeEvent]:
    start = MONDAY_9 - timedelta(days=10)
    flagged = programme.screen(start + timedelta(days=8), ["leg-weakness"])
    return programme.start(start, []) + flagged


def sharp_last_evening() -> list[ProgrammeEvent]:
    start = MONDAY_9 - timedelta(days=10)
    log = programme.start(start, [])
    evening = MONDAY_9 - timedelta(hours=15)  # Sunday 18:00
    return log + programme.report_sharp(programme.status(log, evening.date()), evening, "squat")


@pytest.mark.parametrize(
    ("events", "reason"), [(warning_sign, GENTLE_PAUSED), (sharp_last_evening, GENTLE_SHARP)]
)
def test_prompts_stay_gentle_and_say_why(
    qtbot: QtBot,
    tmp_path: Path,
    events: Callable[[], list[ProgrammeEvent]],
    reason: str,
) -> None:
    rig = Rig(tmp_path, events())
    library = rig.breaks.library
    seen = rig.day(6)
    for exercise_id, why in seen:
        assert why == reason
        if exercise_id is not None:
            exercise = library.exercise(exercise_id)
            assert exercise.gentle and exercise.kind != "strength", exercise_id
    prompts = [body for title, body in rig.notes.shown if title == "Time to stand and move"]
    assert len(prompts) == 6
    assert not [body for body in prompts if NOT_AT_A_DESK.search(body)]
    assert not [b for b in prompts if re.search(r"Squat|deadlift|plank", b, re.IGNORECASE)]


def test_a_sharp_stop_goes_stale_after_a_day(qtbot: QtBot, tmp_path: Path) -> None:
    rig = Rig(tmp_path, sharp_last_evening())
    assert rig.day(1)[0][1] == GENTLE_SHARP
    rig.clock.set(MONDAY_9 + timedelta(days=1))  # Tuesday: the Sunday-evening stop is stale
    rig.breaks.tick()
    seen = rig.day(1)
    assert seen[0][1] is None


def test_without_a_programme_the_rotation_is_unchanged(qtbot: QtBot, tmp_path: Path) -> None:
    rig = Rig(tmp_path, None)
    seen = rig.day(8)
    assert all(why is None for _, why in seen)
    kinds = {rig.breaks.library.exercise(i).kind for i, _ in seen if i}
    assert "strength" in kinds  # squats and planks come back once nothing holds them
    prompts = [body for title, body in rig.notes.shown if title == "Time to stand and move"]
    assert not [body for body in prompts if NOT_AT_A_DESK.search(body)]

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from deskguard.core.clock import FakeClock
from deskguard.core.model import Dose, Exercise, Range
from deskguard.ui.break_window import TITLE, BreakWindow, dose_text
from deskguard.ui.deferred_break_window import DeferredBreakWindow

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

STRETCH = Exercise(
    id="test-stretch",
    name="Test stretch",
    kind="stretch",
    position="standing",
    desk_friendly=True,
    targets=("hamstrings",),
    why="Because.",
    steps=("Stand tall.", "Hinge at the hips."),
    cues=("Keep your back long.",),
    dose=Dose(hold_seconds=Range(20, 30), per_side=True),
)


def make(qtbot: QtBot, now: datetime = NOW) -> BreakWindow:
    window = BreakWindow(lambda: now)
    qtbot.addWidget(window)
    return window


def test_title_names_the_break(qtbot: QtBot) -> None:
    assert "Break" in make(qtbot).windowTitle() == TITLE


def test_prompt_keys(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    assert window.isVisible() and not window.on_break_page
    assert "45 minutes" in window.subline.text()
    with qtbot.waitSignal(window.start_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_Return)
    with qtbot.waitSignal(window.snooze_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_S)
    with qtbot.waitSignal(window.skip_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)


def test_no_snooze_when_none_left(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_prompt(STRETCH, None, 45, snoozes_left=0, snooze_minutes=5)
    assert not window.snooze_button.isEnabled()
    assert "No snoozes left" in window.snooze_note.text()
    with qtbot.assertNotEmitted(window.snooze_requested):
        qtbot.keyClick(window, Qt.Key.Key_S)


def test_manual_prompt_does_not_claim_sitting_time(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_prompt(None, None, None, snoozes_left=2, snooze_minutes=5)
    assert "sitting" not in window.subline.text()
    assert window.prompt_card.name.text() == "Stand up and walk"


def test_break_page_counts_down_and_return_finishes(qtbot: QtBot) -> None:
    clock = FakeClock(NOW)
    window = BreakWindow(clock.now, monotonic=clock.monotonic)
    qtbot.addWidget(window)
    window.show_break(STRETCH, None, NOW + timedelta(minutes=2), 120)
    assert window.on_break_page
    assert window.countdown.text() == "2:00"
    assert "1. Stand tall." in window.steps.text()
    assert "Keep your back long." in window.cue.text()
    clock.advance(seconds=75)
    window._update_countdown()
    assert window.countdown.text() == "0:45"
    assert window.progress.value() == 75
    with qtbot.waitSignal(window.done_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_Return)
    with qtbot.assertNotEmitted(window.snooze_requested):
        qtbot.keyClick(window, Qt.Key.Key_S)
    clock.advance(minutes=1)
    window._update_countdown()
    assert window.countdown.text() == "Well done"


def test_the_countdown_runs_on_real_time_when_the_wall_clock_is_set(qtbot: QtBot) -> None:
    clock = FakeClock(NOW)
    window = BreakWindow(clock.now, monotonic=clock.monotonic)
    qtbot.addWidget(window)
    window.show_break(STRETCH, None, NOW + timedelta(minutes=2), 120)
    clock.advance(seconds=4)
    clock.step_wall(hours=-1)  # was 60:56 when the countdown read the wall clock
    window._update_countdown()
    assert window.countdown.text() == "1:56"
    clock.step_wall(hours=2)
    window._update_countdown()
    assert window.countdown.text() == "1:56"


def test_closing_the_window_skips(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    with qtbot.waitSignal(window.skip_requested, timeout=1000):
        window.close()


def test_finish_hides_without_skipping(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    with qtbot.assertNotEmitted(window.skip_requested):
        window.dismiss()
    assert not window.isVisible()


def test_dose_text() -> None:
    assert dose_text(STRETCH) == "Hold 20–30 s, each side"
    strength = dataclasses.replace(STRETCH, dose=Dose(sets=Range(1, 2), reps=Range(8, 10)))
    assert dose_text(strength) == "8–10 reps, 1–2 sets"


def test_one_minute_is_singular(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_prompt(STRETCH, None, 1, snoozes_left=1, snooze_minutes=5)
    assert "about a minute." in window.subline.text()
    assert window.snooze_note.text() == "1 snooze left for this break."


def test_break_texts_go_through_qt_translation(qtbot: QtBot) -> None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QAbstractButton

    from tests.ui.test_tray import Marking

    marking = Marking("BreakWindow")
    assert QCoreApplication.installTranslator(marking)
    try:
        window = make(qtbot)
        assert window.windowTitle() == f"«{TITLE}»"
        assert dose_text(STRETCH) == "«Hold 20–30 s»«, each side»"
        window.show_prompt(None, None, 45, snoozes_left=2, snooze_minutes=5)
        assert window.prompt_card.name.text() == "«Stand up and walk»"
        assert window.heading.text() == "«Time to stand and move»"
        assert window.snooze_note.text() == "«2 snoozes left for this break.»"
        buttons = window.findChildren(QAbstractButton)
        assert buttons and all(b.text().startswith("«") for b in buttons)
        assert all(b.accessibleName().startswith("«") for b in buttons)
    finally:
        QCoreApplication.removeTranslator(marking)


def test_deferred_window_is_built_at_the_first_prompt_and_passes_signals_on(
    qtbot: QtBot,
) -> None:
    deferred = DeferredBreakWindow(lambda: NOW)
    deferred.dismiss()  # quitting before any prompt: nothing to build or hide
    assert deferred._window is None and not deferred.on_break_page
    deferred.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    assert deferred._window is not None
    window = deferred.window
    qtbot.addWidget(window)
    assert window.isVisible() and "45 minutes" in window.subline.text()
    for key, signal in (
        (Qt.Key.Key_Return, deferred.start_requested),
        (Qt.Key.Key_S, deferred.snooze_requested),
        (Qt.Key.Key_Escape, deferred.skip_requested),
    ):
        with qtbot.waitSignal(signal, timeout=1000):
            qtbot.keyClick(window, key)
    deferred.show_break(STRETCH, None, NOW + timedelta(minutes=2), 120)
    assert deferred.on_break_page and deferred.window is window  # built once
    with qtbot.waitSignal(deferred.done_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_Return)
    deferred.dismiss()
    assert not window.isVisible()

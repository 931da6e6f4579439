"""The break from start to finish as a person meets it (issue #14, #15): a page sized to
itself, a held key taken as one press, a timer that says when to switch sides or start
the next set, the exercise's cautions and the stop-if-it-hurts line with a way to the
warning signs, and a short "well done" before the window goes."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from deskguard.core.break_plan import finish_text, ordinal, part_at, parts
from deskguard.core.model import Dose, Range
from deskguard.ui.break_window import FINISH_MS, BreakWindow
from tests.ui.test_break_window import NOW, STRETCH


class Mono:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def make(qtbot: QtBot, mono: Mono | None = None) -> BreakWindow:
    window = BreakWindow(lambda: NOW, monotonic=mono or Mono())
    qtbot.addWidget(window)
    return window


def press(window: BreakWindow, key: Qt.Key, *, repeat: bool) -> None:
    event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, "", repeat)
    QApplication.sendEvent(window, event)


def test_a_held_return_starts_the_break_and_does_not_finish_it(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    started: list[bool] = []
    finished: list[bool] = []
    window.start_requested.connect(lambda: started.append(True))
    window.start_requested.connect(
        lambda: window.show_break(STRETCH, None, NOW + timedelta(minutes=2), 120)
    )
    window.done_requested.connect(lambda: finished.append(True))
    press(window, Qt.Key.Key_Return, repeat=False)
    for _ in range(5):  # the X server repeats a held key
        press(window, Qt.Key.Key_Return, repeat=True)
    assert started == [True] and finished == []
    assert window.on_break_page
    press(window, Qt.Key.Key_Return, repeat=False)  # a new press finishes it
    assert finished == [True]


def test_each_page_is_sized_to_itself(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    prompt_height = window.height()
    window.show_break(STRETCH, None, NOW + timedelta(minutes=2), 120)
    assert window.height() > prompt_height + 40
    window.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    assert window.height() == prompt_height  # no empty band left from the break page


def test_the_timer_says_when_to_switch_sides_and_sets(qtbot: QtBot) -> None:
    mono = Mono()
    window = make(qtbot, mono)
    two_sets = dataclasses.replace(
        STRETCH, dose=Dose(hold_seconds=Range(15, 30), sets=Range(1, 2), per_side=True)
    )
    window.show_break(two_sets, None, NOW + timedelta(minutes=2), 120)
    seen = []
    for second in (0, 29, 31, 61, 95):
        mono.t = 1000.0 + second
        window._update_countdown()
        seen.append(window.part.text())
    assert seen == [
        "First side · set 1 of 2",
        "First side · set 1 of 2",
        "Other side · set 1 of 2",
        "First side · set 2 of 2",
        "Other side · set 2 of 2",
    ]
    walking = dataclasses.replace(STRETCH, dose=Dose(duration_seconds=Range(120, 180)))
    window.show_break(walking, None, NOW + timedelta(minutes=2), 120)
    assert window.part.isHidden()  # nothing to switch


def test_break_parts_in_core() -> None:
    per_side = parts(Dose(hold_seconds=Range(20, 30), per_side=True), 120)
    assert [(p.start_s, p.label, p.switch) for p in per_side] == [
        (0, "First side", ""),
        (60, "Other side", "Other side"),
    ]
    sets = parts(Dose(reps=Range(8, 10), sets=Range(2, 3)), 120)
    assert [(p.start_s, p.label) for p in sets] == [
        (0, "Set 1 of 3"),
        (40, "Set 2 of 3"),
        (80, "Set 3 of 3"),
    ]
    assert sets[1].switch == "Set 2 of 3"
    # A short break drops sets before it rushes a hold (no part under 10 s).
    short = parts(Dose(hold_seconds=Range(20, 30), sets=Range(2, 4), per_side=True), 30)
    assert len(short) == 2 and short[1].start_s == 15
    assert parts(Dose(hold_seconds=Range(20, 30)), 120) == []
    assert parts(None, 120) == []
    assert part_at(per_side, 59.9) == per_side[0] and part_at(per_side, 60) == per_side[1]


def test_finish_words() -> None:
    assert finish_text(120, 5) == "2 min on your feet, 5th break today"
    assert finish_text(125, 1) == "2 min 5 s on your feet, your first break today"
    assert finish_text(50, 2) == "50 s on your feet, 2nd break today"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip


def test_a_finished_break_closes_with_a_short_well_done(qtbot: QtBot) -> None:
    window = make(qtbot)
    window.show_break(STRETCH, None, NOW + timedelta(minutes=2), 120)
    skipped: list[bool] = []
    window.skip_requested.connect(lambda: skipped.append(True))
    window.show_finish(120, 5)
    assert window.on_finish_page and window.isVisible()
    assert window.finish_heading.text() == "Well done"
    assert window.finish_line.text() == "2 min on your feet, 5th break today"
    press(window, Qt.Key.Key_Return, repeat=True)  # the held Done key does not end it
    assert window.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=FINISH_MS + 2000)
    assert skipped == []  # the finish answers nothing
    # A new prompt replaces the finish page at once, and its timer no longer runs.
    window.show_break(STRETCH, None, NOW + timedelta(minutes=2), 120)
    window.show_finish(60, 1)
    window.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    qtbot.wait(FINISH_MS + 300)
    assert window.isVisible() and not window.on_finish_page


def test_the_break_carries_its_safeguards(qtbot: QtBot) -> None:
    window = make(qtbot)
    careful = dataclasses.replace(
        STRETCH, cautions=("Not a toe-touch: stop at a gentle pull.", "Keep the knee soft.")
    )
    window.show_break(careful, None, NOW + timedelta(minutes=2), 120)
    assert window.caution.text() == "⚠ Not a toe-touch: stop at a gentle pull."
    assert window.more_cautions.isVisible()
    window.more_cautions.click()
    assert window.caution.text().count("⚠") == 2
    assert "Stop if you feel sharp, shooting or radiating pain" in window.safety.text()
    assert "not medical advice" in window.safety.text()
    with qtbot.waitSignal(window.warning_signs_requested, timeout=1000):
        window.safety.linkActivated.emit("warning-signs")
    window.show_break(STRETCH, None, NOW + timedelta(minutes=2), 120)  # no cautions
    assert window.caution.isHidden() and window.more_cautions.isHidden()
    assert window.safety.isVisible()


def test_gentle_only_says_why_on_the_prompt_and_the_break(qtbot: QtBot) -> None:
    window = make(qtbot)
    reason = "Gentle movement only: your programme is paused for a warning sign."
    window.show_prompt(None, None, 45, snoozes_left=2, snooze_minutes=5, note=reason)
    assert window.gentle_note.isVisible() and window.gentle_note.text() == reason
    window.show_break(None, None, NOW + timedelta(minutes=2), 120, note=reason)
    assert window.caution.text() == f"⚠ {reason}"  # first, before any caution
    window.show_prompt(STRETCH, None, 45, snoozes_left=2, snooze_minutes=5)
    assert window.gentle_note.isHidden()

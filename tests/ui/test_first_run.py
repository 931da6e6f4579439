"""First-run welcome: four pages, editable hours and interval, checklist, one result out."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import Library, load_library
from deskguard.core.checklist import ChecklistResult, Score
from deskguard.core.model import Settings
from deskguard.ui.first_run import INTERVAL_RANGE, FirstRunDialog

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.fixture
def dialog(qtbot: QtBot, library: Library) -> FirstRunDialog:
    d = FirstRunDialog(
        Settings(snooze_minutes=7),
        library.red_flags,
        library.disclaimer,
        library.checklist("workstation"),
        lambda: NOW,
    )
    qtbot.addWidget(d)
    d.show()
    return d


def test_pages_in_order_with_step_and_buttons(dialog: FirstRunDialog) -> None:
    assert dialog.page == 0 and dialog.step.text() == "Step 1 of 4"
    assert not dialog.back_button.isEnabled()
    assert not dialog.later_button.isVisible()
    welcome = " ".join(p.text() for p in dialog.welcome_points)
    assert "30–60 minutes" in welcome and "2–3 minutes" in welcome
    assert "stays on this computer" in welcome
    dialog.next_button.click()
    assert dialog.page == 1 and dialog.heading.text() == "When to see a professional"
    dialog.next_button.click()
    assert dialog.page == 2
    dialog.next_button.click()
    assert dialog.page == 3 and dialog.step.text() == "Step 4 of 4"
    assert dialog.next_button.text() == "&Finish"
    assert dialog.later_button.isVisible()
    dialog.back_button.click()
    assert dialog.page == 2


def test_red_flags_page_has_every_flag_and_the_disclaimer(
    dialog: FirstRunDialog, library: Library
) -> None:
    assert dialog.red_flags.count == len(library.red_flags)
    assert dialog.red_flags.disclaimer.text() == library.disclaimer


def test_return_moves_on(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.page == 1


def test_hours_page_starts_from_the_settings(dialog: FirstRunDialog) -> None:
    assert dialog.interval.value() == 45
    assert (dialog.interval.minimum(), dialog.interval.maximum()) == INTERVAL_RANGE == (5, 120)
    assert dialog.start_time.time() == QTime(9, 0)
    assert dialog.end_time.time() == QTime(17, 30)
    assert [b.isChecked() for b in dialog.day_boxes] == [True] * 5 + [False] * 2
    for widget in (dialog.interval, dialog.start_time, dialog.end_time, *dialog.day_boxes):
        assert widget.accessibleName()


def test_finish_emits_the_chosen_settings_and_checklist(
    qtbot: QtBot, dialog: FirstRunDialog
) -> None:
    dialog.go_to(2)
    dialog.interval.setValue(30)
    dialog.start_time.setTime(QTime(8, 15))
    dialog.end_time.setTime(QTime(16, 45))
    dialog.day_boxes[4].setChecked(False)  # no Fridays
    dialog.day_boxes[5].setChecked(True)  # Saturdays
    assert dialog.autostart_box.isChecked()  # offered, on by default
    dialog.autostart_box.setChecked(False)
    dialog.next_button.click()
    dialog.checklist.set_ticked("feet-flat", True)
    with qtbot.waitSignal(dialog.completed, timeout=1000) as signal:
        dialog.next_button.click()
    settings, result, autostart = signal.args
    assert autostart is False
    assert settings == Settings(
        interval_minutes=30,
        work_start=time(8, 15),
        work_end=time(16, 45),
        working_days=frozenset({0, 1, 2, 3, 5}),
        snooze_minutes=7,  # everything else is kept
    )
    assert isinstance(result, ChecklistResult)
    assert result.checklist_id == "workstation" and result.taken_at == NOW
    assert result.score == Score(1, 4) and result.answers["feet-flat"]
    assert not dialog.isVisible()


def test_later_finishes_without_the_checklist(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    dialog.go_to(3)
    with qtbot.waitSignal(dialog.completed, timeout=1000) as signal:
        dialog.later_button.click()
    assert signal.args == [Settings(snooze_minutes=7), None, True]


def test_end_before_start_blocks_next_with_a_reason(dialog: FirstRunDialog) -> None:
    dialog.go_to(2)
    dialog.end_time.setTime(QTime(8, 0))
    assert not dialog.next_button.isEnabled()
    assert "end after it starts" in dialog.hours_error.text()
    assert dialog.hours_error.isVisibleTo(dialog)
    dialog.next()
    assert dialog.page == 2
    dialog.end_time.setTime(QTime(18, 0))
    assert dialog.next_button.isEnabled() and not dialog.hours_error.isVisibleTo(dialog)


def test_no_working_day_blocks_next(dialog: FirstRunDialog) -> None:
    dialog.go_to(2)
    for box in dialog.day_boxes:
        box.setChecked(False)
    assert not dialog.next_button.isEnabled()
    assert "at least one" in dialog.hours_error.text()


def test_interval_hint_follows_the_advice(dialog: FirstRunDialog) -> None:
    dialog.go_to(2)
    dialog.interval.setValue(90)
    assert "outside" in dialog.hours_hint.text()
    dialog.interval.setValue(60)
    assert "within" in dialog.hours_hint.text()
    dialog.interval.setValue(500)
    assert dialog.interval.value() == 120


def test_esc_closes_without_a_result(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    with qtbot.assertNotEmitted(dialog.completed):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_alt_b_goes_back_even_on_the_hours_page(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.go_to(2)
    labels = [w.text() for w in dialog.findChildren(QLabel) if "&" in w.text()]
    assert not any(t.lower().startswith("&b") or "&b" in t.lower() for t in labels)


def test_autostart_box_is_named_and_reachable_by_keyboard(
    qtbot: QtBot, dialog: FirstRunDialog
) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.go_to(2)
    box = dialog.autostart_box
    assert box.isVisible() and dialog.pages.currentWidget().isAncestorOf(box)
    assert box.accessibleName() == "Start DeskGuard when I log in"
    assert box.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert dialog.day_boxes[-1].nextInFocusChain() is box  # Tab: Sun → autostart
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=1000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not box.isChecked(), timeout=1000)  # the mnemonic toggles it
    assert box.hasFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()
    mnemonics = [
        w.text().lower().split("&")[1][:1]
        for w in (*dialog.findChildren(QLabel), *dialog.findChildren(QAbstractButton))
        if w.isVisible() and "&" in w.text()
    ]
    assert mnemonics.count("s") == 1  # Alt+S means only this box on the page

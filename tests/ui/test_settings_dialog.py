"""The Settings window: every field, live validation, Apply/OK/Cancel, defaults, keyboard."""

from __future__ import annotations

import dataclasses
from datetime import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDateTimeEdit,
    QDialog,
    QLabel,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from deskguard.adapters.config import int_ranges, validate_setting
from deskguard.core.model import Settings
from deskguard.ui.settings_dialog import Folders, SettingsDialog

MINE = Settings(
    interval_minutes=30,
    break_minutes=3,
    snooze_minutes=10,
    snooze_limit=1,
    working_days=frozenset({0, 2, 4}),
    work_start=time(8, 15),
    work_end=time(16, 0),
    response_window_minutes=20,
    defer_cap_minutes=45,
    adherence_goal=70,
    programme_days=frozenset({1, 3, 5}),
    programme_time=time(7, 30),
    programme_reminders=False,
)
FOLDERS = Folders(
    data=Path("/home/alex/.local/share/deskguard"),
    config=Path("/home/alex/.config/deskguard"),
    log=Path("/home/alex/.local/state/deskguard/log"),
)


@pytest.fixture
def dialog(qtbot: QtBot) -> SettingsDialog:
    d = SettingsDialog(
        MINE, autostart=False, folders=FOLDERS, ranges=int_ranges(), validate=validate_setting
    )
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_every_setting_has_a_field_showing_its_value(dialog: SettingsDialog) -> None:
    assert set(dialog.fields) == set(Settings.__dataclass_fields__)
    assert dialog.settings() == MINE
    assert [b.isChecked() for b in dialog.day_boxes] == [
        True,
        False,
        True,
        False,
        True,
        False,
        False,
    ]
    assert dialog.start_edit.time() == QTime(8, 15)
    spin = dialog.fields["defer_cap_minutes"]
    assert isinstance(spin, QSpinBox) and spin.value() == 45
    assert not dialog.autostart_box.isChecked()


def test_tabs_group_the_settings(dialog: SettingsDialog) -> None:
    names = [
        dialog.tabs.tabText(i).replace("&&", "+").replace("&", "").replace("+", "&")
        for i in range(dialog.tabs.count())
    ]
    assert names == ["Schedule", "Breaks", "Goals", "Programme", "Privacy & data", "Startup & look"]
    page = {n: dialog._tab_of(n) for n in dialog.fields}
    assert page["work_start"] == page["working_days"] == page["interval_minutes"] == 0
    assert page["snooze_limit"] == page["response_window_minutes"] == 1
    assert page["defer_cap_minutes"] == page["posture_checks"] == 1
    assert page["adherence_goal"] == 2
    assert page["programme_days"] == page["programme_time"] == page["programme_reminders"] == 3
    assert page["theme"] == 5


def test_spin_ranges_come_from_the_config_table(dialog: SettingsDialog) -> None:
    for name, (low, high) in int_ranges().items():
        spin = dialog.fields[name]
        assert isinstance(spin, QSpinBox)
        assert (spin.minimum(), spin.maximum()) == (low, high), name


def test_work_start_after_end_is_named_next_to_the_field(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    error = dialog.errors["work_start"]
    assert error.isHidden()
    dialog.start_edit.setFocus()
    dialog.start_edit.setSelectedSection(QDateTimeEdit.Section.HourSection)
    qtbot.keyClicks(dialog.start_edit, "18")  # typed, as a user would
    assert dialog.start_edit.time() == QTime(18, 15)
    assert error.isVisible()
    assert "schedule.work_start (18:15) must be before schedule.work_end (16:00)" in error.text()
    assert error is dialog.errors["work_end"]  # one message for the one row
    # the message sits in the same form row as the hours, under the editors
    assert error.parentWidget() is dialog.start_edit.parentWidget().parentWidget()
    assert not dialog.ok_button.isEnabled() and not dialog.apply_button.isEnabled()
    assert dialog.status.isVisible() and "Schedule" in dialog.status.text()
    # the window grew to show the whole message
    assert error.height() >= error.heightForWidth(error.width())

    dialog.end_edit.setTime(QTime(18, 30))
    assert error.isHidden()
    assert dialog.ok_button.isEnabled() and dialog.apply_button.isEnabled()


def test_no_working_day_is_named_next_to_the_days(dialog: SettingsDialog) -> None:
    for box in dialog.day_boxes:
        box.setChecked(False)
    message = dialog.errors["working_days"].text()
    assert "schedule.working_days = []" in message and "at least one day" in message
    assert dialog.problems().keys() == {"working_days"}
    dialog.day_boxes[6].setChecked(True)
    assert dialog.problems() == {}


def test_apply_emits_the_new_settings_and_stays_open(qtbot: QtBot, dialog: SettingsDialog) -> None:
    assert not dialog.apply_button.isEnabled()  # nothing changed yet
    spin = dialog.fields["snooze_limit"]
    assert isinstance(spin, QSpinBox)
    spin.setValue(3)
    dialog.autostart_box.setChecked(True)
    with qtbot.waitSignal(dialog.applied, timeout=1000) as blocker:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [dataclasses.replace(MINE, snooze_limit=3), True]
    assert dialog.isVisible()
    assert not dialog.apply_button.isEnabled()  # applied: nothing left to apply


def test_ok_applies_and_closes_cancel_emits_nothing(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.day_boxes[5].setChecked(True)
    with qtbot.waitSignal(dialog.applied, timeout=1000) as blocker:
        dialog.ok_button.click()
    assert blocker.args[0].working_days == frozenset({0, 2, 4, 5})
    assert dialog.result() == QDialog.DialogCode.Accepted

    again = SettingsDialog(
        MINE, autostart=False, folders=FOLDERS, ranges=int_ranges(), validate=validate_setting
    )
    qtbot.addWidget(again)
    again.show()
    again.day_boxes[5].setChecked(True)
    with qtbot.assertNotEmitted(again.applied):
        qtbot.keyClick(again, Qt.Key.Key_Escape)
    assert again.result() == QDialog.DialogCode.Rejected


def test_a_failed_save_keeps_the_window_open_with_the_reason(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    dialog.applied.connect(lambda *_: dialog.show_error("settings.toml could not be written"))
    dialog.day_boxes[5].setChecked(True)
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.status.text() == "settings.toml could not be written"
    assert dialog.apply_button.isEnabled()  # still unsaved


def test_restore_defaults_fills_the_form_but_saves_nothing(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    dialog.autostart_box.setChecked(True)
    with qtbot.assertNotEmitted(dialog.applied):
        dialog.defaults_button.click()
    assert dialog.settings() == Settings()
    assert dialog.autostart_box.isChecked()  # not a setting in the file: left as chosen
    with qtbot.waitSignal(dialog.applied, timeout=1000) as blocker:
        dialog.apply_button.click()
    assert blocker.args == [Settings(), True]


def test_open_folder_buttons_say_which_folder(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.tabs.setCurrentIndex(4)
    assert dialog.folder_edits["log"].path == str(FOLDERS.log)
    assert dialog.folder_edits["log"].toolTip() == str(FOLDERS.log)
    for key, path in (("data", FOLDERS.data), ("config", FOLDERS.config), ("log", FOLDERS.log)):
        with qtbot.waitSignal(dialog.open_folder_requested, timeout=1000) as blocker:
            qtbot.keyClick(dialog.folder_buttons[key], Qt.Key.Key_Space)
        assert blocker.args == [str(path)]


def test_long_paths_are_elided_in_the_middle_and_copied_whole(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    from PySide6.QtGui import QGuiApplication

    from deskguard.ui.settings_dialog import PathLabel

    long = "/home/a-person-with-a-long-name/" + "deep/" * 20 + "deskguard"
    label = PathLabel(long)
    qtbot.addWidget(label)
    label.resize(200, 30)
    label.show()
    shown = label.text()
    assert shown != long and "…" in shown
    assert shown.startswith("/home/") and shown.endswith("deskguard")  # both ends kept
    dialog.tabs.setCurrentIndex(4)
    dialog.copy_buttons["data"].click()
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None and clipboard.text() == str(FOLDERS.data)


def test_it_opens_at_the_size_of_its_largest_group(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() >= 620
    for index in range(dialog.tabs.count()):
        page = dialog.tabs.widget(index)
        assert page is not None
        layout = page.layout()
        assert layout is not None
        needed = layout.totalHeightForWidth(page.width())
        assert needed <= page.height() + 2, dialog.tabs.tabText(index)


def test_buttons_are_plain_words_without_stock_icons(dialog: SettingsDialog) -> None:
    for button in (dialog.ok_button, dialog.apply_button, dialog.cancel_button,
                   dialog.defaults_button):  # fmt: skip
        assert button.icon().isNull(), button.text()


def test_the_theme_is_a_setting(dialog: SettingsDialog) -> None:
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    assert dialog.settings().theme == "dark"
    assert dialog.apply_button.isEnabled()


# ---- keyboard and assistive technology ----


def test_every_control_has_an_accessible_name(dialog: SettingsDialog) -> None:
    controls = dialog.controls()
    assert len(controls) >= 7 + 2 + 6 + 3 + 3 + 1 + 4  # days, times, spins, paths, ...
    nameless = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in controls
        if not w.accessibleName()
    ]
    assert nameless == []
    assert dialog.tabs.accessibleName()


def test_every_control_is_reachable_with_tab(qtbot: QtBot, dialog: SettingsDialog) -> None:
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        wanted = {
            w
            for w in dialog.controls()
            if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        }
        seen: set[QWidget] = set()
        dialog.tabs.tabBar().setFocus()
        for _ in range(60):
            widget = dialog.focusWidget()
            # a spin box's or time edit's focus goes to its inner line edit
            while widget is not None and widget not in wanted and widget is not dialog:
                widget = widget.parentWidget()
            if widget in wanted:
                seen.add(widget)
            qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        assert wanted - seen == set(), dialog.tabs.tabText(index)


def test_mnemonics_are_unique_on_each_tab(dialog: SettingsDialog) -> None:
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        texts = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        texts += [
            w.text()
            for w in dialog.findChildren(QWidget)
            if isinstance(w, (QAbstractButton, QLabel)) and w.isVisible()
        ]
        keys = [
            QKeySequence.mnemonic(t).toString() for t in texts if QKeySequence.mnemonic(t).count()
        ]
        assert len(keys) == len(set(keys)), (index, sorted(keys))


def test_alt_letter_jumps_to_the_field(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)  # &Breaks
    assert dialog.tabs.currentIndex() == 1
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # Break &length
    assert dialog.focusWidget() in (
        dialog.fields["break_minutes"],
        *dialog.fields["break_minutes"].findChildren(QWidget),
    )


def test_text_fits_at_the_default_font_size(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.start_edit.setTime(QTime(18, 0))  # a message, too
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        cramped = []
        for w in dialog.findChildren(QWidget):
            if not w.isVisible() or not isinstance(w, (QAbstractButton, QLabel)):
                continue
            if isinstance(w, QLabel) and w.wordWrap():
                if w.height() < w.heightForWidth(w.width()):
                    cramped.append(w.text())
            elif w.width() < w.minimumSizeHint().width():
                cramped.append(w.text())
        assert cramped == [], dialog.tabs.tabText(index)


def test_strings_go_through_tr(dialog: SettingsDialog) -> None:
    source = Path(SettingsDialog.__module__.replace(".", "/") + ".py")
    text = (Path(__file__).resolve().parents[2] / source).read_text(encoding="utf-8")
    assert text.count("self.tr(") >= 40
    assert 'QLabel("' not in text and 'QPushButton("' not in text and 'QCheckBox("' not in text


def test_a_narrower_window_grows_taller_instead_of_clipping(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    dialog.tabs.setCurrentIndex(2)  # the longest hints
    dialog.resize(dialog.minimumWidth() or dialog.minimumSizeHint().width(), 100)
    hints = [
        w
        for w in dialog.tabs.currentWidget().findChildren(QLabel)
        if w.isVisible() and w.wordWrap()
    ]
    assert hints
    for label in hints:
        assert label.height() >= label.heightForWidth(label.width()), label.text()


# ---- the back-care programme's days, time and reminders ----


def test_programme_tab_shows_the_session_days_time_and_reminders(dialog: SettingsDialog) -> None:
    assert [b.isChecked() for b in dialog.programme_day_boxes] == [
        False,
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    assert dialog.programme_time_edit.time() == QTime(7, 30)
    assert not dialog.programme_reminders_box.isChecked()
    assert not dialog.programme_time_edit.isEnabled()  # no reminders: the time does not apply
    dialog.programme_reminders_box.setChecked(True)
    assert dialog.programme_time_edit.isEnabled()


def test_back_to_back_session_days_are_named_and_block_saving(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    dialog.tabs.setCurrentIndex(3)
    error = dialog.errors["programme_days"]
    assert error.isHidden()
    dialog.programme_day_boxes[2].setChecked(True)  # Tuesday, Wednesday, Thursday, Saturday
    assert error.isVisible()
    assert "Tuesday and Wednesday are back to back: leave a rest day" in error.text()
    assert "programme.days" not in error.text()  # the ticks are explained, not the TOML line
    assert dialog.problems().keys() == {"programme_days"}
    assert not dialog.ok_button.isEnabled() and not dialog.apply_button.isEnabled()
    assert dialog.status.isVisible() and "Programme" in dialog.status.text()
    with qtbot.assertNotEmitted(dialog.applied):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # OK is disabled: Return saves nothing
    for day in (1, 3, 5):
        dialog.programme_day_boxes[day].setChecked(False)
    assert "Pick 3 or 4 days a week, not 1." in error.text()
    dialog.programme_day_boxes[0].setChecked(True)
    dialog.programme_day_boxes[4].setChecked(True)  # Monday, Wednesday, Friday
    assert error.isHidden() and dialog.problems() == {}
    assert dialog.ok_button.isEnabled() and dialog.apply_button.isEnabled()


def test_apply_carries_the_programme_settings(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.programme_reminders_box.setChecked(True)
    dialog.programme_time_edit.setTime(QTime(18, 45))
    dialog.programme_day_boxes[6].setChecked(True)  # Tue, Thu, Sat and Sun: two in a row
    assert "Saturday and Sunday are back to back" in dialog.errors["programme_days"].text()
    dialog.programme_day_boxes[5].setChecked(False)  # Tue, Thu, Sun
    with qtbot.waitSignal(dialog.applied, timeout=1000) as blocker:
        dialog.apply_button.click()
    chosen = blocker.args[0]
    assert chosen == dataclasses.replace(
        MINE,
        programme_days=frozenset({1, 3, 6}),
        programme_time=time(18, 45),
        programme_reminders=True,
    )


def test_alt_o_opens_the_programme_tab_and_alt_n_the_days(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # Pr&ogramme
    assert dialog.tabs.currentIndex() == 3
    qtbot.keyClick(dialog, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Sessio&n days
    assert dialog.focusWidget() is dialog.programme_day_boxes[0]

"""The tray's windows, wired to the controller and the store (app.Windows): each built
when asked for, released when closed, built afresh when asked for again."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from deskguard.adapters.config import load_settings
from deskguard.adapters.paths import Paths
from deskguard.app import make_windows
from deskguard.core.checklist import WORKSTATION, ChecklistResult
from deskguard.core.model import Settings
from deskguard.ui.windows import Windows
from tests.services.test_breaks import MONDAY_9, Rig


def make(rig: Rig, tmp_path: Path, first_run: bool = False) -> Windows:
    paths = Paths(tmp_path / "c", tmp_path / "d", tmp_path / "l", tmp_path / "r")
    return make_windows(rig.controller, rig.commands, rig.actions, paths, QIcon(), first_run)


def test_library_not_for_me_reaches_the_store(rig: Rig, tmp_path: Path, qtbot: QtBot) -> None:
    windows = make(rig, tmp_path)
    rig.actions.library_action.trigger()
    library = windows._open["library"]
    qtbot.addWidget(library)
    assert library.isVisible()
    library.exclusion_changed.emit("walking-break", True)
    assert "walking-break" in rig.controller.excluded
    assert rig.store.excluded_exercises() == {"walking-break"}


def test_workstation_check_is_saved(rig: Rig, tmp_path: Path, qtbot: QtBot) -> None:
    windows = make(rig, tmp_path)
    rig.actions.checklist_action.trigger()
    dialog = windows._open["checklist"]
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    dialog.save()
    saved = rig.store.last_checklist_result(WORKSTATION)
    assert isinstance(saved, ChecklistResult)


def test_red_flags_dialog_opens(rig: Rig, tmp_path: Path, qtbot: QtBot) -> None:
    windows = make(rig, tmp_path)
    rig.actions.red_flags_action.trigger()
    qtbot.addWidget(windows._open["red_flags"])
    assert windows._open["red_flags"].isVisible()


def test_first_run_welcome_saves_and_applies_settings(
    rig: Rig, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    entry = tmp_path / "xdg" / "autostart" / "io.github.deskguard.DeskGuard.desktop"
    windows = make(rig, tmp_path, first_run=True)
    windows.show_welcome_or_checklist()
    welcome = windows._open["welcome"]
    qtbot.addWidget(welcome)
    assert welcome.isVisible()
    chosen = Settings(interval_minutes=30, work_start=time(8), work_end=time(16))
    windows.finish_welcome(chosen, None, True)
    assert entry.exists()  # autostart was offered at first run and accepted
    assert rig.controller.planner.settings == chosen
    assert load_settings(windows.settings.file.path)[0] == chosen
    assert rig.controller.planner.next_due is not None
    assert rig.controller.planner.next_due == MONDAY_9.replace(minute=30)
    windows.finish_welcome(chosen, None, False)
    assert not entry.exists()


def test_welcome_dialog_carries_the_autostart_choice_to_the_desktop(
    rig: Rig, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    entry = tmp_path / "xdg" / "autostart" / "io.github.deskguard.DeskGuard.desktop"
    for ticked in (True, False):  # ticked by default; then a second install says no
        windows = make(rig, tmp_path, first_run=True)
        windows.show_welcome_or_checklist()
        welcome = windows._open["welcome"]
        qtbot.addWidget(welcome)
        assert welcome.autostart_box.isChecked()
        welcome.autostart_box.setChecked(ticked)
        welcome.go_to(3)
        welcome.later()
        assert entry.exists() is ticked


def test_autostart_failure_at_first_run_is_told_and_the_settings_kept(
    rig: Rig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from deskguard.adapters.autostart import AutostartError

    windows = make(rig, tmp_path, first_run=True)

    def broken(on: bool) -> None:
        raise AutostartError("no autostart folder")

    monkeypatch.setattr(windows.settings.autostart, "set", broken)
    chosen = Settings(interval_minutes=30)
    windows.finish_welcome(chosen, None, True)
    assert load_settings(windows.settings.file.path)[0] == chosen
    assert rig.controller.planner.settings == chosen
    assert ("DeskGuard could not change autostart", "no autostart folder") in [
        (title, body) for title, body, _ in rig.notes.shown
    ]
    assert "no autostart folder" in caplog.text


def test_workstation_check_offered_when_due_not_before(
    rig: Rig, tmp_path: Path, qtbot: QtBot
) -> None:
    windows = make(rig, tmp_path)
    windows.show_welcome_or_checklist()
    assert "checklist" in windows._open  # never done: due
    qtbot.addWidget(windows._open["checklist"])
    windows._open["checklist"].save()
    windows._open.clear()
    windows.show_welcome_or_checklist()
    assert "checklist" not in windows._open  # done today: not again


def test_a_workstation_check_closed_unsaved_does_not_come_back_at_every_start(
    rig: Rig, tmp_path: Path, qtbot: QtBot
) -> None:
    windows = make(rig, tmp_path)
    windows.show_welcome_or_checklist()
    dialog = windows._open["checklist"]
    qtbot.addWidget(dialog)
    dialog.close()  # closed without saving
    for _start in range(3):  # three more starts that day: not again
        again = make(rig, tmp_path)
        again.show_welcome_or_checklist()
        assert "checklist" not in again._open
    rig.advance(minutes=60 * 24 * 30)  # 30 days on: offered again, once
    later = make(rig, tmp_path)
    later.show_welcome_or_checklist()
    assert "checklist" in later._open
    qtbot.addWidget(later._open["checklist"])


def test_leaving_the_welcome_early_is_remembered_and_points_to_the_warning_signs(
    rig: Rig, tmp_path: Path, qtbot: QtBot
) -> None:
    windows = make(rig, tmp_path, first_run=True)
    windows.show_welcome_or_checklist()
    welcome = windows._open["welcome"]
    qtbot.addWidget(welcome)
    welcome.reject()  # Esc on the first page
    assert rig.store.last_offer("welcome-left") is not None
    assert rig.notes.shown and "When to see a professional" in rig.notes.shown[-1][1]
    # The next start is no first run (the settings file exists): the workstation check
    # comes once, and then not at every start.
    second = make(rig, tmp_path)
    second.show_welcome_or_checklist()
    assert "checklist" in second._open
    qtbot.addWidget(second._open["checklist"])
    second._open["checklist"].close()
    third = make(rig, tmp_path)
    third.show_welcome_or_checklist()
    assert "checklist" not in third._open


def test_later_on_the_welcome_offers_the_check_again_in_30_days(
    rig: Rig, tmp_path: Path, qtbot: QtBot
) -> None:
    windows = make(rig, tmp_path, first_run=True)
    windows.finish_welcome(Settings(), None, False)  # "Later"
    again = make(rig, tmp_path)
    again.show_welcome_or_checklist()
    assert "checklist" not in again._open


def test_settings_window_saves_applies_and_keeps_comments(
    rig: Rig, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    windows = make(rig, tmp_path)
    load_settings(windows.settings.file.path)  # writes the commented defaults
    rig.actions.settings_action.trigger()
    dialog = windows._open["settings"]
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    windows.apply_settings(Settings(interval_minutes=30), True)
    assert rig.controller.planner.settings.interval_minutes == 30
    assert rig.controller.planner.next_due == MONDAY_9.replace(minute=30)
    text = windows.settings.file.path.read_text()
    assert "interval_minutes = 30" in text and "# " in text
    assert windows.settings.autostart.enabled()
    assert (tmp_path / "xdg" / "autostart" / "io.github.deskguard.DeskGuard.desktop").exists()
    windows.apply_settings(Settings(interval_minutes=30), False)
    assert not (tmp_path / "xdg" / "autostart" / "io.github.deskguard.DeskGuard.desktop").exists()


def test_summary_dialog_shows_the_week(rig: Rig, tmp_path: Path, qtbot: QtBot) -> None:
    rig.advance(minutes=45)
    rig.window.skip_requested.emit()
    windows = make(rig, tmp_path)
    rig.actions.summary_action.trigger()
    dialog = windows._summary
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert dialog.table.item(0, 6).text() == "0"  # Monday: missed
    assert dialog.table.item(0, 5).text() == "1"  # Monday: skipped
    assert dialog.table.item(7, 0).text() == "Week"
    assert "You got up for 0 of 1 break" in dialog.headline.text()


def shown(windows: Windows, name: str) -> QWidget | None:
    return windows._summary if name == "summary" else windows._open.get(name)


def by_close(window: QWidget, qtbot: QtBot) -> None:
    window.close()  # the title bar's close (the weekly chart only hides itself)


def by_escape(window: QWidget, qtbot: QtBot) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Escape)


def by_cancel(window: QWidget, qtbot: QtBot) -> None:
    assert isinstance(window, QDialog)
    window.reject()


CLOSERS: dict[str, Callable[[QWidget, QtBot], None]] = {
    "close": by_close,
    "escape": by_escape,
    "cancel": by_cancel,
}


@pytest.mark.parametrize(
    ("action", "name", "closer"),
    [
        ("summary_action", "summary", "close"),
        ("library_action", "library", "close"),
        ("library_action", "library", "escape"),
        ("checklist_action", "checklist", "cancel"),
        ("red_flags_action", "red_flags", "escape"),
        ("settings_action", "settings", "cancel"),
        ("settings_action", "settings", "close"),
    ],
)
def test_a_closed_window_is_released_and_built_afresh(
    rig: Rig, tmp_path: Path, qtbot: QtBot, action: str, name: str, closer: str
) -> None:
    windows = make(rig, tmp_path)
    trigger = getattr(rig.actions, action).trigger
    trigger()
    first = shown(windows, name)
    assert first is not None and first.isVisible()
    if name == "checklist":  # asked for again while open: from the last saved answers
        with qtbot.waitSignal(first.destroyed, timeout=2000):
            trigger()
        first = shown(windows, name)
        assert first is not None and first.isVisible()
    else:  # asked for again while open: the same window, shown again
        trigger()
        assert shown(windows, name) is first and first.isVisible()
    gone = weakref.ref(first)
    with qtbot.waitSignal(first.destroyed, timeout=2000):  # Qt deletes it, not only hides it
        CLOSERS[closer](first, qtbot)
        assert shown(windows, name) is None  # forgotten at once
    del first
    qtbot.waitUntil(lambda: gone() is None)  # and the Python side goes with it
    assert windows._releasing == {}
    trigger()  # asked for again: built afresh, and it works
    second = shown(windows, name)
    assert second is not None
    qtbot.addWidget(second)
    assert second.isVisible()


def test_a_window_closed_twice_over_is_released_once(
    rig: Rig, tmp_path: Path, qtbot: QtBot
) -> None:
    windows = make(rig, tmp_path)
    rig.actions.library_action.trigger()
    library = windows._open["library"]
    with qtbot.waitSignal(library.destroyed):
        library.close()
        library.show()  # shown again before Qt deleted it: still released, no error
        library.close()
    assert "library" not in windows._open and windows._releasing == {}


def test_settings_saved_with_ok_then_opened_again_show_the_new_values(
    rig: Rig, tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskguard.ui.settings_dialog import SettingsDialog

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    windows = make(rig, tmp_path)
    rig.actions.settings_action.trigger()
    dialog = windows._open["settings"]
    assert isinstance(dialog, SettingsDialog)
    with qtbot.waitSignal(dialog.destroyed):
        windows.apply_settings(Settings(interval_minutes=30), False)
        dialog.accept()
    del dialog
    rig.actions.settings_action.trigger()
    again = windows._open["settings"]
    assert isinstance(again, SettingsDialog)
    qtbot.addWidget(again)
    assert again.settings().interval_minutes == 30

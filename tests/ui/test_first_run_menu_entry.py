"""The welcome offers the applications-menu entry when DeskGuard is not in the menu (#17).

The dialog shows "Add DeskGuard to the applications menu" (ticked) only when the app
asks it to; finishing with it ticked asks for the entry; the app (app.offer_menu_entry)
asks only when no desktop file names DeskGuard, and then writes the entry under the
user's XDG data folder. Offscreen, under tmp_path.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from deskguard import app
from deskguard.adapters.content import Library, load_library
from deskguard.core.model import Settings
from deskguard.ui.first_run import FirstRunDialog

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1)))
APP_ID = "io.github.deskguard.DeskGuard"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.fixture
def dialog(qtbot: QtBot, library: Library) -> FirstRunDialog:
    d = FirstRunDialog(
        Settings(),
        library.red_flags,
        library.disclaimer,
        library.checklist("workstation"),
        lambda: NOW,
    )
    qtbot.addWidget(d)
    d.show()
    return d


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "system"))
    monkeypatch.delenv("DESKGUARD_HOME", raising=False)
    return tmp_path / "share" / "applications" / f"{APP_ID}.desktop"


class Notes:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.shown.append((title, body))


def test_not_offered_unless_asked(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    dialog.go_to(2)
    assert not dialog.menu_entry_box.isVisible() and not dialog.menu_entry_offered
    with qtbot.assertNotEmitted(dialog.menu_entry_requested):
        dialog.go_to(3)
        dialog.next()


def test_offered_next_to_autostart_ticked_and_asked_for_on_finish(
    qtbot: QtBot, dialog: FirstRunDialog
) -> None:
    dialog.offer_menu_entry()
    dialog.go_to(2)
    box = dialog.menu_entry_box
    assert box.isVisible() and box.isChecked()
    assert dialog.pages.currentWidget().isAncestorOf(box)
    assert box.accessibleName() == "Add DeskGuard to the applications menu"
    assert dialog.autostart_box.nextInFocusChain() is box  # Tab: autostart → menu entry
    mnemonics = [
        w.text().lower().split("&")[1][:1]
        for w in (*dialog.findChildren(QLabel), *dialog.findChildren(QAbstractButton))
        if w.isVisible() and "&" in w.text()
    ]
    assert mnemonics.count("m") == 1  # Alt+M is this box only
    dialog.go_to(3)
    with qtbot.waitSignal(dialog.menu_entry_requested, timeout=1000):
        dialog.later()  # "Later" skips the checklist, not the menu entry


def test_unticked_it_is_not_asked_for(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    dialog.offer_menu_entry()
    dialog.go_to(2)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=1000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not dialog.menu_entry_box.isChecked(), timeout=1000)
    with qtbot.assertNotEmitted(dialog.menu_entry_requested):
        dialog.go_to(3)
        dialog.next()


def test_the_app_offers_it_when_deskguard_is_not_in_the_menu_and_adds_it(
    qtbot: QtBot, dialog: FirstRunDialog, xdg: Path
) -> None:
    notes = Notes()
    app.offer_menu_entry(notes)  # type: ignore[arg-type]  # only notify() is used
    assert dialog.menu_entry_offered
    dialog.go_to(3)
    dialog.next()
    assert xdg.is_file()  # the same files as `deskguard desktop-entry install`
    assert "X-DeskGuard-Managed=true" in xdg.read_text()
    assert notes.shown == []


def test_the_app_does_not_offer_it_when_deskguard_is_in_the_menu(
    dialog: FirstRunDialog, xdg: Path
) -> None:
    system = xdg.parents[2] / "system" / "applications" / xdg.name  # e.g. from the .deb
    system.parent.mkdir(parents=True)
    system.write_text("[Desktop Entry]\n")
    app.offer_menu_entry(Notes())  # type: ignore[arg-type]
    assert not dialog.menu_entry_offered


def test_with_deskguard_home_it_is_not_offered(
    dialog: FirstRunDialog, xdg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKGUARD_HOME", str(tmp_path / "portable"))  # portable use, tests
    app.offer_menu_entry(Notes())  # type: ignore[arg-type]
    assert not dialog.menu_entry_offered


def test_a_failure_to_add_it_is_told(
    dialog: FirstRunDialog, xdg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = xdg.parents[1]
    share.parent.mkdir(parents=True, exist_ok=True)
    share.write_text("a file where the share folder should be")
    notes = Notes()
    app.offer_menu_entry(notes)  # type: ignore[arg-type]
    dialog.go_to(3)
    dialog.next()
    assert [title for title, _ in notes.shown] == [
        "DeskGuard could not add itself to the applications menu"
    ]

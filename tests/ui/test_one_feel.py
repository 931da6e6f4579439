"""One feel across every window of the gallery: Esc closes it, its title reads
"DeskGuard — …", and its buttons carry words, not a style's stock icons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.gallery_scenes import SCENES

# Esc answers these rather than closing them: the break window skips the prompt or stops
# the break (it is the app's own key), the session player asks before stopping.
ESC_ANSWERS = {"break-prompt", "break-prompt-walking", "break-running-stretch",
               "break-running-strength", "break-running-walking", "break-finish"}  # fmt: skip
PLAYER = {name for name in SCENES if name.startswith("player-")}


@pytest.mark.parametrize("name", [n for n in SCENES if n not in ESC_ANSWERS | PLAYER])
def test_escape_closes_every_window(qtbot: QtBot, name: str) -> None:
    window = SCENES[name]()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitActive(window, timeout=2000):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    QCoreApplication.processEvents()
    assert not window.isVisible(), name


@pytest.mark.parametrize("name", list(SCENES))
def test_titles_and_buttons(qtbot: QtBot, name: str) -> None:
    window = SCENES[name]()
    qtbot.addWidget(window)
    if name != "tray-menu":  # a menu has no title bar
        assert window.windowTitle().startswith("DeskGuard — "), window.windowTitle()
    for button in window.findChildren(QPushButton):
        assert button.icon().isNull(), f"{name}: {button.text()!r} has an icon"

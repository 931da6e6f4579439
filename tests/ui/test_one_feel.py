"""One feel across every window of the gallery: Esc closes it, its title reads
"DeskGuard — …", and its buttons carry words, not a style's stock icons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QProxyStyle, QPushButton, QStyle, QStyleFactory
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


class _IconsOnButtons(QProxyStyle):
    """A style like some desktops' (seen on sway): standard dialog buttons get icons."""

    def styleHint(self, hint: QStyle.StyleHint, *args: object) -> int:
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 1
        return int(super().styleHint(hint, *args))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["checklist", "warning-signs", "settings-1", "welcome-1"])
def test_no_stock_icons_even_where_the_style_offers_them(qtbot: QtBot, name: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.style().name()
    app.setStyle(_IconsOnButtons(QStyleFactory.create("Fusion")))
    try:
        window = SCENES[name]()
        qtbot.addWidget(window)
        for button in window.findChildren(QPushButton):
            assert button.icon().isNull(), f"{name}: {button.text()!r} has an icon"
    finally:
        app.setStyle(before)

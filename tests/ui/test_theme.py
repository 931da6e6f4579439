"""Light, dark or the desktop's own look (Settings → Startup & look)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from deskguard.ui.theme import apply_theme, is_dark


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    style, palette = qapp.style().name(), qapp.palette()
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setProperty("deskguard_system_style", None)


def test_dark_light_and_back_to_the_desktop(app: QApplication) -> None:
    system_style = app.style().name()
    apply_theme(app, "dark")
    assert is_dark(app.palette()) and app.style().name().lower() == "fusion"
    window = app.palette().color(QPalette.ColorRole.Window)
    text = app.palette().color(QPalette.ColorRole.WindowText)
    assert text.lightness() - window.lightness() > 120
    apply_theme(app, "light")
    assert not is_dark(app.palette())
    apply_theme(app, "system")
    assert app.style().name() == system_style


def test_an_unknown_theme_is_named(app: QApplication) -> None:
    with pytest.raises(ValueError, match="unknown theme 'blue'"):
        apply_theme(app, "blue")

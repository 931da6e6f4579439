"""Every text of every window in the gallery is readable, in the light and the dark theme
(WCAG 2.1 contrast: 4.5:1, or 3:1 for large text), measured as drawn (tests/ui/contrast.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from deskguard.ui.theme import apply_theme
from tests.ui.contrast import measure
from tests.ui.gallery_scenes import SCENES


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    style, palette = qapp.style().name(), qapp.palette()
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_in_every_window_is_readable(themed: QApplication, theme: str) -> None:
    apply_theme(themed, theme)
    findings: list[str] = []
    measured = 0
    for name, build in SCENES.items():
        window = build()
        window.show()
        QCoreApplication.processEvents()
        found, count = measure(window, f"{theme}/{name}")
        findings += map(str, found)
        measured += count
        window.hide()
        window.deleteLater()
        QCoreApplication.processEvents()
    assert measured > 800  # every window was measured, not skipped
    assert findings == []


def test_the_measure_finds_faint_text(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    faint = QLabel("Light grey on white is hard to read")
    faint.setStyleSheet("color: #b0b0b0; background: #ffffff;")
    fine = QLabel("Dark grey on white is fine")
    fine.setStyleSheet("color: #444444; background: #ffffff;")
    big = QLabel("Large text needs only 3:1")
    big.setStyleSheet("color: #8a8a8a; background: #ffffff; font-size: 26px;")
    for label in (faint, fine, big):
        layout.addWidget(label)
    window.show()
    qtbot.waitExposed(window)
    found, measured = measure(window, "sample")
    assert measured == 3
    assert [(f.text, f.fg, f.bg) for f in found] == [
        ("Light grey on white is hard to read", "#b0b0b0", "#ffffff")
    ]
    assert found[0].ratio == pytest.approx(2.13, abs=0.05) and found[0].needed == 4.5
    assert faint.text() == "Light grey on white is hard to read"  # put back after measuring

"""The Qt binding must not leak references away from None, True or False.

PySide6 6.12.0 took one reference off None on every call that returns nothing. On
Python 3.11 (Debian 12's) None is an ordinary refcounted object, so after a few thousand
widget updates it was freed and the app aborted with "deallocating None". The break
countdown updates a label every second, so a working day was enough. pyproject.toml
keeps PySide6 below 6.12 for this; this test fails on any binding that brings it back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QCheckBox, QLabel, QProgressBar
from pytestqt.qtbot import QtBot

CALLS = 500  # x3 calls: well below the ~5,400 references None starts with


def test_void_calls_keep_the_references_of_none_and_bools(qtbot: QtBot) -> None:
    label, bar, box = QLabel(), QProgressBar(), QCheckBox()
    for widget in (label, bar, box):
        qtbot.addWidget(widget)
    label.setText("warm-up")
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for n in range(CALLS):
        label.setText(str(n))
        bar.setValue(n % 100)
        box.setChecked(n % 2 == 0)
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    if sys.version_info >= (3, 12):  # immortal objects: counts are fixed, nothing to lose
        return
    # A few references may come and go with caches; thousands lost would be the bug.
    assert all(b - a < CALLS // 10 for b, a in zip(before, after, strict=True)), (before, after)


def test_no_window_asks_qwidget_for_its_screen() -> None:
    """PySide6 6.9-6.11: QWidget.screen() from a Python widget's showEvent let the
    collected widget free the QScreen, and the next window crashed in QWidget's
    constructor (reproduced: the clinician screen's tests after a progress bar).
    ui.widgets.screen_of() asks QGuiApplication instead."""
    import re
    from pathlib import Path

    import deskguard

    root = Path(deskguard.__file__).parent
    calls = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"(self|window|widget)\.screen\(\)", line)
    ]
    assert calls == []

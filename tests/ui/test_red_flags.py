"""'When to see a professional' lists every red flag, its threshold and the disclaimer."""

from __future__ import annotations

import html

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import Library, load_library
from deskguard.core.model import RedFlag
from deskguard.ui.red_flags import TITLE, RedFlagsDialog, RedFlagsView


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def test_lists_every_flag_with_its_threshold(qtbot: QtBot, library: Library) -> None:
    dialog = RedFlagsDialog(library.red_flags, library.disclaimer)
    qtbot.addWidget(dialog)
    dialog.show()
    assert TITLE in dialog.windowTitle()
    shown = dialog.view.flags.text()
    assert dialog.view.count == len(library.red_flags) >= 8
    assert shown.count("<li") == len(library.red_flags)
    for flag in library.red_flags:
        assert html.escape(flag.text) in shown, flag.id
        if flag.threshold:
            assert html.escape(flag.threshold) in shown, flag.id
    assert dialog.view.disclaimer.text() == library.disclaimer
    assert "not medical advice" in dialog.view.disclaimer.text()


def test_text_is_escaped_not_interpreted(qtbot: QtBot) -> None:
    flags = (RedFlag("x", "Pain <b>here</b> & there", "after <2> days"),)
    view = RedFlagsView(flags, "Not advice.")
    qtbot.addWidget(view)
    assert "&lt;b&gt;here&lt;/b&gt; &amp; there" in view.flags.text()
    assert "after &lt;2&gt; days" in view.flags.text()


def test_a_flag_without_threshold_has_no_time_frame_line(qtbot: QtBot) -> None:
    view = RedFlagsView((RedFlag("x", "Fever with back pain."),), "Not advice.")
    qtbot.addWidget(view)
    assert "Time frame" not in view.flags.text()


def test_esc_and_return_close(qtbot: QtBot, library: Library) -> None:
    for key in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
        dialog = RedFlagsDialog(library.red_flags, library.disclaimer)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClick(dialog, key)
        assert not dialog.isVisible()

"""Small building blocks shared by the windows, so they all read alike."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget


def text_label(
    text: str = "",
    *,
    scale: float = 1.0,
    bold: bool = False,
    muted: bool = False,
    selectable: bool = False,
) -> QLabel:
    """A wrapping plain-text label; `muted` uses the palette's secondary text colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if scale != 1.0 or bold:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * scale)
        font.setBold(bold)
        label.setFont(font)
    if muted:
        label.setStyleSheet("color: palette(placeholder-text);")
    return label


def vertical_scroll(widget: QWidget) -> tuple[QScrollArea, QWidget]:
    """`widget` topped up with stretch in a frameless, vertical-only scroll area.

    Returns the scroll area and the content widget inside it (for height fitting).
    """
    content = QWidget()
    inner = QVBoxLayout(content)
    inner.setContentsMargins(0, 0, 8, 0)  # room for the scroll bar
    inner.addWidget(widget)
    inner.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    return scroll, content


def screen_of(widget: QWidget) -> QScreen | None:
    """The screen under the widget's centre, else the primary one.

    Not QWidget.screen(): with PySide6 6.9-6.11, calling it from a Python widget's
    showEvent tied the QScreen to that widget's wrapper, and collecting the widget
    freed the screen; the next window then crashed (tests/ui/test_binding.py).
    """
    centre = widget.mapToGlobal(widget.rect().center())
    return QGuiApplication.screenAt(centre) or QGuiApplication.primaryScreen()

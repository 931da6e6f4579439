"""Small building blocks shared by the windows, so they all read alike."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, time

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt, QTime
from PySide6.QtGui import QGuiApplication, QPalette, QScreen
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget


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


def local_date(day: date, fmt: str, locale: QLocale | None = None) -> str:
    """`day` in the user's locale ("d MMM": 23 Nov, 23. Nov., 23 nov.)."""
    return str((locale or QLocale()).toString(QDate(day.year, day.month, day.day), fmt))


def local_time(at: time) -> str:
    """A clock time in the user's locale's short form (09:45, 9:45 AM)."""
    q = QTime(at.hour, at.minute)
    return str(QLocale().toString(q, QLocale.FormatType.ShortFormat))


def screen_of(widget: QWidget) -> QScreen | None:
    """The screen under the widget's centre, else the primary one.

    Not QWidget.screen(): with PySide6 6.9-6.11, calling it from a Python widget's
    showEvent tied the QScreen to that widget's wrapper, and collecting the widget
    freed the screen; the next window then crashed (tests/ui/test_binding.py).
    """
    centre = widget.mapToGlobal(widget.rect().center())
    return QGuiApplication.screenAt(centre) or QGuiApplication.primaryScreen()


# Okabe & Ito colours, as in the weekly chart: told apart with colour blindness too.
WARNING_COLOUR = "#D55E00"  # vermillion
INFO_COLOUR = "#0072B2"  # blue
GOOD_COLOUR = "#009E73"  # bluish green

# The same hues as *text*, dark enough on a light window and light enough on a dark one
# (WCAG 4.5:1 on the window and button backgrounds; tests/ui/test_contrast.py measures).
_READABLE = {
    GOOD_COLOUR: ("#00694A", "#5EE0A8"),
    WARNING_COLOUR: ("#9A3C00", "#FFB07F"),
    INFO_COLOUR: ("#005A8C", "#8CC8F5"),
}


def readable(colour: str) -> str:
    """`colour` (one of the constants above) as a text colour for the current palette."""
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    light, dark = _READABLE.get(colour, (colour, colour))
    return dark if window.lightness() < 128 else light


def named_button(text: str, name: str, *, focus: bool = True) -> QPushButton:
    """A push button with an accessible name; `focus=False` leaves keys to the window."""
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setMinimumHeight(34)
    button.setAutoDefault(False)
    if not focus:
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


def note_frame(colour: str, name: str) -> tuple[QFrame, QVBoxLayout]:
    """A panel with a coloured bar on its left, for warnings and figures that matter."""
    frame = QFrame()
    frame.setObjectName(name)
    frame.setStyleSheet(
        f"QFrame#{name} {{ border: 1px solid palette(mid); border-left: 5px solid {colour};"
        " border-radius: 4px; }"
    )
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 10, 12, 10)
    layout.setSpacing(6)
    return frame, layout


def disclaimer_label(text: str) -> QLabel:
    """The not-medical-advice line every programme screen carries."""
    label = text_label(text, scale=0.92, muted=True, selectable=True)
    label.setObjectName("disclaimer")
    label.setAccessibleName(QCoreApplication.translate("Programme", "Not medical advice"))
    return label


def fit_to_content(window: QWidget, scroll: QScrollArea, content: QWidget, width: int) -> None:
    """As tall as the scrolled content needs at `width`, up to 85 % of the screen (a longer
    page scrolls), never below the window's minimum: no empty band under short pages."""
    screen = screen_of(window)
    limit = int(screen.availableGeometry().height() * 0.85) if screen is not None else 760
    window.resize(width, max(window.minimumHeight(), 300))
    layout = window.layout()
    if layout is not None:
        layout.activate()
    inner = content.layout()
    if inner is None:
        return
    chrome = window.height() - scroll.height()
    needed = inner.heightForWidth(scroll.viewport().width())
    if needed < 0:
        needed = inner.sizeHint().height()
    wanted = chrome + needed + 4
    window.resize(width, max(window.minimumHeight(), min(wanted, limit)))


def bullet_html(items: Sequence[str]) -> str:
    rows = "".join(f"<li style='margin-bottom:6px'>{html.escape(i)}</li>" for i in items)
    return f"<ul style='margin:0; -qt-list-indent:1'>{rows}</ul>"


def rich_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label

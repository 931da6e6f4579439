"""Pieces shared by the chart windows (progress.py; the week chart draws its own):
QtCharts helpers, summary tiles and the card shown over an empty chart.

Colours come from the palette (light or dark theme) wherever a style sheet can name a
palette role; only the data colours are fixed.
"""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QChart, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette, QPen
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QStackedLayout, QVBoxLayout, QWidget

MUTED = "#6B6B6B"  # only where a palette role cannot be named; prefer palette(placeholder-text)
GOAL_COLOUR = "#444444"


def _role(role: QPalette.ColorRole, alpha: int = 255) -> QColor:
    """A colour of the application's palette (light or dark theme)."""
    colour = QColor(QGuiApplication.palette().color(role))
    colour.setAlpha(alpha)
    return colour


def text_colour() -> QColor:
    return _role(QPalette.ColorRole.Text)


def warning_text() -> str:
    """A warning's text colour for a style sheet: deep orange on light, light on dark
    (#A13F00 on a dark background reads at about 3:1)."""
    dark = _role(QPalette.ColorRole.Base).lightness() < 128
    return "#FFA366" if dark else "#A13F00"


def muted_colour() -> QColor:
    return _role(QPalette.ColorRole.PlaceholderText)


def goal_colour() -> QColor:
    """The goal line: the text colour, so it shows on light and dark backgrounds."""
    return _role(QPalette.ColorRole.Text, 200)


def _pen(colour: str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour))
    pen.setWidthF(width)
    pen.setStyle(style)
    return pen


def _new_chart() -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(6, 6, 6, 6))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    # The palette's colours, not QtCharts' light theme: readable in a dark theme too.
    chart.setBackgroundBrush(QBrush(_role(QPalette.ColorRole.Base)))
    chart.setBackgroundPen(QPen(_role(QPalette.ColorRole.Mid)))
    chart.setTitleBrush(QBrush(text_colour()))
    chart.legend().setLabelColor(text_colour())
    return chart


def _value_axis(low: float, high: float, ticks: int, fmt: str, title: str) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(low, high)
    axis.setTickCount(ticks)
    axis.setLabelFormat(fmt)
    axis.setTitleText(title)
    _colour_axis(axis)
    return axis


def _colour_axis(axis: QValueAxis | QBarCategoryAxis) -> None:
    axis.setLabelsBrush(QBrush(text_colour()))
    axis.setTitleBrush(QBrush(text_colour()))
    axis.setLinePen(QPen(_role(QPalette.ColorRole.Text, 120)))
    grid = QPen(_role(QPalette.ColorRole.Text, 40))
    grid.setWidthF(1)
    axis.setGridLinePen(grid)


def _category_axis(labels: list[str]) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.append(labels)
    font = QFont(axis.labelsFont())
    font.setPointSizeF(font.pointSizeF() * 0.9)
    axis.setLabelsFont(font)
    _colour_axis(axis)
    return axis


def _goal_line(goal: int, count: int) -> QLineSeries:
    line = QLineSeries()
    line.setName(f"Goal {goal}%")
    pen = QPen(goal_colour())
    pen.setWidthF(1.6)
    pen.setStyle(Qt.PenStyle.DashLine)
    line.setPen(pen)
    line.append(-0.5, goal)
    line.append(count - 0.5, goal)
    return line


def overlay_label(text: str, background: str = "palette(base)") -> QLabel:
    """The centred card shown over an empty chart."""
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(
        f"color: palette(placeholder-text); background: {background}; padding: 18px;"
        " border: 1px solid palette(mid); border-radius: 8px;"
    )
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def with_overlay(view: QWidget, label: QLabel) -> QWidget:
    """`view` with `label` floating over it (clicks pass through to the view)."""
    host = QWidget()
    stack = QStackedLayout(host)
    stack.setStackingMode(QStackedLayout.StackingMode.StackAll)
    overlay = QWidget()
    overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    overlay_layout = QVBoxLayout(overlay)
    overlay_layout.addStretch(2)
    overlay_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
    overlay_layout.addStretch(3)
    stack.addWidget(overlay)
    stack.addWidget(view)
    return host


class Tile(QFrame):
    """One summary figure: a big value over a short caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "QFrame#tile { background: palette(alternate-base); border: 1px solid palette(mid);"
            " border-radius: 6px; }"
        )
        self.value = QLabel("—")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: palette(placeholder-text);")
        self.caption.setWordWrap(True)
        self.note = QLabel("")
        self.note.setStyleSheet("color: palette(placeholder-text);")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set(self, value: str, note: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)
        self.setAccessibleName(f"{self.caption.text()}: {value} {note}".strip())

"""Measure the contrast of every visible text in a window, as drawn (WCAG 2.1 §1.4.3).

For each text a user can read — labels, buttons, check boxes, group titles, tabs, table
cells and headers — the window is rendered twice over the text's rectangle: as it is and
with that one text blanked. The pixels that differ are the text; the background is what
the blank render shows under them; the text colour is the drawn pixel that stands out
most from it (a glyph's solid core, not its anti-aliased edge). So style sheets, tiles,
palette roles and fixed colours are all judged as the user sees them.

Disabled controls are exempt (WCAG's own exception), as are texts with fewer than a few
differing pixels (a blank or a single-character glyph hidden by its own background).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QTabBar,
    QTableWidget,
    QWidget,
)

NORMAL = 4.5
LARGE = 3.0  # 18 pt, or 14 pt bold (24 px / 18.67 px at 96 dpi)
MIN_PIXELS = 6


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def ratio(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Finding:
    window: str
    widget: str
    text: str
    fg: str
    bg: str
    ratio: float
    needed: float

    def __str__(self) -> str:
        return (
            f"{self.window}: {self.widget} {self.text!r}: {self.fg} on {self.bg} = "
            f"{self.ratio:.2f}:1 (needs {self.needed}:1)"
        )


@dataclass
class Text:
    """One readable text: where it is, how to blank it and put it back."""

    widget: QWidget
    rect: QRect  # in the window's coordinates
    text: str
    large: bool
    blank: Callable[[], None]
    restore: Callable[[], None]


def _large(widget: QWidget) -> bool:
    font = widget.font()
    pixels = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72
    return pixels >= 24 or (font.bold() and pixels >= 18.66)


def _where(widget: QWidget, window: QWidget, rect: QRect | None = None) -> QRect:
    area = rect if rect is not None else widget.rect()
    return QRect(widget.mapTo(window, area.topLeft()), area.size())


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.isEnabled() and widget.width() > 0


def texts(window: QWidget) -> Iterator[Text]:
    """Every readable text in `window` that can be blanked and put back."""
    for widget in window.findChildren(QWidget):
        if not _shown(widget):
            continue
        if (isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull()) or (
            isinstance(widget, QAbstractButton) and widget.text()
        ):
            value = widget.text()
            yield Text(
                widget,
                _where(widget, window),
                value,
                _large(widget),
                lambda w=widget: w.setText(""),
                lambda w=widget, v=value: w.setText(v),
            )
        elif isinstance(widget, QGroupBox) and widget.title():
            value = widget.title()
            yield Text(
                widget,
                _where(
                    widget, window, QRect(0, 0, widget.width(), widget.fontMetrics().height() + 6)
                ),
                value,
                _large(widget),
                lambda w=widget: w.setTitle(""),
                lambda w=widget, v=value: w.setTitle(v),
            )
        elif isinstance(widget, QComboBox) and widget.currentText():
            index = widget.currentIndex()
            value = widget.currentText()
            yield Text(
                widget,
                _where(widget, window),
                value,
                _large(widget),
                lambda w=widget, i=index: w.setItemText(i, ""),
                lambda w=widget, i=index, v=value: w.setItemText(i, v),
            )
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                value = widget.tabText(i)
                if value and widget.isTabEnabled(i):
                    yield Text(
                        widget,
                        _where(widget, window, widget.tabRect(i)),
                        value,
                        _large(widget),
                        lambda w=widget, i=i: w.setTabText(i, ""),
                        lambda w=widget, i=i, v=value: w.setTabText(i, v),
                    )
        elif isinstance(widget, QTableWidget):
            yield from _table_texts(widget, window)


def _table_texts(table: QTableWidget, window: QWidget) -> Iterator[Text]:
    header = table.horizontalHeader()
    if header.isVisible():
        for c in range(table.columnCount()):
            item = table.horizontalHeaderItem(c)
            if item is None or not item.text():
                continue
            rect = QRect(
                header.sectionViewportPosition(c), 0, header.sectionSize(c), header.height()
            )
            value = item.text()
            yield Text(
                header,
                _where(header.viewport(), window, rect),
                value,
                False,
                lambda it=item: it.setText(""),
                lambda it=item, v=value: it.setText(v),
            )
    viewport = table.viewport()
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            if item is None or not item.text():
                continue
            rect = table.visualItemRect(item)
            if not viewport.rect().contains(rect.center()):
                continue
            value = item.text()
            yield Text(
                table,
                _where(viewport, window, rect),
                value,
                False,
                lambda it=item: it.setText(""),
                lambda it=item, v=value: it.setText(v),
            )


def _pixels(image: QImage) -> array[int]:
    """The image's pixels as 0xffRRGGBB numbers, row by row."""
    data = array("I")
    data.frombytes(bytes(image.constBits()))
    per_row = image.bytesPerLine() // 4
    if per_row == image.width():
        return data
    rows = array("I")
    for y in range(image.height()):
        rows.extend(data[y * per_row : y * per_row + image.width()])
    return rows


def _grab(window: QWidget, rect: QRect) -> QImage:
    image = window.grab(rect).toImage().convertToFormat(QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(1.0)
    return image


def measure(window: QWidget, name: str) -> tuple[list[Finding], int]:
    """Findings below the WCAG minimum, and how many texts were measured."""
    findings: list[Finding] = []
    measured = 0
    for text in list(texts(window)):
        rect = text.rect.intersected(window.rect())
        if rect.isEmpty():
            continue
        drawn = _grab(window, rect)
        text.blank()
        try:
            empty = _grab(window, rect)
        finally:
            text.restore()
        differing = [(a, b) for a, b in zip(_pixels(drawn), _pixels(empty), strict=True) if a != b]
        if len(differing) < MIN_PIXELS:
            continue
        measured += 1
        background = QColor.fromRgb(Counter(b for _, b in differing).most_common(1)[0][0])
        bg = background.name()
        fg = max(
            (QColor.fromRgb(a) for a in {a for a, _ in differing}),
            key=lambda c: ratio(c, background),
        )
        value = ratio(fg, background)
        needed = LARGE if text.large else NORMAL
        if value < needed:
            label = text.widget.objectName() or type(text.widget).__name__
            findings.append(
                Finding(name, label, text.text[:60], fg.name(), bg, round(value, 2), needed)
            )
    return findings, measured

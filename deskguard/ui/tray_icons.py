"""The tray icon's look per state: the app icon with a badge that tells the state by its
shape, never by colour alone, and that reads on light and dark panels alike.

- working, on a break: the plain icon;
- a break waiting for an answer, or held back by a presentation: a round badge with "!";
- paused: the icon faded to grey, a badge with two pause bars;
- outside working hours: the icon faded to grey, a badge with a crescent moon.

Every badge is a dark disc inside a white ring, so one of the two contrasts with any
panel. Icons are painted once per state and size, and only when the state changes.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from deskguard.core.model import State

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon, QImage, QPainter

# The painting classes load with the first badge, not at start: while DeskGuard sits
# in the tray working, the plain icon is all it shows (~0.75 MB of bindings spared).

SIZES = (16, 22, 24, 32, 48, 64)
BADGE_DARK = "#20262c"
BADGE_ALERT = "#b3411b"  # a prompt waiting: the one badge in colour, also a "!"


class Look(enum.Enum):
    WORKING = "working"
    WAITING = "waiting"
    PAUSED = "paused"
    OFF_HOURS = "off-hours"


def look_of(state: State, held: bool) -> Look:
    if state is State.PROMPTING or held:
        return Look.WAITING
    if state is State.PAUSED:
        return Look.PAUSED
    if state is State.OUTSIDE_HOURS:
        return Look.OFF_HOURS
    return Look.WORKING


def _faded(image: QImage) -> QImage:
    """Grey and a little transparent: resting, not gone."""
    from PySide6.QtGui import QColor, QImage

    grey = image.convertToFormat(QImage.Format.Format_ARGB32)
    for y in range(grey.height()):
        for x in range(grey.width()):
            c = grey.pixelColor(x, y)
            if c.alpha() == 0:
                continue
            v = round(0.3 * c.red() + 0.59 * c.green() + 0.11 * c.blue())
            v = 90 + v * 100 // 255  # a mid grey band: visible on light and dark panels
            grey.setPixelColor(x, y, QColor(v, v, v, c.alpha() * 85 // 100))
    return grey


def _badge(painter: QPainter, size: int, look: Look) -> None:
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QPainterPath, QPen

    d = size * 0.56  # big enough to read at 16 px
    box = QRectF(size - d, size - d, d, d).adjusted(0.5, 0.5, -0.5, -0.5)
    ring = max(1.0, size / 16)
    painter.setPen(QPen(QColor("white"), ring))
    painter.setBrush(QColor(BADGE_ALERT if look is Look.WAITING else BADGE_DARK))
    painter.drawEllipse(box)
    mark = box.adjusted(d * 0.26, d * 0.26, -d * 0.26, -d * 0.26)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))
    if look is Look.WAITING:
        w = mark.width() * 0.3
        painter.drawRect(QRectF(mark.center().x() - w / 2, mark.top(), w, mark.height() * 0.62))
        painter.drawRect(QRectF(mark.center().x() - w / 2, mark.bottom() - w, w, w))
    elif look is Look.PAUSED:
        w = mark.width() * 0.32
        painter.drawRect(QRectF(mark.left(), mark.top(), w, mark.height()))
        painter.drawRect(QRectF(mark.right() - w, mark.top(), w, mark.height()))
    elif look is Look.OFF_HOURS:
        moon = QPainterPath()
        moon.addEllipse(mark)
        bite = QPainterPath()
        shift = mark.width() * 0.38
        bite.addEllipse(mark.translated(QPointF(shift, -shift * 0.6)))
        painter.drawPath(moon.subtracted(bite))


def render(base: QIcon, look: Look, size: int) -> QImage:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    plain = base.pixmap(size, size).toImage()
    if look in (Look.PAUSED, Look.OFF_HOURS):
        plain = _faded(plain)
    painter.drawImage(QRectF(0, 0, size, size), plain)
    if look is not Look.WORKING:
        _badge(painter, size, look)
    painter.end()
    return image


class StateIcons:
    """One QIcon per look, painted on first use."""

    def __init__(self, base: QIcon) -> None:
        self.base = base
        self._icons: dict[Look, QIcon] = {}

    def icon(self, look: Look) -> QIcon:
        icon = self._icons.get(look)
        if icon is None:
            if look is Look.WORKING:
                icon = self.base
            else:
                from PySide6.QtGui import QIcon, QPixmap

                icon = QIcon()
                for size in SIZES:
                    icon.addPixmap(QPixmap.fromImage(render(self.base, look, size)))
            self._icons[look] = icon
        return icon

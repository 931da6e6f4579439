"""The tray icon's look per state: the app icon with a badge that tells the state by its
shape, never by colour alone, and that reads on light and dark panels alike.

- working, on a break: the plain icon;
- a break waiting for an answer, or held back by a presentation: a round badge with "!";
- paused: the icon faded to grey, a badge with two pause bars;
- outside working hours: the icon faded to grey, a badge with a crescent moon.

Every badge is a dark disc inside a white ring, so one of the two contrasts with any
panel. Icons are painted once per state and size, and only when the state changes.

Where the panel draws its own icons in one colour (GNOME's top bar, KDE Plasma's panel)
a full-colour square looks foreign, so there the icon is **symbolic**: the figure and
arrow alone, in the panel's foreground colour, and each state a mark of its own shape
cut into the corner (a disc with "!" knocked out, two pause bars, a crescent moon), the
figure half transparent while resting. `tray_style` picks the set from the desktop.
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


class Style(enum.Enum):
    COLOUR = "colour"
    SYMBOLIC_LIGHT = "symbolic-light"  # a light glyph, for a dark panel
    SYMBOLIC_DARK = "symbolic-dark"  # a dark glyph, for a light panel


# GNOME Shell's top-bar text and Breeze's window text: what the panels' own icons use.
MARK_SHARE = 0.5  # the symbolic mark's share of the icon's side
SYMBOLIC_COLOURS = {Style.SYMBOLIC_LIGHT: "#f6f5f4", Style.SYMBOLIC_DARK: "#232629"}


def tray_style(desktop: str, prefers_dark: bool | None = None) -> Style:
    """The icon set the desktop asks for: `desktop` is XDG_CURRENT_DESKTOP ("ubuntu:GNOME",
    "KDE"); `prefers_dark` the desktop's colour scheme where known (the portal's
    org.freedesktop.appearance color-scheme).

    GNOME's top bar is dark in its light and dark styles alike (GNOME Classic's is light);
    Plasma's panel follows the colour scheme, light by default (Breeze).
    """
    names = {part.strip().lower() for part in desktop.split(":")}
    if "gnome-classic" in names:
        return Style.SYMBOLIC_DARK
    if "gnome" in names:
        return Style.SYMBOLIC_LIGHT
    if "kde" in names:
        return Style.SYMBOLIC_LIGHT if prefers_dark else Style.SYMBOLIC_DARK
    return Style.COLOUR


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


def _glyph(painter: QPainter, size: float, colour: str) -> None:
    """The app icon's figure and arrow (resources/icons/deskguard.svg) without its square,
    scaled to fill `size`: the panel's own icons are glyphs, not tiles."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QPen, QPolygonF

    painter.save()
    scale = size / 50.0  # the glyph's box in the SVG: x 9.5..59.5, y 8.5..58.5
    painter.scale(scale, scale)
    painter.translate(-9.5, -8.5)
    pen = QPen(QColor(colour), 7.0)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QPointF(24, 15), 6.5, 6.5)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for points in (
        ((24, 26), (24, 39)),
        ((15, 53), (24, 39), (33, 53)),
        ((14, 34), (24, 27), (34, 34)),
        ((47, 51), (47, 16)),
        ((39, 24), (47, 15), (55, 24)),
    ):
        painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in points]))
    painter.restore()


def _symbolic_mark(painter: QPainter, size: int, look: Look, colour: str) -> None:
    """The state's mark in the glyph's own colour, in a corner cleared for it."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QPainter, QPainterPath

    d = size * MARK_SHARE
    box = QRectF(size - d, size - d, d, d)
    gap = max(1.0, size / 16)  # a clear ring parts the mark from the figure
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    painter.setBrush(QColor("black"))
    painter.drawEllipse(box.adjusted(-gap, -gap, gap, gap))
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    painter.setBrush(QColor(colour))
    inner = box.adjusted(d * 0.08, d * 0.08, -d * 0.08, -d * 0.08)
    if look is Look.WAITING:  # a solid disc with "!" knocked out of it
        painter.drawEllipse(inner)
        mark = inner.adjusted(d * 0.24, d * 0.2, -d * 0.24, -d * 0.2)
        w = max(1.0, mark.width() * 0.32)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        painter.drawRect(QRectF(mark.center().x() - w / 2, mark.top(), w, mark.height() * 0.6))
        painter.drawRect(QRectF(mark.center().x() - w / 2, mark.bottom() - w, w, w))
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    elif look is Look.PAUSED:  # two upright bars, no disc
        w = inner.width() * 0.3
        painter.drawRect(QRectF(inner.left() + w * 0.25, inner.top(), w, inner.height()))
        painter.drawRect(QRectF(inner.right() - w * 1.25, inner.top(), w, inner.height()))
    elif look is Look.OFF_HOURS:  # a crescent moon
        moon = QPainterPath()
        moon.addEllipse(inner)
        bite = QPainterPath()
        shift = inner.width() * 0.38
        bite.addEllipse(inner.translated(QPointF(shift, -shift * 0.6)))
        painter.drawPath(moon.subtracted(bite))


def render_symbolic(look: Look, size: int, style: Style) -> QImage:
    """One colour only (the panel's foreground), the state told by the mark's shape."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    colour = SYMBOLIC_COLOURS[style]
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if look in (Look.PAUSED, Look.OFF_HOURS):
        painter.setOpacity(0.5)  # resting: fainter, the same colour
    # With a mark, the figure moves up and left to leave the corner to it.
    _glyph(painter, size if look is Look.WORKING else size * 0.84, colour)
    painter.setOpacity(1.0)
    if look is not Look.WORKING:
        _symbolic_mark(painter, size, look, colour)
    painter.end()
    return image


def render(base: QIcon, look: Look, size: int, style: Style = Style.COLOUR) -> QImage:
    if style is not Style.COLOUR:
        return render_symbolic(look, size, style)
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

    def __init__(self, base: QIcon, style: Style = Style.COLOUR) -> None:
        self.base = base
        self.style = style
        self._icons: dict[Look, QIcon] = {}

    def icon(self, look: Look) -> QIcon:
        icon = self._icons.get(look)
        if icon is None:
            if look is Look.WORKING and self.style is Style.COLOUR:
                icon = self.base
            else:
                from PySide6.QtGui import QIcon, QPixmap

                icon = QIcon()
                for size in SIZES:
                    image = render(self.base, look, size, self.style)
                    icon.addPixmap(QPixmap.fromImage(image))
            self._icons[look] = icon
        return icon

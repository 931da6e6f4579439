"""Small building blocks shared by the windows, so they all read alike."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


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

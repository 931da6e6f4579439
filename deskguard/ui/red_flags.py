"""'When to see a professional': every warning sign, its time threshold, and the disclaimer.

Plain data in (the RedFlag entries and the disclaimer from red_flags.toml). `RedFlagsView`
is the list alone, for the first-run welcome to embed; `RedFlagsDialog` wraps it with a
Close button (Esc or Return closes).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.model import RedFlag
from deskguard.ui.widgets import screen_of, text_label, vertical_scroll

__all__ = ["TITLE", "RedFlagsDialog", "RedFlagsView"]

TITLE = "When to see a professional"


def _label(
    text: str = "", *, scale: float = 1.0, bold: bool = False, muted: bool = False
) -> QLabel:
    return text_label(text, scale=scale, bold=bold, muted=muted, selectable=True)


class RedFlagsView(QWidget):
    """The warning signs as a bulleted list, each with its threshold, then the disclaimer."""

    def __init__(
        self, red_flags: Sequence[RedFlag], disclaimer: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.intro = _label(
            self.tr(
                "DeskGuard helps with everyday stiffness from sitting. See a doctor or "
                "physiotherapist instead if any of these apply to you:"
            )
        )
        self.flags = QLabel()
        self.flags.setWordWrap(True)
        self.flags.setTextFormat(Qt.TextFormat.RichText)
        self.flags.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flags.setAccessibleName(self.tr("Warning signs"))
        self.flags.setText(self._html(red_flags))
        self.count = len(red_flags)
        self.disclaimer = _label(disclaimer)
        self.disclaimer.setAccessibleName(self.tr("Not medical advice"))
        box = QFrame()
        box.setObjectName("disclaimerBox")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(12, 10, 12, 10)
        inner.addWidget(self.disclaimer)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addWidget(self.flags)
        layout.addWidget(box)

    def _html(self, red_flags: Sequence[RedFlag]) -> str:
        # Rich text has no palette(): take the muted colour from the palette now.
        color = self.palette().color(QPalette.ColorRole.PlaceholderText)
        muted = f"rgba({color.red()}, {color.green()}, {color.blue()}, {color.alpha()})"
        rows = []
        for flag in red_flags:
            text = html.escape(flag.text)
            if flag.threshold:
                when = html.escape(self.tr("Time frame: {0}").format(flag.threshold))
                text += f"<br><span style='color: {muted}'>{when}</span>"
            rows.append(f"<li style='margin-bottom:6px'>{text}</li>")
        return f"<ul style='margin:0; -qt-list-indent:1'>{''.join(rows)}</ul>"


class RedFlagsDialog(QDialog):
    def __init__(
        self,
        red_flags: Sequence[RedFlag],
        disclaimer: str,
        icon: QIcon | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("DeskGuard — {0}").format(self.tr(TITLE)))
        self.setObjectName("redFlagsDialog")
        self.setAccessibleName(self.tr(TITLE))
        if icon is not None:
            self.setWindowIcon(icon)
        self.heading = _label(self.tr(TITLE), scale=1.5, bold=True)
        self.view = RedFlagsView(red_flags, disclaimer)
        scroll, content = vertical_scroll(self.view)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.setAccessibleName(self.tr("Close"))
        close.setIcon(QIcon())  # words only: a style's stock icons look foreign
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.setMinimumSize(420, 360)
        self._scroll = scroll
        self._content = content
        self._fit(width=600, max_height=700)

    def showEvent(self, event: QShowEvent) -> None:
        # Word-wrapped labels know their height only once laid out at the real width.
        super().showEvent(event)
        screen = screen_of(self)
        limit = int(screen.availableGeometry().height() * 0.85) if screen else 700
        self._fit(width=self.width(), max_height=limit)

    def _fit(self, width: int, max_height: int) -> None:
        """As tall as the list needs, up to `max_height`; a longer list scrolls."""
        self.resize(width, 400)
        layout = self.layout()
        assert layout is not None
        layout.activate()
        chrome = self.height() - self._scroll.height()
        inner = self._content.layout()
        assert inner is not None
        needed = inner.heightForWidth(self._scroll.viewport().width())
        wanted = chrome + max(needed, 0) + 4
        self.resize(width, max(self.minimumHeight(), min(wanted, max_height)))

"""The break window, built when the first prompt is shown instead of at start.

Until then DeskGuard sits in the tray without the window's module, widgets, pictures and
fonts, nor Qt's namespace enums that module needs (several MB, DESIGN §6). This module
loads none of them itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from deskguard.core.model import Exercise
    from deskguard.ui.break_window import BreakWindow


def on_wayland() -> bool:
    """Wayland: the compositor places windows, keeps none on top and gives a new window
    the keyboard as it sees fit (sway and GNOME do), so no window appears unfocused."""
    return QGuiApplication.platformName().startswith("wayland")


class DeferredBreakWindow(QObject):
    """A BreakWindow made on first use; the same calls and the same signals."""

    start_requested = Signal()
    snooze_requested = Signal()
    skip_requested = Signal()
    done_requested = Signal()
    warning_signs_requested = Signal()

    def __init__(
        self,
        now: Callable[[], datetime],
        icon: QIcon | None = None,
        parent: QObject | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._now = now
        self._monotonic = monotonic
        self._icon = icon
        self._window: BreakWindow | None = None

    @property
    def window(self) -> BreakWindow:
        """The real window, built on first use."""
        if self._window is None:
            from deskguard.ui.break_window import BreakWindow

            window = BreakWindow(self._now, self._icon, self._monotonic)
            window.start_requested.connect(self.start_requested)
            window.snooze_requested.connect(self.snooze_requested)
            window.skip_requested.connect(self.skip_requested)
            window.done_requested.connect(self.done_requested)
            window.warning_signs_requested.connect(self.warning_signs_requested)
            self._window = window
        return self._window

    def show_prompt(
        self,
        exercise: Exercise | None,
        picture: Path | None,
        sat_minutes: int | None,
        snoozes_left: int,
        snooze_minutes: int,
        note: str = "",
    ) -> None:
        self.window.show_prompt(exercise, picture, sat_minutes, snoozes_left, snooze_minutes, note)

    def show_break(
        self,
        exercise: Exercise | None,
        picture: Path | None,
        ends_at: datetime,
        total_s: int,
        note: str = "",
    ) -> None:
        self.window.show_break(exercise, picture, ends_at, total_s, note)

    def bring_forward(self) -> None:
        self.window.bring_forward()

    def show_finish(self, moved_s: int, breaks_today: int) -> None:
        if self._window is not None:  # never shown: nothing to close well
            self._window.show_finish(moved_s, breaks_today)

    def dismiss(self) -> None:
        if self._window is not None:  # never shown: nothing to hide
            self._window.dismiss()

    @property
    def on_break_page(self) -> bool:
        return self._window is not None and self._window.on_break_page

    @property
    def shows_without_focus(self) -> bool:
        """Whether the window can appear without taking the keyboard (services/breaks.py
        then shows a scheduled prompt; else the prompt is the notification)."""
        return not on_wayland()

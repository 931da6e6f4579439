"""GNOME's own break reminders (GNOME 48 and later): are its movement breaks on?

GNOME's Wellbeing settings keep them in ``org.gnome.desktop.break-reminders``:
``selected-breaks`` lists the reminders that are on ('eyesight', 'movement'). With
GNOME's movement reminders and DeskGuard's both on, one break is asked for twice, so
DeskGuard says so, once (`first_seen`), and offers GNOME's settings to turn them off.

"Once" survives restarts: a marker file in the data folder says the user was told; it
is removed when the reminders are seen off, so turning them on again is told again.
Read through the Settings portal (sandboxed too), else gsettings (desktop_settings.py);
on GNOME before 48 the key does not exist and the state stays unknown (None).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, Signal

log = logging.getLogger(__name__)

SCHEMA = "org.gnome.desktop.break-reminders"
KEY = "selected-breaks"
SETTINGS_COMMAND = ("gnome-control-center", "wellbeing")


def movement_on(value: Any) -> bool | None:
    """`selected-breaks` as read: None when unknown (no such key, no answer)."""
    if not isinstance(value, (list, tuple)):
        return None
    return "movement" in value


def on_gnome(env: Mapping[str, str]) -> bool:
    return "gnome" in {p.strip().lower() for p in env.get("XDG_CURRENT_DESKTOP", "").split(":")}


class GnomeBreakReminders(QObject):
    """`state`: True (GNOME's movement reminders are on), False, or None (unknown)."""

    changed = Signal(object)
    first_seen = Signal()  # on, and not told since they were last seen off

    def __init__(self, marker: Path, setting: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if setting is None:
            from deskguard.adapters.autostart import in_flatpak
            from deskguard.adapters.desktop_settings import DesktopSetting

            setting = DesktopSetting(
                SCHEMA, KEY, gsettings=None if in_flatpak() else "gsettings", parent=self
            )
        self.setting = setting
        self.marker = marker
        self.state: bool | None = None
        setting.changed.connect(self._on_value)

    def refresh(self) -> None:
        """Ask again (in the background); at start, and at the alarm's ticks."""
        self.setting.refresh()

    def _on_value(self, value: Any) -> None:
        state = movement_on(value)
        if state == self.state:
            return
        self.state = state
        log.info(
            "GNOME's movement break reminders: %s",
            "unknown" if state is None else "on" if state else "off",
        )
        self.changed.emit(state)
        if state is True and not self.marker.exists():
            try:
                self.marker.parent.mkdir(parents=True, exist_ok=True)
                self.marker.touch(mode=0o600)
            except OSError as err:  # told again next start: better than never
                log.warning("cannot remember having told about GNOME's reminders: %s", err)
            self.first_seen.emit()
        elif state is False:
            self.marker.unlink(missing_ok=True)

    @staticmethod
    def can_open_settings() -> bool:
        return shutil.which(SETTINGS_COMMAND[0]) is not None

    @staticmethod
    def open_settings() -> bool:
        """GNOME's Settings at its Wellbeing page, where the reminders are switched off."""
        started, _pid = QProcess.startDetached(SETTINGS_COMMAND[0], list(SETTINGS_COMMAND[1:]))
        if not started:
            log.warning("could not start %s", " ".join(SETTINGS_COMMAND))
        return bool(started)

"""One path to apply settings: the welcome at first run and the Settings window both
save the file (keeping the user's comments), switch autostart, and make the new
settings take effect at once (the next break moves; the programme follows)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from deskguard.core.model import Settings
from deskguard.core.ports import Autostart, SettingsError, SettingsFile
from deskguard.services.breaks import Breaks

log = logging.getLogger("deskguard")


class SettingsService(QObject):
    def __init__(
        self,
        breaks: Breaks,
        file: SettingsFile,
        autostart: Autostart,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.breaks = breaks
        self.file = file
        self.autostart = autostart

    @property
    def settings(self) -> Settings:
        return self.breaks.planner.settings

    def apply(self, settings: Settings, autostart: bool) -> tuple[str, str] | None:
        """Save, take effect and switch autostart; what went wrong as (title, detail).

        A file that cannot be written leaves everything as it was (nothing is applied
        that the next start would not see). Autostart failing keeps the new settings.
        """
        try:
            self.file.save(settings)
        except OSError as err:
            log.error("could not save settings: %s", err)
            return self.tr("DeskGuard could not save your settings"), str(err)
        self.breaks.apply_settings(settings)
        try:
            self.autostart.set(autostart)  # also when unchanged: it refreshes the entry
        except SettingsError as err:
            log.error("could not change autostart: %s", err)
            return self.tr("DeskGuard could not change autostart"), str(err)
        return None

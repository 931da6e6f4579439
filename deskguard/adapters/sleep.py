"""logind's PrepareForSleep: tick the planner the moment the machine wakes.

The planner already notices a sleep from the gap between ticks; this only makes
the wake-up tick immediate instead of up to a minute late (a Qt timer does not
count suspended time).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection

log = logging.getLogger(__name__)


class SleepWatcher(QObject):
    woke = Signal()
    going_to_sleep = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listening = False

    def start(self, bus: QDBusConnection | None = None) -> bool:
        bus = bus or QDBusConnection.systemBus()
        if not bus.isConnected():
            log.info("no system bus: sleep is noticed from the wall clock only")
            return False
        self.listening = bus.connect(
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            self,
            "1_on_prepare_for_sleep(bool)",  # "1" is Qt's SLOT() prefix
        )  # type: ignore[call-overload]  # the stubs say bytes; only str works at run time
        log.info("logind sleep signal: %s", "listening" if self.listening else "unavailable")
        return self.listening

    @Slot(bool)
    def _on_prepare_for_sleep(self, sleeping: bool) -> None:
        (self.going_to_sleep if sleeping else self.woke).emit()

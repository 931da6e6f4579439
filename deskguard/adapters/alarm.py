"""APScheduler as the wall-clock alarm, fixed for PySide6 (DESIGN §4).

APScheduler's stock QtScheduler cannot cancel its pending `QTimer.singleShot`
under PySide6 (it returns None), so every reschedule adds a timer chain. This
scheduler owns exactly one QTimer, restarts it instead, and runs jobs on the GUI
thread through a DebugExecutor. The alarm keeps two jobs: the planner's next wake
time (a date job) and a once-a-minute heartbeat that notices sleep and clock jumps
(a Qt timer does not count suspended time). Both coalesce, so a stall or a sleep
fires each of them at most once.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from PySide6.QtCore import QObject, QTimer, Signal

_MAX_QT_MS = 2_147_483_647


class OneTimerScheduler(BaseScheduler):  # type: ignore[misc]
    """A BaseScheduler driven by one QTimer on the thread that created it."""

    def __init__(self, parent: QObject | None = None, **options: Any) -> None:
        self.timer = QTimer(parent)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._run_due_jobs)
        super().__init__(**options)

    def _create_default_executor(self) -> DebugExecutor:
        return DebugExecutor()

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait=False)
        self.timer.stop()

    def wakeup(self) -> None:
        self._start_timer(0)

    def _start_timer(self, wait_seconds: float | None) -> None:
        if wait_seconds is None:
            self.timer.stop()
            return
        # Round up: a sub-millisecond wait rounded down to 0 would spin.
        self.timer.start(min(max(1, math.ceil(wait_seconds * 1000)), _MAX_QT_MS))

    def _run_due_jobs(self) -> None:
        self._start_timer(self._process_jobs())


class Alarm(QObject):
    """Emits `fired` at the planner's wake time and once a minute as a heartbeat."""

    fired = Signal()

    def __init__(self, heartbeat_seconds: float = 60.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scheduler = OneTimerScheduler(parent=self)
        self._heartbeat_seconds = heartbeat_seconds
        self._wake: datetime | None = None

    def start(self) -> None:
        self.scheduler.add_job(
            self.fired.emit,
            IntervalTrigger(seconds=self._heartbeat_seconds),
            id="heartbeat",
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
        )
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown()

    @property
    def wake_time(self) -> datetime | None:
        return self._wake

    def set_wake(self, when: datetime | None) -> None:
        """Fire once at `when` (however late: a missed wake still ends in one tick)."""
        job = self.scheduler.get_job("wake")
        if when == self._wake and (job is not None or when is None):
            return
        self._wake = when
        if job is not None:
            self.scheduler.remove_job("wake")
        if when is not None:
            self.scheduler.add_job(
                self.fired.emit,
                DateTrigger(run_date=when),
                id="wake",
                coalesce=True,
                misfire_grace_time=None,
            )

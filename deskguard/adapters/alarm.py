"""APScheduler as the wall-clock alarm, fixed for PySide6 (DESIGN §4).

Three traps, each fixed here:
- APScheduler's stock QtScheduler cannot cancel its pending `QTimer.singleShot` under
  PySide6 (it returns None), so every reschedule adds a timer chain. This scheduler
  owns exactly one QTimer and restarts it instead.
- APScheduler runs a due job *inside* its pass over the jobs and then, for a finished
  date job, removes it by id. A job that sets the next wake (the app's only kind) had
  already removed or replaced that job: the pass then deleted the fresh one, or raised
  `JobLookupError` and never re-armed the timer, and prompts stopped for good. Here due
  jobs are only collected during the pass and run after it, on the GUI thread, once
  the timer is armed again; the timer is re-armed whatever the pass raises.
- A QTimer waits on the monotonic clock but APScheduler reads the wall clock when it
  fires, so a wall clock set back two hours stalled the wake for two hours. The
  heartbeat is a plain QTimer (monotonic), armed for at most the real time left until
  the wake: whatever the wall clock does, `fired` comes on time and the planner, which
  compares the two clocks, sorts out what the step means.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.executors.base import BaseExecutor, run_job
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger("deskguard")

_MAX_QT_MS = 2_147_483_647
RETRY_SECONDS = 5.0  # after a pass over the jobs failed
WAKE_GUARD_SECONDS = 1.0  # the heartbeat's backstop, just after the wake job itself


class DeferredExecutor(BaseExecutor):  # type: ignore[misc]
    """Collects due jobs during the scheduler's pass; `run_pending` runs them after it."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Callable[[], None]] = []

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        self.pending.append(lambda: self._run(job, run_times))

    def _run(self, job: Any, run_times: list[datetime]) -> None:
        try:
            events = run_job(job, job._jobstore_alias, run_times, self._logger.name)
        except BaseException:
            self._run_job_error(job.id, *sys.exc_info()[1:])
        else:
            self._run_job_success(job.id, events)

    def run_pending(self) -> None:
        while self.pending:
            self.pending.pop(0)()


class OneTimerScheduler(BaseScheduler):  # type: ignore[misc]
    """A BaseScheduler driven by one QTimer on the thread that created it."""

    def __init__(self, parent: QObject | None = None, **options: Any) -> None:
        self.timer = QTimer(parent)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._run_due_jobs)
        self.executor = DeferredExecutor()
        super().__init__(**options)

    def _create_default_executor(self) -> DeferredExecutor:
        return self.executor

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait=False)
        self.timer.stop()
        self.executor.pending.clear()

    def wakeup(self) -> None:
        self._start_timer(0)

    def _start_timer(self, wait_seconds: float | None) -> None:
        if wait_seconds is None:
            self.timer.stop()
            return
        # Round up: a sub-millisecond wait rounded down to 0 would spin.
        self.timer.start(min(max(1, math.ceil(wait_seconds * 1000)), _MAX_QT_MS))

    def _run_due_jobs(self) -> None:
        wait: float | None = RETRY_SECONDS
        try:
            wait = self._process_jobs()
        except Exception:
            log.exception("the alarm's scheduler failed; trying again in %.0f s", RETRY_SECONDS)
        finally:
            if self.running:
                self._start_timer(wait)
        # The jobs run now, with the timer armed: whatever they add, remove or raise
        # cannot disturb the pass that found them due.
        self.executor.run_pending()


def _wall_now() -> datetime:
    return datetime.now().astimezone()


class Alarm(QObject):
    """Emits `fired` at the planner's wake time and at least once a heartbeat."""

    fired = Signal()

    def __init__(
        self,
        heartbeat_seconds: float = 60.0,
        parent: QObject | None = None,
        now: Callable[[], datetime] = _wall_now,
    ) -> None:
        super().__init__(parent)
        self.scheduler = OneTimerScheduler(parent=self)
        self._heartbeat_seconds = heartbeat_seconds
        self._now = now
        self._wake: datetime | None = None
        self.heartbeat = QTimer(self)
        self.heartbeat.setSingleShot(True)
        self.heartbeat.timeout.connect(self._beat)

    def start(self) -> None:
        self.scheduler.start()
        self._arm_heartbeat()

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown()
        self.heartbeat.stop()

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    @property
    def wake_time(self) -> datetime | None:
        """The wake the scheduler really holds (None once it has fired or was cleared)."""
        job = self.scheduler.get_job("wake")
        return None if job is None else job.next_run_time

    def set_wake(self, when: datetime | None) -> None:
        """Fire once at `when` (however late: a missed wake still ends in one tick).

        Safe from anywhere, a slot of `fired` included.
        """
        job = self.scheduler.get_job("wake")
        if when != self._wake or (job is None and when is not None):
            self._wake = when
            if job is not None:
                self.scheduler.remove_job("wake")
            if when is not None:
                self.scheduler.add_job(
                    self._wake_due,
                    DateTrigger(run_date=when),
                    id="wake",
                    coalesce=True,
                    misfire_grace_time=None,
                )
        if self.running:
            self._arm_heartbeat()

    def _wake_due(self) -> None:
        self._wake = None  # fired: setting the same time again arms a new wake
        self._arm_heartbeat()
        self.fired.emit()

    def _arm_heartbeat(self) -> None:
        wait = self._heartbeat_seconds
        if self._wake is not None:
            left = (self._wake - self._now()).total_seconds()
            wait = min(wait, max(0.0, left) + WAKE_GUARD_SECONDS)
        self.heartbeat.start(min(max(1, math.ceil(wait * 1000)), _MAX_QT_MS))

    def _beat(self) -> None:
        if not self.running:
            return
        self._arm_heartbeat()
        self.fired.emit()

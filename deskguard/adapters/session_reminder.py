"""The back-care programme's session-day reminder: an APScheduler cron job (issue 7).

The job lives in the alarm's own scheduler (adapters/alarm.py: one QTimer, jobs on the
GUI thread), so it costs no timer of its own. It fires on the programme's days at the
programme's time in the local zone and calls `on_due` (the app passes
`Coach.session_day_reached`, which decides whether a reminder is due and records it).

At most one reminder a day, whatever happens to the machine:
* `coalesce=True`: after a sleep or a stall that spans several planned times, the job
  runs once, for the latest of them;
* `misfire_grace_time` of a few hours: woken (or started) after the time on a session
  day, it still reminds that day; later than that, the day is left alone;
* the coach logs every reminder and refuses a second one on the same day, so a restart,
  a settings change or a catch-up never repeats it, and a missed session is never
  nagged about again (the next reminder is the next session day's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from deskguard.core.model import WEEKDAY_NAMES, Settings

log = logging.getLogger("deskguard")

JOB_ID = "programme-session-day"
# Woken after the time on a session day, a reminder still comes up to this much later;
# the programme's evening time plus this stays within the same day for the default.
GRACE = timedelta(hours=4)


def cron_days(days: frozenset[int]) -> str:
    """Settings' weekday numbers (Monday 0) as a cron day_of_week field, e.g. "mon,wed,fri"."""
    return ",".join(WEEKDAY_NAMES[d] for d in sorted(days))  # cron takes the same names


class SessionReminder:
    """Keeps one cron job in `scheduler` in step with the programme settings.

    `scheduler` is the alarm's APScheduler scheduler; `zone` is the local time zone the
    session time is meant in (default: the scheduler's, which is the system's).
    """

    def __init__(
        self,
        scheduler: BaseScheduler,
        on_due: Callable[[], object],
        zone: tzinfo | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.on_due = on_due
        self.zone: tzinfo = zone if zone is not None else scheduler.timezone

    def schedule(
        self, settings: Settings, now: datetime | None = None, *, catch_up: bool = False
    ) -> None:
        """Put the job in place for `settings` (replacing any), or remove it when off.

        With `catch_up` (at start-up), a session time that passed earlier today, within
        GRACE, is run at once: the coach still reminds only if none went out today.
        """
        self.stop()
        if not settings.programme_reminders or not settings.programme_days:
            log.info("programme reminders: off")
            return
        at = settings.programme_time
        trigger = CronTrigger(
            day_of_week=cron_days(settings.programme_days),
            hour=at.hour,
            minute=at.minute,
            timezone=self.zone,
        )
        options: dict[str, Any] = {}
        if catch_up:
            missed = self.missed_today(settings, now or datetime.now(self.zone))
            if missed is not None:
                options["next_run_time"] = missed
        self.scheduler.add_job(
            self._fire,
            trigger,
            id=JOB_ID,
            name="programme session-day reminder",
            coalesce=True,
            misfire_grace_time=int(GRACE.total_seconds()),
            max_instances=1,
            replace_existing=True,
            **options,
        )
        log.info("programme reminders: next at %s", self.next_run_time)

    def missed_today(self, settings: Settings, now: datetime) -> datetime | None:
        """Today's session time if today is a session day and it passed less than GRACE ago."""
        local = now.astimezone(self.zone)
        if local.weekday() not in settings.programme_days:
            return None
        due = datetime.combine(local.date(), settings.programme_time, tzinfo=self.zone)
        return due if due <= local < due + GRACE else None

    def stop(self) -> None:
        if self.scheduler.get_job(JOB_ID) is not None:
            self.scheduler.remove_job(JOB_ID)

    @property
    def next_run_time(self) -> datetime | None:
        job = self.scheduler.get_job(JOB_ID)
        when: datetime | None = None if job is None else job.next_run_time
        return when

    def _fire(self) -> None:
        try:
            self.on_due()
        except Exception:  # a failed reminder must not take the alarm's scheduler with it
            log.exception("the session-day reminder failed")

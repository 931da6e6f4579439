"""Session-day reminders: a cron job in the alarm's scheduler, replayed on a fake clock.

APScheduler reads the time itself (`datetime.now` in its scheduler and executor
modules, nowhere else), so the fixture points exactly those two names at the test's
FakeClock. The alarm's scheduler then runs its jobs as in the app; `run()` stands in
for its QTimer firing: at least once a minute while the machine is awake (the heartbeat), and
once on waking after a sleep, however long.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from deskguard.adapters.alarm import Alarm
from deskguard.adapters.content import load_library
from deskguard.adapters.session_reminder import GRACE, JOB_ID, SessionReminder, cron_days
from deskguard.core.clock import FakeClock
from deskguard.core.model import Settings
from deskguard.core.programme import Kind
from deskguard.services.programme import Coach, MemoryProgrammeLog

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)  # sessions Monday, Wednesday, Friday at 18:00 (the defaults)
WEDNESDAY = MONDAY + timedelta(days=2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def fake_datetime(clock: FakeClock) -> type[datetime]:
    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            current = clock.now()
            return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)

    return FakeDatetime


@dataclass
class World:
    clock: FakeClock
    alarm: Alarm
    log: MemoryProgrammeLog = field(default_factory=MemoryProgrammeLog)
    reminders: list[datetime] = field(default_factory=list)  # when a reminder went out
    coach: Coach | None = None
    reminder: SessionReminder | None = None

    def start_app(self, settings: Settings | None = None) -> SessionReminder:
        """What app.py does at start: a coach on the stored log and the job, caught up."""
        settings = settings or Settings()
        self.coach = Coach(
            log=self.log, clock=self.clock, settings=settings, library=load_library()
        )
        self.coach.reminder.connect(lambda *_: self.reminders.append(self.clock.now()))
        self.reminder = SessionReminder(
            self.alarm.scheduler, self.coach.session_day_reached, zone=BERLIN
        )
        self.reminder.schedule(settings, self.clock.now(), catch_up=True)
        self.run()
        return self.reminder

    def run(self) -> None:
        # What the alarm's timer does when it fires, without re-arming the QTimer each
        # time (test_alarm.py covers that): PySide6 6.12.0 on Python 3.11 drops a
        # reference to None on every void call such as QTimer.start(), and thousands of
        # replayed minutes would free None and abort the test process.
        self.alarm.scheduler._process_jobs()
        self.alarm.scheduler.executor.run_pending()  # due jobs run after the pass

    def awake_until(self, end: datetime, step: timedelta = timedelta(minutes=1)) -> None:
        while self.clock.now() < end:
            self.clock.set(min(end, self.clock.now() + step))
            self.run()

    def sleep_until(self, end: datetime) -> None:
        self.clock.set(end)
        self.run()

    def reminded_days(self) -> list[str]:
        return [e.detail for e in self.log.events if e.kind is Kind.REMINDED]


@pytest.fixture
def world(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # The programme began the Friday before, so Monday has a session due.
    clock = FakeClock(at(MONDAY - timedelta(days=3), 10))
    fake = fake_datetime(clock)
    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", fake)
    monkeypatch.setattr(apscheduler.executors.base, "datetime", fake)
    alarm = Alarm()
    alarm.start()
    # The heartbeat is a QTimer outside the scheduler: these replays never fire it.
    w = World(clock, alarm)
    starter = Coach(log=w.log, clock=clock, settings=Settings(), library=load_library())
    starter.start([])
    clock.set(at(MONDAY, 12))
    yield w
    alarm.stop()


def test_cron_days_follow_settings_numbering() -> None:
    assert cron_days(frozenset({0, 2, 4})) == "mon,wed,fri"
    assert cron_days(frozenset({6, 1, 3})) == "tue,thu,sun"


def test_the_job_follows_the_session_days_and_time(world: World) -> None:
    reminder = world.start_app()
    job = world.alarm.scheduler.get_job(JOB_ID)
    assert job.coalesce is True
    assert job.misfire_grace_time == GRACE.total_seconds()
    assert reminder.next_run_time == at(MONDAY, 18)
    fires, previous = [], None
    for _ in range(6):
        previous = job.trigger.get_next_fire_time(previous, previous or world.clock.now())
        fires.append(previous)
        previous += timedelta(seconds=1)
    day = timedelta(days=1)
    assert [f.replace(second=0) for f in fires] == [
        at(MONDAY, 18),
        at(MONDAY + 2 * day, 18),
        at(MONDAY + 4 * day, 18),
        at(MONDAY + 7 * day, 18),
        at(MONDAY + 9 * day, 18),
        at(MONDAY + 11 * day, 18),
    ]
    # Sharing the alarm's scheduler: its one timer (and the heartbeat), none of its own.
    timers = world.alarm.findChildren(QTimer)
    assert set(timers) == {world.alarm.scheduler.timer, world.alarm.heartbeat}
    assert world.alarm.scheduler.timer.isActive()


def test_reminds_on_a_session_day_at_the_time_and_never_again_that_day(world: World) -> None:
    world.start_app()
    world.awake_until(at(MONDAY, 17, 59))
    assert world.reminders == []
    world.awake_until(at(MONDAY, 18))
    assert world.reminders == [at(MONDAY, 18)]
    # The session is not done: no nagging for the rest of the day, nor on Tuesday.
    world.awake_until(at(MONDAY + timedelta(days=1), 23, 59), step=timedelta(minutes=5))
    assert world.reminders == [at(MONDAY, 18)]
    assert world.reminded_days() == [MONDAY.isoformat()]


def test_no_reminder_on_other_days(world: World) -> None:
    calls: list[datetime] = []
    reminder = SessionReminder(
        world.alarm.scheduler, lambda: calls.append(world.clock.now()), zone=BERLIN
    )
    reminder.schedule(Settings(programme_days=frozenset({1, 3, 5}), programme_time=time(7, 30)))
    world.awake_until(at(MONDAY + timedelta(days=7), 12), step=timedelta(minutes=5))
    assert calls == [
        at(MONDAY + timedelta(days=1), 7, 30),
        at(MONDAY + timedelta(days=3), 7, 30),
        at(MONDAY + timedelta(days=5), 7, 30),
    ]


def test_once_after_a_sleep_over_two_session_times(world: World) -> None:
    world.start_app()
    world.awake_until(at(MONDAY, 17))
    # Asleep from Monday 17:00 to Wednesday 19:30: Monday's and Wednesday's times passed.
    world.sleep_until(at(WEDNESDAY, 19, 30))
    assert world.reminders == [at(WEDNESDAY, 19, 30)]
    assert world.reminded_days() == [WEDNESDAY.isoformat()]
    world.awake_until(at(WEDNESDAY, 23, 59), step=timedelta(minutes=2))
    assert len(world.reminders) == 1


def test_woken_too_long_after_the_time_the_day_is_left_alone(world: World) -> None:
    world.start_app()
    world.awake_until(at(MONDAY, 17))
    world.sleep_until(at(MONDAY, 18) + GRACE + timedelta(minutes=1))
    assert world.reminders == []
    world.awake_until(at(WEDNESDAY, 18), step=timedelta(minutes=10))
    assert world.reminders == [at(WEDNESDAY, 18)]


def test_started_after_the_time_reminds_once(world: World) -> None:
    world.clock.set(at(MONDAY, 19, 15))
    world.start_app()
    assert world.reminders == [at(MONDAY, 19, 15)]
    # Restarted an hour later (a new coach on the same log): caught up, but not repeated.
    world.alarm.scheduler.remove_job(JOB_ID)
    world.clock.set(at(MONDAY, 20, 15))
    world.start_app()
    world.awake_until(at(MONDAY, 23, 59), step=timedelta(minutes=5))
    assert world.reminders == [at(MONDAY, 19, 15)]
    assert world.reminded_days() == [MONDAY.isoformat()]


def test_started_long_after_the_time_or_on_another_day_stays_quiet(world: World) -> None:
    world.clock.set(at(MONDAY, 18) + GRACE + timedelta(minutes=1))
    world.start_app()
    world.clock.set(at(MONDAY + timedelta(days=1), 19))
    world.start_app()
    assert world.reminders == []


def test_a_settings_change_reschedules_without_a_second_reminder(world: World) -> None:
    reminder = world.start_app()
    world.awake_until(at(MONDAY, 18, 30))
    assert world.reminders == [at(MONDAY, 18)]
    later = Settings(programme_time=time(20, 0))
    assert world.coach is not None
    world.coach.apply_settings(later)
    reminder.schedule(later, world.clock.now())
    assert reminder.next_run_time == at(MONDAY, 20)
    world.awake_until(at(MONDAY, 21))
    assert world.reminders == [at(MONDAY, 18)]  # the job ran at 20:00; the coach said no
    other = Settings(programme_days=frozenset({1, 3, 6}), programme_time=time(8, 0))
    reminder.schedule(other, world.clock.now())
    assert reminder.next_run_time == at(MONDAY + timedelta(days=1), 8)
    assert [j.id for j in world.alarm.scheduler.get_jobs()].count(JOB_ID) == 1


def test_reminders_off_removes_the_job(world: World) -> None:
    reminder = world.start_app()
    reminder.schedule(Settings(programme_reminders=False), world.clock.now())
    assert world.alarm.scheduler.get_job(JOB_ID) is None
    assert reminder.next_run_time is None
    assert world.alarm.scheduler.get_jobs() == []
    world.awake_until(at(MONDAY, 19))
    assert world.reminders == []


def test_a_failing_reminder_is_logged_and_the_alarm_goes_on(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise OSError("disk full")

    fired: list[datetime] = []
    world.alarm.fired.connect(lambda: fired.append(world.clock.now()))
    reminder = SessionReminder(world.alarm.scheduler, broken, zone=BERLIN)
    reminder.schedule(Settings())
    world.alarm.set_wake(at(MONDAY, 18, 1))  # the planner's next wake, in the same scheduler
    with caplog.at_level(logging.ERROR, logger="deskguard"):
        world.awake_until(at(MONDAY, 18, 2))
    assert "the session-day reminder failed" in caplog.text and "disk full" in caplog.text
    assert fired == [at(MONDAY, 18, 1)]  # the alarm's own job still ran
    assert reminder.next_run_time == at(WEDNESDAY, 18)

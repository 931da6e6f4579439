"""The alarm: one real QTimer, jobs on the GUI thread after the scheduler's pass, at most
one firing after a stall, and a wake that comes however the wall clock is set.

The app sets the next wake from a slot of `fired` (the controller's tick), so these tests
do the same, on the real QTimers, and check the timers are armed after every job.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import pytest
from apscheduler.triggers.date import DateTrigger
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from deskguard.adapters.alarm import Alarm


def pending_timers(alarm: Alarm) -> list[QTimer]:
    return [t for t in alarm.findChildren(QTimer) if t.isActive()]


def now() -> datetime:
    return datetime.now().astimezone()


def test_the_scheduler_only_ever_has_one_timer(qtbot: QtBot) -> None:
    alarm = Alarm()
    alarm.start()
    try:
        for minutes in range(1, 200):
            alarm.set_wake(now() + timedelta(minutes=minutes))
            assert alarm.scheduler.timer.isActive()
            assert len(pending_timers(alarm)) == 2  # the scheduler's and the heartbeat
        alarm.set_wake(None)
        assert alarm.heartbeat.isActive()  # the heartbeat remains
        assert len(alarm.findChildren(QTimer)) == 2
    finally:
        alarm.stop()
    assert pending_timers(alarm) == []


def test_wake_job_is_replaced_not_added(qtbot: QtBot) -> None:
    alarm = Alarm()
    alarm.start()
    try:
        base = now()
        alarm.set_wake(base + timedelta(hours=1))
        alarm.set_wake(base + timedelta(hours=2))
        assert [job.id for job in alarm.scheduler.get_jobs()] == ["wake"]
        assert alarm.wake_time == base + timedelta(hours=2)
        alarm.set_wake(None)
        assert alarm.scheduler.get_jobs() == []
        assert alarm.wake_time is None
    finally:
        alarm.stop()


def test_a_stall_fires_once_not_a_burst(qtbot: QtBot) -> None:
    alarm = Alarm()
    alarm.start()
    fired: list[str] = []
    alarm.fired.connect(lambda: fired.append(threading.current_thread().name))
    try:
        alarm.set_wake(now() - timedelta(seconds=9))  # as if frozen past the wake for 9 s
        alarm.scheduler._run_due_jobs()
        alarm.scheduler._run_due_jobs()
        assert fired == [threading.main_thread().name]  # once, on the GUI thread
        assert alarm.wake_time is None
        assert alarm.heartbeat.isActive()
    finally:
        alarm.stop()


def test_stopped_alarm_never_fires(qtbot: QtBot) -> None:
    alarm = Alarm()
    alarm.start()
    alarm.set_wake(now() + timedelta(milliseconds=30))
    alarm.stop()
    with qtbot.assertNotEmitted(alarm.fired, wait=200):
        pass


def test_the_real_timer_fires_at_the_wake_time(qtbot: QtBot) -> None:
    """The one test that waits on a real timer for a plain wake (DESIGN §1)."""
    alarm = Alarm()
    alarm.start()
    try:
        with qtbot.waitSignal(alarm.fired, timeout=3000):
            alarm.set_wake(now() + timedelta(milliseconds=50))
    finally:
        alarm.stop()


def test_clearing_the_wake_from_its_own_slot_keeps_the_alarm_alive(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    """The bug of a natural break: the tick inside the wake cleared the wake, APScheduler
    then removed the same job again, raised JobLookupError and never re-armed its timer."""
    alarm = Alarm(heartbeat_seconds=0.3)
    alarm.start()
    ticks: list[float] = []

    def tick() -> None:  # what the controller does after a natural break: nothing due
        ticks.append(1)
        alarm.set_wake(None)

    alarm.fired.connect(tick)
    try:
        with caplog.at_level(logging.DEBUG):
            with qtbot.waitSignal(alarm.fired, timeout=2000):
                alarm.set_wake(now() + timedelta(milliseconds=30))
            assert alarm.scheduler.timer.isActive() or alarm.scheduler.get_jobs() == []
            assert alarm.heartbeat.isActive()
            # Later wakes still come, set from the same slot.
            alarm.fired.disconnect(tick)
            alarm.fired.connect(lambda: alarm.set_wake(now() + timedelta(milliseconds=30)))
            for _ in range(3):
                with qtbot.waitSignal(alarm.fired, timeout=2000):
                    pass
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    finally:
        alarm.stop()


def test_a_wake_set_from_the_wake_slot_is_kept_and_fires_on_time(qtbot: QtBot) -> None:
    """The bug of a timer-ended break: APScheduler deleted the wake the slot had just set
    (same id), so the next prompt came only with the next heartbeat, up to 60 s late."""
    alarm = Alarm(heartbeat_seconds=60)
    alarm.start()
    fired_at: list[datetime] = []
    nxt: dict[str, datetime] = {}

    def tick() -> None:
        fired_at.append(now())
        if len(fired_at) == 1:
            nxt["at"] = now() + timedelta(milliseconds=300)
            alarm.set_wake(nxt["at"])

    alarm.fired.connect(tick)
    try:
        alarm.set_wake(now() + timedelta(milliseconds=30))
        qtbot.waitUntil(lambda: len(fired_at) == 1, timeout=2000)
        assert alarm.wake_time == nxt["at"]  # still there after the pass that ran the slot
        qtbot.waitUntil(lambda: len(fired_at) == 2, timeout=2000)
        assert abs((fired_at[1] - nxt["at"]).total_seconds()) < 0.25
    finally:
        alarm.stop()


def test_the_timer_is_armed_after_every_job_even_one_that_raises(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    alarm = Alarm()
    alarm.start()
    ran: list[str] = []

    def broken() -> None:
        ran.append("broken")
        raise RuntimeError("a job went wrong")

    try:
        alarm.set_wake(now() + timedelta(hours=1))
        alarm.scheduler.add_job(broken, DateTrigger(run_date=now()), misfire_grace_time=None)
        with caplog.at_level(logging.ERROR):
            alarm.scheduler._run_due_jobs()
        assert ran == ["broken"]
        assert "a job went wrong" in caplog.text
        assert alarm.scheduler.timer.isActive()
        assert alarm.wake_time is not None
        with qtbot.waitSignal(alarm.fired, timeout=2000):  # and the next wake still comes
            alarm.set_wake(now() + timedelta(milliseconds=30))
    finally:
        alarm.stop()


def test_a_failing_pass_rearms_the_timer(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alarm = Alarm()
    alarm.start()
    try:
        alarm.set_wake(now() + timedelta(hours=1))

        def fail() -> float:
            raise LookupError("the job store broke")

        monkeypatch.setattr(alarm.scheduler, "_process_jobs", fail)
        with caplog.at_level(logging.ERROR):
            alarm.scheduler._run_due_jobs()
        assert "the job store broke" in caplog.text
        assert alarm.scheduler.timer.isActive()
        assert 0 < alarm.scheduler.timer.remainingTime() <= 5500  # Qt's coarse timers: 5 %
    finally:
        alarm.stop()


def test_a_wall_clock_set_back_does_not_stall_the_wake(qtbot: QtBot) -> None:
    """The wait is real time: the heartbeat, armed for the real time left until the wake,
    fires even though the wall clock now says the wake is two hours away."""
    offset = {"wall": timedelta(0)}
    alarm = Alarm(heartbeat_seconds=60, now=lambda: now() + offset["wall"])
    alarm.start()
    try:
        alarm.set_wake(now() + timedelta(milliseconds=200))
        offset["wall"] = timedelta(hours=-2)  # had the scheduler read this, it would wait 2 h
        with qtbot.waitSignal(alarm.fired, timeout=2500):
            pass
    finally:
        alarm.stop()

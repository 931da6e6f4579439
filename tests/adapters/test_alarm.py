"""The alarm: one real QTimer, jobs on the GUI thread, at most one firing after a stall."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from deskguard.adapters.alarm import Alarm


def pending_timers(alarm: Alarm) -> list[QTimer]:
    return [t for t in alarm.findChildren(QTimer) if t.isActive()]


def test_only_one_timer_is_ever_pending(qtbot: QtBot) -> None:
    alarm = Alarm()
    alarm.start()
    try:
        now = datetime.now().astimezone()
        for minutes in range(1, 200):
            alarm.set_wake(now + timedelta(minutes=minutes))
            assert len(pending_timers(alarm)) == 1
        alarm.set_wake(None)
        assert len(pending_timers(alarm)) == 1  # the heartbeat remains
        assert len(alarm.findChildren(QTimer)) == 1
    finally:
        alarm.stop()
    assert pending_timers(alarm) == []


def test_wake_job_is_replaced_not_added(qtbot: QtBot) -> None:
    alarm = Alarm()
    alarm.start()
    try:
        now = datetime.now().astimezone()
        alarm.set_wake(now + timedelta(hours=1))
        alarm.set_wake(now + timedelta(hours=2))
        jobs = {job.id: job for job in alarm.scheduler.get_jobs()}
        assert sorted(jobs) == ["heartbeat", "wake"]
        assert jobs["wake"].next_run_time == now + timedelta(hours=2)
        alarm.set_wake(None)
        assert [job.id for job in alarm.scheduler.get_jobs()] == ["heartbeat"]
    finally:
        alarm.stop()


def test_a_stall_fires_once_not_a_burst(qtbot: QtBot) -> None:
    alarm = Alarm(heartbeat_seconds=1)
    alarm.start()
    fired: list[str] = []
    alarm.fired.connect(lambda: fired.append(threading.current_thread().name))
    try:
        now = datetime.now().astimezone()
        heartbeat = alarm.scheduler.get_job("heartbeat")
        # As if the process had been frozen for 9 s: nine heartbeats and a wake are overdue.
        heartbeat.modify(next_run_time=now - timedelta(seconds=9))
        alarm.set_wake(now - timedelta(seconds=5))
        alarm.scheduler._run_due_jobs()
        assert len(fired) == 2  # one heartbeat (coalesced) + one wake
        assert set(fired) == {threading.main_thread().name}  # on the GUI thread
        assert alarm.scheduler.get_job("wake") is None
        assert len(pending_timers(alarm)) == 1
    finally:
        alarm.stop()


def test_stopped_alarm_never_fires(qtbot: QtBot) -> None:
    alarm = Alarm()
    alarm.start()
    alarm.set_wake(datetime.now().astimezone() + timedelta(milliseconds=30))
    alarm.stop()
    with qtbot.assertNotEmitted(alarm.fired, wait=200):
        pass


def test_the_real_timer_fires_at_the_wake_time(qtbot: QtBot) -> None:
    """The one test that waits on a real timer (DESIGN §1)."""
    alarm = Alarm()
    alarm.start()
    try:
        with qtbot.waitSignal(alarm.fired, timeout=3000):
            alarm.set_wake(datetime.now().astimezone() + timedelta(milliseconds=50))
    finally:
        alarm.stop()

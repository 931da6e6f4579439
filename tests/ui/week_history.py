"""A believable record for the week views: twelve weeks of a working life.

Prompts every 47 minutes from 09:45 on working days, two-minute breaks started a few
seconds after the prompt, a seeded mix of outcomes, the odd snooze and a self-started
break now and then. Used by the week window's tests and its screenshots.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from deskguard.core.model import Event, EventKind
from tests.core.test_stats import CET

K = EventKind


def prompt(pid: str, due: datetime, outcome: str, rng: random.Random) -> list[Event]:
    """One scheduled prompt's events, ending as `outcome`."""
    events = [Event(K.PROMPTED, due, pid, "scheduled")]
    at = due
    if outcome != "natural" and rng.random() < 0.15:
        at += timedelta(seconds=20)
        events.append(Event(K.SNOOZED, at, pid, ""))
        at += timedelta(minutes=5)
        events.append(Event(K.PROMPTED, at, pid, "after snooze"))
    if outcome == "completed":
        start = at + timedelta(seconds=rng.randint(3, 40))
        events.append(Event(K.STARTED, start, pid, ""))
        events.append(Event(K.COMPLETED, start + timedelta(seconds=120), pid, "timer ended"))
    elif outcome == "natural":
        events = [Event(K.NATURAL, due, pid, "away when due")]
    elif outcome == "skipped":
        events.append(Event(K.SKIPPED, at + timedelta(seconds=rng.randint(2, 30)), pid, ""))
    else:
        events.append(Event(K.MISSED, at + timedelta(minutes=10), pid, "no answer in time"))
    return events


def self_started_break(pid: str, at: datetime, seconds: int, finished: bool) -> list[Event]:
    end = K.COMPLETED if finished else K.SKIPPED
    return [
        Event(K.PROMPTED, at, pid, "manual"),
        Event(K.STARTED, at + timedelta(seconds=2), pid, ""),
        Event(end, at + timedelta(seconds=2 + seconds), pid, ""),
    ]


def working_weeks(
    last_day: date, weeks: int = 12, seed: int = 7, until: time | None = None
) -> list[Event]:
    """`weeks` weeks of working days ending on `last_day` (inclusive); on `last_day` only
    the prompts before `until` (a day still in progress)."""
    rng = random.Random(seed)
    events: list[Event] = []
    first = last_day - timedelta(days=last_day.weekday()) - timedelta(weeks=weeks - 1)
    day = first
    while day <= last_day:
        if day.weekday() < 5:
            good = rng.random() < 0.7  # a good day takes most breaks
            due = datetime.combine(day, time(9, 45), tzinfo=CET)
            n = 0
            while due.time() < time(17, 30):
                if day == last_day and until is not None and due.time() >= until:
                    break
                roll = rng.random()
                if good:
                    outcome = (
                        "completed" if roll < 0.82 else "natural" if roll < 0.92 else "skipped"
                    )
                else:
                    outcome = (
                        "completed"
                        if roll < 0.55
                        else "natural"
                        if roll < 0.65
                        else "skipped"
                        if roll < 0.8
                        else "missed"
                    )
                events += prompt(f"{day}-{n}", due, outcome, rng)
                due += timedelta(minutes=47)
                n += 1
            if rng.random() < 0.2:
                at = datetime.combine(day, time(12, 30), tzinfo=CET)
                events += self_started_break(f"{day}-own", at, 120, finished=rng.random() < 0.8)
        day += timedelta(days=1)
    return sorted(events, key=lambda e: e.at)

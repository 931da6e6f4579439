"""Seeded weeks of back-care programme and break history for the progress view's tests
and benchmarks/render_progress.py.

The programme's events come from core/programme.py's own action functions, played day by
day on a FakeClock, so they are exactly what the app would have logged. Breaks are plain
prompt trails (prompted, started, completed / skipped / missed) on working days.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskguard.adapters.content import load_library
from deskguard.core import programme
from deskguard.core.clock import FakeClock
from deskguard.core.model import Event, EventKind, Settings
from deskguard.core.programme import PainWhen, ProgrammeEvent, Sensation
from deskguard.core.stats import WeekSource
from deskguard.services.programme import Coach, MemoryProgrammeLog
from tests.core.test_stats import FakeReader

BERLIN = ZoneInfo("Europe/Berlin")
FIRST_MONDAY = date(2026, 9, 7)  # programme weeks start here (ISO 2026-W37)
SESSION_AT = time(18, 0)


@dataclass
class Plan:
    """What the simulated user does, week by week (week 0 is the programme's first)."""

    weeks: int = 10
    end_weekday: int = 3  # the last week runs up to this day (Thursday): today
    start_week: int = 0  # programme starts on this week's Monday (breaks run from week 0)
    take_offer_in: Collection[int] = (1, 5, 7)  # weeks whose Monday takes an open offer
    sharp: tuple[int, int] | None = (3, 2)  # (week, weekday): sharp pain stops the session
    skip: Collection[tuple[int, int]] = ((8, 4),)  # planned sessions not done
    quiet_weeks: Collection[int] = ()  # no sessions, no ratings, no breaks (a holiday)
    unrated_weeks: Collection[int] = ()  # sessions but no pain ratings
    pain_from: float = 6.0  # the rating trend over the weeks, with a little noise
    pain_to: float = 3.0
    adherence_from: float = 0.55  # share of breaks taken, rising over the weeks
    adherence_to: float = 0.85
    prompts_per_day: int = 8
    seed: int = 7
    red_flags_at_start: tuple[str, ...] = ()
    start_programme: bool = True


@dataclass
class History:
    clock: FakeClock
    programme_events: list[ProgrammeEvent] = field(default_factory=list)
    break_events: list[Event] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)

    def coach(self) -> Coach:
        return Coach(
            log=MemoryProgrammeLog(self.programme_events),
            clock=self.clock,
            settings=self.settings,
            library=load_library(),
        )

    def source(self) -> WeekSource:
        return WeekSource(FakeReader(self.break_events), self.settings, today=self.today)

    def today(self) -> date:
        return self.clock.now().date()


def breaks_on(day: date, share: float, count: int, rng: random.Random) -> list[Event]:
    """`count` prompts from 9:45, about `share` of them taken, the rest skipped or missed."""
    events: list[Event] = []
    for n in range(count):
        start = datetime.combine(day, time(9, 45), tzinfo=BERLIN) + timedelta(minutes=47 * n)
        pid = f"{day.isoformat()}-{n}"
        events.append(Event(EventKind.PROMPTED, start, pid))
        roll = rng.random()
        if roll < share:
            events.append(Event(EventKind.STARTED, start + timedelta(minutes=1), pid))
            events.append(Event(EventKind.COMPLETED, start + timedelta(minutes=3), pid))
        elif roll < share + (1 - share) / 2:
            events.append(Event(EventKind.SKIPPED, start + timedelta(minutes=1), pid))
        else:
            events.append(Event(EventKind.MISSED, start + timedelta(minutes=5), pid))
    return events


def build(plan: Plan | None = None) -> History:
    """Plays `plan` day by day; the clock ends on the last week's `end_weekday` evening."""
    plan = plan or Plan()
    rng = random.Random(plan.seed)
    first = datetime.combine(FIRST_MONDAY, SESSION_AT, tzinfo=BERLIN)
    clock = FakeClock(first)
    history = History(clock)
    log = history.programme_events
    settings = history.settings
    days = settings.programme_days
    total_days = 7 * (plan.weeks - 1) + plan.end_weekday + 1

    def now() -> datetime:
        return clock.now()

    def state() -> programme.Status:
        return programme.status(log, clock.now().date())

    def pain(week: int) -> int:
        span = max(1, plan.weeks - 1)
        trend = plan.pain_from + (plan.pain_to - plan.pain_from) * week / span
        return max(0, min(10, round(trend + rng.choice((-0.6, 0.0, 0.0, 0.4)))))

    def rate(week: int, when: PainWhen, shift: int = 0, s: Sensation = Sensation.ACHE) -> None:
        if week not in plan.unrated_weeks:
            log.append(programme.log_pain(now(), max(0, pain(week) + shift), s, when))

    for n in range(total_days):
        day = FIRST_MONDAY + timedelta(days=n)
        week, weekday = divmod(n, 7)
        clock.set(datetime.combine(day, SESSION_AT, tzinfo=BERLIN))
        quiet = week in plan.quiet_weeks
        if weekday < 5 and not quiet:
            share = plan.adherence_from + (plan.adherence_to - plan.adherence_from) * week / max(
                1, plan.weeks - 1
            )
            history.break_events += breaks_on(day, share, plan.prompts_per_day, rng)
        if not plan.start_programme or week < plan.start_week:
            continue
        if week == plan.start_week and weekday == 0:
            log.extend(programme.start(now(), plan.red_flags_at_start))
        if quiet or not state().active:
            continue
        if weekday in days and (week, weekday) not in plan.skip:
            if weekday == 0 and week in plan.take_offer_in and state().advance.ok:
                log.extend(programme.advance(state(), now()))
            if not state().train_today.ok:
                continue
            rate(week, PainWhen.BEFORE)
            if plan.sharp == (week, weekday):
                exercise = programme.phase(state().phase).exercise_ids[2]
                clock.advance(minutes=12)
                log.extend(programme.report_sharp(state(), now(), exercise))
                rate(week, PainWhen.AFTER, 2, Sensation.SHARP)
                log.extend(programme.screen(now(), []))  # the red-flag questions, all no
                continue
            clock.advance(minutes=25)
            log.extend(programme.finish_session(state(), now(), 5, 5))
            rate(week, PainWhen.AFTER, -1)
        elif weekday == 6:
            rate(week, PainWhen.CHECKIN)
    return history


def flat_pain(weeks: int = 6, rating: float = 5.0) -> History:
    """Four weeks and more without improvement: the review asks for a physiotherapist."""
    return build(Plan(weeks=weeks, pain_from=rating, pain_to=rating, sharp=None, skip=(), seed=3))

"""The progress summary without Qt: a hand-made programme log beside a fake break trend."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

import pytest

from deskguard.core import programme
from deskguard.core.model import WEEKDAY_FULL_NAMES, WEEKDAY_LABELS, WEEKDAY_NAMES, Settings
from deskguard.core.programme import Kind, PainWhen, ProgrammeEvent, Review, Sensation, WeekProgress
from deskguard.core.progress import (
    DEFAULT_WEEKS,
    WEEK_COLUMNS,
    BreakTrend,
    Milestone,
    ProgressSummary,
    ProgressWeek,
    review_text,
    summarise,
    timeline,
    week_rows,
)
from deskguard.core.stats import DayRow, WeekReport, WeekSource, iso_week
from tests.core.test_stats import FakeReader, taken_day

CET = timezone(timedelta(hours=1))
W46 = date(2026, 11, 9)  # the programme's first Monday
W47 = W46 + timedelta(weeks=1)
W48 = W46 + timedelta(weeks=2)  # this week
TODAY = W48 + timedelta(days=3)  # Thursday 26 Nov 2026
DAYS = frozenset({4, 0, 2})  # Monday, Wednesday, Friday
FLAGS = {"leg-weakness": "Your legs feel weak.", "fever": "You have a fever."}
NAMES = {"bird-dog": "Bird dog"}


def at(day: date, hh: int = 18) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=CET)


def pain(day: date, rating: int, when: PainWhen = PainWhen.BEFORE) -> ProgrammeEvent:
    return ProgrammeEvent(Kind.PAIN, at(day), rating=rating, sensation=Sensation.ACHE, when=when)


def done(day: date, phase: int) -> ProgrammeEvent:
    return ProgrammeEvent(Kind.SESSION_DONE, at(day), phase=phase, detail="5/5")


# Week 46: screened (all no), started, three sessions. Week 47: moved up to phase 2, a
# sharp stop on Wednesday steps back to 1, a screening with a yes pauses it. Week 48:
# resumed, then paused by the user.
LOG = [
    ProgrammeEvent(Kind.SCREENED, at(W46, 17)),
    ProgrammeEvent(Kind.STARTED, at(W46, 17), phase=1),
    pain(W46, 6),
    done(W46, 1),
    pain(W46 + timedelta(days=2), 5),
    done(W46 + timedelta(days=2), 1),
    done(W46 + timedelta(days=4), 1),
    ProgrammeEvent(Kind.ADVANCED, at(W47, 17), phase=2),
    pain(W47, 4),
    done(W47, 2),
    ProgrammeEvent(Kind.SESSION_STOPPED, at(W47 + timedelta(days=2)), phase=2, detail="bird-dog"),
    ProgrammeEvent(Kind.STEPPED_BACK, at(W47 + timedelta(days=2)), phase=1),
    pain(W47 + timedelta(days=2), 8, PainWhen.AFTER),
    ProgrammeEvent(Kind.SCREENED, at(W47 + timedelta(days=2), 19), flags=("leg-weakness",)),
    ProgrammeEvent(Kind.PAUSED, at(W47 + timedelta(days=2), 19), flags=("leg-weakness",)),
    ProgrammeEvent(Kind.RESUMED, at(W48, 9)),
    ProgrammeEvent(Kind.REMINDED, at(W48, 10), detail=W48.isoformat()),
    ProgrammeEvent(Kind.PAUSED, at(W48 + timedelta(days=1), 9), flags=("user",)),
]


class FakeTrend:
    """The break trend: (taken, finished) per Monday; weeks not given have no prompts."""

    def __init__(self, weeks: dict[date, tuple[int, int]], missing: Iterable[date] = ()) -> None:
        self.weeks = weeks
        self.missing = set(missing)  # Mondays the trend leaves out altogether
        self.asked: list[tuple[date, int]] = []

    def trend(self, last_monday: date, weeks: int = 12) -> list[WeekReport]:
        self.asked.append((last_monday, weeks))
        reports = []
        for i in range(weeks):
            monday = last_monday - timedelta(weeks=weeks - 1 - i)
            if monday in self.missing:
                continue
            taken, finished = self.weeks.get(monday, (0, 0))
            first = DayRow(
                monday, True, prompted=finished, completed=taken, skipped=finished - taken
            )
            rest = [DayRow(monday + timedelta(days=k), True) for k in range(1, 7)]
            reports.append(WeekReport(iso_week(monday), [first, *rest]))
        return reports


def flag_texts(ids: Iterable[str]) -> list[str]:
    return [FLAGS[i] for i in ids if i in FLAGS]


def exercise_name(exercise_id: str) -> str:
    return NAMES.get(exercise_id, exercise_id)


def summary_of(
    log: list[ProgrammeEvent] | None = None,
    breaks: BreakTrend | None = None,
    weeks: int = 4,
    days: Iterable[int] = DAYS,
    today: date = TODAY,
) -> ProgressSummary:
    return summarise(
        LOG if log is None else log,
        frozenset(days),
        breaks or FakeTrend({W46: (3, 4), W47: (2, 5), W48: (4, 4)}),
        today,
        weeks,
        exercise_name=exercise_name,
        flag_texts=flag_texts,
        questions=9,
    )


def week(
    sessions: int = 2,
    planned: int = 3,
    stopped: int = 0,
    mean: float | None = 4.25,
    worst: int | None = 6,
    phase: int | None = 2,
    adherence: float | None = 0.5,
    monday: date = W47,
) -> ProgressWeek:
    progress = WeekProgress(monday, sessions, planned, stopped, mean, worst, phase)
    return ProgressWeek(iso_week(monday), progress, 3, 6, adherence)


# ---- the weekday table ------------------------------------------------------------------------


def test_one_weekday_table_monday_first() -> None:
    assert len(WEEKDAY_NAMES) == len(WEEKDAY_FULL_NAMES) == len(WEEKDAY_LABELS) == 7
    for i in range(7):
        day = date(2026, 11, 23) + timedelta(days=i)  # a Monday, then the rest of the week
        assert day.weekday() == i
        assert WEEKDAY_FULL_NAMES[i] == day.strftime("%A").lower()
        assert WEEKDAY_LABELS[i] == day.strftime("%a")
        assert WEEKDAY_NAMES[i] == WEEKDAY_LABELS[i].lower()


# ---- the weeks ----------------------------------------------------------------------------


def test_weeks_are_weekly_progress_beside_the_break_trend() -> None:
    breaks = FakeTrend({W46: (3, 4), W47: (2, 5), W48: (4, 4)})
    summary = summary_of(breaks=breaks)
    # Four weeks asked for; the first (2 Nov) has no record of either kind and is left out.
    assert breaks.asked == [(W48, 4)]
    assert [w.week for w in summary.weeks] == ["2026-W46", "2026-W47", "2026-W48"]
    expected = programme.weekly_progress(LOG, (0, 2, 4), [W46, W47, W48])
    assert [w.programme for w in summary.weeks] == expected
    assert [w.breaks_taken for w in summary.weeks] == [3, 2, 4]
    assert [w.breaks_finished for w in summary.weeks] == [4, 5, 4]
    assert [w.break_adherence for w in summary.weeks] == [0.75, 0.4, 1.0]
    assert summary.today == TODAY
    assert summary.status == programme.status(LOG, TODAY)
    assert summary.programme_days == (0, 2, 4)  # sorted
    assert summary.questions == 9
    assert summary.started
    assert (summary.first_day, summary.last_day) == (W46, W48 + timedelta(days=6))
    assert summary.this_week() is summary.weeks[-1]
    assert summary.has_ratings


def test_a_leading_week_with_breaks_stays() -> None:
    before = W46 - timedelta(weeks=1)
    summary = summary_of(breaks=FakeTrend({before: (1, 2), W48: (1, 1)}))
    assert [w.monday for w in summary.weeks] == [before, W46, W47, W48]
    assert summary.weeks[0].programme.phase is None and summary.weeks[0].breaks_taken == 1
    assert summary.weeks[1].breaks_taken == 0 and summary.weeks[1].break_adherence is None


def test_a_week_missing_from_the_trend_has_no_break_figures() -> None:
    summary = summary_of(breaks=FakeTrend({W46: (3, 4), W48: (4, 4)}, missing=(W47,)))
    w47 = summary.weeks[1]
    assert w47.monday == W47
    assert (w47.breaks_taken, w47.breaks_finished, w47.break_adherence) == (0, 0, None)


def test_nothing_recorded_keeps_this_week_only() -> None:
    summary = summary_of(log=[], breaks=FakeTrend({}))
    assert [w.monday for w in summary.weeks] == [W48]
    assert not summary.started and not summary.has_ratings
    assert summary.timeline == () and summary.screenings == ()
    assert summary.weeks[0].programme.planned == 0


def test_one_week_and_the_default() -> None:
    assert [w.monday for w in summary_of(weeks=1).weeks] == [W48]
    assert DEFAULT_WEEKS == 12
    breaks = FakeTrend({})
    summarise(
        LOG, DAYS, breaks, TODAY, exercise_name=exercise_name, flag_texts=flag_texts, questions=9
    )
    assert breaks.asked == [(W48, 12)]


@pytest.mark.parametrize("weeks", [0, -3])
def test_fewer_than_one_week_is_an_error(weeks: int) -> None:
    with pytest.raises(ValueError, match=f"weeks must be at least 1, got {weeks}"):
        summary_of(weeks=weeks)


def test_a_real_week_source_fits() -> None:
    events = [e for n in range(3) for e in taken_day(W48 + timedelta(days=n), f"p{n}", n != 1)]
    source = WeekSource(FakeReader(events), Settings(), today=lambda: TODAY)
    summary = summary_of(breaks=source)
    assert (summary.this_week().breaks_taken, summary.this_week().breaks_finished) == (2, 3)


# ---- the history ----------------------------------------------------------------------------


def test_timeline_in_the_logs_order_with_the_contents_words() -> None:
    summary = summary_of()
    stop_day = W47 + timedelta(days=2)
    assert [(m.at, m.kind, m.phase, m.text) for m in summary.timeline] == [
        (at(W46, 17), Kind.SCREENED, 0, "Warning-sign questions: no to all 9"),
        (at(W46, 17), Kind.STARTED, 1, f"Started at phase 1, {programme.phase(1).title}"),
        (at(W47, 17), Kind.ADVANCED, 2, f"Moved up to phase 2, {programme.phase(2).title}"),
        (at(stop_day), Kind.SESSION_STOPPED, 2, "Session stopped: sharp pain during Bird dog"),
        (
            at(stop_day),
            Kind.STEPPED_BACK,
            1,
            f"Stepped back to phase 1, {programme.phase(1).title}, for at least 7 days",
        ),
        (
            at(stop_day, 19),
            Kind.SCREENED,
            0,
            "Warning-sign questions: yes to: Your legs feel weak.",
        ),
        (
            at(stop_day, 19),
            Kind.PAUSED,
            0,
            "Paused for a clinician's check: Your legs feel weak.",
        ),
        (at(W48, 9), Kind.RESUMED, 0, "Resumed"),
        (at(W48 + timedelta(days=1), 9), Kind.PAUSED, 0, "Paused by the user"),
    ]
    assert [m.kind for m in summary.phase_changes] == [Kind.ADVANCED, Kind.STEPPED_BACK]
    [stop] = summary.stops
    assert stop.day == stop_day and stop.kind is Kind.SESSION_STOPPED


def test_screenings_keep_the_flags_and_their_words() -> None:
    summary = summary_of()
    assert [(s.at, s.flags, s.answers) for s in summary.screenings] == [
        (at(W46, 17), (), ()),
        (at(W47 + timedelta(days=2), 19), ("leg-weakness",), ("Your legs feel weak.",)),
    ]


def test_unknown_ids_fall_back_to_the_ids() -> None:
    now = at(W46)
    events = [
        ProgrammeEvent(Kind.SESSION_STOPPED, now, phase=1, detail="mystery-move"),
        ProgrammeEvent(Kind.SCREENED, now, flags=("odd", "new")),
        ProgrammeEvent(Kind.PAUSED, now, flags=("odd",)),  # no words for it: as the user's
        ProgrammeEvent(Kind.PAUSED, now, flags=("fever", "leg-weakness")),
        ProgrammeEvent(Kind.SCREENED, now, flags=("fever", "odd")),
        ProgrammeEvent(Kind.SESSION_DONE, now, phase=1),
        pain(W46, 3),
    ]
    texts = [m.text for m in timeline(events, exercise_name, flag_texts, 4)]
    assert texts == [
        "Session stopped: sharp pain during mystery-move",
        "Warning-sign questions: yes to: odd, new",
        "Paused by the user",
        "Paused for a clinician's check: You have a fever. Your legs feel weak.",
        "Warning-sign questions: yes to: You have a fever.",
    ]


# ---- the summary's own questions --------------------------------------------------------------


def test_moments_in_the_period_include_both_ends() -> None:
    summary = summary_of()
    first, last = summary.first_day, summary.last_day

    def moment(day: date) -> Milestone:
        return Milestone(at(day), Kind.RESUMED, 0, "")

    inside = [moment(first), moment(last)]
    outside = [moment(first - timedelta(days=1)), moment(last + timedelta(days=1))]
    assert summary.in_period([outside[0], *inside, outside[1]]) == inside


def test_week_index() -> None:
    summary = summary_of()  # W46..W48
    assert summary.week_index(W46) == 0
    assert summary.week_index(W46 - timedelta(days=1)) is None
    assert summary.week_index(W47 + timedelta(days=6)) == 1
    assert summary.week_index(W48 + timedelta(days=6)) == 2
    assert summary.week_index(W48 + timedelta(days=7)) is None


def test_period_and_days_text() -> None:
    summary = summary_of()
    assert summary.period_text() == "Mon 9 Nov 2026 – Sun 29 Nov 2026"
    assert summary.days_text() == "Mon, Wed, Fri"
    assert summary_of(days=(1, 3, 6)).days_text() == "Tue, Thu, Sun"
    assert summary_of(days=()).days_text() == "none chosen"


def test_has_ratings_needs_a_counted_rating() -> None:
    after_only = [*LOG[:2], pain(W46, 6, PainWhen.AFTER)]
    assert not summary_of(log=after_only, weeks=3).has_ratings
    assert summary_of(log=[*LOG[:2], pain(W48, 2)], weeks=3).has_ratings


# ---- one week as text ----------------------------------------------------------------------


def test_week_texts() -> None:
    w = week()
    assert (w.monday, w.sunday) == (W47, W47 + timedelta(days=6))
    assert w.sessions_share == pytest.approx(2 / 3)
    assert w.sessions_text() == "2/3"
    assert w.adherence_text() == "50% (3/6)"
    assert w.mean_pain_text() == "4.2"  # 4.25 rounds to even
    assert w.worst_pain_text() == "6"
    assert w.phase_text() == "2"
    assert week(worst=0).worst_pain_text() == "0"
    assert week(mean=0.0).mean_pain_text() == "0.0"


def test_week_texts_without_data_are_dashes() -> None:
    w = week(sessions=0, planned=0, mean=None, worst=None, phase=None, adherence=None)
    assert w.sessions_share is None
    assert w.sessions_text() == "—"
    assert w.adherence_text() == "—"
    assert (w.mean_pain_text(), w.worst_pain_text(), w.phase_text()) == ("—", "—", "—")
    # A session on an unplanned week still shows.
    assert week(sessions=1, planned=0).sessions_text() == "1/0"
    assert week(sessions=0, planned=3).sessions_text() == "0/3"
    assert week(sessions=4, planned=3).sessions_share == pytest.approx(4 / 3)


def test_week_rows_follow_the_columns() -> None:
    summary = summary_of()
    rows = week_rows(summary)
    assert all(len(r) == len(WEEK_COLUMNS) for r in rows)
    # W47's worst is 4: the 8 right after the stopped session is not counted.
    assert rows == [
        ["2026-W46", "09–15 Nov", "1", "3/3", "—", "75% (3/4)", "5.5", "6"],
        ["2026-W47", "16–22 Nov", "1", "1/3", "1", "40% (2/5)", "4.0", "4"],
        ["2026-W48", "23–29 Nov", "1", "0/3", "—", "100% (4/4)", "—", "—"],
    ]


def test_a_week_across_two_months() -> None:
    monday = date(2026, 11, 30)
    summary = ProgressSummary(
        today=monday,
        weeks=(week(monday=monday),),
        status=programme.status([], monday),
        timeline=(),
        screenings=(),
        programme_days=(),
        questions=0,
    )
    assert week_rows(summary)[0][1] == "30 Nov – 06 Dec"


def test_the_summary_cannot_be_changed_once_made() -> None:
    # The window and the PDF share one summary: neither may alter what the other shows.
    summary = summary_of()
    parts: list[object] = [summary, summary.weeks[0], summary.timeline[0], summary.screenings[0]]
    for part in parts:
        with pytest.raises(dataclasses.FrozenInstanceError):
            part.today = TODAY  # type: ignore[attr-defined]


def test_review_text() -> None:
    assert review_text(Review(6.0, 3.0, 0.5, False)) == "6.0 → 3.0 (50% better)"
    assert review_text(Review(5.0, 5.0, 0.0, True)) == "5.0 → 5.0 (0% better)"
    assert review_text(Review(4.0, 5.0, -0.25, True)) == "4.0 → 5.0 (25% worse)"

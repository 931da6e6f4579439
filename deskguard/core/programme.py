"""The back-care programme's rules (issue 7): history in, decisions out.

Pure like the planner: the programme's own append-only log (`ProgrammeEvent`s) and a
day are handed in, a `Status` comes out, and every user action returns the events to
append. Nothing here reads a clock, a file or Qt.

The facts come from the seed articles, cited per constant by file prefix:
000 (Motive), 001 (strengthening), 002 (preparation, flexibility, when to seek help),
003 (exercises for back pain), 004 (the three-phase progression).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from deskguard.core.evidence import OURS
from deskguard.core.model import WEEKDAY_LABELS, Exercise, Range

# ---- thresholds, each traced to its article ----

PHASE_COUNT = 3  # 004: calm it down, build stability, carry it into real life
MIN_DAYS_IN_PHASE = 7  # 004: master each phase "for at least one full week" before the next
SESSIONS_PER_WEEK_MIN = 3  # 004: "3-4 times per week"; 002: "at least three times a week"
SESSIONS_PER_WEEK_MAX = 4  # 004: "3-4 times per week"; every day is counterproductive
REST_DAYS_BETWEEN = 1  # 004: "non-consecutive days": recovery needs a day off between
# Our choice: 004 asks for "a full week" without sharp pain; counting it as the plan's
# minimum of sessions in that week is DeskGuard's reading.
CLEAN_WEEK_SESSIONS = SESSIONS_PER_WEEK_MIN
STEP_BACK_DAYS = 7  # 004: sharp pain: "revert to the previous phase for another week"
REVIEW_AFTER_DAYS = 28  # 004: "after 4 weeks of consistently following this plan"
# 004: see a physiotherapist if the pain has not improved by "at least 20-30%". One
# figure has to decide; DeskGuard's choice is the top of the range, so doubt favours a
# therapist. Every window, the PDF and red_flags.toml say both (REVIEW_RULE).
REVIEW_RANGE = (0.20, 0.30)
MIN_IMPROVEMENT = REVIEW_RANGE[1]
# Our choice: 002 gives "a steady 6 or 7 out of 10"; two ratings in a row at 6 or more
# is DeskGuard's reading of "steady".
SEVERE_PAIN = 6
CHECKIN_EVERY_DAYS = 7  # issue 7: a weekly check-in; matches 004's week-long phases
LOAD_LB = (10, 25)  # 004: phase 3 introduces light weights, "starting with 10-25 pounds"
KG_PER_LB = 0.45359237
LOAD_KG = (round(LOAD_LB[0] * KG_PER_LB), round(LOAD_LB[1] * KG_PER_LB))  # (5, 11)
REST_BETWEEN_SETS_SECONDS = 30  # DeskGuard's choice: the articles give no rest time

REVIEW_RANGE_TEXT = f"{REVIEW_RANGE[0] * 100:.0f}–{REVIEW_RANGE[1] * 100:.0f}%"  # "20–30%"
REVIEW_RULE = (
    f"The articles look for at least {REVIEW_RANGE_TEXT} less pain after four weeks; "
    f"DeskGuard uses {MIN_IMPROVEMENT:.0%}, the top of that range, so that any doubt "
    "favours seeing a physiotherapist (our choice)."
)
REST_CHOICE = (
    f"The {REST_BETWEEN_SETS_SECONDS} s rest between sets is DeskGuard's suggestion: the "
    "articles give no rest time."
)
# 004 and 000: honest expectations, in our words.
EXPECTATIONS = (
    "Expect slow progress. Long-standing pain rarely eases in a straight line: some days "
    "are better than others, and a bad day does not mean the plan has failed. Keep going "
    "steadily."
)
# After a sharp-pain stop or a sharp rating before a session (every article: keep moving).
AFTER_SHARP = "Skip the routine today; gentle walking is fine."
COMPUTED_FLAGS = frozenset({"no-progress-with-exercise"})  # answered by the review, not asked

# The pain-scale anchors the player explains (004): "good" is a working muscle.
GOOD_ACHE = (
    "A dull ache or tiredness in the muscle you are working is the good kind: it means the "
    "muscle is doing its job. Carry on with control."
)
BAD_PAIN = (
    "Sharp or stabbing pain, or pain that travels down a leg, is the bad kind. Stop the "
    "exercise at once and do not push through it."
)
NOT_MEDICAL_ADVICE = (
    "General exercise information, not medical advice or a diagnosis. If you are unsure, or a "
    "warning sign applies, see a doctor or physiotherapist."
)


@dataclass(frozen=True)
class Phase:
    number: int
    title: str
    goal: str
    exercise_ids: tuple[str, ...]
    load: str = ""
    # Where the choice of exercises comes from (core/evidence.py): article codes and/or
    # "ours", with what DeskGuard chose and why. The phase's goal is 004's.
    placement_source: tuple[str, ...] = (OURS,)
    placement_choice: str = ""


# Which library exercises belong to which phase is DeskGuard's reading of 004's phase
# goals (the article names none): phase 1 gently mobilises and wakes up core and glutes
# (001/003 beginner moves), phase 2 makes the core resist movement (planks, bird dog,
# dead bug: 001/002), phase 3 trains the squat and the hip hinge under a light load
# (001's modified deadlift, 004's squat example). Each phase opens with cat-cow as the
# gentle warm-up 002 asks for.
PHASES: tuple[Phase, ...] = (
    Phase(
        1,
        "Settle and re-activate",
        "Ease the locked-up feeling and relearn basic movements without pain, waking up "
        "the core and the glutes.",
        ("cat-cow", "pelvic-tilt", "glute-bridge", "knee-to-chest", "childs-pose"),
        placement_source=("002", OURS),
        placement_choice=(
            "The articles name no exercises for this phase. Starting with cat-cow and "
            "child's pose follows the advice to begin with gentle stretches; the other "
            "gentle core and glute moves are DeskGuard's reading of the phase's goal."
        ),
    ),
    Phase(
        2,
        "Build stability",
        "Teach the core to resist movement, the muscle corset that protects the spine.",
        (
            "cat-cow",
            "dead-bug",
            "bird-dog",
            "forearm-plank",
            "side-lying-leg-raise",
            "glute-bridge",
        ),
        placement_choice=(
            "The articles name no exercises for this phase. Planks, bird dog and dead bug "
            "are their core-stability moves; placing them here is DeskGuard's reading of "
            "the phase's goal."
        ),
    ),
    Phase(
        3,
        "Carry it into real life",
        "Use that stability in everyday movements: squatting and lifting with a neutral spine, "
        "now with a light weight.",
        ("cat-cow", "squat", "modified-deadlift", "bird-dog", "forearm-plank"),
        load=(
            f"Add a light weight: start with {LOAD_LB[0]}–{LOAD_LB[1]} lb "
            f"({LOAD_KG[0]}–{LOAD_KG[1]} kg), held close to the body."
        ),
        placement_source=("004", OURS),
        placement_choice=(
            "The light weight in this phase is the articles'; squats and the hip hinge, as "
            "the everyday lifting movements the phase is about, are DeskGuard's choice."
        ),
    ),
)


def phase(number: int) -> Phase:
    if not 1 <= number <= PHASE_COUNT:
        raise ValueError(f"phase must be 1 to {PHASE_COUNT}, got {number}")
    return PHASES[number - 1]


# ---- the log ----


class Sensation(str, enum.Enum):
    """What the pain feels like (004's good/bad distinction)."""

    NONE = "none"
    ACHE = "ache"  # dull ache or muscle fatigue: the good kind
    SHARP = "sharp"  # sharp or stabbing: stop
    RADIATING = "radiating"  # travels down the leg: stop

    @property
    def is_bad(self) -> bool:
        return self in (Sensation.SHARP, Sensation.RADIATING)


class PainWhen(str, enum.Enum):
    BEFORE = "before"  # rated before a session
    AFTER = "after"  # rated after a session
    CHECKIN = "checkin"  # the weekly check-in


class Kind(str, enum.Enum):
    STARTED = "started"  # the programme began (phase 1)
    SCREENED = "screened"  # red-flag questions answered; `flags` = the ids answered yes
    SESSION_DONE = "session_done"  # a routine finished; `detail` = "done/total" exercises
    SESSION_STOPPED = "session_stopped"  # stopped by sharp pain; `detail` = exercise id
    PAIN = "pain"  # a 0-10 rating with its sensation and moment
    ADVANCED = "advanced"  # the user took the offer of the next phase; `phase` = new phase
    STEPPED_BACK = "stepped_back"  # `phase` = new phase; held there STEP_BACK_DAYS
    PAUSED = "paused"  # `flags` = the reasons (red-flag ids, or "user")
    RESUMED = "resumed"  # the user confirmed a clinician cleared them (or ended a user pause)
    REMINDED = "reminded"  # a session-day reminder went out; `detail` = the day, ISO


@dataclass(frozen=True)
class ProgrammeEvent:
    kind: Kind
    at: datetime  # timezone-aware; its local date is the programme day
    phase: int = 0
    rating: int | None = None
    sensation: Sensation | None = None
    when: PainWhen | None = None
    flags: tuple[str, ...] = ()
    detail: str = ""

    @property
    def day(self) -> date:
        return self.at.date()


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("programme times must be timezone-aware")


# ---- what the log adds up to ----


@dataclass(frozen=True)
class Offer:
    """Whether something is allowed today, and in plain words why (not)."""

    ok: bool
    reason: str


@dataclass(frozen=True)
class Review:
    """004's four-week check: has the pain rating improved by MIN_IMPROVEMENT?"""

    baseline: float  # mean rating over the programme's first week
    recent: float  # mean rating over the last week
    improvement: float  # (baseline - recent) / baseline; 0 when baseline is 0
    see_therapist: bool


@dataclass(frozen=True)
class Status:
    started: date | None = None
    phase: int = 1
    phase_since: date | None = None
    hold_until: date | None = None  # stepped back: no offer to move on before this day
    paused: bool = False
    pause_reasons: tuple[str, ...] = ()
    sessions: tuple[tuple[date, int], ...] = ()  # (day, phase) of every finished session
    last_session: date | None = None
    sessions_this_week: int = 0  # Monday-based week of `today`
    clean_sessions: int = 0  # sessions of this phase in the last 7 days, counted for the offer
    advance: Offer = Offer(False, "The programme has not started.")
    train_today: Offer = Offer(False, "The programme has not started.")
    review: Review | None = None
    review_on: date | None = None  # the day the four-week check becomes due
    checkin_due: bool = False
    steady_severe_pain: bool = False  # the last two ratings were SEVERE_PAIN or more (002)
    reminded_days: frozenset[date] = field(default_factory=frozenset)

    @property
    def active(self) -> bool:
        return self.started is not None and not self.paused


def _mean(values: Sequence[int]) -> float:
    return sum(values) / len(values)


def _review(events: Sequence[ProgrammeEvent], started: date, today: date) -> Review | None:
    if (today - started).days < REVIEW_AFTER_DAYS:
        return None
    # Before-session and check-in ratings only: right after exercise a good ache is expected.
    rated = [
        e
        for e in events
        if e.kind is Kind.PAIN and e.rating is not None and e.when is not PainWhen.AFTER
    ]
    if not rated:
        return None
    first_week = [e.rating for e in rated if (e.day - started).days < 7 and e.rating is not None]
    last_week = [e.rating for e in rated if 0 <= (today - e.day).days < 7 and e.rating is not None]
    baseline = _mean(first_week) if first_week else float(rated[0].rating or 0)
    recent = _mean(last_week) if last_week else float(rated[-1].rating or 0)
    if baseline <= 0:  # nothing to improve on: no referral for lack of progress
        return Review(baseline, recent, 0.0, recent > baseline)
    improvement = (baseline - recent) / baseline
    return Review(baseline, recent, improvement, improvement < MIN_IMPROVEMENT)


def status(
    events: Iterable[ProgrammeEvent], today: date, session_days: Collection[int] | None = None
) -> Status:
    """Replays the log in order (the store keeps insertion order) as of `today`.

    With `session_days` (Monday 0), today's offer says whether a session is due today or
    only allowed (a missed day made up); without, every allowed day reads as due."""
    log = [e for e in events if e.day <= today]
    started: date | None = None
    current = 1
    since: date | None = None
    hold: date | None = None
    paused = False
    reasons: tuple[str, ...] = ()
    sessions: list[tuple[date, int]] = []
    bad_days: list[date] = []  # days of sharp reports in the current phase
    reminded: set[date] = set()
    last_checkin: date | None = None
    ratings: list[int] = []
    for e in log:
        if e.kind is Kind.STARTED:
            started, current, since, hold = e.day, 1, e.day, None
            paused, reasons, bad_days = False, (), []
        elif e.kind is Kind.SESSION_DONE:
            sessions.append((e.day, e.phase or current))
        elif e.kind is Kind.SESSION_STOPPED:
            sessions.append((e.day, e.phase or current))  # it was a session day all the same
            bad_days.append(e.day)
        elif e.kind is Kind.PAIN:
            if e.rating is not None:
                ratings.append(e.rating)
            if e.sensation is not None and e.sensation.is_bad:
                bad_days.append(e.day)
            if e.when is PainWhen.CHECKIN:
                last_checkin = e.day
        elif e.kind is Kind.ADVANCED:
            current, since, hold, bad_days = e.phase, e.day, None, []
        elif e.kind is Kind.STEPPED_BACK:
            current, since, bad_days = e.phase, e.day, []
            hold = e.day + timedelta(days=STEP_BACK_DAYS)
        elif e.kind is Kind.PAUSED:
            paused, reasons = True, e.flags
        elif e.kind is Kind.RESUMED:
            paused, reasons = False, ()
        elif e.kind is Kind.REMINDED:
            reminded.add(e.day)
    if started is None:
        return Status(reminded_days=frozenset(reminded))

    last = max((d for d, _ in sessions), default=None)
    monday = today - timedelta(days=today.weekday())
    this_week = sum(1 for d, _ in sessions if monday <= d <= today)
    # The last full week (the 7 days before today) and today itself.
    window_start = today - timedelta(days=MIN_DAYS_IN_PHASE)
    clean = sum(
        1
        for d, p in sessions
        if p == current and d >= window_start and (since is None or d >= since)
    )
    recent_bad = any(d > window_start for d in bad_days)  # a sharp report a week ago has aged out
    severe = len(ratings) >= 2 and all(r >= SEVERE_PAIN for r in ratings[-2:])
    checkin_from = last_checkin or started
    review = _review(log, started, today)
    return Status(
        started=started,
        phase=current,
        phase_since=since,
        hold_until=hold,
        paused=paused,
        pause_reasons=reasons,
        sessions=tuple(sessions),
        last_session=last,
        sessions_this_week=this_week,
        clean_sessions=clean,
        advance=_advance_offer(current, since, hold, paused, clean, recent_bad, today),
        train_today=_train_offer(paused, last, this_week, today, session_days),
        review=review,
        review_on=started + timedelta(days=REVIEW_AFTER_DAYS),
        checkin_due=(today - checkin_from).days >= CHECKIN_EVERY_DAYS,
        steady_severe_pain=severe,
        reminded_days=frozenset(reminded),
    )


def _advance_offer(
    current: int,
    since: date | None,
    hold: date | None,
    paused: bool,
    clean: int,
    recent_bad: bool,
    today: date,
) -> Offer:
    if paused:
        return Offer(False, "The programme is paused.")
    if current >= PHASE_COUNT:
        return Offer(False, "This is the last phase: keep it up 3–4 times a week.")
    if hold is not None and today < hold:
        return Offer(False, f"After the step back, stay in this phase until {hold:%A %d %B}.")
    if since is not None and (today - since).days < MIN_DAYS_IN_PHASE:
        ready = since + timedelta(days=MIN_DAYS_IN_PHASE)
        return Offer(
            False,
            f"Give each phase at least a full week: the next one opens on {ready:%A %d %B} "
            "at the earliest.",
        )
    if recent_bad:
        return Offer(
            False,
            "You reported sharp pain in the last week: stay in this phase until a week "
            "is pain-free.",
        )
    if clean < CLEAN_WEEK_SESSIONS:
        return Offer(
            False,
            f"Finish {CLEAN_WEEK_SESSIONS} sessions of this phase within a week without sharp pain "
            f"({clean} so far in the last 7 days).",
        )
    return Offer(
        True, f"A full week of sessions without sharp pain: phase {current + 1} is open to you."
    )


def _train_offer(
    paused: bool,
    last: date | None,
    this_week: int,
    today: date,
    session_days: Collection[int] | None = None,
) -> Offer:
    if paused:
        return Offer(False, "The programme is paused until a clinician has cleared you.")
    if last == today:
        return Offer(False, "Today's session is done. Muscles grow stronger on the rest days.")
    if last is not None and (today - last).days <= REST_DAYS_BETWEEN:
        return Offer(
            False, "Rest day: you trained yesterday, and sessions go on non-consecutive days."
        )
    if this_week >= SESSIONS_PER_WEEK_MAX:
        return Offer(
            False,
            f"You have done {SESSIONS_PER_WEEK_MAX} sessions this week, the most the plan asks.",
        )
    if session_days is not None and today.weekday() not in session_days:
        names = ", ".join(WEEKDAY_LABELS[d] for d in sorted(session_days)) or "none"
        return Offer(
            True,
            f"No session planned today (your days: {names}); you can do one to make up a "
            "missed day.",
        )
    return Offer(True, "A session is due today.")


# ---- actions: each returns the events to append ----


def screen(now: datetime, yes: Iterable[str]) -> list[ProgrammeEvent]:
    """Red-flag answers (at start, on a sharp report, or on demand). Any yes pauses."""
    _require_aware(now)
    flagged = tuple(sorted(set(yes)))
    events = [ProgrammeEvent(Kind.SCREENED, now, flags=flagged)]
    if flagged:
        events.append(ProgrammeEvent(Kind.PAUSED, now, flags=flagged))
    return events


def start(now: datetime, yes: Iterable[str]) -> list[ProgrammeEvent]:
    """Begins at phase 1 after the red-flag questions; a yes starts it paused."""
    _require_aware(now)
    answers = screen(now, yes)
    return [answers[0], ProgrammeEvent(Kind.STARTED, now, phase=1), *answers[1:]]


def log_pain(now: datetime, rating: int, sensation: Sensation, when: PainWhen) -> ProgrammeEvent:
    _require_aware(now)
    if not 0 <= rating <= 10:
        raise ValueError(f"pain rating must be 0 to 10, got {rating}")
    return ProgrammeEvent(Kind.PAIN, now, rating=rating, sensation=sensation, when=when)


def finish_session(state: Status, now: datetime, done: int, total: int) -> list[ProgrammeEvent]:
    _require_aware(now)
    if not state.active:
        raise ValueError("no active programme to record a session in")
    return [ProgrammeEvent(Kind.SESSION_DONE, now, phase=state.phase, detail=f"{done}/{total}")]


def report_sharp(state: Status, now: datetime, exercise_id: str) -> list[ProgrammeEvent]:
    """004: stop at once; the exercise is too advanced for now, so step back a phase for a week."""
    _require_aware(now)
    if state.started is None:
        raise ValueError("no programme to report pain in")
    back = max(1, state.phase - 1)
    return [
        ProgrammeEvent(Kind.SESSION_STOPPED, now, phase=state.phase, detail=exercise_id),
        ProgrammeEvent(Kind.STEPPED_BACK, now, phase=back),
    ]


def advance(state: Status, now: datetime) -> list[ProgrammeEvent]:
    _require_aware(now)
    if not state.advance.ok:
        raise ValueError(state.advance.reason)
    return [ProgrammeEvent(Kind.ADVANCED, now, phase=state.phase + 1)]


def pause(now: datetime, reasons: Sequence[str] = ("user",)) -> ProgrammeEvent:
    _require_aware(now)
    return ProgrammeEvent(Kind.PAUSED, now, flags=tuple(reasons))


def resume(state: Status, now: datetime) -> ProgrammeEvent:
    _require_aware(now)
    if not state.paused:
        raise ValueError("the programme is not paused")
    return ProgrammeEvent(Kind.RESUMED, now)


# ---- session days and reminders ----


def check_days(days: Iterable[int]) -> str | None:
    """None if `days` (Monday 0) make a valid plan, else what is wrong, in plain words."""
    chosen = sorted(set(days))
    if any(not 0 <= d <= 6 for d in chosen):
        return "days must be weekdays 0 (Monday) to 6 (Sunday)"
    if not SESSIONS_PER_WEEK_MIN <= len(chosen) <= SESSIONS_PER_WEEK_MAX:
        low, high = SESSIONS_PER_WEEK_MIN, SESSIONS_PER_WEEK_MAX
        return f"pick {low} or {high} days a week, not {len(chosen)}"
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    for a, b in itertools.pairwise(chosen):
        if b - a <= REST_DAYS_BETWEEN:
            return f"{names[a]} and {names[b]} are back to back: leave a rest day between sessions"
    return None


def reminder_due(state: Status, days: Iterable[int], today: date) -> bool:
    """One reminder per planned day at most: a missed session is never nagged twice."""
    return (
        state.active
        and today.weekday() in set(days)
        and state.train_today.ok
        and today not in state.reminded_days
    )


def remind(now: datetime) -> ProgrammeEvent:
    _require_aware(now)
    return ProgrammeEvent(Kind.REMINDED, now, detail=now.date().isoformat())


# ---- the routine the player walks through ----


@dataclass(frozen=True)
class Step:
    """One set of one exercise (one side of it where the dose is per side)."""

    exercise_id: str
    set_number: int
    sets: int
    side: str | None  # "left", "right" or None
    reps: int | None
    hold_seconds: int | None
    rest_after_seconds: int


def plan_session(
    number: int, library: Mapping[str, Exercise], week_in_phase: int = 1
) -> tuple[Step, ...]:
    """Today's routine for a phase: the low end of each dose in a phase's first week
    (001: start with a few and build up), the high end after that."""
    steps: list[Step] = []
    ids = [i for i in phase(number).exercise_ids if i in library]
    for n, exercise_id in enumerate(ids):
        dose = library[exercise_id].dose

        def pick(r: Range) -> int:
            return r.low if week_in_phase <= 1 else r.high

        sets = pick(dose.sets) if dose.sets else 1
        reps = pick(dose.reps) if dose.reps else None
        hold = pick(dose.hold_seconds) if dose.hold_seconds else None
        if reps is None and hold is None and dose.duration_seconds:
            hold = pick(dose.duration_seconds)
        sides: tuple[str | None, ...] = ("left", "right") if dose.per_side else (None,)
        for s in range(1, sets + 1):
            for side in sides:
                steps.append(
                    Step(exercise_id, s, sets, side, reps, hold, REST_BETWEEN_SETS_SECONDS)
                )
        if steps and n == len(ids) - 1:
            steps[-1] = replace(steps[-1], rest_after_seconds=0)  # no rest after the last set
    return tuple(steps)


def week_in_phase(state: Status, today: date) -> int:
    if state.phase_since is None:
        return 1
    return (today - state.phase_since).days // 7 + 1


# ---- weekly summary for the progress view and the therapist's report ----


@dataclass(frozen=True)
class WeekProgress:
    monday: date
    sessions: int
    planned: int
    stopped: int  # sessions stopped by sharp pain
    mean_pain: float | None  # before-session and check-in ratings
    worst_pain: int | None
    phase: int | None  # the phase at the end of the week (None before the start)


def weekly_progress(
    events: Sequence[ProgrammeEvent], days: Iterable[int], mondays: Sequence[date]
) -> list[WeekProgress]:
    planned_days = set(days)
    out: list[WeekProgress] = []
    for monday in mondays:
        end = monday + timedelta(days=7)
        week = [e for e in events if monday <= e.day < end]
        state = status(events, end - timedelta(days=1))
        rated = [
            e.rating
            for e in week
            if e.kind is Kind.PAIN and e.rating is not None and e.when is not PainWhen.AFTER
        ]
        planned = 0
        if state.started is not None:
            planned = sum(
                1
                for k in range(7)
                if (monday + timedelta(days=k)).weekday() in planned_days
                and monday + timedelta(days=k) >= state.started
            )
        out.append(
            WeekProgress(
                monday=monday,
                sessions=sum(1 for e in week if e.kind is Kind.SESSION_DONE),
                planned=planned,
                stopped=sum(1 for e in week if e.kind is Kind.SESSION_STOPPED),
                mean_pain=_mean(rated) if rated else None,
                worst_pain=max(rated) if rated else None,
                phase=state.phase if state.started is not None else None,
            )
        )
    return out

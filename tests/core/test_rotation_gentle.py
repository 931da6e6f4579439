"""Break prompts follow the back-care programme's state (issue 15).

While the programme is paused for a warning sign, a sharp-pain stop is fresh (under
SHARP_STOP_FRESH, our choice of 24 h) or pain stays severe, the rotation offers only
gentle movement (walking, standing, gentle mobility) and gives one line saying why.
Scenario tests: a programme log replayed on a fake day, the rotation picked under it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskguard.adapters.content import Library, load_library
from deskguard.core import programme
from deskguard.core.model import Dose, Exercise, Range
from deskguard.core.programme import PainWhen, ProgrammeEvent, Sensation
from deskguard.core.rotation import (
    GENTLE_PAUSED,
    GENTLE_SEVERE,
    GENTLE_SHARP,
    SHARP_STOP_FRESH,
    STOP_LINE,
    break_safeguards,
    eligible,
    gentle_only_reason,
    pick_exercise,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def day_of_prompts(library: Library, reason: str | None, prompts: int = 12) -> list[Exercise]:
    recent: list[str] = []
    chosen: list[Exercise] = []
    for _ in range(prompts):
        pick = pick_exercise(library.exercises, recent, gentle_only=reason)
        recent.append(pick.id if pick else "")
        if pick is not None:
            chosen.append(pick)
    return chosen


def started(now: datetime = MONDAY_9 - timedelta(days=7)) -> list[ProgrammeEvent]:
    return programme.start(now, [])


def sharp_stop(now: datetime) -> list[ProgrammeEvent]:
    state = programme.status(started(), now.date())
    return programme.report_sharp(state, now, "squat")


# ---- the reason, state by state -------------------------------------------------------


def test_no_programme_or_a_quiet_one_leaves_prompts_as_they_are() -> None:
    assert gentle_only_reason([], MONDAY_9) is None
    assert gentle_only_reason(started(), MONDAY_9) is None


def test_a_pause_for_a_warning_sign_keeps_prompts_gentle_until_resumed() -> None:
    paused_at = MONDAY_9 - timedelta(days=2)
    log = started() + programme.screen(paused_at, ["leg-weakness"])
    assert gentle_only_reason(log, MONDAY_9) == GENTLE_PAUSED
    assert gentle_only_reason(log, MONDAY_9 + timedelta(days=30)) == GENTLE_PAUSED
    state = programme.status(log, MONDAY_9.date())
    log.append(programme.resume(state, MONDAY_9))
    assert gentle_only_reason(log, MONDAY_9 + timedelta(hours=1)) is None


def test_a_pause_the_user_chose_is_not_a_warning_sign() -> None:
    log = [*started(), programme.pause(MONDAY_9 - timedelta(days=1))]
    assert programme.status(log, MONDAY_9.date()).paused
    assert gentle_only_reason(log, MONDAY_9) is None


def test_a_sharp_stop_in_the_evening_keeps_the_next_working_day_gentle() -> None:
    evening = MONDAY_9.replace(hour=18)
    log = started() + sharp_stop(evening)
    assert gentle_only_reason(log, evening + timedelta(minutes=30)) == GENTLE_SHARP
    tuesday_9 = MONDAY_9 + timedelta(days=1)
    assert gentle_only_reason(log, tuesday_9) == GENTLE_SHARP
    assert gentle_only_reason(log, evening + SHARP_STOP_FRESH - timedelta(minutes=1))
    assert gentle_only_reason(log, evening + SHARP_STOP_FRESH) is None
    # Before the stop happened, nothing was fresh: replaying the past stays true.
    assert gentle_only_reason(log, evening - timedelta(hours=1)) is None


def test_sharp_or_travelling_pain_rated_before_a_session_counts_as_a_stop() -> None:
    for sensation in (Sensation.SHARP, Sensation.RADIATING):
        log = [
            *started(),
            programme.log_pain(MONDAY_9 - timedelta(hours=2), 5, sensation, PainWhen.BEFORE),
        ]
        assert gentle_only_reason(log, MONDAY_9) == GENTLE_SHARP
    ache = [*started(), programme.log_pain(MONDAY_9, 5, Sensation.ACHE, PainWhen.AFTER)]
    assert gentle_only_reason(ache, MONDAY_9 + timedelta(hours=1)) is None


def test_steady_severe_pain_keeps_prompts_gentle() -> None:
    high = programme.SEVERE_PAIN
    log = [
        *started(),
        programme.log_pain(MONDAY_9 - timedelta(days=3), high, Sensation.ACHE, PainWhen.BEFORE),
        programme.log_pain(MONDAY_9 - timedelta(days=1), high, Sensation.ACHE, PainWhen.BEFORE),
    ]
    assert gentle_only_reason(log, MONDAY_9) == GENTLE_SEVERE
    log.append(programme.log_pain(MONDAY_9, high - 3, Sensation.ACHE, PainWhen.CHECKIN))
    assert gentle_only_reason(log, MONDAY_9 + timedelta(hours=1)) is None


def test_a_warning_sign_outranks_a_sharp_stop() -> None:
    evening = MONDAY_9.replace(hour=18) - timedelta(days=1)
    log = started() + sharp_stop(evening) + programme.screen(evening, ["leg-weakness"])
    assert gentle_only_reason(log, MONDAY_9) == GENTLE_PAUSED


def test_every_reason_is_one_short_line() -> None:
    for reason in (GENTLE_PAUSED, GENTLE_SHARP, GENTLE_SEVERE):
        assert "\n" not in reason and len(reason) <= 140, reason
        assert reason.startswith("Gentle movement only")
    assert "walking" in GENTLE_SHARP and "rest" not in GENTLE_SHARP.lower()


# ---- the rotation under each state ---------------------------------------------------


@pytest.mark.parametrize("reason", [GENTLE_PAUSED, GENTLE_SHARP, GENTLE_SEVERE])
def test_gentle_days_offer_only_walking_standing_and_gentle_mobility(
    library: Library, reason: str
) -> None:
    chosen = day_of_prompts(library, reason)
    assert chosen, "a gentle day still has prompts"
    for exercise in chosen:
        assert exercise.gentle and exercise.desk_friendly, exercise.id
        assert exercise.kind != "strength", exercise.id
        assert exercise.position in {"standing", "seated", "wall"}, exercise.id
    ids = {e.id for e in chosen}
    assert "walking-break" in ids
    assert not ids & {"squat", "modified-deadlift", "wall-plank"}


def test_an_ordinary_day_still_uses_strength_moves(library: Library) -> None:
    ids = {e.id for e in day_of_prompts(library, None)}
    assert {"squat", "modified-deadlift", "wall-plank"} & ids
    assert all(library.exercise(i).desk_friendly for i in ids)


def test_gentle_with_every_gentle_move_excluded_falls_back_to_a_plain_walk(
    library: Library,
) -> None:
    gentle = [e.id for e in library.exercises if e.gentle]
    assert pick_exercise(library.exercises, [], gentle, gentle_only=GENTLE_SHARP) is None


def test_eligible_gentle_filter_keeps_input_order() -> None:
    def ex(eid: str, gentle: bool) -> Exercise:
        return Exercise(
            eid, eid, "mobility", "standing", True, ("t",), "", ("s",), (), Dose(reps=Range(8, 10)),
            gentle=gentle,
        )  # fmt: skip

    pool = [ex("a", False), ex("b", True), ex("c", True)]
    assert [e.id for e in eligible(pool, gentle_only=True)] == ["b", "c"]
    assert [e.id for e in eligible(pool, {"b"}, gentle_only=True)] == ["c"]
    assert [e.id for e in eligible(pool)] == ["a", "b", "c"]


# ---- what the break window shows ----------------------------------------------------------


def test_break_safeguards_put_the_reason_first_then_the_cautions(library: Library) -> None:
    squat = library.exercise("squat")
    assert break_safeguards(squat) == list(squat.cautions)
    lines = break_safeguards(squat, GENTLE_SHARP)
    assert lines[0] == GENTLE_SHARP and lines[1:] == list(squat.cautions)
    assert break_safeguards(None) == []
    assert break_safeguards(None, GENTLE_PAUSED) == [GENTLE_PAUSED]
    assert STOP_LINE == "Stop if you feel sharp, shooting or radiating pain."


def test_the_issue_s_three_safeguards_are_in_the_first_caution(library: Library) -> None:
    first = {e.id: e.cautions[0].lower() for e in library.exercises}
    assert "sharp" in first["squat"] and "halfway" in first["squat"]
    assert "toe-touch" in first["standing-hamstring-stretch"]
    assert "body weight only" in first["modified-deadlift"]

"""Scenario tests: whole programme sessions replayed instantly on a fake clock.

The session player's widget only shows what `Session` decides; these replay what a user
does (count reps, start and stop holds, wait out or skip rests, report sharp pain, close
part-way) with time moving only on the FakeClock's monotonic reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from deskguard.core.clock import FakeClock
from deskguard.core.programme import Sensation, Step
from deskguard.core.session import (
    Counter,
    ExerciseTally,
    Phase,
    Session,
    Why,
    next_session_day,
)

MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
REST = 30


def reps(exercise_id: str, n: int, sets: int = 1, rest: int = REST) -> list[Step]:
    return [Step(exercise_id, s, sets, None, n, None, rest) for s in range(1, sets + 1)]


def hold(exercise_id: str, seconds: int, sets: int = 1, rest: int = REST) -> list[Step]:
    return [Step(exercise_id, s, sets, None, None, seconds, rest) for s in range(1, sets + 1)]


def sides(exercise_id: str, n: int, sets: int = 1, rest: int = REST) -> list[Step]:
    return [
        Step(exercise_id, s, sets, side, n, None, rest)
        for s in range(1, sets + 1)
        for side in ("left", "right")
    ]


def routine(*parts: list[Step]) -> list[Step]:
    """As plan_session builds it: no rest after the last set."""
    steps = [s for part in parts for s in part]
    last = steps[-1]
    steps[-1] = Step(
        last.exercise_id, last.set_number, last.sets, last.side, last.reps, last.hold_seconds, 0
    )
    return steps


# cat-cow: 1 set of 4 reps; bridge: 2 sets of 3; leg raise: 1 set of 2 each side;
# plank: 2 holds of 20 s; child's pose: one hold of 10 s, the last set.
ROUTINE = routine(
    reps("cat-cow", 4),
    reps("bridge", 3, sets=2),
    sides("leg-raise", 2),
    hold("plank", 20, sets=2),
    hold("childs-pose", 10),
)


@dataclass
class Replay:
    """A user at the player, and the 1 s ticker while something counts down."""

    session: Session
    clock: FakeClock = field(default_factory=lambda: FakeClock(MONDAY))
    phases: list[Phase] = field(default_factory=list)

    @property
    def now(self) -> float:
        return self.clock.monotonic()

    def phase(self) -> Phase:
        return self.session.phase  # a call: mypy does not narrow it from one look to the next

    def note(self) -> None:
        if not self.phases or self.phases[-1] is not self.session.phase:
            self.phases.append(self.session.phase)

    def begin(self, before: Sensation = Sensation.ACHE) -> bool:
        started = self.session.begin(before, self.now)
        self.note()
        return started

    def count(self, times: int = 1) -> None:
        for _ in range(times):
            self.session.count(self.now)
        self.note()

    def next(self) -> None:
        self.session.next(self.now)
        self.note()

    def skip_rest(self) -> None:
        self.session.skip_rest(self.now)
        self.note()

    def wait(self, seconds: float) -> None:
        """Time passes, ticking once a second as the widget's QTimer does."""
        whole, part = divmod(seconds, 1)
        for _ in range(int(whole)):
            self.clock.advance(seconds=1)
            if self.session.ticking:
                self.session.tick(self.now)
                self.note()
        if part:
            self.clock.advance(seconds=part)
            self.session.tick(self.now)
            self.note()

    def do_set(self) -> None:
        """The whole set: every rep counted, or the hold held to its end."""
        if self.session.is_hold:
            self.count()
            self.wait(self.session.target)
        else:
            self.count(self.session.target)


def replay(steps: list[Step] | None = None) -> Replay:
    return Replay(Session(ROUTINE if steps is None else steps))


def begun(steps: list[Step] | None = None) -> Replay:
    r = replay(steps)
    assert r.begin()
    return r


# ---- a whole session -----------------------------------------------------------------------


def test_a_whole_session_done_in_full_waiting_out_every_rest() -> None:
    r = begun()
    s = r.session
    seen: list[tuple[str, int, str | None]] = []
    while r.phase() is not Phase.FINISHED:
        seen.append((s.step.exercise_id, s.step.set_number, s.step.side))
        r.do_set()
        assert s.index in s.completed
        was = s.index
        r.next()
        if r.phase() is Phase.REST:
            assert s.index == was  # the rest belongs to the set just done
            r.wait(REST)
        assert r.phase() is Phase.FINISHED or s.index == was + 1
    assert seen == [
        ("cat-cow", 1, None),
        ("bridge", 1, None),
        ("bridge", 2, None),
        ("leg-raise", 1, "left"),
        ("leg-raise", 1, "right"),
        ("plank", 1, None),
        ("plank", 2, None),
        ("childs-pose", 1, None),
    ]
    assert r.phases == [
        Phase.REPS,
        Phase.REST,
        *[Phase.REPS, Phase.REST] * 4,
        Phase.HOLD,
        Phase.REST,
        Phase.HOLD,
        Phase.REST,
        Phase.HOLD,
        Phase.FINISHED,
    ]
    assert s.done_in_full() == ["cat-cow", "bridge", "leg-raise", "plank", "childs-pose"]
    assert s.tally() == (
        ExerciseTally("cat-cow", 1, 1),
        ExerciseTally("bridge", 2, 2),
        ExerciseTally("leg-raise", 1, 1),
        ExerciseTally("plank", 2, 2),
        ExerciseTally("childs-pose", 1, 1),
    )
    assert s.in_progress and not s.ticking and not s.asking
    assert s.save(Sensation.ACHE)
    assert r.phase() is Phase.SAVED and s.why is None and not s.in_progress and not s.asking
    assert not s.abandon() and r.phase() is Phase.SAVED  # closing afterwards loses nothing


def test_moving_on_without_counting_finishes_with_nothing_done() -> None:
    r = begun()
    s = r.session
    for _ in range(40):
        if r.phase() is Phase.FINISHED:
            break
        r.skip_rest() if r.phase() is Phase.REST else r.next()
    assert r.phase() is Phase.FINISHED and s.index == len(ROUTINE) - 1
    assert s.completed == frozenset() and s.done_in_full() == []
    assert [t.sets_done for t in s.tally()] == [0, 0, 0, 0, 0]
    assert not any(t.full for t in s.tally())


def test_the_tally_counts_a_set_only_when_every_side_of_it_is_done() -> None:
    r = begun()
    s = r.session
    r.do_set()  # cat-cow
    r.next()
    r.skip_rest()
    r.do_set()  # bridge set 1
    r.next()
    r.skip_rest()
    r.next()  # bridge set 2 not done
    r.skip_rest()
    r.do_set()  # leg raise, left side only
    r.next()
    r.skip_rest()
    assert s.step.side == "right"
    r.next()
    r.skip_rest()
    r.do_set()  # plank set 1
    r.next()
    r.skip_rest()
    r.do_set()  # plank set 2
    r.next()
    r.skip_rest()
    r.next()  # child's pose not held
    assert r.phase() is Phase.FINISHED
    assert s.tally() == (
        ExerciseTally("cat-cow", 1, 1),
        ExerciseTally("bridge", 2, 1),
        ExerciseTally("leg-raise", 1, 0),
        ExerciseTally("plank", 2, 2),
        ExerciseTally("childs-pose", 1, 0),
    )
    assert s.done_in_full() == ["cat-cow", "plank"]
    assert s.completed == frozenset({0, 1, 3, 5, 6})


def test_the_right_side_alone_does_not_finish_a_set_either() -> None:
    r = begun(routine(sides("leg-raise", 2)))
    s = r.session
    r.next()
    r.skip_rest()
    r.do_set()
    r.next()
    assert r.phase() is Phase.FINISHED
    assert s.tally() == (ExerciseTally("leg-raise", 1, 0),)
    assert s.done_in_full() == []


# ---- before the start ----------------------------------------------------------------------


def test_before_the_start_nothing_runs() -> None:
    r = replay()
    s = r.session
    assert r.phase() is Phase.BEFORE and s.can_begin and not s.in_progress
    assert s.index == 0 and s.step == ROUTINE[0]  # what the routine opens with
    r.count()
    r.next()
    r.skip_rest()
    r.wait(60)
    assert s.sharp() is None
    assert not s.save(Sensation.ACHE)
    assert r.phase() is Phase.BEFORE and s.reps == 0 and s.completed == frozenset()
    assert not s.ticking and s.why is None


@pytest.mark.parametrize("sensation", [Sensation.NONE, Sensation.ACHE])
def test_a_dull_ache_or_nothing_before_starts_the_first_set(sensation: Sensation) -> None:
    r = replay()
    assert r.begin(sensation)
    s = r.session
    assert r.phase() is Phase.REPS and s.index == 0 and s.why is None and s.in_progress
    assert not s.can_begin
    assert not r.begin()  # once only
    assert r.phase() is Phase.REPS


@pytest.mark.parametrize("sensation", [Sensation.SHARP, Sensation.RADIATING])
def test_sharp_or_travelling_pain_before_declines_the_day(sensation: Sensation) -> None:
    r = replay()
    s = r.session
    assert r.begin(sensation)
    assert r.phase() is Phase.DECLINED and s.why is Why.BEFORE
    assert s.asking and not s.in_progress and not s.ticking
    r.count()
    assert s.reps == 0 and r.phase() is Phase.DECLINED
    s.answer()
    assert not s.asking and s.answered and s.why is Why.BEFORE
    assert not s.abandon() and r.phase() is Phase.DECLINED


def test_no_steps_no_session() -> None:
    s = Session([])
    assert not s.can_begin and s.exercise_ids == ()
    assert not s.begin(Sensation.NONE, 0.0)
    assert s.phase is Phase.BEFORE


def test_the_routine_lists_each_exercise_once_in_order() -> None:
    s = Session(ROUTINE)
    assert s.exercise_ids == ("cat-cow", "bridge", "leg-raise", "plank", "childs-pose")
    assert s.steps == tuple(ROUTINE)


# ---- reps ------------------------------------------------------------------------------------


def test_reps_count_to_the_target_and_no_further() -> None:
    r = begun()
    s = r.session
    assert s.counter(r.now) == Counter(False, 4, 0, 4, False, False)
    r.count(3)
    assert s.reps == 3 and s.index not in s.completed
    assert s.counter(r.now) == Counter(False, 4, 3, 1, False, False)
    r.count()
    assert s.reps == 4 and s.index in s.completed
    assert s.counter(r.now) == Counter(False, 4, 4, 0, False, True)
    r.count(5)
    assert s.reps == 4 and s.counter(r.now).left == 0
    assert not s.ticking  # reps never need the ticker


def test_each_set_counts_from_zero() -> None:
    r = begun(routine(reps("bridge", 3, sets=2, rest=0)))
    s = r.session
    r.count(2)
    r.next()  # no rest: straight on
    assert r.phase() is Phase.REPS and s.index == 1 and s.reps == 0
    assert s.completed == frozenset()
    r.count(3)
    assert s.completed == frozenset({1})


def test_a_target_of_one_rep_is_done_with_one() -> None:
    r = begun(routine(reps("squat", 1)))
    r.count()
    assert r.session.completed == frozenset({0}) and r.session.reps == 1


# ---- holds -----------------------------------------------------------------------------------


def to_plank() -> Replay:
    r = begun()
    while not r.session.is_hold:
        r.skip_rest() if r.phase() is Phase.REST else r.next()
    assert r.session.step.exercise_id == "plank" and r.phase() is Phase.HOLD
    return r


def test_a_hold_counts_down_and_is_done_exactly_at_its_time() -> None:
    r = to_plank()
    s = r.session
    assert s.counter(r.now) == Counter(True, 20, 0, 20, False, False)
    assert s.hold_left(r.now) == 20 and not s.hold_running and not s.ticking
    r.count()
    assert s.hold_running and s.ticking
    r.wait(12)
    assert s.counter(r.now) == Counter(True, 20, 12, 8, True, False)
    r.wait(7.5)
    assert s.hold_left(r.now) == 1  # rounded up: 0.5 s left still shows 0:01
    assert s.index not in s.completed and s.hold_running
    r.wait(0.5)
    assert s.index in s.completed and not s.hold_running and not s.ticking
    assert s.counter(r.now) == Counter(True, 20, 20, 20, False, True)


def test_a_hold_past_its_end_is_done_at_the_next_tick() -> None:
    r = to_plank()
    s = r.session
    r.count()
    r.clock.advance(seconds=25)
    assert s.hold_left(r.now) == 0 and s.index not in s.completed  # the queries change nothing
    s.tick(r.now)
    assert s.index in s.completed and not s.ticking


def test_a_hold_stopped_part_way_starts_again_from_the_top() -> None:
    r = to_plank()
    s = r.session
    r.count()
    r.wait(19)
    r.count()  # stop, one second short
    assert not s.hold_running and not s.ticking
    assert s.hold_left(r.now) == 20 and s.counter(r.now).value == 0
    r.wait(60)
    assert s.index not in s.completed
    r.count()
    r.wait(20)
    assert s.index in s.completed


def test_a_hold_that_ran_out_counts_even_before_the_tick() -> None:
    r = to_plank()
    s = r.session
    r.count()
    r.clock.advance(seconds=20)
    r.count()  # the press comes before the ticker saw the end: the hold counts, then runs again
    assert s.index in s.completed and s.hold_running
    assert s.counter(r.now) == Counter(True, 20, 0, 20, True, True)
    r.wait(5)
    assert s.counter(r.now) == Counter(True, 20, 5, 15, True, True)  # held again, from the top
    r.count()
    assert s.counter(r.now) == Counter(True, 20, 20, 20, False, True)  # still done


def test_moving_on_from_a_hold_that_ran_out_counts_it() -> None:
    r = to_plank()
    s = r.session
    r.count()
    r.clock.advance(seconds=20)
    r.next()
    assert s.completed == frozenset({5}) and r.phase() is Phase.REST


def test_moving_on_mid_hold_drops_it() -> None:
    r = to_plank()
    s = r.session
    r.count()
    r.wait(10)
    r.next()
    assert r.phase() is Phase.REST and not s.hold_running
    assert s.index not in s.completed
    r.skip_rest()
    assert s.step.set_number == 2 and not s.hold_running
    assert s.hold_left(r.now) == 20


def test_a_hold_without_seconds_is_a_target_of_zero() -> None:
    s = Session([Step("odd", 1, 1, None, None, None, 0)])
    s.begin(Sensation.NONE, 0.0)
    assert s.is_hold and s.target == 0


# ---- rests -----------------------------------------------------------------------------------


def test_a_rest_counts_down_and_the_next_set_starts_by_itself() -> None:
    r = begun()
    s = r.session
    r.count(4)
    r.next()
    assert r.phase() is Phase.REST and s.ticking
    assert s.rest_seconds == REST and s.rest_left(r.now) == REST
    assert s.following == ROUTINE[1]
    r.wait(29.5)
    assert r.phase() is Phase.REST and s.rest_left(r.now) == 1
    r.wait(0.5)
    assert r.phase() is Phase.REPS and s.index == 1 and s.reps == 0
    assert not s.ticking and s.rest_left(r.now) == 0


def test_a_rest_past_its_end_ends_at_the_next_tick() -> None:
    r = begun()
    s = r.session
    r.next()
    r.clock.advance(seconds=45)
    assert s.rest_left(r.now) == 0 and r.phase() is Phase.REST
    s.tick(r.now)
    assert r.phase() is Phase.REPS and s.index == 1


def test_a_rest_can_be_skipped_and_reps_do_not_count_in_it() -> None:
    r = begun()
    s = r.session
    r.next()
    r.count(3)
    r.next()  # Return on a rest page skips it in the widget; here, next does nothing
    assert r.phase() is Phase.REST and s.reps == 0 and s.index == 0
    r.wait(10)
    r.skip_rest()
    assert r.phase() is Phase.REPS and s.index == 1 and not s.ticking
    r.skip_rest()  # not resting: nothing
    assert s.index == 1


def test_a_set_without_a_rest_goes_straight_to_the_next() -> None:
    r = begun(routine(reps("a", 1, rest=0), hold("b", 5)))
    s = r.session
    r.next()
    assert r.phase() is Phase.HOLD and s.index == 1 and not s.ticking


def test_a_one_second_rest_is_still_a_rest() -> None:
    r = begun(routine(reps("a", 1, rest=1), reps("b", 1)))
    s = r.session
    r.next()
    assert r.phase() is Phase.REST and s.rest_left(r.now) == 1 and s.ticking
    r.wait(1)
    assert r.phase() is Phase.REPS and s.index == 1


def test_the_last_set_goes_to_the_finish_whatever_its_rest() -> None:
    # A routine with a rest after its last set (not plan_session's) still finishes there.
    r = begun([*reps("a", 1)])
    s = r.session
    assert s.is_last and s.following is None
    r.next()
    assert r.phase() is Phase.FINISHED and not s.ticking
    r.next()
    r.count()
    assert r.phase() is Phase.FINISHED and s.reps == 0


def test_where_in_the_routine() -> None:
    r = begun()
    s = r.session
    numbers: list[tuple[int, bool, bool]] = []
    while r.phase() is not Phase.FINISHED:
        numbers.append((s.exercise_number, s.is_last, s.following is None))
        r.next()
        r.skip_rest()
    assert numbers == [
        (1, False, False),
        (2, False, False),
        (2, False, False),
        (3, False, False),
        (3, False, False),
        (4, False, False),
        (4, False, False),
        (5, True, True),
    ]


def test_per_side_sets_go_left_then_right_with_a_rest_between() -> None:
    r = begun(routine(sides("leg-raise", 2, sets=2)))
    s = r.session
    order: list[tuple[int, str | None]] = []
    while r.phase() is not Phase.FINISHED:
        order.append((s.step.set_number, s.step.side))
        r.do_set()
        r.next()
        if r.phase() is Phase.REST:
            assert s.following is not None
            r.wait(REST)
    assert order == [(1, "left"), (1, "right"), (2, "left"), (2, "right")]
    assert s.tally() == (ExerciseTally("leg-raise", 2, 2),)


# ---- sharp pain -------------------------------------------------------------------------------


def test_sharp_pain_in_a_set_stops_at_once() -> None:
    r = to_plank()
    s = r.session
    r.count()
    r.wait(5)
    assert s.sharp() == "plank"
    assert r.phase() is Phase.STOPPED and s.why is Why.SHARP and s.asking
    assert not s.ticking and not s.hold_running and not s.in_progress
    r.wait(30)
    assert s.index not in s.completed
    r.count()
    r.next()
    assert r.phase() is Phase.STOPPED
    assert s.sharp() is None  # once only
    assert not s.save(Sensation.ACHE)
    assert not s.abandon() and r.phase() is Phase.STOPPED
    s.answer()
    assert not s.asking


def test_sharp_pain_in_a_rest_names_the_set_just_done() -> None:
    r = begun()
    s = r.session
    r.next()
    assert r.phase() is Phase.REST
    assert s.sharp() == "cat-cow"
    assert r.phase() is Phase.STOPPED and not s.ticking
    r.wait(60)
    assert r.phase() is Phase.STOPPED and s.index == 0


def test_sharp_pain_on_the_finish_screen_is_too_late_to_stop() -> None:
    r = begun(routine(reps("a", 1)))
    r.next()
    assert r.session.sharp() is None and r.phase() is Phase.FINISHED


# ---- the finish ------------------------------------------------------------------------------


@pytest.mark.parametrize("sensation", [Sensation.SHARP, Sensation.RADIATING])
def test_a_bad_pain_after_saves_then_asks(sensation: Sensation) -> None:
    r = begun(routine(reps("a", 1)))
    s = r.session
    r.count()
    r.next()
    assert s.save(sensation)
    assert r.phase() is Phase.SAVED and s.why is Why.AFTER and s.asking
    assert not s.save(sensation)  # once only
    s.answer()
    assert not s.asking and r.phase() is Phase.SAVED


def test_answering_without_questions_changes_nothing() -> None:
    r = begun()
    r.session.answer()
    assert not r.session.answered and not r.session.asking


# ---- abandoning ------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["reps", "hold", "rest", "finished"])
def test_abandoning_part_way_throws_the_session_away(where: str) -> None:
    r = to_plank() if where == "hold" else begun()
    s = r.session
    if where == "hold":
        r.count()
    elif where == "rest":
        r.next()
    elif where == "finished":
        while r.phase() is not Phase.FINISHED:
            r.skip_rest() if r.phase() is Phase.REST else r.next()
    assert s.in_progress
    assert s.abandon()
    assert r.phase() is Phase.ABANDONED and not s.in_progress and not s.ticking
    r.wait(60)
    r.count()
    r.next()
    assert r.phase() is Phase.ABANDONED and s.completed == frozenset()
    assert not s.save(Sensation.ACHE) and s.sharp() is None
    assert not s.abandon()


def test_closing_before_the_start_abandons_nothing_in_progress() -> None:
    s = Session(ROUTINE)
    assert not s.abandon()
    assert s.phase is Phase.ABANDONED and not s.can_begin
    assert not s.begin(Sensation.NONE, 0.0)


# ---- the next session day ----------------------------------------------------------------------

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ({MON, WED, FRI}, date(2026, 11, 25)),  # Tuesday rests
        ({TUE, THU}, date(2026, 11, 26)),  # Tuesday is the rest day: Thursday
        ({WED}, date(2026, 11, 25)),  # the first day after the rest day
        ({MON}, date(2026, 11, 30)),  # a week on
        ({TUE}, date(2026, 12, 1)),  # the day after today is never next: eight days on
        (set(), None),
    ],
)
def test_the_next_session_day_leaves_a_rest_day(days: set[int], expected: date | None) -> None:
    assert next_session_day(date(2026, 11, 23), days) == expected


def test_the_sessions_values_are_frozen_and_hashable() -> None:
    """Counter and ExerciseTally are values the widget reads: never changed in place."""
    import dataclasses

    from deskguard.core.session import Counter, ExerciseTally

    for value in (Counter(True, 30, 0, 30, False, False), ExerciseTally("plank", 2, 1)):
        hash(value)
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.sets = 9  # type: ignore[misc,union-attr]

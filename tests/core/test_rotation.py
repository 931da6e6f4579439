"""Rotation: desk-friendly only, never the one just shown, kinds balanced, exclusions kept."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from deskguard.adapters.content import load_library
from deskguard.core.model import Dose, Exercise, Range
from deskguard.core.rotation import eligible, pick_exercise, why_text


def ex(eid: str, kind: str = "stretch", desk: bool = True, why: str = "") -> Exercise:
    position = "standing" if desk else "floor"
    return Exercise(
        eid, eid, kind, position, desk, ("hamstrings",), why, ("s",), (), Dose(reps=Range(8, 10))
    )


def run_day(pool: list[Exercise], prompts: int, excluded: set[str] | None = None) -> list[str]:
    recent: list[str] = []
    for _ in range(prompts):
        chosen = pick_exercise(pool, recent, excluded or set())
        assert chosen is not None
        recent.append(chosen.id)
    return recent


def test_only_desk_friendly_exercises_are_picked() -> None:
    pool = [ex("floor1", desk=False), ex("desk1"), ex("floor2", "mobility", desk=False)]
    assert set(run_day(pool, 5)) == {"desk1"}
    assert pick_exercise([ex("floor1", desk=False)], []) is None


def test_never_the_one_just_shown() -> None:
    pool = [ex("a"), ex("b"), ex("c", "mobility")]
    day = run_day(pool, 12)
    assert all(x != y for x, y in pairwise(day))


def test_just_shown_loses_even_when_its_kind_is_the_least_used() -> None:
    pool = [ex("s1"), ex("s2"), ex("m", "mobility")]
    # Mobility is used least today, but "m" was the last prompt: a stretch comes next.
    assert pick_exercise(pool, ["s1", "s2", "m"]) == ex("s1")


def test_the_only_one_left_may_repeat() -> None:
    assert pick_exercise([ex("a")], ["a"]) == ex("a")


def test_excluded_ones_are_never_picked() -> None:
    pool = [ex("a"), ex("b"), ex("c", "mobility"), ex("d", "strength")]
    day = run_day(pool, 20, excluded={"b", "d"})
    assert set(day) == {"a", "c"}
    assert pick_exercise(pool, [], excluded={"a", "b", "c", "d"}) is None


def test_kinds_are_balanced_over_a_day() -> None:
    # Four stretches but one strength and one warm-up move: each kind still gets its turn.
    pool = [ex(f"s{i}") for i in range(4)] + [ex("m", "strength"), ex("w", "warm-up")]
    day = run_day(pool, 9)
    by_id = {e.id: e for e in pool}
    kinds = Counter(by_id[i].kind for i in day)
    assert kinds == {"stretch": 3, "strength": 3, "warm-up": 3}


def test_least_recently_shown_within_a_kind_comes_next() -> None:
    pool = [ex("s1"), ex("s2"), ex("s3")]
    assert run_day(pool, 6) == ["s1", "s2", "s3", "s1", "s2", "s3"]


def test_walking_prompts_and_unknown_ids_in_recent_are_tolerated() -> None:
    pool = [ex("a"), ex("b")]
    assert pick_exercise(pool, ["", "gone", "a"]) == ex("b")
    assert pick_exercise(pool, ["a", ""]) is not None


def test_eligible_keeps_input_order() -> None:
    pool = [ex("z"), ex("y", desk=False), ex("x")]
    assert [e.id for e in eligible(pool, {"x"})] == ["z"]


def test_real_library_day_uses_every_desk_kind_and_no_floor_work() -> None:
    library = load_library()
    desk_kinds = {e.kind for e in library.desk_friendly()}
    day = run_day(list(library.exercises), 12, excluded={"squat"})
    chosen = [library.exercise(i) for i in day]
    assert all(e.desk_friendly for e in chosen)
    assert "squat" not in day
    assert {e.kind for e in chosen} == desk_kinds
    counts = Counter(e.kind for e in chosen)
    assert max(counts.values()) - min(counts.values()) <= 1


@pytest.mark.parametrize(
    ("why", "expected"),
    [
        ("Eases the back. Also more detail here.", "Eases the back."),
        ("One sentence only", "One sentence only"),
        ("  Extra   spaces here.  Next.", "Extra spaces here."),
    ],
)
def test_why_text_takes_the_first_sentence(why: str, expected: str) -> None:
    assert why_text(ex("a", why=why)) == expected


def test_why_text_shortens_at_a_word_boundary() -> None:
    text = why_text(ex("a", why="word " * 60), max_chars=40)
    assert len(text) <= 40
    assert text.endswith("word…")


def test_why_text_without_why_names_the_targets() -> None:
    assert why_text(ex("a")) == "Works the hamstrings."


def test_why_text_on_real_content_fits() -> None:
    for exercise in load_library().exercises:
        line = why_text(exercise)
        assert 10 < len(line) <= 160, exercise.id

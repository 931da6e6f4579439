"""Evidence and DeskGuard's choices told apart, safeguards, aliases and one truth per fact
(issue 15), held on the real content files and on broken copies of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deskguard.adapters.content import (
    GENTLE_KINDS,
    MAX_CAUTION_CHARS,
    SEED_FILES,
    ContentError,
    Library,
    load_library,
)
from deskguard.core import programme
from deskguard.core.evidence import ARTICLES, OURS, SOURCE_CODES, is_ours
from deskguard.core.rotation import why_text
from tests.adapters.test_content import _copy, _edit, _error, _replace_in_entry


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


# --------------------------------------------------------------------------- sources


def test_article_codes_are_the_seed_files() -> None:
    assert sorted(ARTICLES) == sorted(name[:3] for name in SEED_FILES)
    assert OURS in SOURCE_CODES


def test_every_dose_and_step_list_names_its_source(library: Library) -> None:
    for e in library.exercises:
        for sources, choice, what in (
            (e.dose_source, e.dose_choice, "dose"),
            (e.steps_source, e.steps_choice, "steps"),
        ):
            assert sources, f"{e.id}: no {what} source"
            assert set(sources) <= SOURCE_CODES, (e.id, what, sources)
            assert bool(choice.strip()) == is_ours(sources), (e.id, what)


def test_the_issue_s_own_choices_are_marked_as_ours(library: Library) -> None:
    # Doses the articles do not give (issue 15): warm-ups and cat-cow 1-2 x 8-10, foam
    # rolling 20-30 s per area, plank sets.
    for exercise_id in ("standing-torso-twist", "standing-side-bend", "leg-swings", "cat-cow"):
        assert library.exercise(exercise_id).dose_source == (OURS,), exercise_id
    assert library.exercise("foam-rolling").dose_source == (OURS,)
    for plank in ("wall-plank", "forearm-plank"):
        assert is_ours(library.exercise(plank).dose_source), plank
        assert "sets" in library.exercise(plank).dose_choice or "holds" in (
            library.exercise(plank).dose_choice
        )
    # Adapted or undescribed step lists.
    for exercise_id in ("seated-hamstring-stretch", "seated-forward-bend", "squat", "pigeon-pose"):
        assert is_ours(library.exercise(exercise_id).steps_source), exercise_id
    # ... and evidence stays evidence.
    assert library.exercise("kneeling-hip-flexor-stretch").dose_source == ("003",)
    assert library.exercise("walking-break").dose_source == ("000",)


def test_every_phase_says_where_its_exercises_come_from() -> None:
    for phase in programme.PHASES:
        assert phase.placement_source, phase.number
        assert set(phase.placement_source) <= SOURCE_CODES, phase.number
        assert is_ours(phase.placement_source), "the articles name no exercise per phase"
        assert phase.placement_choice.strip(), phase.number


def test_missing_dose_source_names_file_entry_and_field(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "exercises.toml", _replace_in_entry("squat", 'dose_source = "000"\n', ""))
    error = _error(directory)
    assert (error.file, error.entry_id, error.field) == ("exercises.toml", "squat", "dose_source")
    assert "missing" in str(error) and "'squat'" in str(error)


def test_missing_steps_source(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "exercises.toml", _replace_in_entry("bird-dog", 'steps_source = "001"\n', ""))
    error = _error(directory)
    assert (error.entry_id, error.field) == ("bird-dog", "steps_source")


def test_ours_without_a_reason_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)

    def drop_choice(text: str) -> str:
        return re.sub(r'(?m)^dose_choice = "The articles say to repeat.*\n', "", text, count=1)

    _edit(directory, "exercises.toml", drop_choice)
    error = _error(directory)
    assert (error.entry_id, error.field) == ("cat-cow", "dose_choice")
    assert "ours" in str(error)


def test_a_reason_without_ours_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry(
            "glute-bridge", 'dose_source = "000"', 'dose_source = "000"\ndose_choice = "Ours."'
        ),
    )
    error = _error(directory)
    assert (error.entry_id, error.field) == ("glute-bridge", "dose_choice")


@pytest.mark.parametrize("bad", ['"005"', '"003_1dba672b567ce361.txt"', '["000", "000"]', '""'])
def test_unknown_or_repeated_source_codes(tmp_path: Path, bad: str) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("dead-bug", 'dose_source = "000"', f"dose_source = {bad}"),
    )
    error = _error(directory)
    assert (error.entry_id, error.field) == ("dead-bug", "dose_source")


# --------------------------------------------------------------------------- safeguards


def test_every_exercise_carries_short_cautions(library: Library) -> None:
    for e in library.exercises:
        assert e.cautions, e.id
        assert all(len(c) <= MAX_CAUTION_CHARS and "\n" not in c for c in e.cautions), e.id


def test_an_exercise_without_cautions_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)

    def drop(text: str) -> str:
        return _replace_in_entry(
            "leg-swings",
            'cautions = ["Hold on to something steady, and keep the swings small at first."]',
            "cautions = []",
        )(text)

    _edit(directory, "exercises.toml", drop)
    error = _error(directory)
    assert (error.entry_id, error.field) == ("leg-swings", "cautions")


def test_a_long_caution_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    long = "word " * 40
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("leg-swings", "cautions = [", f'cautions = ["{long}", '),
    )
    error = _error(directory)
    assert (error.entry_id, error.field) == ("leg-swings", "cautions")


def test_gentle_moves_are_walking_standing_or_gentle_mobility(library: Library) -> None:
    gentle = {e.id for e in library.exercises if e.gentle}
    assert "walking-break" in gentle and len(gentle) >= 3
    for e in library.exercises:
        if e.gentle:
            assert e.kind in GENTLE_KINDS and e.desk_friendly, e.id
    assert not gentle & {"squat", "modified-deadlift", "wall-plank"}


def test_a_strength_move_cannot_be_gentle(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("squat", "desk_friendly = true", "desk_friendly = true\ngentle = true"),
    )
    error = _error(directory)
    assert (error.entry_id, error.field) == ("squat", "gentle")


def test_notification_lines_never_suggest_floor_or_loaded_work(library: Library) -> None:
    # services/breaks.py notifies "Take N minutes: <name>. <why_text>" for a desk move.
    banned = re.compile(
        r"\b(floor|lie|lying|kneel\w*|weights?|dumbbells?|kg|lb|pounds|mat)\b", re.IGNORECASE
    )
    for e in library.desk_friendly():
        line = f"{e.name}. {why_text(e)}"
        assert not banned.search(line), (e.id, line)


# --------------------------------------------------------------------------- aliases


def test_the_articles_names_are_aliases(library: Library) -> None:
    def aliases(exercise_id: str) -> set[str]:
        return {a.lower() for a in library.exercise(exercise_id).aliases}

    assert {"deep lunge hip flexor", "lunge"} <= aliases("kneeling-hip-flexor-stretch")
    assert "knees-to-chest" in aliases("knee-to-chest")
    assert "superman" in aliases("prone-back-extension")
    assert "bird-dogs" in aliases("bird-dog")
    assert "plank" in aliases("forearm-plank")


def test_an_alias_repeating_the_name_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("squat", 'aliases = ["squats"', 'aliases = ["Squat", "squats"'),
    )
    error = _error(directory)
    assert (error.entry_id, error.field) == ("squat", "aliases")


# --------------------------------------------------------------------------- one truth per fact


def test_one_review_threshold_everywhere(library: Library) -> None:
    assert programme.REVIEW_RANGE == (0.20, 0.30)
    assert programme.REVIEW_RANGE[1] == programme.MIN_IMPROVEMENT
    assert programme.REVIEW_RANGE_TEXT == "20–30%"
    flag = next(f for f in library.red_flags if f.id == "no-progress-with-exercise")
    assert programme.REVIEW_RANGE_TEXT in flag.text
    assert f"{programme.MIN_IMPROVEMENT:.0%}" in flag.text and "our choice" in flag.text
    assert programme.REVIEW_RANGE_TEXT in programme.REVIEW_RULE
    assert "our choice" in programme.REVIEW_RULE


def test_the_light_load_converts_correctly() -> None:
    assert programme.LOAD_LB == (10, 25)
    assert programme.LOAD_KG == (5, 11)  # 25 lb is 11.3 kg
    assert "(5–11 kg)" in programme.phase(3).load


def test_the_pain_for_weeks_question_explains_the_assessment(library: Library) -> None:
    flag = next(f for f in library.red_flags if f.id == "pain-not-improving")
    text = flag.text.lower()
    assert "assessed" in text and "does not rule the plan out" in text


def test_nutrition_is_among_the_habits(library: Library) -> None:
    items = {i.id: i for c in library.checklists for i in c.items}
    food = items["nutrition"]
    assert all(w in food.text.lower() for w in ("omega-3", "antioxidants", "vitamins"))
    assert food.sources == ("002_a0d6e42ddbc4255f.txt",)


def test_both_stretch_holds_are_named_where_they_apply(library: Library) -> None:
    general = [
        e for e in library.exercises if e.kind == "stretch" and set(e.dose_source) == {"000", "003"}
    ]
    assert len(general) >= 6
    for e in general:
        assert e.dose.hold_seconds is not None, e.id
        assert "20–30 s" in e.dose.note and "10–20 s" in e.dose.note, e.id


def test_after_sharp_pain_walking_is_fine_not_rest() -> None:
    assert programme.AFTER_SHARP == "Skip the routine today; gentle walking is fine."
    assert "slow" in programme.EXPECTATIONS and "straight line" in programme.EXPECTATIONS


def test_content_error_names_file_entry_and_field_in_its_message(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "exercises.toml", _replace_in_entry("squat", 'dose_source = "000"\n', ""))
    with pytest.raises(ContentError, match=r"exercises\.toml: entry 'squat': field 'dose_source'"):
        load_library(directory)

"""The content library: the real files validate, and broken files fail loudly."""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from deskguard.adapters import content
from deskguard.adapters.content import (
    DOSE_LIMITS,
    SEED_FILES,
    ContentError,
    Library,
    load_library,
    resources_dir,
)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
CHECKLIST_IDS = ("workstation", "posture", "lifting", "movement", "sleep")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


# --------------------------------------------------------------------------- the real library


def test_resources_dir_is_the_source_tree() -> None:
    directory = resources_dir()
    assert (directory / "exercises.toml").is_file()
    assert (directory / "pictograms").is_dir()


def test_real_library_validates_and_has_enough_content(library: Library) -> None:
    assert len(library.exercises) > 20
    assert len(library.desk_friendly()) >= 8
    assert library.avoid
    assert library.red_flags
    assert library.disclaimer.strip()
    assert tuple(c.id for c in library.checklists) == CHECKLIST_IDS
    for checklist in library.checklists:
        assert checklist.items, checklist.id


def test_desk_friendly_entries_are_done_upright(library: Library) -> None:
    for exercise in library.desk_friendly():
        assert exercise.position in {"standing", "seated", "wall"}, exercise.id


def test_lookup_helpers(library: Library) -> None:
    assert library.exercise("cat-cow").name == "Cat-cow"
    assert library.checklist("sleep").title
    with pytest.raises(KeyError):
        library.exercise("no-such-exercise")
    with pytest.raises(KeyError):
        library.checklist("no-such-checklist")


def test_every_exercise_has_its_pictogram(library: Library) -> None:
    for exercise in library.exercises:
        assert exercise.picture == f"{exercise.id}.svg"
        path = library.picture_path(exercise)
        assert path is not None and path.is_file(), exercise.id
        svg = path.read_text(encoding="utf-8")
        assert 'viewBox="0 0 96 96"' in svg, exercise.id
        assert "<text" not in svg and "currentColor" not in svg, exercise.id


def test_doses_carry_the_articles_numbers(library: Library) -> None:
    # A few facts copied straight from the articles, so an edit that drifts is caught.
    walk = library.exercise("walking-break").dose
    assert walk.duration_seconds is not None
    assert (walk.duration_seconds.low, walk.duration_seconds.high) == (120, 180)
    knees = library.exercise("knee-to-chest").dose
    assert knees.hold_seconds is not None
    assert (knees.hold_seconds.low, knees.hold_seconds.high) == (20, 30)
    plank = library.exercise("forearm-plank").dose
    assert plank.hold_seconds is not None
    assert (plank.hold_seconds.low, plank.hold_seconds.high) == (15, 30)
    hip = library.exercise("kneeling-hip-flexor-stretch").dose
    assert hip.per_side and hip.hold_seconds is not None and hip.hold_seconds.low == 20


def test_seed_constant_matches_the_seed_folder() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(SEED_FILES)


# Words in names that say nothing about which movement it is.
_GENERIC = {"stretch", "pose", "break", "standing", "seated", "supine", "kneeling", "the"}


def _key_words(name: str) -> set[str]:
    words = {w for w in re.split(r"[^a-z]+", name.lower()) if len(w) >= 3}
    return (words - _GENERIC) or words


def test_sources_mention_the_exercise(library: Library) -> None:
    """Cheap guard against mis-attribution: each cited article names the movement."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    texts = {p.name: p.read_text(encoding="utf-8").lower() for p in SEEDS.glob("*.txt")}
    problems = []
    for exercise in library.exercises:
        words = _key_words(exercise.name)
        for source in exercise.sources:
            if not any(word in texts[source] for word in words):
                problems.append(f"{exercise.id}: none of {sorted(words)} in {source}")
    assert not problems, "\n".join(problems)


def test_key_words_guard_can_fail() -> None:
    assert _key_words("Standing hamstring stretch") == {"hamstring"}
    assert _key_words("Walking break") == {"walking"}


# --------------------------------------------------------------------------- broken copies


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    return target


def _edit(directory: Path, name: str, change: Callable[[str], str]) -> None:
    path = directory / name
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, "the mutation did not change the file"
    path.write_text(after, encoding="utf-8")


def _entry(text: str, entry_id: str) -> tuple[int, int]:
    """Start and end offsets of the table whose id is entry_id."""
    start = text.index(f'id = "{entry_id}"')
    start = text.rindex("[[", 0, start)
    end = text.find("\n[[", start + 2)
    while end != -1 and text.startswith("\n[[exercise.dose", end):
        end = text.find("\n[[", end + 3)
    return start, (len(text) if end == -1 else end)


def _replace_in_entry(entry_id: str, old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        start, end = _entry(text, entry_id)
        block = text[start:end]
        assert old in block, f"{old!r} not in entry {entry_id}"
        return text[:start] + block.replace(old, new, 1) + text[end:]

    return change


def _error(directory: Path) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_library(directory)
    return caught.value


def test_copy_of_real_files_loads(tmp_path: Path) -> None:
    copied = load_library(_copy(tmp_path))
    assert copied.exercises == load_library().exercises


def test_duplicate_id(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "exercises.toml", _replace_in_entry("squat", 'id = "squat"', 'id = "cat-cow"'))
    error = _error(directory)
    assert error.file == "exercises.toml"
    assert "'cat-cow'" in str(error) and "'id'" in str(error)
    assert "duplicate" in str(error)


def test_duplicate_checklist_item_id(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "checklists.toml",
        _replace_in_entry("feet-flat", 'id = "feet-flat"', 'id = "monitor-at-eye-level"'),
    )
    error = _error(directory)
    assert "'monitor-at-eye-level'" in str(error) and "'id'" in str(error)


def test_desk_friendly_floor_exercise(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("glute-bridge", "desk_friendly = false", "desk_friendly = true"),
    )
    error = _error(directory)
    assert "'glute-bridge'" in str(error) and "'desk_friendly'" in str(error)


@pytest.mark.parametrize("reps", ["[8, 31]", "[0, 10]", "[10, 8]", "[8]", '["8", "10"]'])
def test_reps_out_of_range(tmp_path: Path, reps: str) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("bird-dog", "reps = [8, 10]", f"reps = {reps}"),
    )
    error = _error(directory)
    assert "'bird-dog'" in str(error) and "'dose.reps'" in str(error)


def test_hold_out_of_range(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    high = DOSE_LIMITS["hold_seconds"][1] + 1
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("childs-pose", "hold_seconds = [20, 30]", f"hold_seconds = [20, {high}]"),
    )
    error = _error(directory)
    assert "'childs-pose'" in str(error) and "'dose.hold_seconds'" in str(error)


def test_dose_without_reps_hold_or_duration(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "exercises.toml", _replace_in_entry("squat", "reps = [8, 10]\n", ""))
    error = _error(directory)
    assert "'squat'" in str(error) and "dose" in str(error)


def test_unknown_source_file(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("dead-bug", '"001_e092324877ec48c5.txt"', '"005_not_a_seed.txt"'),
    )
    error = _error(directory)
    assert "'dead-bug'" in str(error) and "'sources'" in str(error)
    assert "005_not_a_seed.txt" in str(error)


def test_unknown_source_in_red_flags(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "red_flags.toml",
        _replace_in_entry("leg-weakness", '"004_8341d402c17922d2.txt"', '"wikipedia.txt"'),
    )
    error = _error(directory)
    assert error.file == "red_flags.toml"
    assert "'leg-weakness'" in str(error) and "'sources'" in str(error)


@pytest.mark.parametrize(
    ("file", "entry_id", "line", "field"),
    [
        ("exercises.toml", "wall-plank", 'why = "Works the whole core', "why"),
        ("exercises.toml", "cat-cow", 'position = "kneeling"', "position"),
        ("exercises.toml", "toe-touches", 'instead = "If you stretch', "instead"),
        ("checklists.toml", "not-on-stomach", 'reason = "Stomach sleeping', "reason"),
        ("red_flags.toml", "fever-or-chills", 'text = "You have a fever', "text"),
    ],
)
def test_missing_required_field(
    tmp_path: Path, file: str, entry_id: str, line: str, field: str
) -> None:
    directory = _copy(tmp_path)

    def drop_line(text: str) -> str:
        start, end = _entry(text, entry_id)
        block = text[start:end]
        lines = block.splitlines(keepends=True)
        kept = [ln for ln in lines if not ln.startswith(line)]
        assert len(kept) == len(lines) - 1, f"{line!r} not found once in {entry_id}"
        return text[:start] + "".join(kept) + text[end:]

    _edit(directory, file, drop_line)
    error = _error(directory)
    assert error.file == file
    assert f"'{entry_id}'" in str(error) and f"'{field}'" in str(error)
    assert "missing" in str(error)


def test_wrong_type(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("leg-swings", "desk_friendly = true", 'desk_friendly = "yes"'),
    )
    error = _error(directory)
    assert "'leg-swings'" in str(error) and "'desk_friendly'" in str(error)


def test_unknown_kind(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("pelvic-tilt", 'kind = "strength"', 'kind = "cardio"'),
    )
    error = _error(directory)
    assert "'pelvic-tilt'" in str(error) and "'kind'" in str(error)


def test_misspelt_field(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "exercises.toml", _replace_in_entry("squat", "cautions = [", "caution = ["))
    error = _error(directory)
    assert "'squat'" in str(error) and "'caution'" in str(error)


def test_missing_picture(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "pictograms" / "squat.svg").unlink()
    error = _error(directory)
    assert "'squat'" in str(error) and "'picture'" in str(error)
    assert "squat.svg" in str(error)


def test_picture_must_be_a_plain_file_name(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "exercises.toml",
        _replace_in_entry("squat", 'picture = "squat.svg"', 'picture = "../icons/deskguard.svg"'),
    )
    error = _error(directory)
    assert "'squat'" in str(error) and "'picture'" in str(error)


def test_checklist_text_must_be_a_question(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(
        directory,
        "checklists.toml",
        _replace_in_entry(
            "not-on-stomach",
            'text = "Do you avoid sleeping on your stomach?"',
            'text = "Avoid sleeping on your stomach."',
        ),
    )
    error = _error(directory)
    assert "'not-on-stomach'" in str(error) and "'text'" in str(error)


def test_missing_disclaimer(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "red_flags.toml", lambda t: re.sub(r"(?m)^disclaimer = .*\n", "", t))
    error = _error(directory)
    assert error.file == "red_flags.toml" and error.field == "disclaimer"


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "checklists.toml", lambda t: t + "\n[[checklist\n")
    error = _error(directory)
    assert error.file == "checklists.toml" and "TOML" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "red_flags.toml").unlink()
    error = _error(directory)
    assert error.file == "red_flags.toml"


def test_content_module_has_no_qt() -> None:
    tree = ast.parse(Path(content.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.startswith(("PySide6", "PyQt"))}

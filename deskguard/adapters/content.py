"""resources/*.toml -> Exercise, AvoidItem, Checklist and RedFlag, validated.

The content library is data, so it is checked as strictly as code: every field is
type-checked, ids are unique per file, doses sit in sane ranges, every source names one
of the seed articles and every picture exists. A mistake raises ContentError naming the
file, the entry id and the field, so a typo in a TOML file fails a test, not a break.

Pure Python: tomllib and pathlib only, no Qt.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import deskguard
from deskguard.core.evidence import ARTICLES, OURS, SOURCE_CODES
from deskguard.core.model import (
    AvoidItem,
    Checklist,
    ChecklistItem,
    Dose,
    Exercise,
    Range,
    RedFlag,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

__all__ = [
    "DOSE_LIMITS",
    "KINDS",
    "POSITIONS",
    "SEED_FILES",
    "ContentError",
    "Library",
    "load_library",
    "resources_dir",
]

# The evidence articles every entry must cite. The seed folder is not shipped with the
# app, so the allowed names live here.
SEED_FILES: tuple[str, ...] = (
    "000_d6f0443215891ac0.txt",
    "001_e092324877ec48c5.txt",
    "002_a0d6e42ddbc4255f.txt",
    "003_1dba672b567ce361.txt",
    "004_8341d402c17922d2.txt",
)

KINDS: frozenset[str] = frozenset({"strength", "stretch", "mobility", "warm-up"})
POSITIONS: frozenset[str] = frozenset({"standing", "seated", "wall", "kneeling", "floor"})
DESK_POSITIONS: frozenset[str] = frozenset({"standing", "seated", "wall"})

# Inclusive bounds for each dose range field.
DOSE_LIMITS: Mapping[str, tuple[int, int]] = {
    "sets": (1, 5),
    "reps": (1, 30),
    "hold_seconds": (5, 120),
    "duration_seconds": (10, 600),
}

SCHEMA_VERSION = 1
EXERCISES_FILE = "exercises.toml"
CHECKLISTS_FILE = "checklists.toml"
RED_FLAGS_FILE = "red_flags.toml"
PICTOGRAMS_DIR = "pictograms"

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

T = TypeVar("T")


def resources_dir() -> Path:
    """Where the content lives: always inside DeskGuard's own folders.

    From a wheel (and the PyInstaller bundle, which lays it out the same way) that is
    ``deskguard/resources`` (see the package-dir mapping in pyproject.toml). From a source
    tree or an editable install it is the repository's top-level ``resources/``, taken
    only when that folder sits next to DeskGuard's own ``pyproject.toml``: the folder
    next to an installed package is site-packages, where any careless package can leave
    a ``resources`` folder of its own (issue #17: an empty one hid all of the content).
    """
    package = Path(deskguard.__file__).resolve().parent
    installed = package / "resources"
    if installed.is_dir():
        return installed
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "resources").is_dir():
        return checkout / "resources"
    return installed  # missing: load_library names the file it could not find


class ContentError(Exception):
    """A content file is unreadable or an entry in it is wrong.

    The message names the file, the entry id (when there is one) and the field.
    """

    def __init__(self, file: str, entry_id: str | None, field: str | None, problem: str) -> None:
        self.file = file
        self.entry_id = entry_id
        self.field = field
        self.problem = problem
        where = file
        if entry_id is not None:
            where += f": entry {entry_id!r}"
        if field is not None:
            where += f": field {field!r}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Library:
    """Everything in resources/*.toml, validated."""

    exercises: tuple[Exercise, ...]
    avoid: tuple[AvoidItem, ...]
    checklists: tuple[Checklist, ...]
    red_flags: tuple[RedFlag, ...]
    disclaimer: str
    directory: Path | None = None  # where it was loaded from; None means resources_dir()

    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(exercise_id)

    def desk_friendly(self) -> tuple[Exercise, ...]:
        return tuple(e for e in self.exercises if e.desk_friendly)

    def checklist(self, checklist_id: str) -> Checklist:
        for checklist in self.checklists:
            if checklist.id == checklist_id:
                return checklist
        raise KeyError(checklist_id)

    def picture_path(self, exercise: Exercise) -> Path | None:
        """The pictogram file of an exercise, or None if it has none."""
        if exercise.picture is None:
            return None
        base = self.directory if self.directory is not None else resources_dir()
        return base / PICTOGRAMS_DIR / exercise.picture


# --------------------------------------------------------------------------- parsing


class _Entry:
    """Typed access to one TOML table; every error names file, entry id and field."""

    def __init__(self, file: str, table: object, label: str, prefix: str = "") -> None:
        self.file = file
        self.prefix = prefix
        self.entry_id: str | None = None
        if not isinstance(table, dict):
            raise ContentError(file, None, prefix.rstrip(".") or None, f"{label} must be a table")
        self.table: dict[str, Any] = table
        raw_id = table.get("id")
        if isinstance(raw_id, str) and raw_id:
            self.entry_id = raw_id

    def error(self, field: str, problem: str) -> ContentError:
        return ContentError(self.file, self.entry_id, self.prefix + field, problem)

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.table) - allowed)
        if unknown:
            raise self.error(unknown[0], "unknown field (typo?)")

    def _get(self, field: str, kind: type[T], kind_name: str, default: T | None) -> T:
        if field not in self.table:
            if default is not None:
                return default
            raise self.error(field, "required field is missing")
        value = self.table[field]
        # bool is a subclass of int: never accept one for the other.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(field, f"must be {kind_name}, got {type(value).__name__}")
        return value

    def text(self, field: str, *, allow_empty: bool = False, default: str | None = None) -> str:
        value = self._get(field, str, "a string", default)
        if not allow_empty and not value.strip():
            raise self.error(field, "must not be empty")
        return value

    def boolean(self, field: str, default: bool | None = None) -> bool:
        return self._get(field, bool, "true or false", default)

    def integer(self, field: str) -> int:
        return self._get(field, int, "an integer", None)

    def texts(self, field: str, *, allow_empty: bool = False) -> tuple[str, ...]:
        value = self._get(field, list, "a list of strings", [] if allow_empty else None)
        if not allow_empty and not value:
            raise self.error(field, "must list at least one entry")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self.error(field, "every entry must be a non-empty string")
        return tuple(value)

    def identifier(self) -> str:
        value = self.text("id")
        if not _ID_RE.match(value):
            raise self.error("id", f"{value!r} is not kebab-case (a-z, 0-9, single hyphens)")
        return value

    def sources(self) -> tuple[str, ...]:
        value = self.texts("sources")
        for name in value:
            if name not in SEED_FILES:
                raise self.error("sources", f"{name!r} is not one of the seed articles")
        if len(set(value)) != len(value):
            raise self.error("sources", "lists the same article twice")
        return value

    def origin(self, field: str, choice_field: str) -> tuple[tuple[str, ...], str]:
        """A `*_source` field (article codes and/or "ours", a string or a list) and the
        `*_choice` text it needs when DeskGuard chose some of it (core/evidence.py)."""
        raw = self.table.get(field)
        if raw is None:
            raise self.error(
                field,
                f"required field is missing: name the articles ({', '.join(ARTICLES)}) "
                f'or "{OURS}" for DeskGuard\'s own suggestion',
            )
        value = self.texts(field) if isinstance(raw, list) else (self.text(field),)
        for code in value:
            if code not in SOURCE_CODES:
                raise self.error(
                    field, f"{code!r} is not an article code ({', '.join(ARTICLES)}) or {OURS!r}"
                )
        if len(set(value)) != len(value):
            raise self.error(field, "lists the same source twice")
        choice = self.text(choice_field, allow_empty=True, default="")
        if OURS in value and not choice.strip():
            raise self.error(
                choice_field, f"{field} includes {OURS!r}: say what DeskGuard chose and why"
            )
        if OURS not in value and choice:
            raise self.error(choice_field, f"only for a {field} that includes {OURS!r}")
        return value, choice

    def phrases(self, field: str) -> tuple[str, ...]:
        """An optional list of short names (aliases), each once."""
        value = self.texts(field, allow_empty=True)
        folded = [v.strip().lower() for v in value]
        if len(set(folded)) != len(folded):
            raise self.error(field, "lists the same name twice")
        return value


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ContentError(name, None, None, f"file not found in {directory}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(name, None, None, f"not valid TOML: {exc}") from None
    schema = data.get("schema")
    if schema != SCHEMA_VERSION or isinstance(schema, bool):
        raise ContentError(name, None, "schema", f"must be {SCHEMA_VERSION}, got {schema!r}")
    return data


def _tables(file: str, data: Mapping[str, Any], key: str) -> list[object]:
    value = data.get(key)
    if value is None:
        raise ContentError(file, None, key, f"no [[{key}]] entries")
    if not isinstance(value, list) or not value:
        raise ContentError(file, None, key, f"must be one or more [[{key}]] tables")
    return value


def _check_top_level(file: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ContentError(file, None, unknown[0], "unknown top-level key (typo?)")


class _Ids:
    """Ids seen so far in one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.seen: set[str] = set()

    def add(self, entry_id: str) -> None:
        if entry_id in self.seen:
            raise ContentError(self.file, entry_id, "id", "duplicate id in this file")
        self.seen.add(entry_id)


def _range(entry: _Entry, field: str) -> Range | None:
    if field not in entry.table:
        return None
    value = entry.table[field]
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise entry.error(field, "must be [low, high], two integers")
    low, high = value
    lowest, highest = DOSE_LIMITS[field]
    if low > high:
        raise entry.error(field, f"low {low} is greater than high {high}")
    if low < lowest or high > highest:
        raise entry.error(field, f"{low}-{high} is outside the sane range {lowest}-{highest}")
    return Range(low, high)


def _dose(file: str, entry_id: str, table: object) -> Dose:
    entry = _Entry(file, table, "dose", prefix="dose.")
    entry.entry_id = entry_id  # a dose table has no id of its own
    entry.check_keys({*DOSE_LIMITS, "per_side", "note"})
    sets = _range(entry, "sets")
    reps = _range(entry, "reps")
    hold = _range(entry, "hold_seconds")
    duration = _range(entry, "duration_seconds")
    if reps is None and hold is None and duration is None:
        raise entry.error(
            "reps", "a dose needs at least one of reps, hold_seconds, duration_seconds"
        )
    return Dose(
        sets=sets,
        reps=reps,
        hold_seconds=hold,
        duration_seconds=duration,
        per_side=entry.boolean("per_side", default=False),
        note=entry.text("note", allow_empty=True, default=""),
    )


_EXERCISE_KEYS = {
    "id", "name", "kind", "position", "desk_friendly", "targets", "why", "steps", "cues",
    "cautions", "phase", "sources", "picture", "dose",
    "dose_source", "dose_choice", "steps_source", "steps_choice", "aliases", "gentle",
}  # fmt: skip

# A caution is shown as one line in the break window before it is expanded.
MAX_CAUTION_CHARS = 160
# What "gentle" may be: no strength work, nothing loaded, nothing on the floor.
GENTLE_KINDS: frozenset[str] = frozenset({"mobility", "warm-up", "stretch"})


def _exercise(file: str, table: object, pictograms: Path) -> Exercise:
    entry = _Entry(file, table, "[[exercise]]")
    entry_id = entry.identifier()
    entry.check_keys(_EXERCISE_KEYS)
    kind = entry.text("kind")
    if kind not in KINDS:
        raise entry.error("kind", f"{kind!r} is not one of {sorted(KINDS)}")
    position = entry.text("position")
    if position not in POSITIONS:
        raise entry.error("position", f"{position!r} is not one of {sorted(POSITIONS)}")
    desk_friendly = entry.boolean("desk_friendly")
    if desk_friendly and position not in DESK_POSITIONS:
        raise entry.error(
            "desk_friendly",
            f"a {position} exercise cannot be desk-friendly "
            f"(position must be one of {sorted(DESK_POSITIONS)})",
        )
    phase: int | None = None
    if "phase" in entry.table:
        phase = entry.integer("phase")
        if phase not in (1, 2, 3):
            raise entry.error("phase", f"must be 1, 2 or 3, got {phase}")
    picture = entry.text("picture")
    if Path(picture).name != picture or not picture.endswith(".svg"):
        raise entry.error("picture", f"{picture!r} must be a plain .svg file name")
    if not (pictograms / picture).is_file():
        raise entry.error("picture", f"{picture!r} not found in {pictograms}")
    if "dose" not in entry.table:
        raise entry.error("dose", "required field is missing")
    cautions = entry.texts("cautions", allow_empty=True)
    if not cautions:
        raise entry.error("cautions", "give at least one caution (the break window shows it)")
    for caution in cautions:
        if len(caution) > MAX_CAUTION_CHARS:
            raise entry.error(
                "cautions", f"keep each caution to {MAX_CAUTION_CHARS} characters, one line"
            )
    gentle = entry.boolean("gentle", default=False)
    if gentle and (kind not in GENTLE_KINDS or position not in DESK_POSITIONS):
        raise entry.error(
            "gentle",
            f"a {kind} exercise done {position} cannot be gentle: gentle means walking, "
            f"standing or gentle mobility ({sorted(GENTLE_KINDS)}, {sorted(DESK_POSITIONS)})",
        )
    aliases = entry.phrases("aliases")
    name = entry.text("name")
    if any(a.strip().lower() == name.strip().lower() for a in aliases):
        raise entry.error("aliases", "repeats the exercise's own name")
    dose_source, dose_choice = entry.origin("dose_source", "dose_choice")
    steps_source, steps_choice = entry.origin("steps_source", "steps_choice")
    return Exercise(
        id=entry_id,
        name=name,
        kind=kind,
        position=position,
        desk_friendly=desk_friendly,
        targets=entry.texts("targets"),
        why=entry.text("why"),
        steps=entry.texts("steps"),
        cues=entry.texts("cues"),
        dose=_dose(file, entry_id, entry.table["dose"]),
        cautions=cautions,
        phase=phase,
        sources=entry.sources(),
        picture=picture,
        dose_source=dose_source,
        dose_choice=dose_choice,
        steps_source=steps_source,
        steps_choice=steps_choice,
        aliases=aliases,
        gentle=gentle,
    )


def _avoid(file: str, table: object) -> AvoidItem:
    entry = _Entry(file, table, "[[avoid]]")
    entry_id = entry.identifier()
    entry.check_keys({"id", "name", "why", "instead", "sources"})
    return AvoidItem(
        id=entry_id,
        name=entry.text("name"),
        why=entry.text("why"),
        instead=entry.text("instead"),
        sources=entry.sources(),
    )


def _checklist(file: str, table: object, ids: _Ids) -> Checklist:
    entry = _Entry(file, table, "[[checklist]]")
    entry_id = entry.identifier()
    ids.add(entry_id)
    entry.check_keys({"id", "title", "item"})
    raw_items = entry.table.get("item")
    if not isinstance(raw_items, list) or not raw_items:
        raise entry.error("item", "a checklist needs one or more [[checklist.item]] tables")
    items: list[ChecklistItem] = []
    for raw in raw_items:
        item = _Entry(file, raw, "[[checklist.item]]")
        item_id = item.identifier()
        ids.add(item_id)
        item.check_keys({"id", "text", "reason", "sources"})
        text = item.text("text")
        if not text.rstrip().endswith("?"):
            raise item.error("text", "must be phrased as a yes/no question ending in '?'")
        items.append(
            ChecklistItem(id=item_id, text=text, reason=item.text("reason"), sources=item.sources())
        )
    return Checklist(id=entry_id, title=entry.text("title"), items=tuple(items))


def _red_flag(file: str, table: object) -> RedFlag:
    entry = _Entry(file, table, "[[red_flag]]")
    entry_id = entry.identifier()
    entry.check_keys({"id", "text", "threshold", "sources"})
    return RedFlag(
        id=entry_id,
        text=entry.text("text"),
        threshold=entry.text("threshold", allow_empty=True),
        sources=entry.sources(),
    )


def _unique(file: str, items: tuple[T, ...], key: Callable[[T], str], ids: _Ids) -> None:
    for item in items:
        ids.add(key(item))


def load_library(directory: Path | None = None) -> Library:
    """Parse and validate exercises.toml, checklists.toml and red_flags.toml.

    Raises ContentError naming the file, entry id and field of the first problem found.
    """
    base = directory if directory is not None else resources_dir()
    pictograms = base / PICTOGRAMS_DIR

    data = _read(base, EXERCISES_FILE)
    _check_top_level(EXERCISES_FILE, data, {"schema", "exercise", "avoid"})
    exercises = tuple(
        _exercise(EXERCISES_FILE, t, pictograms) for t in _tables(EXERCISES_FILE, data, "exercise")
    )
    avoid = tuple(_avoid(EXERCISES_FILE, t) for t in _tables(EXERCISES_FILE, data, "avoid"))
    exercise_ids = _Ids(EXERCISES_FILE)
    _unique(EXERCISES_FILE, exercises, lambda e: e.id, exercise_ids)
    _unique(EXERCISES_FILE, avoid, lambda a: a.id, exercise_ids)

    data = _read(base, CHECKLISTS_FILE)
    _check_top_level(CHECKLISTS_FILE, data, {"schema", "checklist"})
    checklist_ids = _Ids(CHECKLISTS_FILE)
    checklists = tuple(
        _checklist(CHECKLISTS_FILE, t, checklist_ids)
        for t in _tables(CHECKLISTS_FILE, data, "checklist")
    )

    data = _read(base, RED_FLAGS_FILE)
    _check_top_level(RED_FLAGS_FILE, data, {"schema", "disclaimer", "red_flag"})
    disclaimer = data.get("disclaimer")
    if not isinstance(disclaimer, str) or not disclaimer.strip():
        raise ContentError(RED_FLAGS_FILE, None, "disclaimer", "must be a non-empty string")
    red_flags = tuple(
        _red_flag(RED_FLAGS_FILE, t) for t in _tables(RED_FLAGS_FILE, data, "red_flag")
    )
    _unique(RED_FLAGS_FILE, red_flags, lambda r: r.id, _Ids(RED_FLAGS_FILE))

    return Library(
        exercises=exercises,
        avoid=avoid,
        checklists=checklists,
        red_flags=red_flags,
        disclaimer=disclaimer,
        directory=directory,
    )

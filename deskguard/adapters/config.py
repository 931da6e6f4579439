"""settings.toml <-> Settings: read with tomllib, validated key by key, defaults written as text.

A mistake in the file never stops the app: a broken file means all defaults, a bad value
means the default for that key only, and every problem comes back as a sentence for the user.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from deskguard.adapters.paths import ensure_private_dir
from deskguard.core.model import WEEKDAY_NAMES, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class _IntKey:
    section: str
    key: str
    low: int
    high: int
    comment: str  # shown after the value in the default file


# Order is the order of the default file; the key name is also the Settings field name.
_INT_KEYS = (
    _IntKey("schedule", "interval_minutes", 5, 120, ""),
    _IntKey("breaks", "break_minutes", 1, 15, "{low}{dash}{high}"),
    _IntKey("breaks", "snooze_minutes", 1, 30, "{low}{dash}{high}"),
    _IntKey("breaks", "snooze_limit", 0, 5, "{low}{dash}{high} snoozes per prompt"),
    _IntKey(
        "breaks",
        "response_window_minutes",
        1,
        60,
        "{low}{dash}{high}; no answer by then counts as missed",
    ),
    _IntKey(
        "breaks",
        "defer_cap_minutes",
        5,
        120,
        "{low}{dash}{high}; a prompt held back by a presentation this long counts as missed",
    ),
    _IntKey("goals", "adherence_goal", 10, 100, "percent, {low}{dash}{high}"),
)
_INTS = {(k.section, k.key): k for k in _INT_KEYS}
_OTHER_KEYS = {("schedule", "working_days"), ("schedule", "work_start"), ("schedule", "work_end")}
_SECTIONS = ("schedule", "breaks", "goals")
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TOML_POSITION = re.compile(
    r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S
)

_DASH = "\u2013"  # en dash, for ranges in the user-facing text
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_KEEP_NOTE = "DeskGuard is using its default settings; your file was left as it is."


def _show(value: object) -> str:
    """A value the way it would be written in TOML, so messages quote what the user typed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _day_names(days: frozenset[int]) -> list[str]:
    return [WEEKDAY_NAMES[d] for d in sorted(days)]


def default_settings_text() -> str:
    """The commented settings file written on first run, built from Settings() defaults."""
    d = Settings()
    ints = {k.key: k for k in _INT_KEYS}

    def line(key: str) -> str:
        spec = ints[key]
        text = f"{key} = {getattr(d, key)}"
        if spec.comment:
            text = f"{text:<29}# {spec.comment.format(low=spec.low, high=spec.high, dash=_DASH)}"
        return text

    iv = ints["interval_minutes"]
    days = ", ".join(json.dumps(n) for n in _day_names(d.working_days))
    return "\n".join(
        [
            "# DeskGuard settings.",
            "# DeskGuard reads this file when it starts: restart it after editing.",
            "# Each setting notes its allowed range. A value outside it is reported and that",
            "# setting alone falls back to its default. Delete this file to get the defaults back.",
            "",
            "[schedule]",
            f"# Minutes between stand-and-move prompts. 30{_DASH}60 is what the evidence"
            f" recommends; {iv.low}{_DASH}{iv.high} allowed.",
            line("interval_minutes"),
            "# Days you work: " + ", ".join(WEEKDAY_NAMES) + ".",
            f"working_days = [{days}]",
            '# Prompts come only between these times ("HH:MM", 24-hour; start before end).',
            f'work_start = "{_hhmm(d.work_start)}"',
            f'work_end = "{_hhmm(d.work_end)}"',
            "",
            "[breaks]",
            line("break_minutes"),
            line("snooze_minutes"),
            line("snooze_limit"),
            line("response_window_minutes"),
            "",
            "[goals]",
            line("adherence_goal"),
            "",
        ]
    )


def _write_defaults(path: Path) -> None:
    ensure_private_dir(path.parent)
    # Write a temp file and rename, so a crash never leaves a half-written settings file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(default_settings_text().encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _decode_error(path: Path, err: tomllib.TOMLDecodeError) -> str:
    # Python 3.14 adds lineno/colno/msg; older versions only put them in the message.
    lineno = getattr(err, "lineno", None)
    colno = getattr(err, "colno", None)
    msg = getattr(err, "msg", None)
    if lineno is None or msg is None:
        m = _TOML_POSITION.match(str(err))
        if m:
            msg = m["msg"]
            if m["line"]:
                lineno, colno = int(m["line"]), int(m["col"])
        else:
            msg = str(err)
    where = f"line {lineno}, column {colno}" if lineno is not None else "at the end of the file"
    return f"{path} {where}: {msg}. {_KEEP_NOTE}"


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        return None, f"{path} could not be read ({e.strerror or e}). {_KEEP_NOTE}"
    try:
        # utf-8-sig: Notepad on Windows adds a byte-order mark that TOML does not allow.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return None, f"{path} line {line}: the file is not valid UTF-8 text. {_KEEP_NOTE}"
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as e:
        return None, _decode_error(path, e)


def _parse_time(value: object) -> time | None:
    if isinstance(value, time) and value.tzinfo is None:
        return value  # a TOML local time such as 09:00:00
    if isinstance(value, str) and (m := _HHMM.fullmatch(value.strip())):
        return time(int(m[1]), int(m[2]))
    return None


def _day_index(name: str) -> int | None:
    """Monday is 0; "mon" and "Monday" both count."""
    name = name.strip().lower()
    for i, (short, full) in enumerate(zip(WEEKDAY_NAMES, _FULL_DAY_NAMES, strict=True)):
        if name in (short, full):
            return i
    return None


def _parse_days(value: object) -> tuple[frozenset[int] | None, str]:
    """(days, "") or (None, why not)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, "expected a list of day names"
    if not value:
        return None, "at least one day is needed"
    unknown = [v for v in value if _day_index(v) is None]
    if unknown:
        return None, "unknown day name " + ", ".join(_show(v) for v in unknown)
    return frozenset(i for v in value if (i := _day_index(v)) is not None), ""


def _validate(data: dict[str, Any], path: Path) -> tuple[Settings, list[str]]:
    defaults = Settings()
    changes: dict[str, Any] = {}
    problems: list[str] = []

    def bad(name: str, value: object, allowed: str, default: str) -> None:
        problems.append(
            f"{path}: {name} = {_show(value)} is not allowed ({allowed}); "
            f"using the default, {default}."
        )

    for section, table in data.items():
        if section not in _SECTIONS:
            hint = _hint_for(section)
            problems.append(f"{path}: unknown setting {section}{hint}; ignored.")
            continue
        if not isinstance(table, dict):
            problems.append(
                f"{path}: {section} = {_show(table)} should be a section [{section}]; ignored."
            )
            continue
        for key, value in table.items():
            name = f"{section}.{key}"
            if (section, key) in _INTS:
                spec = _INTS[(section, key)]
                allowed = f"a whole number from {spec.low} to {spec.high}"
                default = getattr(defaults, key)
                # bool is an int subclass in Python, but `true` is no number of minutes.
                if (
                    isinstance(value, int)
                    and not isinstance(value, bool)
                    and (spec.low <= value <= spec.high)
                ):
                    changes[key] = value
                else:
                    bad(name, value, allowed, str(default))
            elif key == "working_days" and section == "schedule":
                days, why = _parse_days(value)
                if days is None:
                    allowed = f"{why}; use " + ", ".join(WEEKDAY_NAMES)
                    bad(name, value, allowed, _show(_day_names(defaults.working_days)))
                else:
                    changes["working_days"] = days
            elif key in ("work_start", "work_end") and section == "schedule":
                parsed = _parse_time(value)
                if parsed is None:
                    default_t = getattr(defaults, key)
                    bad(name, value, 'a 24-hour time "HH:MM"', f'"{_hhmm(default_t)}"')
                else:
                    changes[key] = parsed
            else:
                hint = _hint_for(key, section)
                problems.append(f"{path}: unknown setting {name}{hint}; ignored.")

    start = changes.get("work_start", defaults.work_start)
    end = changes.get("work_end", defaults.work_end)
    if start >= end:
        problems.append(
            f"{path}: schedule.work_start ({_hhmm(start)}) must be before schedule.work_end "
            f"({_hhmm(end)}); using the defaults, {_hhmm(defaults.work_start)} to "
            f"{_hhmm(defaults.work_end)}."
        )
        changes.pop("work_start", None)
        changes.pop("work_end", None)

    return dataclasses.replace(defaults, **changes), problems


def _hint_for(key: str, section: str | None = None) -> str:
    """' (did you mean breaks.snooze_minutes?)' when the key belongs in another section."""
    for known_section, known_key in (*_INTS, *_OTHER_KEYS):
        if known_key == key and known_section != section:
            return f" (did you mean {known_section}.{known_key}?)"
    return ""


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """Settings from `path` plus messages for the user about anything that was not used.

    A missing file is created with the commented defaults. The file is never rewritten.
    """
    if path.is_symlink() and not path.exists():
        # A dangling link (dotfiles not mounted?): replacing it would lose the user's setup.
        return Settings(), [
            f"{path} is a link to a missing file. DeskGuard is using its default settings; "
            "the link was left as it is."
        ]
    if not path.exists():
        try:
            _write_defaults(path)
        except OSError as e:
            return Settings(), [
                f"{path} did not exist and could not be created ({e.strerror or e}); "
                "DeskGuard is using its default settings."
            ]
        return Settings(), []
    data, problem = _read_toml(path)
    if data is None:
        return Settings(), [problem or f"{path} could not be read. {_KEEP_NOTE}"]
    return _validate(data, path)

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

from deskguard.adapters.files import NotAFileError, TooLargeError, read_regular
from deskguard.adapters.paths import ensure_private_dir
from deskguard.core.model import THEMES, WEEKDAY_FULL_NAMES, WEEKDAY_NAMES, Settings
from deskguard.core.programme import check_days

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


@dataclass(frozen=True)
class _BoolKey:
    section: str
    key: str
    comment: str


# On/off settings; only those the Settings dataclass has (a field is added there first).
_BOOL_KEYS = tuple(
    k
    for k in (
        _BoolKey(
            "breaks", "posture_checks", "true or false; a posture reminder halfway between breaks"
        ),
    )
    if k.key in Settings.__dataclass_fields__
)
_BOOLS = {(k.section, k.key): k for k in _BOOL_KEYS}
# [programme] is the one section whose keys are not the Settings field names: the
# file says `days`, `time` and `reminders` under it; Settings says programme_days ...
PROGRAMME_KEYS: dict[str, str] = {
    "days": "programme_days",
    "time": "programme_time",
    "reminders": "programme_reminders",
}
_PROGRAMME_FIELDS = {field: key for key, field in PROGRAMME_KEYS.items()}
_OTHER_KEYS = {
    ("look", "theme"),
    ("schedule", "working_days"),
    ("schedule", "work_start"),
    ("schedule", "work_end"),
    *(("programme", key) for key in PROGRAMME_KEYS),
}
_SECTIONS = ("schedule", "breaks", "goals", "programme", "look")
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TOML_POSITION = re.compile(
    r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S
)

_DASH = "\u2013"  # en dash, for ranges in the user-facing text
_THEME_ALLOWED = 'one of "system", "light", "dark"'
# A settings file is a few hundred bytes and two levels deep: these limits only stop a
# file that is something else from hanging start-up or ending in a RecursionError.
MAX_SETTINGS_BYTES = 1 << 20
MAX_NESTING = 50
_TOML_SPECIAL = re.compile(r"[\n#\"'\[\]{}]")
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


def _full_day_names(days: frozenset[int]) -> list[str]:
    return [WEEKDAY_FULL_NAMES[d] for d in sorted(days)]


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

    def bool_line(spec: _BoolKey) -> str:
        text = f"{spec.key} = {_show(getattr(d, spec.key))}"
        return f"{text:<29}# {spec.comment}"

    iv = ints["interval_minutes"]
    days = ", ".join(json.dumps(n) for n in _day_names(d.working_days))
    session_days = ", ".join(json.dumps(n) for n in _full_day_names(d.programme_days))
    return "\n".join(
        [
            "# DeskGuard settings.",
            "# DeskGuard reads this file when it starts: restart it after editing by hand.",
            "# The Settings window (tray menu) changes it for you and keeps your comments.",
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
            line("defer_cap_minutes"),
            *[bool_line(k) for k in _BOOL_KEYS if k.section == "breaks"],
            "",
            "[goals]",
            line("adherence_goal"),
            "",
            "[programme]",
            "# The back-care programme's session days: 3 or 4 a week with a rest day between",
            "# two sessions (e.g. Monday, Wednesday, Friday).",
            f"days = [{session_days}]",
            '# When to remind you on a session day ("HH:MM", 24-hour).',
            f'time = "{_hhmm(d.programme_time)}"',
            f"{'reminders = ' + _show(d.programme_reminders):<29}# true or false; "
            "one reminder on a session day",
            "",
            "[look]",
            f'{"theme = " + json.dumps(d.theme):<29}# "system" (your desktop\'s look), "light"'
            ' or "dark"',
            "",
        ]
    )


def _write_defaults(path: Path) -> None:
    ensure_private_dir(path.parent)
    _atomic_write(path, default_settings_text())


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


def too_deep_at(text: str, limit: int = MAX_NESTING) -> int | None:
    """The line where `[`/`{` nesting outside strings and comments first passes `limit`;
    None when it never does. A rough TOML tokenizer: the parser has the last word."""
    depth, line, i, end = 0, 1, 0, len(text)
    while (m := _TOML_SPECIAL.search(text, i)) is not None:
        c, i = m.group(), m.end()
        if c == "\n":
            line += 1
        elif c == "#":
            i = text.find("\n", i)
            i = end if i < 0 else i
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 2, i) else c
            i += len(quote) - 1
            while i < end and not text.startswith(quote, i):
                if text[i] == "\n":
                    line += 1
                    if len(quote) == 1:
                        break  # an unclosed string: the parser will say so
                if c == '"' and text[i] == "\\":
                    i += 1
                    line += text.startswith("\n", i)
                i += 1
            i += len(quote)
        elif c in "[{":
            depth += 1
            if depth > limit:
                return line
        else:
            depth = max(0, depth - 1)
    return None


def _read_text(path: Path) -> str:
    """The settings file as text: OSError (NotAFileError, TooLargeError, ...) or
    UnicodeDecodeError; never blocks on a pipe or reads a device."""
    # utf-8-sig: Notepad on Windows adds a byte-order mark that TOML does not allow.
    return read_regular(path, MAX_SETTINGS_BYTES).decode("utf-8-sig")


def _parse_limited(path: Path, text: str) -> dict[str, Any]:
    """tomllib.loads, refusing nesting beyond MAX_NESTING first (ValueError, in words)."""
    line = too_deep_at(text)
    if line is not None:
        raise ValueError(f"{path} line {line}: values are nested more than {MAX_NESTING} deep")
    try:
        return tomllib.loads(text)
    except RecursionError:  # the scan above should have caught it; never a traceback
        raise ValueError(f"{path}: values are nested too deeply to read") from None


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        text = _read_text(path)
    except (NotAFileError, TooLargeError) as e:
        too_big = " for a settings file" if isinstance(e, TooLargeError) else ""
        return None, f"{e.strerror}{too_big}. {_KEEP_NOTE}"
    except OSError as e:
        return None, f"{path} could not be read ({e.strerror or e}). {_KEEP_NOTE}"
    except UnicodeDecodeError as e:
        line = e.object[: e.start].count(b"\n") + 1
        return None, f"{path} line {line}: the file is not valid UTF-8 text. {_KEEP_NOTE}"
    try:
        return _parse_limited(path, text), None
    except tomllib.TOMLDecodeError as e:
        return None, _decode_error(path, e)
    except ValueError as e:
        return None, f"{e}. {_KEEP_NOTE}"


def _parse_time(value: object) -> time | None:
    if isinstance(value, time) and value.tzinfo is None:
        return value  # a TOML local time such as 09:00:00
    if isinstance(value, str) and (m := _HHMM.fullmatch(value.strip())):
        return time(int(m[1]), int(m[2]))
    return None


def _day_index(name: str) -> int | None:
    """Monday is 0; "mon" and "Monday" both count."""
    name = name.strip().lower()
    for i, (short, full) in enumerate(zip(WEEKDAY_NAMES, WEEKDAY_FULL_NAMES, strict=True)):
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


def _int_problem(spec: _IntKey, value: object) -> str | None:
    """None when `value` is allowed, else what is allowed."""
    # bool is an int subclass in Python, but `true` is no number of minutes.
    if isinstance(value, int) and not isinstance(value, bool) and spec.low <= value <= spec.high:
        return None
    return f"a whole number from {spec.low} to {spec.high}"


def _order_problem(start: time, end: time) -> str:
    return f"schedule.work_start ({_hhmm(start)}) must be before schedule.work_end ({_hhmm(end)})"


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
                allowed_or_none = _int_problem(_INTS[(section, key)], value)
                if allowed_or_none is None:
                    changes[key] = value
                else:
                    bad(name, value, allowed_or_none, str(getattr(defaults, key)))
            elif (section, key) in _BOOLS:
                if isinstance(value, bool):
                    changes[key] = value
                else:
                    bad(name, value, "true or false", _show(getattr(defaults, key)))
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
            elif (section, key) == ("look", "theme"):
                if value in THEMES:
                    changes["theme"] = value
                else:
                    bad(name, value, _THEME_ALLOWED, json.dumps(defaults.theme))
            elif section == "programme" and key in PROGRAMME_KEYS:
                field = PROGRAMME_KEYS[key]
                problem = _programme_problem(key, value)
                if problem is None:
                    changes[field] = _programme_value(key, value)
                else:
                    default = _show(_toml_value(field, getattr(defaults, field)))
                    bad(name, value, problem, default)
            else:
                hint = _hint_for(key, section)
                problems.append(f"{path}: unknown setting {name}{hint}; ignored.")

    start = changes.get("work_start", defaults.work_start)
    end = changes.get("work_end", defaults.work_end)
    if start >= end:
        problems.append(
            f"{path}: {_order_problem(start, end)}; using the defaults, "
            f"{_hhmm(defaults.work_start)} to {_hhmm(defaults.work_end)}."
        )
        changes.pop("work_start", None)
        changes.pop("work_end", None)

    return dataclasses.replace(defaults, **changes), problems


def _programme_problem(key: str, value: object) -> str | None:
    """None if `value` may stand as programme.`key` in the file, else what is allowed."""
    if key == "days":
        days, why = _parse_days(value)
        if days is None:
            return f"{why}; use " + ", ".join(WEEKDAY_FULL_NAMES)
        return check_days(days)
    if key == "time":
        return None if _parse_time(value) is not None else 'a 24-hour time "HH:MM"'
    return None if isinstance(value, bool) else "true or false"


def _programme_value(key: str, value: object) -> object:
    """The Settings value for a programme.`key` that passed _programme_problem."""
    if key == "days":
        return _parse_days(value)[0]
    if key == "time":
        return _parse_time(value)
    return value


def _hint_for(key: str, section: str | None = None) -> str:
    """' (did you mean breaks.snooze_minutes?)' when the key belongs in another section."""
    for known_section, known_key in (*_INTS, *_BOOLS, *_OTHER_KEYS):
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


# ---- the settings window: per-field checks and saving --------------------------------

# Every Settings field and the [section] it lives in, in the order of the default file.
FIELD_SECTIONS: dict[str, str] = {
    "interval_minutes": "schedule",
    "working_days": "schedule",
    "work_start": "schedule",
    "work_end": "schedule",
    **{k.key: k.section for k in _INT_KEYS if k.section != "schedule"},
    **{k.key: k.section for k in _BOOL_KEYS},
    **dict.fromkeys(PROGRAMME_KEYS.values(), "programme"),
    "theme": "look",
}


def setting_key(name: str) -> tuple[str, str]:
    """(section, key) where the Settings field `name` lives in the file."""
    return FIELD_SECTIONS.get(name, "?"), _PROGRAMME_FIELDS.get(name, name)


class SettingsSaveError(OSError):
    """The settings file could not be read back or parsed, so it was not rewritten.

    An OSError, like every other reason saving can fail (a full disk, no permission), so
    one `except OSError` covers them all; the message is a sentence for the user.
    """


def int_ranges() -> dict[str, tuple[int, int]]:
    """Allowed (low, high) of every whole-number setting, by Settings field name."""
    return {k.key: (k.low, k.high) for k in _INT_KEYS}


def validate_field(
    section: str, key: str, value: object, settings: Settings | None = None
) -> str | None:
    """None if `value` may be saved as `section.key`, else what is wrong, in load_settings' words.

    `value` is either what the TOML file would hold ("09:00", ["mon", "tue"]) or the
    Settings type (time, frozenset of weekday numbers). With `settings`, work_start and
    work_end are also checked against the other end of the working day.
    """
    name = f"{section}.{key}"
    if (section, key) in _INTS:
        allowed = _int_problem(_INTS[(section, key)], value)
        return None if allowed is None else f"{name} = {_show(value)} is not allowed ({allowed})."
    if (section, key) in _BOOLS:
        if isinstance(value, bool):
            return None
        return f"{name} = {_show(value)} is not allowed (true or false)."
    if (section, key) == ("schedule", "working_days"):
        if isinstance(value, (set, frozenset)) and all(
            isinstance(d, int) and 0 <= d < len(WEEKDAY_NAMES) for d in value
        ):
            value = _day_names(frozenset(value))
        days, why = _parse_days(value)
        if days is None:
            allowed = f"{why}; use " + ", ".join(WEEKDAY_NAMES)
            return f"{name} = {_show(value)} is not allowed ({allowed})."
        return None
    if (section, key) == ("look", "theme"):
        if value in THEMES:
            return None
        return f"{name} = {_show(value)} is not allowed ({_THEME_ALLOWED})."
    if section == "programme" and key in PROGRAMME_KEYS:
        if key == "days" and isinstance(value, (set, frozenset)):
            if not all(isinstance(d, int) and 0 <= d < len(WEEKDAY_NAMES) for d in value):
                return f"{name} = {_show(sorted(value))} is not allowed (weekdays 0 to 6)."
            value = _full_day_names(frozenset(value))
        problem = _programme_problem(key, value)
        return None if problem is None else f"{name} = {_show(value)} is not allowed ({problem})."
    if (section, key) in (("schedule", "work_start"), ("schedule", "work_end")):
        parsed = _parse_time(value)
        if parsed is None:
            return f'{name} = {_show(value)} is not allowed (a 24-hour time "HH:MM").'
        if settings is not None:
            start = parsed if key == "work_start" else settings.work_start
            end = parsed if key == "work_end" else settings.work_end
            if start >= end:
                return f"{_order_problem(start, end)}."
        return None
    return f"unknown setting {name}{_hint_for(key, section)}."


def validate_setting(name: str, value: object, settings: Settings) -> str | None:
    """validate_field by Settings field name: what the settings window calls per field."""
    section, key = setting_key(name)
    return validate_field(section, key, value, settings)


def _problems(settings: Settings) -> list[str]:
    seen: list[str] = []
    for name in FIELD_SECTIONS:
        problem = validate_setting(name, getattr(settings, name), settings)
        if problem and problem not in seen:
            seen.append(problem)
    return seen


def _toml_value(name: str, value: object) -> object:
    if name == "working_days":
        assert isinstance(value, frozenset)
        return _day_names(value)
    if name == "programme_days":
        assert isinstance(value, frozenset)
        return _full_day_names(value)
    if isinstance(value, time):
        return _hhmm(value)
    return value


def _same(name: str, stored: object, value: object) -> bool:
    """Does the file already say `value`? ("Monday" is "mon"; 09:00:00 is "09:00".)"""
    if name in ("working_days", "programme_days"):
        return _parse_days(stored)[0] == value
    if name in ("work_start", "work_end", "programme_time"):
        return _parse_time(stored) == value
    return type(stored) is type(value) and stored == value


def _is_table(item: object) -> bool:
    import tomlkit.items  # imported on first save only: ~3 MB resident otherwise

    return isinstance(item, (tomlkit.items.Table, tomlkit.items.InlineTable)) or (
        type(item).__name__ == "OutOfOrderTableProxy"
    )


def _default_lines(defaults: Any, section: str, key: str) -> tuple[list[str], Any]:
    """The comment lines above `key` in the default file, and its item (with end comment)."""
    import tomlkit.items  # imported on first save only: ~3 MB resident otherwise

    body = defaults[section].value.body
    index = next(i for i, (k, _) in enumerate(body) if k is not None and k.key == key)
    comments: list[str] = []
    for k, item in reversed(body[:index]):
        if k is not None or not isinstance(item, tomlkit.items.Comment):
            break
        comments.insert(0, item.as_string().strip().removeprefix("#").strip())
    return comments, body[index][1]


def _append_to_table(table: Any, additions: list[tuple[str | None, Any]]) -> None:
    """Add items after the table's last line rather than after its trailing blank lines."""
    import tomlkit.items  # imported on first save only: ~3 MB resident otherwise

    if not isinstance(table, tomlkit.items.Table):  # inline, or split over several headers
        for key, item in additions:
            if key is not None:
                table[key] = item
        return
    body = table.value.body
    trailing: list[Any] = []
    while body and body[-1][0] is None and isinstance(body[-1][1], tomlkit.items.Whitespace):
        trailing.insert(0, body.pop())
    for key, item in additions:
        if key is None:
            table.add(item)
        else:
            table.add(key, item)
    body.extend(trailing)


def _new_item(name: str, value: object, template: Any) -> Any:
    import tomlkit.items  # imported on first save only: ~3 MB resident otherwise

    key = setting_key(name)[1]
    item = tomlkit.item(_toml_value(name, value))
    comment = template.trivia.comment
    if comment:
        width = len(f"{key} = {template.as_string()}") + len(template.trivia.comment_ws)
        text = f"{key} = {item.as_string()}"
        item.trivia.comment_ws = " " * max(1, width - len(text))
        item.trivia.comment = comment
    return item


def _update(doc: Any, settings: Settings) -> None:
    import tomlkit.items  # imported on first save only: ~3 MB resident otherwise

    defaults = tomlkit.parse(default_settings_text())
    for section in _SECTIONS:
        names = [n for n, s in FIELD_SECTIONS.items() if s == section]
        table = doc.get(section)
        if table is not None and not _is_table(table):
            del doc[section]  # e.g. `breaks = 3`: load_settings ignored it; make it a section
            table = None
        additions: list[tuple[str | None, Any]] = []
        for name in names:
            value = getattr(settings, name)
            toml_key = setting_key(name)[1]
            if table is not None and toml_key in table:
                stored = table[toml_key]
                plain = stored.unwrap() if hasattr(stored, "unwrap") else stored
                if _same(name, plain, value):
                    continue  # untouched: the user's spelling and layout stay
                if isinstance(stored, tomlkit.items.Time):
                    table[toml_key] = value  # they wrote a TOML time; keep writing one
                else:
                    table[toml_key] = _toml_value(name, value)
                continue
            comments, template = _default_lines(defaults, section, toml_key)
            additions += [(None, tomlkit.comment(c)) for c in comments]
            additions.append((toml_key, _new_item(name, value, template)))
        if table is None:
            table = tomlkit.table()
            for key, item in additions:
                if key is None:
                    table.add(item)
                else:
                    table.add(key, item)
            text = doc.as_string()
            if text.strip():  # a blank line before the new [section]
                for _ in range(2 - len(text) + len(text.rstrip("\n"))):
                    doc.add(tomlkit.nl())
            doc.add(section, table)
        elif additions:
            _append_to_table(table, additions)


def _atomic_write(path: Path, text: str) -> None:
    # Write a temp file and rename, so a crash never leaves a half-written settings file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_settings(path: Path, settings: Settings) -> None:
    """Write `settings` into the TOML file at `path`, keeping the user's comments and layout.

    Only keys whose value changed are rewritten; missing keys and sections are added with
    the default file's comments; unknown keys are left alone. The file is replaced
    atomically (mode 0600). A link is followed, so dotfile setups keep their link.

    Raises ValueError (with load_settings' wording) for a value that is not allowed, and
    SettingsSaveError when the existing file cannot be read or parsed: it is never
    overwritten then, because that would lose what the user wrote.
    """
    import tomlkit.exceptions  # imported on first save only: ~3 MB resident otherwise

    problems = _problems(settings)
    if problems:
        raise ValueError(" ".join(problems))
    target = path
    if path.is_symlink():
        if not path.exists():
            raise SettingsSaveError(
                f"{path} is a link to a missing file; the settings were not saved."
            )
        target = path.resolve()
    if target.exists():
        try:
            text = _read_text(target)
        except (NotAFileError, TooLargeError) as e:
            raise SettingsSaveError(f"{e.strerror}; the settings were not saved.") from e
        except OSError as e:
            raise SettingsSaveError(
                f"{path} could not be read ({e.strerror or e}); the settings were not saved."
            ) from e
        except UnicodeDecodeError as e:
            raise SettingsSaveError(
                f"{path} is not valid UTF-8 text; fix or delete it. The settings were not saved."
            ) from e
        try:
            _parse_limited(path, text)  # the reader's verdict counts; tomlkit is more forgiving
            doc = tomlkit.parse(text)
        except (tomllib.TOMLDecodeError, tomlkit.exceptions.ParseError) as e:
            reason = _decode_error(path, e) if isinstance(e, tomllib.TOMLDecodeError) else str(e)
            raise SettingsSaveError(
                f"{reason.removesuffix(' ' + _KEEP_NOTE)} Fix or delete the file; "
                "the settings were not saved."
            ) from e
        except ValueError as e:
            raise SettingsSaveError(
                f"{e}. Fix or delete the file; the settings were not saved."
            ) from e
    else:
        ensure_private_dir(target.parent)
        text = ""
        doc = tomlkit.parse(default_settings_text())
    _update(doc, settings)
    new_text = tomlkit.dumps(doc)
    if new_text != text:
        _atomic_write(target, new_text)


class SettingsFile:
    """The settings file as the services see it (core/ports.py: SettingsFile)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, settings: Settings) -> None:
        save_settings(self.path, settings)

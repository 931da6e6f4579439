"""save_settings keeps the user's file theirs; validate_field speaks load_settings' words."""

from __future__ import annotations

import dataclasses
import stat
import sys
from datetime import time
from pathlib import Path

import pytest

from deskguard.adapters.config import (
    FIELD_SECTIONS,
    SettingsSaveError,
    default_settings_text,
    int_ranges,
    load_settings,
    save_settings,
    validate_field,
    validate_setting,
)
from deskguard.core.model import Settings
from tests.hostile import make_fifo, within

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and links")

USER_FILE = """\
# My DeskGuard setup — tuned after the physio visit.

[schedule]
interval_minutes = 40   # shorter than the default on purpose
# Monday and Wednesday from home
working_days = ["Monday", "wed"]
work_start = 08:15:00
work_end   = "16:00"    # pick-up at 16:30

[breaks]
break_minutes = 3
snooze_limit = 1 # I know myself
colour = "teal"  # not a DeskGuard setting; stays

[goals]
adherence_goal = 70
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _loaded(path: Path) -> Settings:
    settings, _problems = load_settings(path)
    return settings


def test_unchanged_settings_leave_the_file_byte_for_byte(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    save_settings(path, _loaded(path))  # the first save adds the keys the user left out
    complete = path.read_text(encoding="utf-8")
    before = path.stat().st_mtime_ns, complete
    save_settings(path, _loaded(path))
    assert (path.stat().st_mtime_ns, path.read_text(encoding="utf-8")) == before


def test_a_changed_key_changes_only_its_value(tmp_path: Path) -> None:
    path = _write(tmp_path, default_settings_text())
    save_settings(path, Settings(break_minutes=4))
    old = default_settings_text().splitlines()
    new = path.read_text(encoding="utf-8").splitlines()
    assert len(old) == len(new)
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert changed == [
        (
            "break_minutes = 2            # 1\u201315",
            "break_minutes = 4            # 1\u201315",
        )
    ]


def test_round_trip_keeps_comments_spelling_and_layout(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    wanted = dataclasses.replace(
        _loaded(path), interval_minutes=50, work_end=time(16, 45), snooze_limit=2
    )
    save_settings(path, wanted)
    text = path.read_text(encoding="utf-8")

    assert load_settings(path)[0] == wanted
    # the user's own comments, spacing and unknown keys are all still there
    for kept in (
        "# My DeskGuard setup — tuned after the physio visit.",
        "# Monday and Wednesday from home",
        'working_days = ["Monday", "wed"]',  # same days: their spelling stays
        "work_start = 08:15:00",  # unchanged TOML time stays a TOML time
        "break_minutes = 3\n",
        'colour = "teal"  # not a DeskGuard setting; stays',
        "adherence_goal = 70\n",
    ):
        assert kept in text, kept
    # changed values keep the comment at the end of their line
    assert "interval_minutes = 50   # shorter than the default on purpose" in text
    assert 'work_end   = "16:45"    # pick-up at 16:30' in text
    assert "snooze_limit = 2 # I know myself" in text
    # the keys the user had left out are added with the default file's comments
    assert "snooze_minutes = 5           # 1\u201330\n" in text
    assert "defer_cap_minutes = 30       # 5\u2013120;" in text
    # ... inside [breaks], before the blank line that ends it
    breaks = text.split("[breaks]\n", 1)[1].split("\n\n", 1)[0]
    assert "response_window_minutes = 10" in breaks
    assert text.index("[breaks]") < text.index("[goals]")


def test_changed_days_and_times_are_written_the_default_way(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    save_settings(
        path,
        dataclasses.replace(
            _loaded(path), working_days=frozenset({0, 1, 4}), work_start=time(7, 30)
        ),
    )
    text = path.read_text(encoding="utf-8")
    assert 'working_days = ["mon", "tue", "fri"]' in text
    assert "work_start = 07:30:00" in text  # they wrote a TOML time, so it stays one
    assert load_settings(path)[0].work_start == time(7, 30)


def test_missing_sections_come_back_with_their_comments(tmp_path: Path) -> None:
    path = _write(tmp_path, "# just this\n[goals]\nadherence_goal = 90")  # no final newline
    save_settings(path, Settings(adherence_goal=90, interval_minutes=30))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# just this\n[goals]\nadherence_goal = 90\n\n[schedule]\n")
    assert "# Days you work: mon, tue, wed, thu, fri, sat, sun.\n" in text
    assert "interval_minutes = 30\n" in text
    assert "\n\n[breaks]\nbreak_minutes = 2            # 1\u201315\n" in text
    assert load_settings(path) == (Settings(adherence_goal=90, interval_minutes=30), [])


def test_missing_file_is_created_from_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "new" / "settings.toml"
    save_settings(path, Settings())
    assert path.read_text(encoding="utf-8") == default_settings_text()
    save_settings(path, Settings(snooze_limit=0))
    assert load_settings(path) == (Settings(snooze_limit=0), [])


@posix_only
def test_written_atomically_and_private(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    path.chmod(0o644)
    save_settings(path, Settings())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.toml"]  # no temp left


@posix_only
def test_a_link_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "settings.toml"
    real.parent.mkdir()
    real.write_text("[goals]\nadherence_goal = 70\n", encoding="utf-8")
    link = tmp_path / "settings.toml"
    link.symlink_to(real)
    save_settings(link, Settings(adherence_goal=75))
    assert link.is_symlink()
    assert "adherence_goal = 75" in real.read_text(encoding="utf-8")


def test_a_broken_file_is_never_overwritten(tmp_path: Path) -> None:
    path = _write(tmp_path, "[breaks]\nbreak_minutes 3\n")
    before = path.read_bytes()
    with pytest.raises(SettingsSaveError, match=r"line 2, column 15.*not saved"):
        save_settings(path, Settings())
    assert path.read_bytes() == before


def test_a_deeply_nested_file_is_never_overwritten(tmp_path: Path) -> None:
    path = _write(tmp_path, "[goals]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    before = path.read_bytes()
    with pytest.raises(SettingsSaveError) as info:
        save_settings(path, Settings(break_minutes=5))
    assert str(info.value) == (
        f"{path} line 2: values are nested more than 50 deep. Fix or delete the file; "
        "the settings were not saved."
    )
    assert path.read_bytes() == before


@posix_only
def test_a_named_pipe_is_never_read_or_replaced(tmp_path: Path) -> None:
    path = make_fifo(tmp_path / "settings.toml")
    with pytest.raises(SettingsSaveError) as info:
        within(10, lambda: save_settings(path, Settings(break_minutes=5)), (path,))
    assert str(info.value) == (
        f"{path} is a named pipe (FIFO), not a file; the settings were not saved."
    )
    assert stat.S_ISFIFO(path.lstat().st_mode)


def test_a_non_table_section_is_replaced_by_a_real_one(tmp_path: Path) -> None:
    path = _write(tmp_path, "breaks = 3\n")
    save_settings(path, Settings(break_minutes=5))
    assert load_settings(path) == (Settings(break_minutes=5), [])


# ---- bad values are rejected with the field named ----


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"interval_minutes": 200}, "schedule.interval_minutes = 200", "from 5 to 120"),
        ({"break_minutes": 0}, "breaks.break_minutes = 0", "from 1 to 15"),
        ({"snooze_limit": 6}, "breaks.snooze_limit = 6", "from 0 to 5"),
        ({"defer_cap_minutes": 4}, "breaks.defer_cap_minutes = 4", "from 5 to 120"),
        ({"adherence_goal": 101}, "goals.adherence_goal = 101", "from 10 to 100"),
        ({"working_days": frozenset()}, "schedule.working_days = []", "at least one day"),
        (
            {"work_start": time(18, 0)},
            "schedule.work_start (18:00) must be before schedule.work_end (17:30)",
            "",
        ),
    ],
)
def test_bad_values_are_rejected_naming_the_field(
    tmp_path: Path, change: dict[str, object], field: str, words: str
) -> None:
    path = _write(tmp_path, USER_FILE)
    before = path.read_bytes()
    with pytest.raises(ValueError) as err:
        save_settings(path, dataclasses.replace(Settings(), **change))  # type: ignore[arg-type]
    assert field in str(err.value)
    assert words in str(err.value)
    assert path.read_bytes() == before


def test_validate_field_uses_load_settings_words(tmp_path: Path) -> None:
    path = _write(tmp_path, "[breaks]\nsnooze_minutes = 99\n")
    _settings, problems = load_settings(path)
    message = validate_field("breaks", "snooze_minutes", 99)
    assert message == "breaks.snooze_minutes = 99 is not allowed (a whole number from 1 to 30)."
    assert message.removesuffix(".") in problems[0]


@pytest.mark.parametrize(
    ("section", "key", "value", "ok"),
    [
        ("schedule", "interval_minutes", 5, True),
        ("schedule", "interval_minutes", 4, False),
        ("schedule", "interval_minutes", True, False),
        ("schedule", "working_days", ["mon", "Sunday"], True),
        ("schedule", "working_days", frozenset({6}), True),
        ("schedule", "working_days", ["funday"], False),
        ("schedule", "work_start", "07:05", True),
        ("schedule", "work_start", time(7, 5), True),
        ("schedule", "work_start", "25:00", False),
        ("breaks", "interval_minutes", 30, False),
    ],
)
def test_validate_field_cases(section: str, key: str, value: object, ok: bool) -> None:
    message = validate_field(section, key, value)
    assert (message is None) == ok, message
    if not ok:
        assert message is not None and f"{section}.{key}" in message


def test_work_hours_are_checked_against_each_other() -> None:
    s = Settings(work_start=time(9, 0), work_end=time(17, 30))
    assert validate_setting("work_start", time(17, 30), s) == (
        "schedule.work_start (17:30) must be before schedule.work_end (17:30)."
    )
    assert validate_setting("work_end", time(8, 0), s) is not None
    assert validate_setting("work_end", time(9, 1), s) is None


def test_every_setting_has_a_section_and_ranges_come_from_one_table() -> None:
    assert set(FIELD_SECTIONS) == set(Settings.__dataclass_fields__)
    ranges = int_ranges()
    assert ranges["interval_minutes"] == (5, 120)
    for name, (low, high) in ranges.items():
        assert validate_setting(name, low, Settings()) is None
        assert validate_setting(name, high, Settings()) is None
        assert validate_setting(name, low - 1, Settings()) is not None
        assert validate_setting(name, high + 1, Settings()) is not None


@pytest.mark.skipif(
    "posture_checks" not in Settings.__dataclass_fields__, reason="no on/off setting yet"
)
def test_on_off_setting_round_trips_and_rejects_non_booleans(tmp_path: Path) -> None:
    path = _write(tmp_path, "[breaks]\nposture_checks = true  # mine\n")
    off = dataclasses.replace(Settings(), posture_checks=False)
    save_settings(path, off)
    assert "posture_checks = false  # mine" in path.read_text(encoding="utf-8")
    assert load_settings(path) == (off, [])
    assert validate_field("breaks", "posture_checks", 1) == (
        "breaks.posture_checks = 1 is not allowed (true or false)."
    )
    path.write_text('[breaks]\nposture_checks = "no"\n', encoding="utf-8")
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert problems == [
        f'{path}: breaks.posture_checks = "no" is not allowed (true or false); '
        "using the default, true."
    ]


# ---- [programme]: keys that are not field names ----


def test_programme_settings_round_trip_through_save(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)  # no [programme] yet
    wanted = dataclasses.replace(
        _loaded(path),
        programme_days=frozenset({1, 3, 5}),
        programme_time=time(7, 5),
        programme_reminders=False,
    )
    save_settings(path, wanted)
    text = path.read_text(encoding="utf-8")
    assert load_settings(path)[0] == wanted
    section = text.split("[programme]\n", 1)[1]
    assert "# The back-care programme's session days" in section  # with the default comments
    assert 'days = ["tuesday", "thursday", "saturday"]\n' in section
    assert 'time = "07:05"\n' in section
    assert "reminders = false            # true or false" in section
    assert "programme_days" not in text and "programme_time" not in text
    assert "# My DeskGuard setup" in text  # the user's own file is still theirs
    save_settings(path, wanted)
    assert path.read_text(encoding="utf-8") == text  # nothing left to change


def test_programme_keys_keep_the_users_spelling_until_changed(tmp_path: Path) -> None:
    mine = '[programme]\ndays = ["Mon", "Wed", "Sat"]  # gym on Saturday\ntime = 17:45:00\n'
    path = _write(tmp_path, mine)
    save_settings(path, _loaded(path))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(mine)  # same values: untouched, only missing keys were added
    changed = dataclasses.replace(_loaded(path), programme_time=time(18, 30))
    save_settings(path, changed)
    text = path.read_text(encoding="utf-8")
    assert 'days = ["Mon", "Wed", "Sat"]  # gym on Saturday' in text
    assert "time = 18:30:00" in text  # they wrote a TOML time, so it stays one
    assert load_settings(path)[0] == changed


def test_programme_days_are_checked_like_the_programme_rules() -> None:
    s = Settings()
    assert validate_setting("programme_days", frozenset({0, 2, 4}), s) is None
    assert validate_setting("programme_days", frozenset({0, 2, 4, 6}), s) is None
    assert validate_setting("programme_days", frozenset({0, 1, 4}), s) == (
        'programme.days = ["monday", "tuesday", "friday"] is not allowed '
        "(Monday and Tuesday are back to back: leave a rest day between sessions)."
    )
    assert validate_setting("programme_days", frozenset({2}), s) == (
        'programme.days = ["wednesday"] is not allowed (pick 3 or 4 days a week, not 1).'
    )
    assert validate_setting("programme_days", frozenset({9}), s) is not None
    assert validate_field("programme", "days", ["tue", "thu", "sat"]) is None
    assert validate_field("programme", "time", "7pm") == (
        'programme.time = "7pm" is not allowed (a 24-hour time "HH:MM").'
    )
    assert validate_setting("programme_time", time(6, 0), s) is None
    assert validate_setting("programme_reminders", "yes", s) == (
        'programme.reminders = "yes" is not allowed (true or false).'
    )


def test_saving_refuses_back_to_back_programme_days(tmp_path: Path) -> None:
    path = _write(tmp_path, USER_FILE)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="Saturday and Sunday are back to back"):
        save_settings(path, Settings(programme_days=frozenset({1, 5, 6})))
    assert path.read_bytes() == before

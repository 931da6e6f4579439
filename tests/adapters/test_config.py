from __future__ import annotations

import stat
import sys
from datetime import time
from pathlib import Path

import pytest

from deskguard.adapters.config import (
    MAX_NESTING,
    MAX_SETTINGS_BYTES,
    default_settings_text,
    load_settings,
    too_deep_at,
)
from deskguard.core.model import Settings
from tests.hostile import make_fifo, unix_socket_at, within

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
DASH = "\u2013"  # the en dash the file uses for ranges

GOOD = """\
[schedule]
interval_minutes = 30
working_days = ["mon", "wed", "sat"]
work_start = "07:15"
work_end = "15:45"

[breaks]
break_minutes = 5
snooze_minutes = 10
snooze_limit = 0
response_window_minutes = 20
defer_cap_minutes = 45
posture_checks = false

[goals]
adherence_goal = 65

[programme]
days = ["tuesday", "thursday", "saturday"]
time = "07:30"
reminders = false

[look]
theme = "dark"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path: Path, text: str) -> tuple[Settings, list[str]]:
    return load_settings(_write(tmp_path, text))


# ---- first run ----


def test_missing_file_is_written_with_commented_defaults(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "deskguard" / "settings.toml"
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert problems == []
    assert path.read_text(encoding="utf-8") == default_settings_text()
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temp left


@posix_only
def test_written_file_and_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.toml"
    load_settings(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_default_text_parses_to_the_defaults(tmp_path: Path) -> None:
    text = default_settings_text()
    assert text.startswith("# DeskGuard settings.")
    assert "\n[schedule]\n" in text and "\n[breaks]\n" in text and "\n[goals]\n" in text
    assert _load(tmp_path, text) == (Settings(), [])


def test_default_text_documents_the_ranges() -> None:
    text = default_settings_text()
    assert f"break_minutes = 2            # 1{DASH}15" in text
    assert f"response_window_minutes = 10 # 1{DASH}60; no answer by then counts as missed" in text
    assert f"adherence_goal = 80          # percent, 10{DASH}100" in text
    assert f"5{DASH}120 allowed" in text


def test_existing_file_is_not_rewritten(tmp_path: Path) -> None:
    path = _write(tmp_path, "# mine\n[goals]\nadherence_goal = 90\n")
    before = path.read_bytes()
    settings, problems = load_settings(path)
    assert settings.adherence_goal == 90
    assert problems == []
    assert path.read_bytes() == before


@posix_only
def test_dangling_symlink_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.symlink_to(tmp_path / "dotfiles" / "settings.toml")
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert len(problems) == 1
    assert "link to a missing file" in problems[0]
    assert path.is_symlink()
    assert not (tmp_path / "dotfiles").exists()


# ---- good values ----


def test_good_file_round_trips_every_key(tmp_path: Path) -> None:
    settings, problems = _load(tmp_path, GOOD)
    assert problems == []
    assert settings == Settings(
        interval_minutes=30,
        break_minutes=5,
        snooze_minutes=10,
        snooze_limit=0,
        working_days=frozenset({0, 2, 5}),
        work_start=time(7, 15),
        work_end=time(15, 45),
        response_window_minutes=20,
        defer_cap_minutes=45,
        adherence_goal=65,
        posture_checks=False,
        programme_days=frozenset({1, 3, 5}),
        programme_time=time(7, 30),
        programme_reminders=False,
        theme="dark",
    )
    # Every field differs from its default, so no key can be silently ignored.
    for name in Settings.__dataclass_fields__:
        assert getattr(settings, name) != getattr(Settings(), name), name


def test_partial_file_keeps_defaults_for_the_rest(tmp_path: Path) -> None:
    settings, problems = _load(tmp_path, "[breaks]\nbreak_minutes = 3\n")
    assert problems == []
    assert settings == Settings(break_minutes=3)


def test_range_ends_are_allowed(tmp_path: Path) -> None:
    text = (
        "[schedule]\ninterval_minutes = 5\n"
        "[breaks]\nsnooze_limit = 5\nsnooze_minutes = 1\n"
        "[goals]\nadherence_goal = 100\n"
    )
    settings, problems = _load(tmp_path, text)
    assert problems == []
    assert settings == Settings(
        interval_minutes=5, snooze_limit=5, snooze_minutes=1, adherence_goal=100
    )


def test_duplicate_and_full_day_names_are_fine(tmp_path: Path) -> None:
    settings, problems = _load(
        tmp_path, '[schedule]\nworking_days = ["mon", "Monday", "SUN", "mon"]\n'
    )
    assert problems == []
    assert settings.working_days == frozenset({0, 6})


def test_toml_local_time_is_accepted(tmp_path: Path) -> None:
    settings, problems = _load(tmp_path, "[schedule]\nwork_start = 08:30:00\n")
    assert problems == []
    assert settings.work_start == time(8, 30)


# ---- broken file ----


def test_broken_toml_gives_defaults_one_message_and_leaves_file_alone(tmp_path: Path) -> None:
    text = "[schedule]\ninterval_minutes = 30\n\n[breaks]\nbreak_minutes 3\n"
    path = _write(tmp_path, text)
    before = path.read_bytes()

    settings, problems = load_settings(path)

    assert settings == Settings()
    assert len(problems) == 1
    msg = problems[0]
    assert msg.startswith(f"{path} line 5, column 15: Expected '=' after a key")
    assert "using its default settings" in msg
    assert "left as it is" in msg
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["settings.toml"]


def test_broken_at_end_of_document(tmp_path: Path) -> None:
    path = _write(tmp_path, '[schedule]\nworking_days = ["mon",\n')
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert len(problems) == 1
    assert str(path) in problems[0]


def test_not_utf8_names_the_line_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"[goals]\n# caf\xe9\nadherence_goal = 70\n")
    before = path.read_bytes()
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert len(problems) == 1
    assert f"{path} line 2" in problems[0]
    assert path.read_bytes() == before


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xef\xbb\xbf[goals]\nadherence_goal = 70\n")
    assert load_settings(path) == (Settings(adherence_goal=70), [])


def test_unreadable_path_gives_defaults_and_a_message(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.mkdir()  # a directory where the file should be
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert problems == [
        f"{path} is a folder, not a file. DeskGuard is using its default settings; "
        "your file was left as it is."
    ]


# ---- only a regular file is read, within limits --------------------------------------


@posix_only
def test_a_named_pipe_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    path = make_fifo(tmp_path / "settings.toml")
    settings, problems = within(10, lambda: load_settings(path), (path,))
    assert settings == Settings()
    assert problems == [
        f"{path} is a named pipe (FIFO), not a file. DeskGuard is using its default "
        "settings; your file was left as it is."
    ]
    assert stat.S_ISFIFO(path.lstat().st_mode)


@posix_only
def test_a_socket_or_a_device_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    with unix_socket_at(path):
        assert "is a socket, not a file" in load_settings(path)[1][0]
    path.unlink()
    path.symlink_to("/dev/zero")  # would read for ever
    settings, problems = within(10, lambda: load_settings(path))
    assert settings == Settings() and "is a character device, not a file" in problems[0]


def test_a_file_larger_than_the_limit_is_not_parsed(tmp_path: Path) -> None:
    path = _write(tmp_path, "# padding\n" * (MAX_SETTINGS_BYTES // 10 + 1))
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert problems == [
        f"{path} is larger than 1 MB for a settings file. DeskGuard is using its default "
        "settings; your file was left as it is."
    ]


@pytest.mark.parametrize(
    "deep",
    [
        "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n",
        "[goals]\nadherence_goal = 70\nx = [[[" + "[" * 4997 + "\n",  # never closed
    ],
)
def test_deep_nesting_is_a_clear_message_not_a_recursion_error(tmp_path: Path, deep: str) -> None:
    path = _write(tmp_path, deep)
    settings, problems = load_settings(path)
    assert settings == Settings()
    line = deep.count("\n", 0, deep.index("x = ")) + 1
    assert problems == [
        f"{path} line {line}: values are nested more than {MAX_NESTING} deep. DeskGuard is "
        "using its default settings; your file was left as it is."
    ]


def test_brackets_in_strings_and_comments_are_not_nesting() -> None:
    text = (
        "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
        'a = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ \\" ["\n'
        "b = '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\n"
        'c = """\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"""\n'
        "d = [[1], [2], {x = [3]}]\n"
    )
    assert too_deep_at(text) is None
    assert too_deep_at("a = [[[\n[[[", 5) == 2


# ---- bad values: only that key falls back ----


@pytest.mark.parametrize(
    ("text", "key", "shown", "default"),
    [
        ('[schedule]\ninterval_minutes = "45"\n', "schedule.interval_minutes", '"45"', "45"),
        ("[schedule]\ninterval_minutes = 4\n", "schedule.interval_minutes", "4", "45"),
        ("[schedule]\ninterval_minutes = 121\n", "schedule.interval_minutes", "121", "45"),
        ("[schedule]\ninterval_minutes = 45.5\n", "schedule.interval_minutes", "45.5", "45"),
        ("[breaks]\nbreak_minutes = true\n", "breaks.break_minutes", "true", "2"),
        ("[breaks]\nbreak_minutes = 16\n", "breaks.break_minutes", "16", "2"),
        ("[breaks]\nsnooze_minutes = 0\n", "breaks.snooze_minutes", "0", "5"),
        ("[breaks]\nsnooze_limit = -1\n", "breaks.snooze_limit", "-1", "2"),
        ("[breaks]\nsnooze_limit = 6\n", "breaks.snooze_limit", "6", "2"),
        (
            "[breaks]\nresponse_window_minutes = 61\n",
            "breaks.response_window_minutes",
            "61",
            "10",
        ),
        ("[goals]\nadherence_goal = 9\n", "goals.adherence_goal", "9", "80"),
        ("[goals]\nadherence_goal = 101\n", "goals.adherence_goal", "101", "80"),
    ],
)
def test_bad_number_names_key_value_range_and_default(
    tmp_path: Path, text: str, key: str, shown: str, default: str
) -> None:
    settings, problems = _load(tmp_path, text)
    assert settings == Settings()
    assert len(problems) == 1
    msg = problems[0]
    assert f"{key} = {shown} " in msg
    assert "whole number from" in msg
    assert f"using the default, {default}." in msg


def test_bad_value_keeps_the_other_valid_keys(tmp_path: Path) -> None:
    text = GOOD.replace("snooze_minutes = 10", "snooze_minutes = 99")
    settings, problems = _load(tmp_path, text)
    assert len(problems) == 1
    assert "breaks.snooze_minutes = 99" in problems[0]
    assert settings.snooze_minutes == Settings().snooze_minutes
    assert settings.interval_minutes == 30
    assert settings.break_minutes == 5
    assert settings.working_days == frozenset({0, 2, 5})
    assert settings.adherence_goal == 65


def test_unknown_weekday_name(tmp_path: Path) -> None:
    settings, problems = _load(tmp_path, '[schedule]\nworking_days = ["mon", "funday"]\n')
    assert settings.working_days == Settings().working_days
    assert len(problems) == 1
    msg = problems[0]
    assert 'schedule.working_days = ["mon", "funday"]' in msg
    assert 'unknown day name "funday"' in msg
    assert "mon, tue, wed, thu, fri, sat, sun" in msg
    assert 'using the default, ["mon", "tue", "wed", "thu", "fri"].' in msg


@pytest.mark.parametrize(
    "value", ["[]", '"mon"', "[1, 2]", '["mon", 2]'], ids=["empty", "string", "ints", "mixed"]
)
def test_working_days_must_be_a_nonempty_list_of_names(tmp_path: Path, value: str) -> None:
    settings, problems = _load(tmp_path, f"[schedule]\nworking_days = {value}\n")
    assert settings.working_days == Settings().working_days
    assert len(problems) == 1
    assert "schedule.working_days" in problems[0]


@pytest.mark.parametrize("value", ['"25:00"', '"9h"', '"09:60"', '"0900"', "900", '""'])
def test_bad_time_falls_back_for_that_key(tmp_path: Path, value: str) -> None:
    settings, problems = _load(tmp_path, f'[schedule]\nwork_start = {value}\nwork_end = "16:00"\n')
    assert settings.work_start == Settings().work_start
    assert settings.work_end == time(16, 0)
    assert len(problems) == 1
    assert f"schedule.work_start = {value} " in problems[0]
    assert "HH:MM" in problems[0]
    assert 'using the default, "09:00".' in problems[0]


def test_single_digit_hour_is_fine(tmp_path: Path) -> None:
    settings, problems = _load(tmp_path, '[schedule]\nwork_start = "7:05"\n')
    assert problems == []
    assert settings.work_start == time(7, 5)


@pytest.mark.parametrize(("start", "end"), [("18:00", "08:00"), ("10:00", "10:00")])
def test_start_not_before_end_resets_both(tmp_path: Path, start: str, end: str) -> None:
    settings, problems = _load(
        tmp_path, f'[schedule]\nwork_start = "{start}"\nwork_end = "{end}"\ninterval_minutes = 60\n'
    )
    assert (settings.work_start, settings.work_end) == (time(9, 0), time(17, 30))
    assert settings.interval_minutes == 60
    assert len(problems) == 1
    assert "schedule.work_start" in problems[0]
    assert "schedule.work_end" in problems[0]
    assert "09:00 to 17:30" in problems[0]


def test_end_before_default_start_resets_both(tmp_path: Path) -> None:
    # Only work_end is given; it is before the default start, so it cannot stand.
    settings, problems = _load(tmp_path, '[schedule]\nwork_end = "08:00"\n')
    assert settings == Settings()
    assert len(problems) == 1


def test_unknown_section_and_key_are_ignored_with_a_message(tmp_path: Path) -> None:
    text = '[sound]\nvolume = 3\n[breaks]\nbreak_minutes = 4\ncolour = "red"\n'
    settings, problems = _load(tmp_path, text)
    assert settings == Settings(break_minutes=4)
    assert len(problems) == 2
    assert "unknown setting sound; ignored." in problems[0]
    assert "unknown setting breaks.colour; ignored." in problems[1]


def test_key_in_the_wrong_section_gets_a_hint(tmp_path: Path) -> None:
    settings, problems = _load(tmp_path, "[breaks]\ninterval_minutes = 30\n")
    assert settings == Settings()
    assert problems == [
        f"{tmp_path / 'settings.toml'}: unknown setting breaks.interval_minutes "
        "(did you mean schedule.interval_minutes?); ignored."
    ]


def test_top_level_key_gets_a_hint(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "adherence_goal = 70\n")
    assert len(problems) == 1
    assert "unknown setting adherence_goal (did you mean goals.adherence_goal?)" in problems[0]


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    settings, problems = _load(tmp_path, "breaks = 3\n")
    assert settings == Settings()
    assert len(problems) == 1
    assert "[breaks]" in problems[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        '[schedule]\ninterval_minutes = 0\nworking_days = []\nwork_start = "x"\n'
        "[breaks]\nbreak_minutes = false\n[goals]\nadherence_goal = 5\n"
    )
    settings, problems = _load(tmp_path, text)
    assert settings == Settings()
    assert len(problems) == 5
    assert all(p.startswith(f"{tmp_path / 'settings.toml'}: ") for p in problems)


# ---- [programme] ----


def test_programme_section_of_the_default_file() -> None:
    text = default_settings_text()
    section = text.split("[programme]\n", 1)[1]
    assert 'days = ["monday", "wednesday", "friday"]\n' in section
    assert 'time = "18:00"\n' in section
    assert section.count("reminders = true") == 1
    assert "rest day between" in section


def test_four_programme_days_and_short_names_are_fine(tmp_path: Path) -> None:
    settings, problems = _load(
        tmp_path, '[programme]\ndays = ["Mon", "wed", "FRIDAY", "sun"]\ntime = 06:45:00\n'
    )
    assert problems == []
    assert settings.programme_days == frozenset({0, 2, 4, 6})
    assert settings.programme_time == time(6, 45)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ('["monday", "tuesday", "friday"]', "Monday and Tuesday are back to back"),
        ('["monday", "wednesday"]', "pick 3 or 4 days a week, not 2"),
        ('["mon", "wed", "fri", "sat", "sun"]', "pick 3 or 4 days a week, not 5"),
        ('["monday", "wednesday", "caturday"]', 'unknown day name "caturday"'),
        ("[]", "at least one day is needed"),
        ('"monday"', "expected a list of day names"),
    ],
)
def test_bad_programme_days_name_file_key_and_reason(tmp_path: Path, value: str, why: str) -> None:
    path = _write(tmp_path, f'[programme]\ndays = {value}\ntime = "19:15"\n')
    settings, problems = load_settings(path)
    assert settings == Settings(programme_time=time(19, 15))  # the rest is still used
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: programme.days = {value} is not allowed (")
    assert why in problems[0]
    assert problems[0].endswith('using the default, ["monday", "wednesday", "friday"].')


@pytest.mark.parametrize(
    ("key", "value", "words", "default"),
    [
        ("time", '"6pm"', 'a 24-hour time "HH:MM"', '"18:00"'),
        ("time", "18", 'a 24-hour time "HH:MM"', '"18:00"'),
        ("reminders", '"yes"', "true or false", "true"),
    ],
)
def test_bad_programme_time_or_switch(
    tmp_path: Path, key: str, value: str, words: str, default: str
) -> None:
    path = _write(tmp_path, f"[programme]\n{key} = {value}\n")
    settings, problems = load_settings(path)
    assert settings == Settings()
    assert problems == [
        f"{path}: programme.{key} = {value} is not allowed ({words}); using the default, {default}."
    ]


def test_unknown_programme_key_and_a_programme_key_elsewhere(tmp_path: Path) -> None:
    path = _write(tmp_path, '[programme]\nday = ["mon"]\n[schedule]\ntime = "18:00"\n')
    _settings, problems = load_settings(path)
    assert problems == [
        f"{path}: unknown setting programme.day; ignored.",
        f"{path}: unknown setting schedule.time (did you mean programme.time?); ignored.",
    ]

"""With no display at all, `deskguard` says so in one line and exits 1 (not Qt's abort)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from deskguard.app import display_problem

MESSAGE = (
    "DeskGuard needs a desktop session: no display found — DISPLAY and WAYLAND_DISPLAY are unset"
)


def test_no_display_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env.update(HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path / "run"))
    done = subprocess.run(
        [sys.executable, "-m", "deskguard"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == MESSAGE
    assert "Reinstalling" not in done.stderr


def test_which_sessions_need_a_display() -> None:
    assert display_problem({}, "linux") == MESSAGE
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"}, "linux") == (
        "DeskGuard needs a desktop session: no display found — DISPLAY is unset"
    )
    assert display_problem({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, "linux") == (
        "DeskGuard needs a desktop session: no display found — WAYLAND_DISPLAY is unset"
    )
    assert display_problem({}, "win32") is None and display_problem({}, "darwin") is None

"""The real app on a real desktop stack: Xvfb, trayer, dunst, one D-Bus session (DESIGN §5).

Driven only from outside, the way a user and a script would: the CLI, xdotool key
presses, the dunst log and screenshots. See tests/e2e/rig.py for how the rig comes up.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.rig import Rig, require_rig, wait_for

pytestmark = pytest.mark.e2e

START_TIMEOUT = 30.0  # a cold start on a loaded CI machine; it takes ~1 s here
STEP_TIMEOUT = 10.0
PROMPT_SUMMARY = "Time to stand and move"


def _rig(tmp_path: Path, *, tray: bool) -> Iterator[Rig]:
    require_rig()
    started = time.monotonic()
    with Rig(tmp_path / "rig", tray=tray) as rig:
        print(f"rig up on {rig.display} in {time.monotonic() - started:.2f} s: {rig.timings}")
        try:
            yield rig
        finally:
            print(rig.logs())  # pytest shows it when the test failed


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Rig]:
    yield from _rig(tmp_path, tray=True)


@pytest.fixture
def desktop_without_tray(tmp_path: Path) -> Iterator[Rig]:
    yield from _rig(tmp_path, tray=False)


# ---- helpers ----------------------------------------------------------------------------


def start_deskguard(
    rig: Rig, home: Path | None = None
) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """Start the app and wait until `status --json` answers; return the process and status."""
    started = time.monotonic()
    app = rig.start_app(home=home)

    def answering() -> dict[str, Any] | None:
        if app.poll() is not None:
            pytest.fail(f"deskguard exited with {app.returncode}:\n{rig.output(app)}")
        return rig.status(home)

    status = wait_for(answering, START_TIMEOUT, "deskguard status --json to answer")
    print(f"deskguard answered status after {time.monotonic() - started:.2f} s")
    return app, status


def status_where(rig: Rig, what: str, check: Any, timeout: float = STEP_TIMEOUT) -> dict[str, Any]:
    def matching() -> dict[str, Any] | None:
        status = rig.status()
        return status if status is not None and check(status) else None

    found: dict[str, Any] = wait_for(matching, timeout, what)
    return found


def today_kinds(rig: Rig) -> list[str]:
    """Every event kind on record, in order. Breaks asked for with break-now are the
    user's own: the report leaves stopped ones out, so keys are checked on the record."""
    with closing(
        sqlite3.connect(f"file:{rig.home / 'data' / 'deskguard.db'}?mode=ro", uri=True)
    ) as db:
        return [kind for (kind,) in db.execute("SELECT kind FROM events ORDER BY id")]


def today_row(rig: Rig) -> dict[str, Any]:
    done = rig.cli("report", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) >= {"week", "days", "totals"}
    assert len(report["days"]) == 7
    rows = [day for day in report["days"] if day["date"] == date.today().isoformat()]
    assert len(rows) == 1, report["days"]
    row: dict[str, Any] = rows[0]
    return row


def assert_iso_or_null(value: Any) -> None:
    if value is not None:
        assert datetime.fromisoformat(value).tzinfo is not None, value


def break_window(rig: Rig) -> int:
    windows: list[int] = wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the break window")
    assert len(windows) == 1, f"expected one visible break window, found {windows}"
    return windows[0]


def quit_app(rig: Rig, app: subprocess.Popen[bytes], timeout: float = STEP_TIMEOUT) -> None:
    done = rig.cli("quit")
    assert done.returncode == 0, done.stderr
    assert app.wait(timeout=timeout) == 0, rig.output(app)


def assert_clean_output(rig: Rig, app: subprocess.Popen[bytes]) -> None:
    output = rig.output(app)
    assert "Traceback" not in output, output
    assert "CRITICAL" not in output, output


# ---- the tests ----------------------------------------------------------------------------


def returning_user(rig: Rig) -> None:
    """A settings file exists, so the first-run welcome stays closed (see test_first_run)."""
    config = rig.home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.toml").write_text("# defaults\n")


def test_break_loop(desktop: Rig, tmp_path: Path) -> None:
    rig = desktop
    returning_user(rig)
    panels = rig.tray_panels()
    app, status = start_deskguard(rig)
    assert status["tray"] == "system tray", status
    assert status["problems"] == [], status
    wait_for(lambda: rig.tray_icons(panels), STEP_TIMEOUT, "DeskGuard's icon docked in trayer")
    assert rig.windows("Break") == []

    done = rig.cli("break-now")
    assert done.returncode == 0, done.stderr

    notes = wait_for(
        lambda: [n for n in rig.notifications() if n.summary == PROMPT_SUMMARY],
        STEP_TIMEOUT,
        f"a {PROMPT_SUMMARY!r} notification in the dunst log",
    )
    assert len(notes) == 1, notes
    assert "minutes" in notes[0].body, notes[0]
    window = break_window(rig)
    prompting = rig.status()
    assert prompting is not None and prompting["prompting"] is True, prompting
    shots = tmp_path / "screenshots"
    prompt_shot = rig.screenshot(shots / "1-prompt.png")

    rig.key("Return", window=window)
    on_break = status_where(rig, "state on_break after Return", lambda s: s["state"] == "on_break")
    assert on_break["prompt"]["break_ends_at"] is not None, on_break
    assert rig.windows("Break") == [window]
    break_shot = rig.screenshot(shots / "2-break.png")

    rig.key("Return", window=window)
    after = status_where(rig, "the break to end after Return", lambda s: s["prompt"] is None)
    assert after["state"] in ("working", "outside_hours"), after
    wait_for(lambda: rig.windows("Break") == [], STEP_TIMEOUT, "the break window to close")

    row = today_row(rig)
    # Asked for with break-now: a break of the user's own, never a prompt to answer.
    assert (row["self_started"], row["prompted"], row["completed"]) == (1, 0, 0), row
    assert (row["skipped"], row["missed"], row["snoozed"]) == (0, 0, 0), row
    assert today_kinds(rig) == ["prompted", "started", "completed"]

    final = rig.status()
    assert final is not None
    assert final["state"] in ("working", "paused", "on_break", "outside_hours"), final
    for key in ("next_break_at", "paused_until"):
        assert key in final, final
        assert_iso_or_null(final[key])
    assert final["next_break_at"] is not None, final
    assert final["paused_until"] is None, final

    print(f"screenshots: {prompt_shot} {break_shot}")
    quit_app(rig, app)
    assert_clean_output(rig, app)


def test_first_run_shows_the_welcome_and_breaks_still_work(desktop: Rig, tmp_path: Path) -> None:
    rig = desktop
    app, _ = start_deskguard(rig)  # a fresh DESKGUARD_HOME: no settings file yet
    wait_for(lambda: rig.windows("^DeskGuard — Welcome$"), STEP_TIMEOUT, "the welcome")
    assert rig.cli("break-now").returncode == 0
    window = break_window(rig)
    print(f"screenshot: {rig.screenshot(tmp_path / 'screenshots' / 'first-run.png')}")
    rig.key("Return", window=window)
    status_where(rig, "state on_break after Return", lambda s: s["state"] == "on_break")
    quit_app(rig, app)
    assert_clean_output(rig, app)


def test_keys_skip_and_snooze(desktop: Rig) -> None:
    rig = desktop
    app, _ = start_deskguard(rig)

    assert rig.cli("break-now").returncode == 0
    rig.key("Escape", window=break_window(rig))
    wait_for(lambda: rig.windows("Break") == [], STEP_TIMEOUT, "Esc to close the prompt")
    assert today_kinds(rig) == ["prompted", "skipped"]

    assert rig.cli("break-now").returncode == 0
    rig.key("s", window=break_window(rig))
    snoozed = status_where(
        rig,
        "S to snooze the prompt",
        lambda s: s["prompt"] is not None and s["prompt"]["snoozed_until"] is not None,
    )
    assert_iso_or_null(snoozed["prompt"]["snoozed_until"])
    wait_for(lambda: rig.windows("Break") == [], STEP_TIMEOUT, "the snoozed prompt to hide")
    assert today_kinds(rig) == ["prompted", "skipped", "prompted", "snoozed"]

    quit_app(rig, app)
    assert_clean_output(rig, app)


def test_single_instance_and_quit(desktop: Rig) -> None:
    rig = desktop
    app, _ = start_deskguard(rig)

    second = rig.cli()
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stdout, second.stdout
    assert app.poll() is None, "the first instance must keep running"

    started = time.monotonic()
    quit_app(rig, app)
    print(f"quit took {time.monotonic() - started:.2f} s")
    gone = rig.cli("status")
    assert gone.returncode == 1, gone
    assert "not running" in gone.stderr, gone.stderr
    assert_clean_output(rig, app)


def test_recovers_after_kill_9(desktop: Rig) -> None:
    rig = desktop
    crashed, _ = start_deskguard(rig)
    os.kill(crashed.pid, signal.SIGKILL)
    assert crashed.wait(timeout=STEP_TIMEOUT) == -signal.SIGKILL
    assert (rig.home / "run" / "deskguard.lock").exists(), "the crash should leave a stale lock"
    assert rig.cli("status").returncode == 1

    app, status = start_deskguard(rig)
    assert status["tray"] == "system tray", status
    assert rig.cli("break-now").returncode == 0
    break_window(rig)
    quit_app(rig, app)
    assert_clean_output(rig, app)


def test_without_a_tray_host_shows_the_control_window(
    desktop_without_tray: Rig, tmp_path: Path
) -> None:
    rig = desktop_without_tray
    assert rig.tray_owner() == 0, "this rig must have no tray host"
    app, status = start_deskguard(rig)
    assert status["tray"] == "window", status
    windows = wait_for(lambda: rig.windows("^DeskGuard$"), STEP_TIMEOUT, "the DeskGuard window")
    assert len(windows) == 1, windows
    print(f"screenshot: {rig.screenshot(tmp_path / 'screenshots' / 'no-tray.png')}")
    assert rig.cli("break-now").returncode == 0
    break_window(rig)
    assert_clean_output(rig, app)


def test_quit_without_a_tray_host(desktop_without_tray: Rig) -> None:
    # Regression: the control window refuses close events, which made Qt 6's
    # QGuiApplication.quit() give up, so quit/SIGTERM did nothing without a tray.
    rig = desktop_without_tray
    app, _ = start_deskguard(rig)
    quit_app(rig, app, timeout=5)
    assert_clean_output(rig, app)

    again, _ = start_deskguard(rig)
    again.send_signal(signal.SIGTERM)
    assert again.wait(timeout=5) == 0, rig.output(again)
    assert rig.cli("status").returncode == 1


def test_quit_with_an_open_prompt_records_missed(desktop: Rig) -> None:
    # Regression: quitting closed the break window, whose close event answered Skip.
    rig = desktop
    app, _ = start_deskguard(rig)
    assert rig.cli("break-now").returncode == 0
    break_window(rig)
    quit_app(rig, app)
    assert today_kinds(rig) == ["prompted", "missed"]

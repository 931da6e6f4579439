"""The loop that must never stop, on the real rig: scheduled prompts (developer interval),
the X server's own idle time, the real alarm, the socket and the window.

- away long enough for a natural break, back, and the next prompt one interval later;
- a break that ends by its own timer, and the next prompt one interval after it;
- a pause, a restart, and no prompt until the pause ends.
"""

from __future__ import annotations

import sqlite3
import subprocess
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.rig import Notification, Rig, wait_for
from tests.e2e.test_activity import returning_user
from tests.e2e.test_break_loop import PROMPT_SUMMARY, START_TIMEOUT, STEP_TIMEOUT, _rig

pytestmark = pytest.mark.e2e

INTERVAL_S = 62  # longer than the 1-minute break, so a quiet user is away at the due time
ONE_MINUTE_BREAKS = textwrap.dedent(
    """\
    [breaks]
    break_minutes = 1
    """
)


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Rig]:
    yield from _rig(tmp_path, tray=True)


def events(rig: Rig) -> list[tuple[str, datetime]]:
    """(kind, time) of every recorded event, read from the database as it is on disk."""
    db = rig.home / "data" / "deskguard.db"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        rows = conn.execute("SELECT kind, at_utc FROM events ORDER BY id").fetchall()
    finally:
        conn.close()
    return [(k, datetime.fromisoformat(at.removesuffix("Z") + "+00:00")) for k, at in rows]


def times_of(rig: Rig, kind: str) -> list[datetime]:
    return [at for k, at in events(rig) if k == kind]


def wait_event(rig: Rig, kind: str, count: int, timeout: float, working: bool = False) -> datetime:
    """Wait for the `count`th event of `kind`; `working`: the user moves the mouse every
    2 s meanwhile (without input a minute-long wait is an absence of its own)."""
    spot = {"x": 300}

    def seen() -> list[datetime] | None:
        if working:
            spot["x"] = 300 + (spot["x"] + 7) % 200
            move_mouse(rig, spot["x"], 300)
        found = times_of(rig, kind)
        return found if len(found) >= count else None

    found: list[datetime] = wait_for(seen, timeout, f"{count} {kind}", interval=2.0)
    return found[count - 1]


def bubbles(rig: Rig, count: int) -> list[Notification] | None:
    """The prompts' notifications dunst logged, once there are `count` of them."""
    found = [n for n in rig.notifications() if n.summary == PROMPT_SUMMARY]
    return found if len(found) >= count else None


def move_mouse(rig: Rig, x: int, y: int) -> datetime:
    subprocess.run(["xdotool", "mousemove", str(x), str(y)], env=rig.child_env(), check=True)
    return datetime.now().astimezone()


def start(rig: Rig, interval_s: int) -> subprocess.Popen[bytes]:
    app = rig.start_app(env={"DESKGUARD_DEV_INTERVAL_SECONDS": str(interval_s)})
    wait_for(lambda: rig.status(), START_TIMEOUT, "deskguard to answer")
    return app


def test_away_and_back_then_a_timer_ended_break_and_the_next_prompts_come(
    desktop: Rig, tmp_path: Path
) -> None:
    rig = desktop
    returning_user(rig)
    with (rig.home / "config" / "settings.toml").open("a") as settings:
        settings.write(ONE_MINUTE_BREAKS)
    app = start(rig, INTERVAL_S)
    status = rig.status()
    assert status is not None and status["idle_backend"] == "x11", status

    # Nobody touches the keyboard or mouse: at the due time the user has been away for
    # longer than a break, so the break is natural and no prompt is shown.
    natural = wait_event(rig, "natural", 1, INTERVAL_S + 20)
    assert times_of(rig, "prompted") == []
    assert rig.windows("Break") == []

    back = move_mouse(rig, 300, 300)  # back at the desk
    # Before the fix: no prompt ever came again; `next_break_at` stayed null.
    prompted = wait_event(rig, "prompted", 1, INTERVAL_S + 20, working=True)
    delay_after_return = (prompted - back).total_seconds()
    print(f"natural at {natural:%T}; back at {back:%T}; prompt {delay_after_return:.2f} s later")
    # The return is seen at the next look at idle time: every 5 s while away.
    assert INTERVAL_S - 2 <= delay_after_return <= INTERVAL_S + 5 + 2
    window = wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the Break window")[0]
    rig.screenshot(tmp_path / "shots" / "prompt-after-return.png")

    rig.key("Return", window=window)  # start the break, then let its timer run out
    started = wait_event(rig, "started", 1, STEP_TIMEOUT)
    rig.screenshot(tmp_path / "shots" / "break-running.png")
    completed = wait_event(rig, "completed", 1, 60 + 15, working=True)
    assert abs((completed - started).total_seconds() - 60) <= 2
    nxt = wait_event(rig, "prompted", 2, INTERVAL_S + 20, working=True)
    delay_after_break = (nxt - completed).total_seconds()
    print(
        f"break ended by its timer at {completed:%T}; next prompt {delay_after_break:.2f} s later"
    )
    assert INTERVAL_S - 0.5 <= delay_after_break <= INTERVAL_S + 2
    (tmp_path / "delays.txt").write_text(
        f"after return: {delay_after_return:.2f} s\nafter timer-ended break: "
        f"{delay_after_break:.2f} s\n"
    )
    # notify-send runs apart from the app: its bubble reaches dunst a moment after the
    # prompt is on record.
    prompts = wait_for(lambda: bubbles(rig, 2), STEP_TIMEOUT, "both prompts' bubbles in dunst")
    assert len(prompts) == 2 and "Take a minute:" in prompts[0].body, prompts
    assert app.poll() is None
    assert "Traceback" not in rig.output(app)
    assert "JobLookupError" not in rig.logs()


def test_a_pause_survives_a_restart(desktop: Rig) -> None:
    rig = desktop
    returning_user(rig)
    app = start(rig, 5)
    move_mouse(rig, 100, 100)
    done = rig.cli("pause", "1")
    assert done.returncode == 0, done.stderr
    paused_at = time.monotonic()
    done = rig.cli("quit")
    assert done.returncode == 0, done.stderr
    app.wait(STEP_TIMEOUT)

    app = start(rig, 5)
    status = rig.status()
    assert status is not None and status["state"] == "paused", status
    # Every 5 s a prompt would come, were the pause forgotten; it holds until its end.
    while time.monotonic() - paused_at < 50:
        move_mouse(rig, 100 + int(time.monotonic()) % 50, 120)  # at the desk, typing
        assert times_of(rig, "prompted") == [], "a prompt came during the pause"
        time.sleep(2)
    move_mouse(rig, 160, 160)
    wait_event(rig, "prompted", 1, 10 + 5 + 10)  # pause over at 60 s, then one interval
    assert time.monotonic() - paused_at >= 60
    resumed = [k for k, _ in events(rig) if k == "resumed"]
    assert resumed, "the pause's end is recorded"
    assert app.poll() is None

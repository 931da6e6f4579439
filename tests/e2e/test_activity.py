"""Activity awareness on the real rig: X11 idle time, and prompts held during a presentation.

The presentation tests need an EWMH window manager (openbox) so that `wmctrl` can make a
window fullscreen and `_NET_ACTIVE_WINDOW` names the active one.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from deskguard.adapters.store import Store
from deskguard.core.checklist import ChecklistResult
from tests.e2e.rig import Rig, require_rig, wait_for
from tests.e2e.test_break_loop import (
    PROMPT_SUMMARY,
    START_TIMEOUT,
    STEP_TIMEOUT,
    _rig,
    start_deskguard,
    status_where,
)

pytestmark = pytest.mark.e2e

ALL_HOURS = textwrap.dedent(
    """\
    [schedule]
    working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    work_start = "00:00"
    work_end = "23:59"
    """
)
PRESENTATION = textwrap.dedent(
    """\
    import sys
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication(sys.argv[:1])
    label = QLabel("Slide 1")
    label.setWindowTitle("Presentation")
    label.resize(400, 300)
    label.show()
    app.exec()
    """
)


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Rig]:
    yield from _rig(tmp_path, tray=True)


@pytest.fixture
def desktop_with_wm(tmp_path: Path) -> Iterator[Rig]:
    require_rig()
    if shutil.which("openbox") is None or shutil.which("wmctrl") is None:
        pytest.skip("openbox and wmctrl are needed for fullscreen tests")
    with Rig(tmp_path / "rig") as rig:
        wm = rig.start_app(["openbox"], name="openbox")
        wait_for(
            lambda: (
                subprocess.run(
                    ["wmctrl", "-m"], env=rig.child_env(), capture_output=True, check=False
                ).returncode
                == 0
            ),
            STEP_TIMEOUT,
            "openbox to manage the display",
        )
        try:
            yield rig
        finally:
            wm.terminate()
            print(rig.logs())


def returning_user(rig: Rig) -> None:
    """Settings that make every hour a working hour, and a workstation check already done
    (so no dialog opens at start and takes the focus from the presentation)."""
    (rig.home / "config").mkdir(parents=True, exist_ok=True)
    (rig.home / "config" / "settings.toml").write_text(ALL_HOURS)
    store, _ = Store.open(rig.home / "data" / "deskguard.db")
    store.add_checklist_result(
        ChecklistResult("workstation", datetime.now().astimezone(), {"feet-flat": True})
    )
    store.close()


def wmctrl(rig: Rig, *args: str) -> None:
    subprocess.run(["wmctrl", *args], env=rig.child_env(), check=True, timeout=10)


def start_presentation(rig: Rig, tmp_path: Path) -> subprocess.Popen[bytes]:
    script = tmp_path / "presentation.py"
    script.write_text(PRESENTATION)
    show = rig.start_app([sys.executable, str(script)], name="presentation")
    wait_for(lambda: rig.windows("^Presentation$"), STEP_TIMEOUT, "the presentation window")
    wmctrl(rig, "-r", "Presentation", "-b", "add,fullscreen")
    wmctrl(rig, "-a", "Presentation")
    from deskguard.adapters.hold import X11Fullscreen

    detector = X11Fullscreen(rig.display)
    wait_for(lambda: detector.reason() == "presentation", STEP_TIMEOUT, "a fullscreen window")
    return show


def kinds_in_export(rig: Rig, tmp_path: Path) -> list[str]:
    target = tmp_path / "events.csv"
    done = rig.cli("export", "--csv", str(target))
    assert done.returncode == 0, done.stderr
    return [row["kind"] for row in csv.DictReader(target.read_text(encoding="utf-8").splitlines())]


def test_idle_time_grows_and_input_resets_it(desktop: Rig) -> None:
    from deskguard.adapters.idle import X11Idle

    rig = desktop
    returning_user(rig)
    _, status = start_deskguard(rig)
    assert status["idle_backend"] == "x11"
    assert status["hold_detection"].startswith("x11-fullscreen")
    idle = X11Idle(rig.display)
    subprocess.run(["xdotool", "mousemove", "10", "10"], env=rig.child_env(), check=True)
    time.sleep(2.2)  # the only way to let the X server's idle counter grow is to wait
    grown = idle.idle_seconds()
    assert grown is not None and grown >= 2.0
    subprocess.run(["xdotool", "mousemove", "200", "200"], env=rig.child_env(), check=True)
    reset = idle.idle_seconds()
    assert reset is not None and reset < 1.0


def test_a_due_prompt_waits_for_the_presentation_to_end(
    desktop_with_wm: Rig, tmp_path: Path
) -> None:
    rig = desktop_with_wm
    returning_user(rig)
    show = start_presentation(rig, tmp_path)
    app = rig.start_app(env={"DESKGUARD_DEV_INTERVAL_SECONDS": "6"})
    wait_for(lambda: rig.status(), START_TIMEOUT, "deskguard to answer")
    held = status_where(
        rig, "the prompt to be held", lambda s: s.get("held") == "presentation", timeout=30
    )
    assert held["prompting"] is False
    assert held["prompt"] is not None and held["prompt"]["source"] == "scheduled", held
    assert held["prompt"]["shown_at"] is None, held  # queued, not shown
    assert rig.windows("Break") == []
    assert [n for n in rig.notifications() if n.summary == PROMPT_SUMMARY] == []
    rig.screenshot(tmp_path / "shots" / "held.png")
    time.sleep(1)  # still held a moment later, not shown
    assert rig.windows("Break") == []
    show.terminate()
    show.wait(10)
    wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the Break window after the show")
    status = status_where(rig, "prompting", lambda s: s.get("prompting") is True)
    assert status["held"] is None
    kinds = kinds_in_export(rig, tmp_path)
    assert kinds[:2] == ["deferred", "prompted"], kinds
    rig.screenshot(tmp_path / "shots" / "after.png")
    print(f"screenshots in {tmp_path / 'shots'}")
    assert app.poll() is None


def test_break_now_is_never_held_back(desktop_with_wm: Rig, tmp_path: Path) -> None:
    rig = desktop_with_wm
    returning_user(rig)
    show = start_presentation(rig, tmp_path)
    start_deskguard(rig)
    from deskguard.adapters.hold import X11Fullscreen

    detector = X11Fullscreen(rig.display)
    assert detector.reason() == "presentation"  # the show is still on and active
    asked = time.monotonic()
    done = rig.cli("break-now")
    assert done.returncode == 0, done.stderr
    wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the Break window during the show")
    print(f"break window {time.monotonic() - asked:.2f} s after break-now")
    status: dict[str, Any] = status_where(rig, "prompting", lambda s: s.get("prompting") is True)
    assert status["held"] is None
    assert status["prompt"]["source"] == "manual", status
    assert status["prompt"]["shown_at"] is not None, status
    assert show.poll() is None  # shown over the running presentation, not after it
    rig.screenshot(tmp_path / "shots" / "break-now.png")
    kinds = kinds_in_export(rig, tmp_path)
    assert "deferred" not in kinds and "prompted" in kinds, kinds


def stacking(rig: Rig) -> list[int]:
    """The window manager's client windows, bottom to top (_NET_CLIENT_LIST_STACKING)."""
    out = subprocess.run(
        ["xprop", "-root", "_NET_CLIENT_LIST_STACKING"],
        env=rig.child_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout
    return [int(word.strip(","), 16) for word in out.split() if word.startswith("0x")]


def test_break_now_window_is_seen_over_the_presentation(
    desktop_with_wm: Rig, tmp_path: Path
) -> None:
    rig = desktop_with_wm
    returning_user(rig)
    start_presentation(rig, tmp_path)
    start_deskguard(rig)
    presentation = rig.windows("^Presentation$")[0]
    # A focused fullscreen window stacks above even _NET_WM_STATE_ABOVE windows (EWMH):
    # the Break window is seen only if it takes the focus. Mapped is not enough.
    done = rig.cli("break-now")
    assert done.returncode == 0, done.stderr
    window = wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the Break window")[0]

    def on_top() -> bool:
        order = stacking(rig)
        return (
            window in order
            and presentation in order
            and (order.index(window) > order.index(presentation))
        )

    try:
        wait_for(on_top, 5.0, "the Break window stacked above the presentation")
    finally:
        rig.screenshot(tmp_path / "shots" / "break-now-stacking.png")

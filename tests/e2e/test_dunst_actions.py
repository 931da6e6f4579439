"""The prompt's notification on dunst (X11 rig): Start / Snooze buttons, and withdrawn
once the prompt is answered (issue #14.5).

dunst shows a notification's buttons in its context menu, which it hands to the
program named by ``dmenu`` in its configuration; here that program picks the line with
the Start button, as a user would in dmenu, and dunst sends ``ActionInvoked`` to DeskGuard.
A second prompt is answered in DeskGuard's own window (Esc: skipped), and its
notification must leave dunst's screen.
"""

from __future__ import annotations

import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from tests.e2e.rig import Rig, require_rig, wait_for

pytestmark = pytest.mark.e2e

SETTINGS = textwrap.dedent(
    """\
    [schedule]
    working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    work_start = "00:00"
    work_end = "23:59"

    [breaks]
    posture_checks = false
    """
)
DUNSTRC = """[global]
    font = DejaVu Sans 10
    dmenu = {pick}
"""
# dunst writes one line per button on the menu's stdin; the chosen line goes back.
PICK = """#!/bin/sh
cat > {log}
grep -m1 ',start]' {log}
"""


def displayed(rig: Rig) -> int:
    done = subprocess.run(
        ["dunstctl", "count", "displayed"], env=rig.env, capture_output=True, text=True
    )
    return int(done.stdout.strip() or -1) if done.returncode == 0 else -1


def test_start_from_dunst_and_the_answered_prompt_withdrawn(tmp_path: Path) -> None:
    require_rig()
    with Rig(tmp_path / "rig", notifications=False) as rig:
        try:
            pick = tmp_path / "pick.sh"
            pick.write_text(PICK.format(log=tmp_path / "menu.txt"))
            pick.chmod(0o755)
            rc = tmp_path / "dunstrc"
            rc.write_text(DUNSTRC.format(pick=pick))
            rig.start_app(["dunst", "-config", str(rc)], name="dunst")
            wait_for(lambda: displayed(rig) == 0, 20, "dunst on the rig's bus")
            (rig.home / "config").mkdir(parents=True)
            (rig.home / "config" / "settings.toml").write_text(SETTINGS)
            app = rig.start_app(env={"DESKGUARD_DEV_INTERVAL_SECONDS": "8"})

            def prompting() -> bool:
                assert app.poll() is None, rig.output(app)
                return bool((rig.status() or {}).get("prompting"))

            wait_for(prompting, 40, "the first scheduled prompt")
            wait_for(lambda: displayed(rig) == 1, 10, "the prompt's notification in dunst")
            assert (rig.status() or {}).get("notifier") == "d-bus"

            # Start, from the notification's menu: dunst sends ActionInvoked.
            subprocess.run(["dunstctl", "context"], env=rig.env, check=True)
            wait_for(lambda: (rig.status() or {}).get("state") == "on_break", 10, "on break")
            menu = (tmp_path / "menu.txt").read_text()
            assert "#Start break (" in menu and "#Snooze 5 min (" in menu, menu
            wait_for(lambda: displayed(rig) == 0, 10, "the notification gone after Start")
            rig.cli("break-now")  # ends nothing: a break is under way
            window = wait_for(lambda: rig.windows("Break"), 10, "the break window")[0]
            rig.key("Escape", window=window)  # stop the break
            wait_for(lambda: (rig.status() or {}).get("prompt") is None, 10, "the break over")

            # The next prompt, answered in the window: its notification is withdrawn.
            wait_for(prompting, 40, "the second scheduled prompt")
            wait_for(lambda: displayed(rig) == 1, 10, "the second notification in dunst")
            window = wait_for(lambda: rig.windows("Break"), 10, "the prompt window")[0]
            print(f"screenshot: {rig.screenshot(tmp_path / 'screenshots' / 'dunst-prompt.png')}")
            rig.key("Escape", window=window)  # skipped
            wait_for(lambda: not (rig.status() or {}).get("prompting"), 10, "the prompt answered")
            started = time.monotonic()
            wait_for(lambda: displayed(rig) == 0, 10, "the notification withdrawn")
            print(f"withdrawn {time.monotonic() - started:.2f} s after the answer")
        except BaseException:
            print(rig.logs())
            raise

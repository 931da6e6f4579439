"""Fault injection on the real app (issue #18): the short run of benchmarks/faults.py, and a
start-up that fails after the tray icon is up.

The short run takes about three minutes: 8 `kill -9` while a driver answers prompts,
the matrix of hostile settings and database files, the IPC abuse trials under a 1,024
file limit, and a one-minute endurance run. `python benchmarks/faults.py` is the long
version (100 kills, 15 minutes).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.rig import Rig, require_rig, wait_for
from tests.e2e.test_break_loop import START_TIMEOUT, STEP_TIMEOUT, _rig, returning_user

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Rig]:
    yield from _rig(tmp_path, tray=True)


def test_the_short_fault_injection_run_loses_nothing(tmp_path: Path) -> None:
    require_rig()  # the suite brings up a rig of its own
    figures = tmp_path / "faults.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "faults.py"), "--short", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=15 * 60,
        check=False,
    )
    print(done.stdout[-20_000:], done.stderr[-5000:])
    assert done.returncode == 0, done.stdout[-5000:]
    assert "no loss, no failure" in done.stdout


def test_a_failure_after_the_icon_ends_in_a_message_and_an_exit(desktop: Rig) -> None:
    """The socket path is taken by a folder: start-up fails after the icon is up.

    Before: the OSError escaped the start-up slot, PySide printed it, and the icon stayed
    with nothing behind it (status: "not running"). Now: a dialog and a message that
    name the problem, and the app exits 1 when the dialog is closed."""
    rig = desktop
    returning_user(rig)
    (rig.home / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    (rig.home / "run" / "deskguard.sock").mkdir()
    app = rig.start_app()
    dialog = wait_for(
        lambda: rig.windows("^DeskGuard cannot start$"), START_TIMEOUT, "the 'cannot start' dialog"
    )
    assert app.poll() is None
    output = rig.output(app)
    assert "DeskGuard cannot start: cannot listen for commands" in output, output
    assert "is in the way and is not a socket" in output, output
    assert "Traceback" not in output, output
    rig.key("Return", window=dialog[0])
    assert app.wait(timeout=STEP_TIMEOUT) == 1
    assert (rig.home / "run" / "deskguard.sock").is_dir()  # left as it was
    started = time.monotonic()
    assert rig.cli("status").returncode == 1
    assert time.monotonic() - started < STEP_TIMEOUT

"""DeskGuard on real headless Wayland compositors (issue #16: 2, 4, 5; #14.5).

* sway 1.7 (run as ``nobody``, see wayland_rig.py) with mako: while the user types
  into a focused text window, a scheduled prompt comes due; every keystroke reaches the
  text window and the prompt is untouched (not snoozed, started or skipped): it is the
  notification, with Start / Snooze buttons, and the tray's (here the control window's)
  "waiting". Pressing Start on the notification opens the break and withdraws it.
  DeskGuard's windows carry the app ID as their Wayland app_id. sway 1.7 offers no
  ext-idle-notify-v1, and `status --json` says so.
* KWin (Plasma 5.27, ``kwin_wayland --virtual``) offers ext-idle-notify-v1: DeskGuard
  chooses it, and the backend sees the compositor's `idled` with no input and its
  `resumed` when the pointer moves.

Screenshots (grim) are written next to the test's files and their paths printed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.e2e.rig import wait_for
from tests.e2e.wayland_rig import (
    KWIN_PACKAGES,
    KWIN_TOOLS,
    SWAY_PACKAGES,
    SWAY_TOOLS,
    KWin,
    Sway,
    deskguard,
    require,
    status,
)

pytestmark = pytest.mark.e2e

APP_ID = "io.github.deskguard.DeskGuard"
EDITOR = Path(__file__).with_name("wayland_editor.py")
ALL_HOURS = textwrap.dedent(
    """\
    [schedule]
    working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    work_start = "00:00"
    work_end = "23:59"
    """
)
INTERVAL_S = 25  # start-up, the editor and its focus fit well before the first prompt
START_TIMEOUT = 30.0


@pytest.fixture
def base() -> Iterator[Path]:
    # Short: a Unix socket's path (BASE/run/sway-ipc.65534.PID.sock) has 107 bytes at most.
    path = Path(tempfile.mkdtemp(prefix="wl-e2e-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def home_with_settings(base: Path) -> Path:
    home = base / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.toml").write_text(ALL_HOURS)  # and no first-run welcome
    return home


def answering(app: Any, env: dict[str, str], home: Path, logs: Any) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        if app.poll() is not None:
            pytest.fail(f"deskguard exited with {app.returncode}:\n{logs()}")
        return status(env, home)

    found: dict[str, Any] = wait_for(check, START_TIMEOUT, "deskguard status --json")
    return found


def settled_windows(sway: Sway, pid: int) -> list[dict[str, Any]]:
    """The windows of process `pid` once none has come or gone for 1.5 s."""
    last: list[Any] = []
    stable_since = time.monotonic()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = sorted((w["app_id"], w["name"]) for w in sway.windows() if w["pid"] == pid)
        if now != last:
            last, stable_since = now, time.monotonic()
        elif now and time.monotonic() - stable_since >= 1.5:
            return [w for w in sway.windows() if w["pid"] == pid]
        time.sleep(0.1)
    raise AssertionError(f"DeskGuard's windows did not settle: {last}")


def test_a_scheduled_prompt_never_takes_the_keyboard_on_sway(base: Path, tmp_path: Path) -> None:
    require(SWAY_TOOLS, SWAY_PACKAGES)
    sway = Sway(base)
    try:
        home = home_with_settings(base)
        env = sway.env(DESKGUARD_DEV_INTERVAL_SECONDS=str(INTERVAL_S))
        typed = base / "typed.txt"
        editor = sway.start("editor", [sys.executable, str(EDITOR), str(typed)], env)
        wait_for(lambda: [w for w in sway.windows() if w["pid"] == editor.pid], 20, "the editor")
        app = deskguard(sway, env, home)
        first = answering(app, env, home, sway.logs)

        # Wayland: a scheduled prompt is the notification; sway 1.7 has no idle protocol.
        assert first["scheduled_prompt"] == "notification", first
        rows = {r["backend"]: r for r in first["idle_backends"]}
        assert first["idle_backend"] == "none"
        assert rows["ext-idle-notify"]["result"] == "refused"
        assert "does not offer ext_idle_notifier_v1" in rows["ext-idle-notify"]["reason"]
        assert rows["x11"]["result"] == "skipped"

        # Issue #16.5: every DeskGuard window carries the app ID as its app_id. They are
        # the control window (no tray here) and the workstation check offered at start;
        # each took the focus as it came, as any new window does on sway.
        ours = settled_windows(sway, app.pid)
        assert {w["app_id"] for w in ours} == {APP_ID}, ours

        # The user works in the editor (it took the focus back from the control window).
        sway.swaymsg('[app_id="dg-test-editor"] focus')
        wait_for(
            lambda: (sway.focused() or {}).get("app_id") == "dg-test-editor", 10, "editor focus"
        )
        due = datetime.fromisoformat(first["next_break_at"])
        lead = (due - datetime.now(due.tzinfo)).total_seconds()
        assert lead > 5, f"the prompt comes too soon to type through it ({lead:.1f} s)"
        time.sleep(lead - 4)

        # Type from 4 s before the prompt until about 8 s after it: s, Return and Escape
        # among the keys (they would snooze, start or skip a prompt that had the focus).
        # One wtype for all of it: each wtype is a new virtual keyboard, and a client
        # drops the keys that come before it has taken in a new keyboard's keymap: a Shift,
        # then a second's wait.
        args, expected = ["-k", "Shift_L", "-s", "1000", "-d", "45"], ""
        words = ["sit ", "stand ", "s", "snooze ", "skip ", "ss "]
        for n in range(36):  # ~12 s at 45 ms a key and 150 ms between words
            args += [words[n % len(words)], "-s", "150"]
            expected += words[n % len(words)]
            if n % 3 == 2:
                args += ["-k", "Return", "-k", "Escape"]
                expected += "\n"
        typing = sway.start("wtype", ["wtype", *args], sway.env())
        started = time.monotonic()
        prompted_at = wait_for(
            lambda: time.monotonic() if (status(env, home) or {}).get("prompting") else None,
            20,
            "the scheduled prompt",
        )
        typing.wait(timeout=60)
        ended = time.monotonic()
        print(f"typing {ended - started:.1f} s; the prompt came {prompted_at - started:.1f} s in")
        assert started + 1 < prompted_at < ended - 3, "the prompt did not come mid-typing"
        time.sleep(0.5)

        arrived = typed.read_text(encoding="utf-8")
        print(f"typed {len(expected)} characters; {len(arrived)} arrived")
        assert arrived == expected  # every keystroke reached the editor
        focused = sway.focused() or {}
        assert focused.get("app_id") == "dg-test-editor", focused
        after = status(env, home)
        assert after is not None and after["prompting"], after
        prompt = after["prompt"]
        assert prompt["source"] == "scheduled" and prompt["snoozed_until"] is None, prompt
        assert prompt["break_ends_at"] is None and after["snoozes_left"] == 2, after
        assert not [w for w in sway.windows() if "Break" in (w["name"] or "")]
        assert after["notifier"] == "d-bus"

        # The prompt is the notification, with buttons and the desktop-entry hint.
        (shown,) = [n for n in sway.notifications() if n.get("app-name") == "DeskGuard"]
        assert shown["summary"] == "Time to stand and move", shown
        assert shown["actions"].get("start") == "Start break", shown
        assert shown["actions"].get("snooze") == "Snooze 5 min", shown
        if "desktop-entry" in shown:  # listed by the mako versions that keep it
            assert shown["desktop-entry"] == APP_ID
        shot = sway.screenshot(tmp_path / "screenshots" / "sway-prompt-waiting.png")
        print(f"screenshot: {shot}")

        # Start from the notification: the break opens, the notification goes.
        sway.invoke(int(shown["id"]), "start")
        wait_for(lambda: (status(env, home) or {}).get("state") == "on_break", 10, "on break")
        breaks = wait_for(
            lambda: [w for w in sway.windows() if "Break" in (w["name"] or "")], 10, "break window"
        )
        assert breaks[0]["app_id"] == APP_ID
        wait_for(
            lambda: not [n for n in sway.notifications() if n.get("app-name") == "DeskGuard"],
            10,
            "the notification withdrawn",
        )
        time.sleep(0.5)
        print(f"screenshot: {sway.screenshot(tmp_path / 'screenshots' / 'sway-break.png')}")
    except BaseException:
        print(sway.logs())
        raise
    finally:
        sway.close()


def test_idle_time_from_kwin_through_ext_idle_notify(
    base: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(KWIN_TOOLS, KWIN_PACKAGES)
    pytest.importorskip("pywayland")
    from deskguard.adapters.wayland_idle import WaylandIdle
    from tests.e2e.kwin_fake_input import move_pointer

    kwin = KWin(base)
    try:
        home = home_with_settings(base)
        env = kwin.env()
        app = deskguard(kwin, env, home)
        first = answering(app, env, home, kwin.logs)
        assert first["idle_backend"] == "ext-idle-notify", first
        rows = [(r["backend"], r["result"]) for r in first["idle_backends"]]
        assert rows[:3] == [("gnome", "skipped"), ("x11", "skipped"), ("ext-idle-notify", "chosen")]

        # The same backend in this process, on the same compositor: KWin's own events.
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(kwin.root_run))
        monitor = WaylandIdle(kwin.socket, timeout_ms=1000)
        qtbot.waitUntil(lambda: (monitor.idle_seconds() or 0) >= 1.0, timeout=10_000)
        move_pointer(kwin.socket)
        qtbot.waitUntil(lambda: monitor.idle_seconds() == 0.0, timeout=10_000)
        assert monitor.events == 2  # idled, resumed
        monitor.close()
    except BaseException:
        print(kwin.logs())
        raise
    finally:
        kwin.close()

"""The ext-idle-notify-v1 idle backend against a compositor on a real Wayland socket.

The compositor is tests/adapters/fake_wayland_compositor.py, written with pywayland's
server API: it speaks the protocol (globals, binds, the idle notification, `idled` and
`resumed`) the way KWin and wlroots compositors do; nothing of the backend is mocked.
Events reach the backend only through Qt's event loop (its QSocketNotifier): the tests
never dispatch by hand. tests/e2e/test_wayland.py runs it against KWin itself.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

pytest.importorskip("pywayland", reason="pywayland is a dependency on Linux (pyproject.toml)")

from deskguard.adapters.idle import NullIdle, choose_idle
from deskguard.adapters.wayland_idle import WaylandIdle, WaylandIdleError

FAKE = Path(__file__).with_name("fake_wayland_compositor.py")
_names = itertools.count(1)


class Compositor:
    def __init__(self, runtime: Path, *args: str) -> None:
        self.socket = f"wl-test-{os.getpid()}-{next(_names)}"
        env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE), "--socket", self.socket, *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.readline() == "ready"

    def readline(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def send(self, command: str) -> str:
        """A command; returns the compositor's acknowledgement."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.readline()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
        self.proc.communicate(timeout=10)


@pytest.fixture
def compositor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Compositor]]:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))  # where libwayland finds the socket
    started: list[Compositor] = []

    def start(*args: str) -> Compositor:
        started.append(Compositor(runtime, *args))
        return started[-1]

    yield start
    for c in started:
        c.close()


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_idle_time_follows_idled_and_resumed(
    qtbot: QtBot, compositor: Callable[..., Compositor]
) -> None:
    fake = compositor()
    clock = Clock()
    monitor = WaylandIdle(fake.socket, timeout_ms=5000, monotonic=clock)
    assert fake.readline() == "notification get_idle_notification 5000"
    assert monitor.version == 1
    assert monitor.idle_seconds() == 0.0  # active until the compositor says otherwise

    assert fake.send("idled") == "sent idled 1"
    qtbot.waitUntil(lambda: monitor.events == 1, timeout=5000)  # through Qt's event loop
    assert monitor.idle_seconds() == 5.0  # idle since the timeout began
    clock.t += 60
    assert monitor.idle_seconds() == 65.0

    assert fake.send("resumed") == "sent resumed 1"
    qtbot.waitUntil(lambda: monitor.events == 2, timeout=5000)
    assert monitor.idle_seconds() == 0.0
    monitor.close()


def test_version_2_counts_input_only(qtbot: QtBot, compositor: Callable[..., Compositor]) -> None:
    fake = compositor("--version", "2")
    monitor = WaylandIdle(fake.socket, timeout_ms=3000)
    # Idle inhibitors (a video playing) must not hide that the user walked away.
    assert fake.readline() == "notification get_input_idle_notification 3000"
    assert monitor.version == 2
    fake.send("idled")
    qtbot.waitUntil(lambda: (monitor.idle_seconds() or 0) >= 3.0, timeout=5000)
    monitor.close()


def test_a_compositor_without_the_protocol_is_refused_with_the_reason(
    compositor: Callable[..., Compositor],
) -> None:
    fake = compositor("--without-idle")
    with pytest.raises(WaylandIdleError, match="does not offer ext_idle_notifier_v1"):
        WaylandIdle(fake.socket)
    choice = choose_idle({"WAYLAND_DISPLAY": fake.socket, "XDG_CURRENT_DESKTOP": "sway"})
    assert isinstance(choice.monitor, NullIdle)
    tried = {t.backend: t for t in choice.tried}
    assert tried["ext-idle-notify"].result == "refused"
    assert "does not offer ext_idle_notifier_v1" in tried["ext-idle-notify"].reason


def test_no_display_is_refused(compositor: Callable[..., Compositor]) -> None:
    with pytest.raises(WaylandIdleError, match="cannot connect"):
        WaylandIdle("wl-nobody-listens-here")


def test_the_chain_takes_it_on_kde_and_wlroots_and_says_why(
    qtbot: QtBot, compositor: Callable[..., Compositor]
) -> None:
    fake = compositor()
    env = {"WAYLAND_DISPLAY": fake.socket, "XDG_CURRENT_DESKTOP": "KDE", "DISPLAY": ":0"}
    choice = choose_idle(env)  # no session bus in env: the D-Bus backends are skipped
    assert choice.monitor.name == "ext-idle-notify"
    rows = [t.as_dict() for t in choice.tried]
    assert rows[0] == {"backend": "gnome", "result": "skipped", "reason": "not GNOME on Wayland"}
    assert rows[1]["backend"] == "x11" and rows[1]["result"] == "skipped"
    assert rows[2] == {
        "backend": "ext-idle-notify",
        "result": "chosen",
        "reason": "it answers here",
    }
    assert [r["result"] for r in rows[3:]] == ["skipped"]
    assert isinstance(choice.monitor, WaylandIdle)
    choice.monitor.close()


def test_a_compositor_that_goes_away_turns_idle_time_off(
    qtbot: QtBot, compositor: Callable[..., Compositor]
) -> None:
    fake = compositor()
    monitor = WaylandIdle(fake.socket)
    fake.readline()
    assert fake.send("kick") == "kicked"
    qtbot.waitUntil(lambda: monitor.lost is not None, timeout=5000)
    assert monitor.idle_seconds() is None  # unknown, not "active": natural breaks pause


def test_a_hung_compositor_never_blocks_the_event_loop(
    qtbot: QtBot, compositor: Callable[..., Compositor]
) -> None:
    from PySide6.QtCore import QTimer

    fake = compositor()
    monitor = WaylandIdle(fake.socket)
    fake.readline()
    fake.proc.send_signal(signal.SIGSTOP)  # it answers nothing from now on
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    started = time.monotonic()
    for _ in range(20):
        assert monitor.idle_seconds() == 0.0
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=3000)
    timer.stop()
    assert time.monotonic() - started < 2.0

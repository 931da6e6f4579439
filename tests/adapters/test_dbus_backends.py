"""The D-Bus idle and inhibit backends against a fake desktop on a private session bus.

Each test starts its own ``dbus-daemon`` (a minimal config: no service activation, so
nothing real can start behind our back, DESIGN §4), runs tests/adapters/fake_dbus_service.py
on it, and asks the adapters from a child Python process. The child is needed because
``QDBusConnection.sessionBus()`` is process-global: it connects once, to whatever
DBUS_SESSION_BUS_ADDRESS said at that moment, and pytest's own process must not be tied
to a bus that dies with the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FAKE = Path(__file__).with_name("fake_dbus_service.py")
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# Run in the child before the test's own lines; `out` is printed as JSON at the end.
PRELUDE = """\
import json, os
from PySide6.QtCore import QCoreApplication
from PySide6.QtDBus import QDBusConnection, QDBusInterface
app = QCoreApplication(["dbus-check"])
from deskguard.adapters.idle import choose_idle_monitor, freedesktop_idle, gnome_idle
from deskguard.adapters.hold import choose_holds, gnome_inhibit
out = {}
def control(method, *args):
    iface = QDBusInterface("com.deskguard.FakeDesktop", "/control",
                           "com.deskguard.FakeDesktop", QDBusConnection.sessionBus())
    reply = iface.call(method, *args)
    assert not reply.errorName(), reply.errorMessage()
    return reply.arguments()[0] if reply.arguments() else None
def fails(make):
    try:
        make()
    except OSError as err:
        return str(err)
    return None
"""


def _require_dbus_daemon() -> None:
    if shutil.which("dbus-daemon"):
        return
    reason = "D-BUS BACKEND TESTS NOT RUN: dbus-daemon is missing (apt-get install dbus-daemon)"
    if os.environ.get("DESKGUARD_E2E_REQUIRED", "") not in ("", "0"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _clean_env(bus: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    env["DBUS_SESSION_BUS_ADDRESS"] = bus
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[str]:
    """The address of a private session bus that lives as long as the test."""
    _require_dbus_daemon()
    sockets = tmp_path / "bus"
    sockets.mkdir()
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(dir=sockets))
    daemon = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # "Failed to set fd limit" in containers: harmless
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), f"dbus-daemon printed {address!r}"
        yield address
    finally:
        daemon.terminate()
        daemon.wait(timeout=TIMEOUT)
        if daemon.stdout is not None:
            daemon.stdout.close()


class Fake:
    def __init__(self, bus: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE), *args],
            env=_clean_env(bus),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()  # blocks until ready or exit
        if line != "ready":
            self.stop()
            pytest.fail(f"the fake D-Bus service did not start: {line!r} {self.stderr}")

    stderr = ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        _, self.stderr = self.proc.communicate(timeout=TIMEOUT)


@pytest.fixture
def fake_desktop(bus: str) -> Iterator[Any]:
    """Start the fake with the given arguments; stopped (by its own pid) after the test."""
    started: list[Fake] = []

    def start(*args: str) -> Fake:
        fake = Fake(bus, *args)
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()
        assert fake.proc.returncode == 0, fake.stderr
        assert "Traceback" not in fake.stderr, fake.stderr


def check(bus: str, code: str) -> dict[str, Any]:
    """Run PRELUDE + `code` in a child Python on `bus`; return its `out` dict."""
    script = PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps(out))\n"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_clean_env(bus),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---- idle time ------------------------------------------------------------------------------


def test_gnome_and_freedesktop_idle_answer_the_fakes_value_in_seconds(
    bus: str, fake_desktop: Any
) -> None:
    fake_desktop("--idle-ms", "4321")
    out = check(
        bus,
        """
        gnome, freedesktop = gnome_idle(), freedesktop_idle()
        out["names"] = [gnome.name, freedesktop.name]
        out["first"] = [gnome.idle_seconds(), freedesktop.idle_seconds()]
        control("SetIdleMs", 90_000)  # the user walked away: every call asks afresh
        out["later"] = [gnome.idle_seconds(), freedesktop.idle_seconds()]
        control("SetIdleMs", 0)
        out["back"] = [gnome.idle_seconds(), freedesktop.idle_seconds()]
        out["calls"] = control("Calls")
        """,
    )
    assert out["names"] == ["gnome", "freedesktop"]
    assert out["first"] == [pytest.approx(4.321), pytest.approx(4.321)]
    assert out["later"] == [pytest.approx(90.0), pytest.approx(90.0)]
    assert out["back"] == [0.0, 0.0]
    # One probe per backend when it starts, then exactly one call per idle_seconds().
    assert out["calls"] == 2 + 6


def test_gnome_idle_passes_large_uint64_values(bus: str, fake_desktop: Any) -> None:
    fake_desktop("--idle-ms", str(5 * 24 * 3600 * 1000))  # a machine idle for 5 days
    out = check(bus, 'out["idle"] = gnome_idle().idle_seconds()')
    assert out["idle"] == pytest.approx(5 * 24 * 3600.0)


def test_choose_picks_gnome_on_gnome_wayland(bus: str, fake_desktop: Any) -> None:
    fake_desktop("--idle-ms", "1500")
    out = check(
        bus,
        """
        env = {"DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"],
               "WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}
        monitor = choose_idle_monitor(env)
        out["monitor"] = [monitor.name, monitor.idle_seconds()]
        """,
    )
    assert out["monitor"] == ["gnome", pytest.approx(1.5)]


def test_choose_falls_back_to_freedesktop_without_mutter(bus: str, fake_desktop: Any) -> None:
    fake_desktop("--idle-ms", "2500", "--without", "mutter")
    out = check(
        bus,
        """
        out["gnome_fails"] = fails(gnome_idle)
        env = {"DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"],
               "WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "KDE"}
        monitor = choose_idle_monitor(env)
        out["monitor"] = [monitor.name, monitor.idle_seconds()]
        """,
    )
    assert out["gnome_fails"] and "org.gnome.Mutter.IdleMonitor" in out["gnome_fails"]
    assert out["monitor"] == ["freedesktop", pytest.approx(2.5)]


def test_with_no_idle_service_the_backends_refuse_and_null_is_chosen(
    bus: str, fake_desktop: Any
) -> None:
    fake_desktop("--without", "mutter", "--without", "screensaver")
    out = check(
        bus,
        """
        out["gnome_fails"] = fails(gnome_idle)
        out["freedesktop_fails"] = fails(freedesktop_idle)
        env = {"DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"],
               "XDG_CURRENT_DESKTOP": "GNOME", "WAYLAND_DISPLAY": "wayland-0"}
        monitor = choose_idle_monitor(env)
        out["monitor"] = [monitor.name, monitor.idle_seconds()]
        """,
    )
    assert out["gnome_fails"] and out["freedesktop_fails"]
    assert out["monitor"] == ["none", None]


def test_idle_backends_answer_none_when_the_service_goes_away(bus: str, fake_desktop: Any) -> None:
    fake = fake_desktop("--idle-ms", "700")
    out = check(
        bus,
        """
        import time
        gnome, freedesktop = gnome_idle(), freedesktop_idle()
        out["before"] = [gnome.idle_seconds(), freedesktop.idle_seconds()]
        control("Quit")  # gnome-shell restarting, the user switching desktops
        names = QDBusConnection.sessionBus().interface()
        deadline = time.monotonic() + 15
        while names.isServiceRegistered("org.gnome.Mutter.IdleMonitor").value():
            assert time.monotonic() < deadline, "the fake did not leave the bus"
            time.sleep(0.02)
        out["after"] = [gnome.idle_seconds(), freedesktop.idle_seconds()]
        """,
    )
    assert out["before"] == [pytest.approx(0.7), pytest.approx(0.7)]
    assert out["after"] == [None, None]
    fake.proc.wait(timeout=TIMEOUT)


# ---- the session inhibit flag ------------------------------------------------------------


def test_gnome_inhibit_says_presentation_while_inhibited(bus: str, fake_desktop: Any) -> None:
    fake_desktop("--inhibited")
    out = check(
        bus,
        """
        detector = gnome_inhibit()
        out["name"] = detector.name
        out["inhibited"] = detector.reason()
        control("SetInhibited", False)  # the presentation ended
        out["released"] = detector.reason()
        control("SetInhibited", True)
        out["again"] = detector.reason()
        """,
    )
    assert out == {
        "name": "gnome-inhibit",
        "inhibited": "presentation",
        "released": None,
        "again": "presentation",
    }


def test_choose_holds_uses_the_inhibit_flag_on_gnome(bus: str, fake_desktop: Any) -> None:
    fake_desktop("--inhibited")
    out = check(
        bus,
        """
        env = {"DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"],
               "XDG_CURRENT_DESKTOP": "GNOME", "WAYLAND_DISPLAY": "wayland-0",
               "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent"}  # no logind here
        holds = choose_holds(env)
        out["holds"] = [holds.name, holds.reason()]
        """,
    )
    # GNOME's do-not-disturb switch is read too (tests/adapters/test_desktop_holds.py):
    # listed until it answers, which it cannot have done before the event loop ran.
    assert out["holds"] == ["gnome-inhibit+gnome-dnd", "presentation"]


def test_without_a_session_manager_there_is_no_inhibit_detector(
    bus: str, fake_desktop: Any
) -> None:
    fake_desktop("--without", "session")
    out = check(
        bus,
        """
        out["fails"] = fails(gnome_inhibit)
        env = {"DBUS_SESSION_BUS_ADDRESS": os.environ["DBUS_SESSION_BUS_ADDRESS"],
               "XDG_CURRENT_DESKTOP": "GNOME", "WAYLAND_DISPLAY": "wayland-0",
               "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent"}  # no logind here
        holds = choose_holds(env)
        out["holds"] = [holds.name, holds.reason()]
        """,
    )
    assert out["fails"] and "org.gnome.SessionManager" in out["fails"]
    assert out["holds"] == ["gnome-dnd", None]  # the do-not-disturb switch is still read

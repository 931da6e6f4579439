"""Holds and desktop settings read over D-Bus, against fake desktop services on a private bus.

GNOME's do-not-disturb switch (through the Settings portal, else a stub `gsettings` on
PATH), KDE's `Inhibited` notification property, logind's idle inhibitors, GNOME's own
break reminders, and the StatusNotifier host coming and going (adapters/tray_host.py).

As in test_dbus_backends.py each test has its own ``dbus-daemon`` (no service
activation) and asks the adapters from a child Python process, since QtDBus's and
jeepney's session bus is process-global. The fake (tests/adapters/fake_desktop_state.py)
is controlled over the same bus while the child runs its Qt event loop, the way the app
does: these adapters never wait for an answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.test_dbus_backends import BUS_CONFIG, ROOT, TIMEOUT, _require_dbus_daemon

FAKE = Path(__file__).with_name("fake_desktop_state.py")

PRELUDE = """\
import json, os, time
from PySide6.QtCore import QCoreApplication
app = QCoreApplication(["holds-check"])
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
from deskguard.adapters.hold import (
    GnomeDoNotDisturb, IdleInhibitors, NotificationsInhibited, choose_holds)
from deskguard.adapters.desktop_settings import DesktopSetting
from deskguard.adapters.gnome_reminders import GnomeBreakReminders
from deskguard.adapters.tray_host import TrayHosts
BUS = os.environ["DBUS_SESSION_BUS_ADDRESS"]
out = {}
_control = open_dbus_connection(bus=BUS)
def control(method, signature=None, *args):
    target = DBusAddress("/control", bus_name="com.deskguard.FakeDesktopState",
                         interface="com.deskguard.FakeDesktopState")
    reply = _control.send_and_get_reply(new_method_call(target, method, signature, args))
    return reply.body[0] if reply.body else None
def calls():
    return json.loads(control("Calls"))
def spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
def wait_until(check, what, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        value = check()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError("timed out waiting for " + what)
class Clock:  # the settings' own clock, moved past their rate limits by hand
    def __init__(self):
        self.t = 1000.0
    def __call__(self):
        return self.t
"""

GSETTINGS_STUB = """#!/bin/sh
# A stand-in for `gsettings get SCHEMA KEY`: prints $STUB_DIR/SCHEMA.KEY, or fails as
# gsettings does for a schema it does not know. Logs every call.
echo "$*" >> "$STUB_DIR/calls"
[ "$1" = get ] || exit 2
if [ -f "$STUB_DIR/$2.$3" ]; then cat "$STUB_DIR/$2.$3"; exit 0; fi
echo "No such schema \\u201c$2\\u201d" >&2
exit 1
"""


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[str]:
    _require_dbus_daemon()
    sockets = tmp_path / "bus"
    sockets.mkdir()
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(dir=sockets))
    daemon = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), address
        yield address
    finally:
        daemon.terminate()
        daemon.wait(timeout=TIMEOUT)
        if daemon.stdout is not None:
            daemon.stdout.close()


@pytest.fixture
def stub_dir(tmp_path: Path) -> Path:
    """A folder with the stub `gsettings` (put first on PATH) and the values it prints."""
    folder = tmp_path / "stub"
    folder.mkdir()
    stub = folder / "gsettings"
    stub.write_text(GSETTINGS_STUB)
    stub.chmod(0o755)
    return folder


def _env(bus: str, stub_dir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    env["DBUS_SESSION_BUS_ADDRESS"] = bus
    env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent/system_bus_socket"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if stub_dir is not None:
        env["PATH"] = f"{stub_dir}{os.pathsep}{env.get('PATH', '')}"
        env["STUB_DIR"] = str(stub_dir)
    else:  # no gsettings at all: what the portal alone does
        env["PATH"] = os.pathsep.join(
            p for p in env.get("PATH", "").split(os.pathsep) if not Path(p, "gsettings").exists()
        )
    return env


@pytest.fixture
def fake(bus: str) -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, str(FAKE), *args],
            env=_env(bus),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if line != "ready":
            proc.kill()
            pytest.fail(f"the fake desktop did not start: {line!r} {proc.communicate()[1]}")
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
        _, err = proc.communicate(timeout=TIMEOUT)
        assert "Traceback" not in err, err


def check(bus: str, code: str, stub_dir: Path | None = None) -> dict[str, Any]:
    script = PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps(out))\n"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(bus, stub_dir),
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---- GNOME's do not disturb ---------------------------------------------------------------


def test_gnome_do_not_disturb_through_the_portal_holds_and_releases(
    bus: str, fake: Any, stub_dir: Path
) -> None:
    fake("--show-banners", "true")
    (stub_dir / "org.gnome.desktop.notifications.show-banners").write_text("false\n")
    out = check(
        bus,
        """
        dnd = GnomeDoNotDisturb()
        wait_until(lambda: dnd.setting.answered, "the first answer")
        out["off"] = [dnd.reason(), dnd.setting.source]
        control("SetBool", "ssb", "org.gnome.desktop.notifications", "show-banners", False)
        # Only the event loop runs: the portal's SettingChanged alone brings the news.
        wait_until(lambda: dnd.setting.value is False, "SettingChanged")
        out["on"] = dnd.reason()
        control("SetBool", "ssb", "org.gnome.desktop.notifications", "show-banners", True)
        wait_until(lambda: dnd.setting.value is True, "SettingChanged")
        out["released"] = dnd.reason()
        spin(0.2)
        out["reads"] = calls().get("org.freedesktop.portal.Settings.Read", 0)
        """,
        stub_dir,
    )
    assert out["off"] == [None, "portal"]
    assert out["on"] == "do not disturb"
    assert out["released"] is None
    # One question at start; every later look within 4 s of the last asks nothing.
    assert out["reads"] == 1
    assert not (stub_dir / "calls").exists(), "the portal answered: gsettings is not run"


def test_without_a_portal_gsettings_tells(bus: str, fake: Any, stub_dir: Path) -> None:
    fake("--own", "notifications")  # no portal on this bus
    value = stub_dir / "org.gnome.desktop.notifications.show-banners"
    value.write_text("true\n")
    out = check(
        bus,
        """
        clock = Clock()
        setting = DesktopSetting("org.gnome.desktop.notifications", "show-banners")
        setting.now = clock
        dnd = GnomeDoNotDisturb(setting)
        wait_until(lambda: setting.answered, "gsettings' answer")
        out["first"] = [dnd.reason(), setting.value, setting.source]
        open(os.environ["STUB_DIR"] + "/org.gnome.desktop.notifications.show-banners",
             "w").write("false\\n")
        clock.t += 5  # a look 5 s later: gsettings is run at most every 30 s
        dnd.reason()
        spin(0.3)
        out["soon"] = setting.value
        clock.t += 30
        dnd.reason()
        wait_until(lambda: setting.value is False, "gsettings' second answer")
        out["later"] = dnd.reason()
        # dconf tells of a change in the schema's folder: read at once, clock or not.
        open(os.environ["STUB_DIR"] + "/org.gnome.desktop.notifications.show-banners",
             "w").write("true\\n")
        control("DconfNotify", "sas", "/org/gnome/desktop/wm/", ["button-layout"])
        spin(0.3)
        out["unrelated"] = setting.value
        control("DconfNotify", "sas", "/org/gnome/desktop/notifications/", ["show-banners"])
        wait_until(lambda: setting.value is True, "the read after dconf's Notify")
        out["told"] = dnd.reason()
        """,
        stub_dir,
    )
    assert out["first"] == [None, True, "gsettings"]
    assert out["soon"] is True
    assert out["later"] == "do not disturb"
    assert out["unrelated"] is False  # another schema's change: not read again
    assert out["told"] is None
    runs = (stub_dir / "calls").read_text().splitlines()
    assert runs == ["get org.gnome.desktop.notifications show-banners"] * 3


def test_with_neither_portal_nor_gsettings_dnd_is_left_out(bus: str, fake: Any) -> None:
    fake("--own", "notifications")
    out = check(
        bus,
        """
        dnd = GnomeDoNotDisturb()
        wait_until(lambda: dnd.setting.answered, "an answer")
        out["dnd"] = [dnd.reason(), dnd.available]
        env = {"DBUS_SESSION_BUS_ADDRESS": BUS, "XDG_CURRENT_DESKTOP": "GNOME",
               "WAYLAND_DISPLAY": "wayland-0",
               "DBUS_SYSTEM_BUS_ADDRESS": os.environ["DBUS_SYSTEM_BUS_ADDRESS"]}
        holds = choose_holds(env)
        out["listed_at_first"] = holds.name
        wait_until(lambda: holds.name == "none", "the detector to drop out")
        out["holds"] = [holds.name, holds.reason()]
        """,
    )
    assert out["dnd"] == [None, False]
    assert out["listed_at_first"] == "gnome-dnd"  # not known yet: listed until it answers
    assert out["holds"] == ["none", None]


# ---- KDE Plasma's Inhibited ---------------------------------------------------------------


def test_kde_inhibited_holds_and_is_told_of_changes(bus: str, fake: Any) -> None:
    fake()
    out = check(
        bus,
        """
        kde = NotificationsInhibited()
        wait_until(lambda: kde.answer is not None, "the first answer")
        out["first"] = kde.reason()
        control("SetInhibited", "b", True)  # the user switched on Do Not Disturb
        wait_until(lambda: kde.answer, "PropertiesChanged")
        out["inhibited"] = kde.reason()
        control("SetInhibited", "b", False)
        wait_until(lambda: kde.answer is False, "PropertiesChanged")
        out["released"] = kde.reason()
        out["gets"] = calls().get("org.freedesktop.DBus.Properties.Get", 0)
        """,
    )
    assert out == {"first": None, "inhibited": "do not disturb", "released": None, "gets": 1}


def test_kde_holds_chosen_on_plasma_and_left_out_without_the_server(bus: str, fake: Any) -> None:
    fake("--own", "portal")  # no notification server yet (Plasma starting)
    out = check(
        bus,
        """
        env = {"DBUS_SESSION_BUS_ADDRESS": BUS, "XDG_CURRENT_DESKTOP": "KDE",
               "WAYLAND_DISPLAY": "wayland-0",
               "DBUS_SYSTEM_BUS_ADDRESS": os.environ["DBUS_SYSTEM_BUS_ADDRESS"]}
        holds = choose_holds(env)
        kde = holds.detectors[0]
        wait_until(lambda: kde.problem, "the error")
        out["holds"] = [holds.name, holds.reason(), kde.available]
        """,
    )
    assert out["holds"] == ["none", None, False]


# ---- logind's idle inhibitors ---------------------------------------------------------------

ME = os.getuid()


@pytest.mark.parametrize(
    ("inhibitor", "held"),
    [
        (["idle", "Videos", "Playing a film", "block", ME, 4242], True),
        (["sleep:idle", "Impress", "Presenting", "block", ME, 4243], True),
        (["idle", "Videos", "Playing a film", "delay", ME, 4242], False),  # not a block
        (["sleep", "Videos", "Playing a film", "block", ME, 4242], False),  # not idle
        (["idle", "gdm", "greeter", "block", ME + 1, 4242], False),  # another user's
        (["idle", "DeskGuard", "ours", "block", ME, "SELF"], False),  # our own
    ],
)
def test_idle_inhibitors_hold_a_prompt(
    bus: str, fake: Any, inhibitor: list[Any], held: bool
) -> None:
    fake()
    out = check(
        bus,
        f"""
        inhibitors = IdleInhibitors(BUS)  # the fake's bus stands in for the system bus
        wait_until(lambda: inhibitors.answer is not None, "the first answer")
        out["none"] = inhibitors.reason()
        row = {json.dumps(inhibitor)}
        row = [os.getpid() if v == "SELF" else v for v in row]
        control("SetInhibitors", "s", json.dumps([row]))
        inhibitors._asked_at -= 5  # the next look, at least 4 s later
        inhibitors.reason()
        wait_until(lambda: calls().get("org.freedesktop.login1.Manager.ListInhibitors") == 2
                   and not inhibitors._asking, "the second answer")
        out["then"] = inhibitors.reason()
        out["holders"] = inhibitors.holders
        """,
    )
    assert out["none"] is None
    assert out["then"] == ("presentation" if held else None)
    assert bool(out["holders"]) is held


def test_a_hung_service_never_holds_the_app_up(bus: str, fake: Any) -> None:
    fake("--hang")
    out = check(
        bus,
        """
        started = time.monotonic()
        holds = [IdleInhibitors(BUS), NotificationsInhibited(), GnomeDoNotDisturb()]
        answers = [h.reason() for h in holds for _ in range(3)]
        out["seconds"] = time.monotonic() - started
        out["answers"] = answers
        spin(0.5)
        out["asked"] = calls().get("unanswered", 0)
        """,
    )
    assert out["seconds"] < 0.5, out  # jeepney's handshake aside, nothing waits
    assert out["answers"] == [None] * 9
    assert out["asked"] == 3  # one question each, not one per look


def test_choose_holds_on_gnome_lists_every_source(bus: str, fake: Any) -> None:
    fake("--show-banners", "false")
    out = check(
        bus,
        """
        env = {"DBUS_SESSION_BUS_ADDRESS": BUS, "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
               "WAYLAND_DISPLAY": "wayland-0", "DBUS_SYSTEM_BUS_ADDRESS": BUS}
        holds = choose_holds(env)
        wait_until(lambda: holds.reason(), "a reason")
        out["holds"] = [holds.name, holds.reason()]
        """,
    )
    # No org.gnome.SessionManager on this bus: GNOME's inhibit flag is not offered.
    assert out["holds"] == ["gnome-dnd+logind-idle", "do not disturb"]


# ---- GNOME's own break reminders --------------------------------------------------------------


def test_gnome_reminders_are_told_once_and_again_after_being_off(
    bus: str, fake: Any, tmp_path: Path
) -> None:
    fake("--selected-breaks", "eyesight,movement")
    marker = tmp_path / "data" / "told"
    out = check(
        bus,
        f"""
        seen, states = [], []
        reminders = GnomeBreakReminders(__import__("pathlib").Path({str(marker)!r}))
        reminders.first_seen.connect(lambda: seen.append("told"))
        reminders.changed.connect(states.append)
        reminders.refresh()
        wait_until(lambda: reminders.state is not None, "the first answer")
        out["first"] = [reminders.state, list(seen)]
        again = GnomeBreakReminders(__import__("pathlib").Path({str(marker)!r}))  # a restart
        again.first_seen.connect(lambda: seen.append("told again"))
        again.refresh()
        wait_until(lambda: again.state is not None, "the answer after a restart")
        out["restart"] = list(seen)
        control("SetStrings", "ssas", "org.gnome.desktop.break-reminders", "selected-breaks",
                ["eyesight"])
        wait_until(lambda: reminders.state is False, "SettingChanged: off")
        out["marker_when_off"] = os.path.exists({str(marker)!r})
        control("SetStrings", "ssas", "org.gnome.desktop.break-reminders", "selected-breaks",
                ["movement"])
        wait_until(lambda: reminders.state is True, "SettingChanged: on")
        out["after"] = list(seen)
        out["states"] = states
        """,
    )
    assert out["first"] == [True, ["told"]]
    assert out["restart"] == ["told"]  # the marker remembers
    assert out["marker_when_off"] is False
    assert out["after"][-1] in ("told", "told again") and len(out["after"]) == 2
    assert out["states"] == [True, False, True]


def test_gnome_reminders_from_a_stub_gsettings_and_unknown_before_gnome_48(
    bus: str, fake: Any, stub_dir: Path, tmp_path: Path
) -> None:
    fake("--own", "notifications")  # no portal
    out = check(
        bus,
        f"""
        from pathlib import Path
        older = GnomeBreakReminders(Path({str(tmp_path / "a")!r}))
        older.refresh()
        wait_until(lambda: older.setting.answered, "gsettings: no such schema")
        out["older"] = older.state
        open(os.environ["STUB_DIR"] + "/org.gnome.desktop.break-reminders.selected-breaks",
             "w").write("['movement']\\n")
        newer = GnomeBreakReminders(Path({str(tmp_path / "b")!r}))
        newer.refresh()
        wait_until(lambda: newer.state is not None, "gsettings' answer")
        out["newer"] = [newer.state, newer.setting.source]
        """,
        stub_dir,
    )
    assert out["older"] is None
    assert out["newer"] == [True, "gsettings"]


# ---- a StatusNotifier host coming and going ---------------------------------------------------


def test_tray_hosts_sees_a_statusnotifier_host_come_and_go(bus: str, fake: Any) -> None:
    fake("--own", "watcher")  # a watcher whose host has not registered yet
    out = check(
        bus,
        """
        hosts = TrayHosts(x11=False)
        changes = []
        hosts.changed.connect(lambda: changes.append(hosts.facts().sni))
        out["before"] = hosts.facts().sni  # a watcher without a host is no tray (Qt agrees)
        control("SetHost", "b", True)  # the panel's host registers
        wait_until(lambda: changes, "the host to be seen")
        control("SetHost", "b", False)
        control("SetHost", "b", True)  # a flap within the settle time: no change told
        spin(1.5)
        out["flap"] = list(changes)
        control("ReleaseWatcher")  # the panel quits
        wait_until(lambda: len(changes) == 2, "the watcher to be seen gone")
        out["changes"] = changes
        """,
    )
    assert out["before"] is False
    assert out["flap"] == [True]
    assert out["changes"] == [True, False]


def test_tray_hosts_without_a_session_bus_never_starts_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_RUNTIME"))}
    env["PYTHONPATH"] = str(ROOT)
    env["DISPLAY"] = ":4242"  # what made QtDBus autolaunch a daemon (DESIGN §4)
    code = (
        "from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]);"
        "from deskguard.adapters.tray_host import TrayHosts;"
        "print(TrayHosts(x11=False, env={}).facts())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    assert "HostFacts(sni=False, xembed=False)" in done.stdout
    assert "autolaunch" not in done.stderr

"""Inside Flatpak: autostart and notifications through the portals, against a fake portal.

Each test starts its own ``dbus-daemon`` (no service activation: nothing real starts
behind our back), runs tests/adapters/fake_portal.py on it and drives the real adapter
code (deskguard/adapters/portal.py, through Autostart and NotifierChain) from a child
Python: ``QDBusConnection.sessionBus()`` is process-global, and pytest's own process must
not be tied to a bus that dies with the test (as in test_dbus_backends.py). A
dbus-monitor on the same bus checks the argument types as they travel: a list that went
out as ``av`` instead of ``as`` would be dropped by the real portal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deskguard.adapters.autostart import Autostart, XdgAutostart, in_flatpak

FAKE = Path(__file__).with_name("fake_portal.py")
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

# Run in the child before each test's own lines; `out` is printed as JSON at the end.
PRELUDE = """\
import json, os, time
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from PySide6.QtDBus import QDBusConnection, QDBusInterface
app = QCoreApplication(["portal-check"])
from deskguard.adapters.autostart import Autostart, AutostartError
from deskguard.adapters.notify import NotifierChain
from deskguard.adapters.portal import BackgroundPortal, PortalNotifier, request_path
out = {}
def control(method, *args):
    iface = QDBusInterface("org.freedesktop.portal.Desktop", "/control",
                           "com.deskguard.FakePortal", QDBusConnection.sessionBus())
    reply = iface.call(method, *args)
    assert not reply.errorName(), reply.errorMessage()
    return reply.arguments()[0] if reply.arguments() else None
def calls():
    return json.loads(control("Calls"))
def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        app.processEvents()
        time.sleep(0.01)
"""


def _required(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    reason = f"PORTAL TESTS NOT RUN: {tool} is missing (apt-get install {package})"
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
    daemon_path = _required("dbus-daemon", "dbus-daemon")
    sockets = tmp_path / "bus"
    sockets.mkdir()
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(dir=sockets))
    daemon = subprocess.Popen(
        [daemon_path, f"--config-file={config}", "--nofork", "--print-address=1"],
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


@pytest.fixture
def portal(bus: str) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start the fake portal with the given arguments; stopped (by its pid) afterwards."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, str(FAKE), *args],
            env=_clean_env(bus),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line == "ready", f"the fake portal did not start: {line!r}"
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
        _, stderr = proc.communicate(timeout=TIMEOUT)
        assert "Traceback" not in stderr, stderr


@pytest.fixture
def monitor(bus: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """dbus-monitor on the bus; calling the fixture's value returns what it saw so far."""
    tool = _required("dbus-monitor", "dbus-bin")
    log = tmp_path / "monitor.txt"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [tool, "--address", bus], stdout=sink, stderr=subprocess.STDOUT, text=True
        )
    try:
        deadline = time.monotonic() + TIMEOUT
        while "NameAcquired" not in log.read_text():  # it is listening
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
            time.sleep(0.02)
        yield log.read_text
    finally:
        proc.terminate()
        proc.wait(timeout=TIMEOUT)


def check(bus: str, code: str, tmp_path: Path) -> dict[str, Any]:
    """Run PRELUDE + `code` in a child Python on `bus`; return its `out` dict."""
    script = PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps(out))\n"
    env = _clean_env(bus) | {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---- autostart through the Background portal -------------------------------------------


def test_autostart_in_flatpak_asks_the_background_portal(
    bus: str, portal: Any, tmp_path: Path
) -> None:
    portal()
    out = check(
        bus,
        """
        auto = Autostart(command=["/app/bin/deskguard"], flatpak=True,
                         env={"XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]})
        backend = auto.backend
        out["location"] = auto.location
        out["before"] = auto.enabled()
        auto.enable()
        out["asked"] = auto.enabled()  # at once: what was asked
        wait_until(lambda: backend.portal.waiting == 0)
        out["answered"] = auto.enabled()
        auto.disable()
        wait_until(lambda: backend.portal.waiting == 0)
        out["off"] = auto.enabled()
        out["calls"] = calls()
        out["expected_path"] = request_path(QDBusConnection.sessionBus(), "TOKEN")
        """,
        tmp_path,
    )
    assert out["location"] == "the desktop's Background portal (Flatpak)"
    assert (out["before"], out["asked"], out["answered"], out["off"]) == (False, True, True, False)
    (on_call, off_call) = out["calls"]
    name, parent_window, options, path = on_call
    assert (name, parent_window) == ("RequestBackground", "")
    assert options["autostart"] is True
    assert options["commandline"] == ["/app/bin/deskguard"]
    assert options["reason"].startswith("To remind you to stand up")
    assert options["dbus-activatable"] is False
    # The request object sits where the client listened before it called.
    assert path == out["expected_path"].replace("TOKEN", options["handle_token"])
    assert (
        off_call[2]["autostart"] is False and off_call[2]["commandline"] == options["commandline"]
    )
    assert off_call[2]["handle_token"] != options["handle_token"]
    # Nothing was written where a sandbox may not write: only the portal's state note.
    config = tmp_path / "config"
    assert not (config / "autostart").exists()
    assert (config / "deskguard" / "autostart-portal").read_text() == "off\n"


@pytest.mark.parametrize("answer", ["deny", "cancel"])
def test_a_refusal_in_the_portal_leaves_autostart_off(
    bus: str, portal: Any, tmp_path: Path, answer: str
) -> None:
    portal("--answer", answer)
    out = check(
        bus,
        """
        auto = Autostart(command=["deskguard"], flatpak=True,
                         env={"XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]})
        auto.enable()
        out["asked"] = auto.enabled()
        wait_until(lambda: auto.backend.portal.waiting == 0)
        out["settled"] = auto.enabled()
        """,
        tmp_path,
    )
    assert out == {"asked": True, "settled": False}


def test_an_older_portal_that_picks_its_own_request_path_is_heard(
    bus: str, portal: Any, tmp_path: Path
) -> None:
    portal("--legacy-handle")
    out = check(
        bus,
        """
        answers = []
        background = BackgroundPortal()
        background.answered.connect(answers.append)
        out["path"] = background.request(True, ["deskguard"])
        wait_until(lambda: answers)
        out["answers"] = answers
        out["waiting"] = background.waiting
        """,
        tmp_path,
    )
    assert "/legacy0" in out["path"]
    assert out["answers"] == [True] and out["waiting"] == 0


def test_without_a_portal_autostart_says_so_and_changes_nothing(bus: str, tmp_path: Path) -> None:
    out = check(
        bus,
        """
        auto = Autostart(command=["deskguard"], flatpak=True,
                         env={"XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]})
        try:
            auto.enable()
            out["error"] = None
        except AutostartError as err:
            out["error"] = str(err)
        out["enabled"] = auto.enabled()
        """,
        tmp_path,
    )
    assert out["error"] and "Background portal did not answer" in out["error"]
    assert out["enabled"] is False
    assert not (tmp_path / "config" / "deskguard" / "autostart-portal").exists()


# ---- notifications through the Notification portal -------------------------------------


def test_notifications_go_to_the_portal_and_are_withdrawn_when_due(
    bus: str, portal: Any, tmp_path: Path
) -> None:
    portal()
    out = check(
        bus,
        """
        shown = []
        notifier = PortalNotifier()
        chain = NotifierChain([notifier])
        chain.notify("Time to move", "Stand up for two minutes", 1, shown.append)
        wait_until(lambda: shown)
        out["shown_by"] = shown
        out["after_add"] = calls()
        wait_until(lambda: not notifier.shown)  # its second is up: withdrawn
        wait_until(lambda: len(calls()) == 2)
        out["after_expiry"] = calls()
        """,
        tmp_path,
    )
    assert out["shown_by"] == ["portal"]
    [[name, notification_id, notification]] = out["after_add"]
    assert name == "AddNotification" and notification_id.startswith("deskguard-")
    assert notification == {
        "title": "Time to move",
        "body": "Stand up for two minutes",
        "priority": "normal",
    }
    assert out["after_expiry"][1] == ["RemoveNotification", notification_id]


def test_without_a_portal_the_chain_goes_on_to_the_next_notifier(bus: str, tmp_path: Path) -> None:
    out = check(
        bus,
        """
        shown = []
        chain = NotifierChain([PortalNotifier()])
        chain.notify("Time to move", "Stand up", 5, shown.append)
        wait_until(lambda: shown)
        out["shown_by"] = shown
        """,
        tmp_path,
    )
    assert out["shown_by"] == ["log"]


def test_the_arguments_travel_with_the_types_the_portal_reads(
    bus: str, portal: Any, monitor: Callable[[], str], tmp_path: Path
) -> None:
    portal()
    check(
        bus,
        """
        auto = Autostart(command=["/app/bin/deskguard", "--verbose"], flatpak=True,
                         env={"XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]})
        auto.enable()
        wait_until(lambda: auto.backend.portal.waiting == 0)
        shown = []
        NotifierChain([PortalNotifier()]).notify("Title", "Body", 5, shown.append)
        wait_until(lambda: shown)
        """,
        tmp_path,
    )
    seen = monitor()
    request = seen[seen.index("member=RequestBackground") :]
    request = request[: request.index("\nmethod return")]

    def entry(key: str) -> str:
        match = re.search(rf'string "{key}"\s+variant\s+(\w+)', request)
        assert match, f"{key} not in {request}"
        return match.group(1)

    assert entry("autostart") == "boolean" and entry("reason") == "string"
    assert entry("commandline") == "array"  # and its elements are strings, not variants:
    assert re.search(
        r'string "commandline"\s+variant\s+array \[\s+string "/app/bin/deskguard"\s+'
        r'string "--verbose"\s+\]',
        request,
    ), request
    assert re.search(r"member=Response\s+uint32 0\s+array \[", seen), "Response is (u a{sv})"
    add = seen[seen.index("member=AddNotification") :]
    assert re.search(r'string "title"\s+variant\s+string "Title"', add), add


# ---- outside Flatpak nothing changes ----------------------------------------------------


def test_outside_flatpak_autostart_is_the_xdg_file(tmp_path: Path) -> None:
    assert not in_flatpak(tmp_path / ".flatpak-info")
    (tmp_path / ".flatpak-info").write_text("[Application]\nname=io.github.deskguard.DeskGuard\n")
    assert in_flatpak(tmp_path / ".flatpak-info")
    auto = Autostart(platform="linux", flatpak=False, env={"HOME": str(tmp_path)})
    assert isinstance(auto.backend, XdgAutostart)

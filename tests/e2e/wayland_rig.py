"""Headless Wayland compositors for end-to-end tests: sway and KWin (DESIGN §5).

**sway** (wlroots) refuses to run as root, and the rig runs as root. So it runs as the
unprivileged user ``nobody`` (``setpriv --reuid=65534``) with a runtime folder of its
own, ``BASE/run`` (0700, owned by nobody), where it makes its Wayland socket and IPC
socket. Root's clients join it by the socket's absolute path
(``WAYLAND_DISPLAY=BASE/run/wayland-1``; libwayland takes an absolute path as is) and
keep their own runtime folder, ``BASE/root-run``. Headless: ``WLR_BACKENDS=headless
WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman``, no XWayland. Keys go in with ``wtype``
(the virtual-keyboard protocol: they reach the focused window as a user's would),
screenshots come from ``grim``, and ``swaymsg -t get_tree`` says which window has the
focus and each window's Wayland app_id. One private session bus (a ``dbus-daemon``
that activates nothing) carries the notification daemon, ``mako`` (``makoctl list``
shows a notification's buttons, ``makoctl invoke`` presses one), and the app.
Debian 12's sway 1.7 has no ext-idle-notify-v1.

**KWin** (``kwin_wayland --virtual``, Plasma 5.27) offers ext-idle-notify-v1. The
packaged binary carries file capabilities that a container may refuse to execute, so
a plain copy in BASE runs. ``KWIN_WAYLAND_NO_PERMISSION_CHECKS=1`` lets a test client
bind ``org_kde_kwin_fake_input`` to move the pointer (input that ends idleness).

Every process is started here and ended here by its PID; nothing else is touched.
Missing tools skip the tests loudly, or fail them when DESKGUARD_E2E_REQUIRED=1.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.e2e.rig import REQUIRED_ENV, wait_for

NOBODY = 65534
SWAY_TOOLS = ("sway", "swaymsg", "setpriv", "wtype", "grim", "mako", "makoctl", "dbus-daemon")
SWAY_PACKAGES = "sway wtype grim mako-notifier dbus-daemon util-linux"
KWIN_TOOLS = ("kwin_wayland", "dbus-daemon")
KWIN_PACKAGES = "kwin-wayland dbus-daemon"

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

SWAY_CONFIG = """\
output HEADLESS-1 resolution {width}x{height} position 0,0
xwayland disable
default_border normal
seat seat0 keyboard_grouping none
"""


def require(tools: Sequence[str], packages: str) -> None:
    """In pytest: skip loudly when a tool is missing, or fail when the rig is required."""
    import pytest

    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    reason = (
        f"WAYLAND END-TO-END TESTS NOT RUN: missing {', '.join(missing)}. "
        f"Install with: apt-get install {packages} (or run .ci/run, which does)."
    )
    if os.environ.get(REQUIRED_ENV, "") not in ("", "0"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


class Session:
    """The processes of one test, each ended by its PID; a private session bus."""

    def __init__(self, base: Path) -> None:
        self.base = base
        base.mkdir(parents=True, exist_ok=True)
        base.chmod(0o755)  # nobody must reach its runtime folder inside
        self.root_run = base / "root-run"
        self.root_run.mkdir(mode=0o700, exist_ok=True)
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.bus = ""

    def start(
        self, name: str, cmd: Sequence[str], env: Mapping[str, str], **kwargs: Any
    ) -> subprocess.Popen[bytes]:
        out = (self.base / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            list(cmd),
            env=dict(env),
            cwd=self.base,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            **kwargs,
        )
        out.close()
        self.procs.append((name, proc))
        return proc

    def start_bus(self) -> str:
        sockets = self.base / "bus"
        sockets.mkdir(exist_ok=True)
        config = self.base / "bus.conf"
        config.write_text(BUS_CONFIG.format(dir=sockets))
        proc = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # "Failed to set fd limit" in containers: harmless
            text=True,
        )
        self.procs.append(("dbus-daemon", proc))  # type: ignore[arg-type]
        assert proc.stdout is not None
        self.bus = proc.stdout.readline().strip()
        proc.stdout.close()
        assert self.bus.startswith("unix:"), self.bus
        return self.bus

    def log(self, name: str) -> str:
        path = self.base / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        parts = []
        for path in sorted(self.base.glob("*.log")):
            text = path.read_text(errors="replace").strip()
            if text:
                parts.append(f"--- {path.name}\n{text[-3000:]}")
        return "\n".join(parts)

    def close(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        for _name, proc in reversed(self.procs):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)


class Sway(Session):
    """sway as nobody, mako and a private bus; see the module docstring."""

    def __init__(self, base: Path, width: int = 1280, height: int = 800) -> None:
        super().__init__(base)
        self.run = base / "run"
        self.run.mkdir(exist_ok=True)
        os.chown(self.run, NOBODY, NOBODY)
        self.run.chmod(0o700)
        config = base / "sway.conf"
        config.write_text(SWAY_CONFIG.format(width=width, height=height))
        config.chmod(0o644)
        sway_env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.run),
            "XDG_RUNTIME_DIR": str(self.run),
            "WLR_BACKENDS": "headless",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
        }
        self.sway = self.start(
            "sway",
            [
                "setpriv",
                f"--reuid={NOBODY}",
                f"--regid={NOBODY}",
                "--clear-groups",
                "sway",
                "-c",
                str(config),
            ],
            sway_env,
        )
        self.display = str(self.run / "wayland-1")
        wait_for(self._up, 20, "sway's Wayland and IPC sockets")
        self.ipc = str(next(self.run.glob("sway-ipc.*.sock")))
        self.start_bus()
        self.mako = self.start("mako", ["mako"], self.env())
        wait_for(self._mako_on_bus, 10, "mako on the session bus")

    def _up(self) -> bool:
        if self.sway.poll() is not None:
            raise AssertionError(f"sway exited with {self.sway.returncode}:\n{self.log('sway')}")
        return Path(self.display).exists() and any(self.run.glob("sway-ipc.*.sock"))

    def _mako_on_bus(self) -> bool:
        if self.mako.poll() is not None:
            raise AssertionError(f"mako exited:\n{self.log('mako')}")
        done = subprocess.run(["makoctl", "list"], env=self.env(), capture_output=True, check=False)
        return done.returncode == 0

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a root client of this sway (DeskGuard, the editor, tools)."""
        env = dict(os.environ)
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "DESKGUARD_HOME", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)
        env.update(
            WAYLAND_DISPLAY=self.display,
            XDG_RUNTIME_DIR=str(self.root_run),
            DBUS_SESSION_BUS_ADDRESS=self.bus,
            SWAYSOCK=self.ipc if hasattr(self, "ipc") else "",
            XDG_CURRENT_DESKTOP="sway",
            XDG_SESSION_TYPE="wayland",
            QT_QPA_PLATFORM="wayland",
        )
        env.update(extra)
        return env

    def windows(self) -> list[dict[str, Any]]:
        """Every window: app_id, name (title), focused, pid."""
        out = subprocess.run(
            ["swaymsg", "-t", "get_tree"],
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found: list[dict[str, Any]] = []

        def walk(node: dict[str, Any]) -> None:
            if node.get("type") in ("con", "floating_con") and node.get("pid"):
                found.append(
                    {k: node.get(k) for k in ("app_id", "name", "focused", "pid", "visible")}
                )
            for child in node.get("nodes", []) + node.get("floating_nodes", []):
                walk(child)

        walk(json.loads(out))
        return found

    def focused(self) -> dict[str, Any] | None:
        return next((w for w in self.windows() if w["focused"]), None)

    def swaymsg(self, command: str) -> None:
        subprocess.run(["swaymsg", command], env=self.env(), capture_output=True, check=True)

    def type(self, *args: str) -> None:
        """wtype ARGS: text, or -k KEY; into whichever window has the focus."""
        subprocess.run(["wtype", *args], env=self.env(), check=True, timeout=30)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["grim", str(path)], env=self.env(), check=True, timeout=30)
        return path

    def notifications(self) -> list[dict[str, Any]]:
        """What mako shows: app-name, summary, body, actions ({key: label}), id, ..."""
        out = subprocess.run(
            ["makoctl", "list"], env=self.env(), capture_output=True, text=True, check=True
        ).stdout
        return [_unwrap(n) for n in json.loads(out)["data"][0]]

    def invoke(self, notification_id: int, action: str) -> None:
        subprocess.run(
            ["makoctl", "invoke", "-n", str(notification_id), action], env=self.env(), check=True
        )


def _unwrap(value: Any) -> Any:
    """makoctl's busctl-style JSON: {"type": SIG, "data": VALUE} around every value."""
    if isinstance(value, dict) and set(value) == {"type", "data"}:
        return _unwrap(value["data"])
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


class KWin(Session):
    """kwin_wayland --virtual on its own socket, with a private bus."""

    def __init__(self, base: Path, socket: str = "dg-kwin-e2e") -> None:
        super().__init__(base)
        binary = base / "kwin_wayland"  # a plain copy: no file capabilities (see above)
        shutil.copy(shutil.which("kwin_wayland") or "/usr/bin/kwin_wayland", binary)
        self.start_bus()
        self.socket = socket
        env = self.env(KWIN_WAYLAND_NO_PERMISSION_CHECKS="1", QT_QPA_PLATFORM="offscreen")
        env.pop("WAYLAND_DISPLAY")
        self.kwin = self.start(
            "kwin",
            [str(binary), "--virtual", "--width", "1280", "--height", "800", "--socket", socket],
            env,
        )
        wait_for(self._up, 30, "kwin_wayland's socket")

    def _up(self) -> bool:
        if self.kwin.poll() is not None:
            raise AssertionError(f"kwin_wayland exited:\n{self.log('kwin')}")
        return (self.root_run / self.socket).exists()

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("DISPLAY", "DESKGUARD_HOME", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)
        env.update(
            WAYLAND_DISPLAY=getattr(self, "socket", ""),
            XDG_RUNTIME_DIR=str(self.root_run),
            DBUS_SESSION_BUS_ADDRESS=self.bus,
            XDG_CURRENT_DESKTOP="KDE",
            XDG_SESSION_TYPE="wayland",
            QT_QPA_PLATFORM="wayland",
        )
        env.update(extra)
        return env


def deskguard(session: Session, env: Mapping[str, str], home: Path) -> subprocess.Popen[bytes]:
    return session.start(
        "deskguard", [sys.executable, "-m", "deskguard"], {**env, "DESKGUARD_HOME": str(home)}
    )


def cli(env: Mapping[str, str], home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskguard", *args],
        env={**env, "DESKGUARD_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def status(env: Mapping[str, str], home: Path) -> dict[str, Any] | None:
    done = cli(env, home, "status", "--json")
    if done.returncode != 0:
        return None
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed

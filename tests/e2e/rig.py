"""A real desktop stack for end-to-end tests and benchmarks (DESIGN §5).

`Rig` starts ``dbus-run-session -- bash <generated script>`` in a process group of its
own. The script picks a free X display (90 upward), starts Xvfb on it, then the tray
host (trayer, optional) and the notification daemon (dunst, with a rule that runs a
script logging every notification it receives). The rig then waits until each piece
really works before handing over:

* Xvfb: ``xdpyinfo -display :N`` answers, and it is our Xvfb that answers;
* trayer: the ``_NET_SYSTEM_TRAY_S0`` selection has an owner (what Qt itself checks
  in ``QSystemTrayIcon.isSystemTrayAvailable``);
* dunst: ``org.freedesktop.Notifications`` has an owner on *our* bus (asked without
  D-Bus activation), and a probe sent with notify-send reached the dunst log.

Apps started with `start_app` join the same process group, so `close` (or leaving the
``with`` block) ends everything the rig started with one ``killpg`` and nothing else.

Use it as ``with Rig() as rig: ...``. Missing tools raise `RigUnavailable`; in pytest
call `require_rig()` first, which skips loudly, or fails when DESKGUARD_E2E_REQUIRED=1.

A StatusNotifier host instead of trayer: ``Rig(tray_host="xfce4-panel")`` runs Debian's
xfce4-panel with only its systray plugin (an xfconf XML file in the rig's own
XDG_CONFIG_HOME, our own xfconfd so that D-Bus activation cannot start one with another
configuration, ``--disable-wm-check`` as there is no window manager). The plugin owns
``org.kde.StatusNotifierWatcher`` and hosts items (and XEmbed icons too); the rig waits
until ``IsStatusNotifierHostRegistered`` is true. `stop_tray_host` / `start_tray_host`
take either host away and bring it back; `sni()` is a client that sees the items the way
a panel does (tests/e2e/sni_client.py). Call `require_rig(sni=True)` for these tests.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")

REQUIRED_ENV = "DESKGUARD_E2E_REQUIRED"
TOOLS = (
    "Xvfb",
    "trayer",
    "dunst",
    "xdotool",
    "dbus-run-session",
    "dbus-send",
    "notify-send",
    "xdpyinfo",
    "xwininfo",
    "import",
)
PACKAGES = (
    "xvfb trayer dunst xdotool dbus-x11 libnotify-bin x11-utils imagemagick "
    "libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0"
)
# The StatusNotifier host (xfce4-panel's systray plugin) and its settings daemon.
SNI_TOOLS = ("xfce4-panel",)
SNI_PACKAGES = "xfce4-panel xfconf libxfixes3"
XFCONFD_PATHS = (
    "/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd",
    "/usr/lib/aarch64-linux-gnu/xfce4/xfconf/xfconfd",
    "/usr/lib/xfce4/xfconf/xfconfd",
)
FIRST_DISPLAY = 90
LAST_DISPLAY = 189
SCREEN = "1600x900x24"
PROBE_APP = "deskguard-rig"
SEP = "\x1f"  # field separator in the dunst log: cannot occur in a notification text


class RigUnavailable(RuntimeError):
    """The tools the rig needs are not installed here."""


class RigError(RuntimeError):
    """The rig was installed but did not come up."""


class RigTimeout(AssertionError):
    """`wait_for` gave up. An AssertionError, so pytest reports it as a test failure."""


@dataclass(frozen=True)
class Notification:
    appname: str
    summary: str
    body: str
    icon: str
    urgency: str


# ---- availability ---------------------------------------------------------------------


def _qxcb_missing_libs() -> list[str]:
    """Libraries Qt's xcb platform plugin cannot load (Qt's own message blames the wrong one)."""
    try:
        import PySide6
    except ImportError:
        return ["PySide6"]
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists() or shutil.which("ldd") is None:
        return []
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False)
    return sorted({line.split()[0] for line in out.stdout.splitlines() if "not found" in line})


def missing_tools() -> list[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    missing += [f"{lib} (needed by Qt's xcb plugin)" for lib in _qxcb_missing_libs()]
    if ctypes.util.find_library("X11") is None:
        missing.append("libX11")
    return missing


def xfconfd_path() -> str | None:
    for path in XFCONFD_PATHS:
        if os.access(path, os.X_OK):
            return path
    return None


def missing_sni_tools() -> list[str]:
    """What the StatusNotifier host needs beyond the rig's own tools."""
    missing = [tool for tool in SNI_TOOLS if shutil.which(tool) is None]
    if xfconfd_path() is None:
        missing.append("xfconfd")
    if ctypes.util.find_library("Xfixes") is None:  # how the app sees an XEmbed tray come
        missing.append("libXfixes")
    try:
        import jeepney  # noqa: F401  # the client that plays the panel's part
    except ImportError:
        missing.append("jeepney (pip)")
    return missing


def unavailable_reason(missing: Sequence[str], packages: str = PACKAGES) -> str:
    return (
        "END-TO-END TESTS NOT RUN: the desktop rig needs "
        + ", ".join(missing)
        + f". Install with: apt-get install {packages} (or run .ci/run, which does). "
        + f"Set {REQUIRED_ENV}=1 to make this a failure instead of a skip."
    )


def require_rig(*, sni: bool = False) -> None:
    """In pytest: skip loudly when the rig cannot run here, or fail if it is required.
    `sni`: the StatusNotifier host (xfce4-panel) is needed too."""
    import pytest

    missing = missing_tools() + (missing_sni_tools() if sni else [])
    if not missing:
        return
    reason = unavailable_reason(missing, f"{PACKAGES} {SNI_PACKAGES}" if sni else PACKAGES)
    if os.environ.get(REQUIRED_ENV, "") not in ("", "0"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


# ---- polling -----------------------------------------------------------------------------


def wait_for(
    predicate: Callable[[], T | None],
    timeout: float,
    what: str = "condition",
    interval: float = 0.05,
) -> T:
    """Poll until `predicate` returns something truthy and return it; RigTimeout otherwise."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise RigTimeout(f"timed out after {timeout:g} s waiting for {what} (last: {last!r})")
        time.sleep(interval)


# ---- a little Xlib through ctypes (no python-xlib dependency) ----------------------------


class _XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class _XClassHint(ctypes.Structure):
    _fields_ = [("res_name", ctypes.c_void_p), ("res_class", ctypes.c_void_p)]


@dataclass(frozen=True)
class TopWindow:
    """A mapped child of the root window (popup menus included: they are override-redirect
    windows, which `xdotool search --onlyvisible` does not report)."""

    id: int
    wm_class: str  # WM_CLASS's class part (Qt: the application name, "DeskGuard")
    x: int
    y: int
    width: int
    height: int
    override_redirect: bool


class _X11:
    def __init__(self) -> None:
        name = ctypes.util.find_library("X11")
        if name is None:
            raise RigUnavailable("libX11 not found")
        lib = ctypes.CDLL(name)
        lib.XOpenDisplay.restype = ctypes.c_void_p
        lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        lib.XInternAtom.restype = ctypes.c_ulong
        lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.XGetSelectionOwner.restype = ctypes.c_ulong
        lib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        lib.XQueryTree.restype = ctypes.c_int
        lib.XQueryTree.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
            ctypes.POINTER(ctypes.c_uint),
        ]
        lib.XFree.argtypes = [ctypes.c_void_p]
        lib.XDefaultRootWindow.restype = ctypes.c_ulong
        lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        lib.XGetWindowAttributes.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(_XWindowAttributes),
        ]
        lib.XGetClassHint.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(_XClassHint),
        ]
        self.lib = lib
        self._connections: dict[str, int] = {}

    def connection(self, display: str) -> int:
        """A connection kept open for cheap repeated queries (closed by `close`)."""
        if display not in self._connections:
            dpy = self.lib.XOpenDisplay(display.encode())
            if not dpy:
                raise RigError(f"cannot open X display {display}")
            self._connections[display] = dpy
        return self._connections[display]

    def close(self) -> None:
        for dpy in self._connections.values():
            self.lib.XCloseDisplay(dpy)
        self._connections.clear()

    def children(self, display: str, window: int | None = None) -> list[int]:
        """Child windows of `window` (default: the root window), bottom to top."""
        dpy = self.connection(display)
        if window is None:
            window = int(self.lib.XDefaultRootWindow(dpy))
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        kids = ctypes.POINTER(ctypes.c_ulong)()
        count = ctypes.c_uint()
        if not self.lib.XQueryTree(
            dpy,
            window,
            ctypes.byref(root),
            ctypes.byref(parent),
            ctypes.byref(kids),
            ctypes.byref(count),
        ):
            return []
        try:
            return [int(kids[i]) for i in range(count.value)]
        finally:
            if kids:
                self.lib.XFree(kids)

    def mapped_top_windows(self, display: str) -> list[TopWindow]:
        dpy = self.connection(display)
        found = []
        for window in self.children(display):
            attrs = _XWindowAttributes()
            if not self.lib.XGetWindowAttributes(dpy, window, ctypes.byref(attrs)):
                continue
            if attrs.map_state != 2:  # IsViewable
                continue
            hint = _XClassHint()
            text = ""
            if self.lib.XGetClassHint(dpy, window, ctypes.byref(hint)):
                if hint.res_class:
                    text = (ctypes.string_at(hint.res_class) or b"").decode(errors="replace")
                for pointer in (hint.res_name, hint.res_class):
                    if pointer:
                        self.lib.XFree(pointer)
            found.append(
                TopWindow(
                    window,
                    text,
                    attrs.x,
                    attrs.y,
                    attrs.width,
                    attrs.height,
                    bool(attrs.override_redirect),
                )
            )
        return found

    def selection_owner(self, display: str, selection: str) -> int:
        dpy = self.lib.XOpenDisplay(display.encode())
        if not dpy:
            return 0
        try:
            atom = self.lib.XInternAtom(dpy, selection.encode(), 0)
            return int(self.lib.XGetSelectionOwner(dpy, atom))
        finally:
            self.lib.XCloseDisplay(dpy)


# ---- the generated session script ----------------------------------------------------------

_SCRIPT = r"""#!/bin/bash
# Generated by tests/e2e/rig.py; runs under dbus-run-session.
set -u
cd {dir}
printf '%s\n' "$DBUS_SESSION_BUS_ADDRESS" > bus.tmp && mv bus.tmp bus
display=""
for n in $(seq {first} {last}); do
    [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
    # -noreset: by default the server resets when its last client leaves (our own
    # xdpyinfo probe, or another rig's probe racing for the same number), and a client
    # connecting during the reset gets "cannot open display".
    Xvfb ":$n" -screen 0 {screen} -nolisten tcp -noreset > xvfb.log 2>&1 &
    xvfb=$!
    for _ in $(seq 1 200); do
        kill -0 "$xvfb" 2>/dev/null || break          # lost a race for :$n: next one
        if xdpyinfo -display ":$n" > /dev/null 2>&1; then
            # Another rig may have started its Xvfb on :$n a moment before ours, which
            # then answered: the display is ours only if the lock names our Xvfb.
            owner=$(tr -dc 0-9 < "/tmp/.X$n-lock" 2>/dev/null)
            [ "$owner" = "$xvfb" ] && kill -0 "$xvfb" 2>/dev/null && display=":$n"
            break
        fi
        sleep 0.05
    done
    [ -n "$display" ] && break
    kill "$xvfb" 2>/dev/null
done
if [ -z "$display" ]; then echo "no free X display in :{first}..:{last}" >&2; exit 3; fi
echo "$xvfb" > xvfb.pid
export DISPLAY="$display"
if [ {tray} = 1 ]; then
    trayer --edge top --align right --widthtype request --height 32 --SetDockType true \
        --transparent false --tint 0x303030 > trayer.log 2>&1 &
    echo $! > trayer.pid
fi
if [ {notifications} = 1 ]; then
    dunst -config dunstrc > dunst.log 2>&1 &
    echo $! > dunst.pid
fi
echo "$display" > display.tmp && mv display.tmp display
wait
"""

# What one start-up attempt leaves behind (cleared before the next attempt).
_STATE_FILES = (
    "bus",
    "display",
    "xvfb.pid",
    "trayer.pid",
    "dunst.pid",
    "xvfb.log",
    "trayer.log",
    "dunst.log",
    "notifications.log",
    "session.out",
)

_DUNSTRC = """[global]
    font = DejaVu Sans 10
    origin = top-right
    offset = 10x50
    width = 360

[log]
    summary = "*"
    script = {script}
"""

# dunst runs the script with: appname summary body icon urgency.
_LOG_SCRIPT = r"""#!/bin/bash
clean() {{ local s="${{1//$'\n'/ }}"; printf '%s' "${{s//$'\x1f'/ }}"; }}
printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$(clean "${{1-}}")" "$(clean "${{2-}}")" \
    "$(clean "${{3-}}")" "$(clean "${{4-}}")" "$(clean "${{5-}}")" >> {log}
"""


# xfce4-panel with one panel along the top holding only the systray plugin.
_PANEL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="dark-mode" type="bool" value="{dark}"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="icon-size" type="uint" value="24"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"""


def _base_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "WAYLAND_DISPLAY",
        "QT_QPA_PLATFORM",
        "DBUS_SESSION_BUS_ADDRESS",
        "DESKGUARD_HOME",
        "XDG_SESSION_TYPE",
        "PYTEST_CURRENT_TEST",
    ):
        env.pop(name, None)
    return env


class Rig:
    """Xvfb + trayer + dunst inside one dbus-run-session; see the module docstring."""

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        tray: bool = True,
        notifications: bool = True,
        startup_timeout: float = 20.0,
        tray_host: str = "trayer",
        panel_dark: bool = True,
    ) -> None:
        if tray_host not in ("trayer", "xfce4-panel"):
            raise ValueError(f"unknown tray host {tray_host!r}")
        self.tray = tray
        self.tray_host = tray_host  # "trayer" (XEmbed) or "xfce4-panel" (StatusNotifier)
        self.panel_dark = panel_dark
        self.host_procs: list[subprocess.Popen[bytes]] = []  # the host started from here
        self._sni: Any = None
        self.notifications_enabled = notifications
        self.startup_timeout = startup_timeout
        self._own_dir = base_dir is None
        self.dir = Path(tempfile.mkdtemp(prefix="deskguard-rig-")) if base_dir is None else base_dir
        self.display = ""
        self.bus_address = ""
        self.home = self.dir / "home"
        self.env: dict[str, str] = {}
        self.dunst_log = self.dir / "notifications.log"
        self.session: subprocess.Popen[bytes] | None = None
        self.pgid = 0
        self.apps: list[subprocess.Popen[bytes]] = []
        self.outputs: dict[int, Path] = {}
        self.timings: dict[str, float] = {}
        self._x11: _X11 | None = None

    # ---- context manager ------------------------------------------------------------
    def __enter__(self) -> Rig:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- start-up ----------------------------------------------------------------------
    def start(self, attempts: int = 3) -> None:
        """Bring the rig up; a start-up that fails (e.g. a display race) is retried."""
        missing = missing_tools()
        if missing:
            raise RigUnavailable(unavailable_reason(missing))
        self._x11 = _X11()
        for attempt in range(1, attempts + 1):
            try:
                self._start_once()
                return
            except RigError as err:
                if attempt == attempts:
                    raise
                print(f"rig start-up attempt {attempt} failed, retrying: {err}", file=sys.stderr)
                self._stop_session()
                for name in _STATE_FILES:
                    (self.dir / name).unlink(missing_ok=True)

    def _start_once(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        log_script = self.dir / "log-notification.sh"
        log_script.write_text(_LOG_SCRIPT.format(log=shlex.quote(str(self.dunst_log))))
        log_script.chmod(0o755)
        (self.dir / "dunstrc").write_text(_DUNSTRC.format(script=log_script))
        script = self.dir / "session.sh"
        script.write_text(
            _SCRIPT.format(
                dir=shlex.quote(str(self.dir)),
                first=FIRST_DISPLAY,
                last=LAST_DISPLAY,
                screen=SCREEN,
                tray=int(self.tray and self.tray_host == "trayer"),
                notifications=int(self.notifications_enabled),
            )
        )
        t0 = time.monotonic()
        with (self.dir / "session.out").open("wb") as out:
            self.session = subprocess.Popen(
                ["dbus-run-session", "--", "bash", str(script)],
                cwd=self.dir,
                env=_base_env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # A group of its own, but in our session: setpgid cannot join a group
                # across sessions, and apps started later must join this one.
                **_in_group(0),
            )
        self.pgid = self.session.pid  # a new group: its leader's pid is the group id

        self.display = self._wait_file("display", "Xvfb on a free display")
        self.bus_address = self._wait_file("bus", "the session bus address")
        self.timings["xvfb"] = time.monotonic() - t0
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = _base_env()
        self.env.update(
            DISPLAY=self.display,
            DBUS_SESSION_BUS_ADDRESS=self.bus_address,
            DESKGUARD_HOME=str(self.home),
            QT_QPA_PLATFORM="xcb",
        )
        if self.tray and self.tray_host == "xfce4-panel":
            self.start_tray_host()
            self.timings["xfce4-panel"] = time.monotonic() - t0
        elif self.tray:
            self._wait("the tray host (trayer owning _NET_SYSTEM_TRAY_S0)", self.tray_owner)
            self.timings["trayer"] = time.monotonic() - t0
        if self.notifications_enabled:
            self._wait("dunst on the session bus", self._dunst_on_bus)
            self._run(["notify-send", "-a", PROBE_APP, "-t", "500", "rig probe", "ready?"])
            self._wait(
                "the probe notification in the dunst log",
                lambda: any(n.appname == PROBE_APP for n in self.all_notifications()),
            )
            self._run(["dunstctl", "close-all"], check=False)
            self.timings["dunst"] = time.monotonic() - t0

    def _alive(self) -> None:
        if self.session is not None and self.session.poll() is not None:
            raise RigError(
                f"the rig's dbus-run-session exited with {self.session.returncode}:\n" + self.logs()
            )
        for name in ("xvfb", "trayer", "dunst"):
            pid_file = self.dir / f"{name}.pid"
            text = pid_file.read_text().strip() if pid_file.exists() else ""
            if text.isdigit() and not _pid_alive(int(text)):
                raise RigError(f"{name} exited during start-up:\n{self.logs()}")

    def _wait(self, what: str, predicate: Callable[[], Any]) -> Any:
        def check() -> Any:
            self._alive()
            return predicate()

        try:
            return wait_for(check, self.startup_timeout, what)
        except RigTimeout as err:
            raise RigError(f"the rig did not come up: {err}\n{self.logs()}") from None

    def _wait_file(self, name: str, what: str) -> str:
        path = self.dir / name

        def read() -> str:
            return path.read_text().strip() if path.exists() else ""

        return str(self._wait(what, read))

    def _dunst_on_bus(self) -> bool:
        out = self._run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.Notifications",
            ],
            check=False,
        )
        return "boolean true" in out.stdout

    def _run(
        self, cmd: Sequence[str], *, check: bool = True, timeout: float = 20
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(cmd), env=self.env, capture_output=True, text=True, timeout=timeout, check=check
        )

    # ---- what tests use ---------------------------------------------------------------
    def tray_owner(self) -> int:
        assert self._x11 is not None
        return self._x11.selection_owner(self.display, "_NET_SYSTEM_TRAY_S0")

    def tray_panels(self) -> list[int]:
        """trayer's top-level windows (found once, when the rig is up)."""
        out = self._run(["xdotool", "search", "--class", "^trayer$"], check=False)
        return [int(w) for w in out.stdout.split()]

    def tray_icons(self, panels: Sequence[int] | None = None) -> list[int]:
        """Icon windows docked in trayer: grandchildren of its panel (panel > socket > icon).

        Cheap (one Xlib round trip per window, no subprocess), so it can be polled
        every few milliseconds to time when an icon appears.
        """
        assert self._x11 is not None
        icons: list[int] = []
        for panel in self.tray_panels() if panels is None else panels:
            for socket in self._x11.children(self.display, panel):
                icons.extend(self._x11.children(self.display, socket))
        return icons

    def child_env(self, home: Path | None = None, **extra: str) -> dict[str, str]:
        env = dict(self.env)
        if home is not None:
            env["DESKGUARD_HOME"] = str(home)
        env.update(extra)
        return env

    def start_app(
        self,
        cmd: Sequence[str] | None = None,
        *,
        home: Path | None = None,
        env: Mapping[str, str] | None = None,
        name: str = "app",
    ) -> subprocess.Popen[bytes]:
        """Start a program inside the rig's session and process group (default: DeskGuard)."""
        if cmd is None:
            cmd = [sys.executable, "-m", "deskguard"]
        index = len(self.apps)
        full_env = self.child_env(home)
        full_env.update(env or {})
        with (self.dir / f"{name}-{index}.out").open("wb") as out:
            proc = subprocess.Popen(
                list(cmd),
                env=full_env,
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                **_in_group(self.pgid),
            )
        self.outputs[proc.pid] = self.dir / f"{name}-{index}.out"
        self.apps.append(proc)
        return proc

    def output(self, proc: subprocess.Popen[bytes]) -> str:
        """What a process started with `start_app` printed (stdout and stderr)."""
        path = self.outputs.get(proc.pid)
        if path is None or not path.exists():
            return ""
        return path.read_text(errors="replace")

    def cli(
        self, *args: str, home: Path | None = None, timeout: float = 20
    ) -> subprocess.CompletedProcess[str]:
        """Run `deskguard ARGS` (this interpreter's) against the rig's display and bus."""
        return subprocess.run(
            [sys.executable, "-m", "deskguard", *args],
            env=self.child_env(home),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def status(self, home: Path | None = None) -> dict[str, Any] | None:
        """`status --json` as a dict, or None while the app is not answering."""
        done = self.cli("status", "--json", home=home, timeout=10)
        if done.returncode != 0:
            return None
        parsed: dict[str, Any] = json.loads(done.stdout)
        return parsed

    def all_notifications(self) -> list[Notification]:
        if not self.dunst_log.exists():
            return []
        found = []
        for line in self.dunst_log.read_text(encoding="utf-8", errors="replace").splitlines():
            fields = [*line.split(SEP), "", "", "", "", ""][:5]
            found.append(Notification(*fields))
        return found

    def notifications(self) -> list[Notification]:
        """Everything dunst received, except the rig's own start-up probe."""
        return [n for n in self.all_notifications() if n.appname != PROBE_APP]

    def windows(self, name: str, *, visible: bool = True) -> list[int]:
        """X windows whose title matches the regex `name` (xdotool search)."""
        cmd = ["xdotool", "search", *(["--onlyvisible"] if visible else []), "--name", name]
        out = self._run(cmd, check=False)
        return [int(w) for w in out.stdout.split()]

    def focus(self, window: int) -> None:
        # No window manager in the rig: give focus directly.
        self._run(["xdotool", "windowfocus", "--sync", str(window)])

    def key(self, *keys: str, window: int | None = None) -> None:
        if window is not None:
            self.focus(window)
        self._run(["xdotool", "key", *keys])

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._run(["import", "-display", self.display, "-window", "root", str(path)])
        return path

    # ---- the tray host, taken away and brought back -------------------------------------
    def sni(self) -> Any:
        """A StatusNotifier host's view of the bus (tests/e2e/sni_client.py)."""
        if self._sni is None:
            from tests.e2e.sni_client import SniClient

            self._sni = SniClient(self.bus_address)
        return self._sni

    def _start_host_process(self, cmd: Sequence[str], name: str, env: Mapping[str, str]) -> None:
        with (self.dir / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen(
                list(cmd),
                env=dict(env),
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                **_in_group(self.pgid),
            )
        self.host_procs.append(proc)

    def start_tray_host(self) -> None:
        """Start the tray host (again) and wait until it really hosts."""
        if self.tray_host == "trayer":
            cmd = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request"]
            cmd += ["--height", "32", "--SetDockType", "true", "--transparent", "false"]
            self._start_host_process([*cmd, "--tint", "0x303030"], "trayer", self.env)
            self._wait("trayer owning _NET_SYSTEM_TRAY_S0", self.tray_owner)
            return
        config = self.dir / "xdg-config"
        channel = config / "xfce4" / "xfconf" / "xfce-perchannel-xml"
        channel.mkdir(parents=True, exist_ok=True)
        dark = "true" if self.panel_dark else "false"
        (channel / "xfce4-panel.xml").write_text(_PANEL_XML.format(dark=dark))
        env = dict(self.env)
        env.update(
            HOME=str(self.dir / "panel-home"),  # nothing of the panel's in the user's home
            XDG_CONFIG_HOME=str(config),
            XDG_CACHE_HOME=str(self.dir / "xdg-cache"),
            XDG_DATA_HOME=str(self.dir / "xdg-data"),
            NO_AT_BRIDGE="1",  # no accessibility bus to start
        )
        (self.dir / "panel-home").mkdir(exist_ok=True)
        if not any(p.poll() is None and p.args[0] == xfconfd_path() for p in self.host_procs):
            # Ours, before the panel asks: one activated by the bus would not know XDG_CONFIG_HOME.
            self._start_host_process([str(xfconfd_path())], "xfconfd", env)
            self._wait("xfconfd on the session bus", lambda: self._has_owner("org.xfce.Xfconf"))
        self._start_host_process(["xfce4-panel", "--disable-wm-check"], "xfce4-panel", env)
        self._wait("a StatusNotifier host (xfce4-panel's systray)", self.sni().host_registered)

    def stop_tray_host(self) -> None:
        """End the tray host the way a crash or a removed panel does; the app is left alone."""
        if self.tray_host == "trayer" and not self.host_procs:
            pid_file = self.dir / "trayer.pid"  # started by the session script
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            pid_file.unlink(missing_ok=True)  # gone on purpose: not a start-up failure
        for proc in list(self.host_procs):
            if proc.args[0] == xfconfd_path():
                continue  # the settings daemon stays, as in a session
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            self.host_procs.remove(proc)
        if self.tray_host == "trayer":
            wait_for(lambda: self.tray_owner() == 0, 10, "trayer to give up its selection")
        else:
            wait_for(lambda: not self.sni().watcher_owned(), 10, "the watcher to leave the bus")

    def _has_owner(self, name: str) -> bool:
        out = self._run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                f"string:{name}",
            ],
            check=False,
        )
        return "boolean true" in out.stdout

    def popups(self, wm_class: str) -> dict[int, tuple[int, int, int, int]]:
        """Mapped override-redirect top-level windows (menus, tooltips) of the WM_CLASS
        `wm_class`, with their x, y, width and height."""
        assert self._x11 is not None
        return {
            w.id: (w.x, w.y, w.width, w.height)
            for w in self._x11.mapped_top_windows(self.display)
            if w.override_redirect and w.wm_class == wm_class
        }

    def geometry(self, window: int) -> tuple[int, int, int, int]:
        """x, y (on the screen), width, height of an X window."""
        out = self._run(["xdotool", "getwindowgeometry", "--shell", str(window)]).stdout
        values = dict(line.split("=", 1) for line in out.split() if "=" in line)
        return (int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"]))

    def tray_icon_center(self) -> tuple[int, int]:
        """Where to click DeskGuard's icon: trayer's docked window, or the middle of
        xfce4-panel's systray plugin (GTK draws the items in it, without windows of their
        own; DeskGuard's is the only item in the rig)."""
        if self.tray_host == "trayer":
            icons = self.tray_icons()
            assert icons, "no icon docked in trayer"
            x, y, w, h = self.geometry(icons[0])
        else:
            out = self._run(["xdotool", "search", "--onlyvisible", "--class", "^wrapper-2.0$"])
            plugs = [self.geometry(int(w)) for w in out.stdout.split()]
            plugs = [g for g in plugs if g[2] > 10 and g[3] > 10]
            assert plugs, "xfce4-panel's systray plugin has no window"
            x, y, w, h = plugs[0]
        return x + w // 2, y + h // 2

    def logs(self) -> str:
        """Everything the rig and its apps wrote, for failure messages."""
        parts = []
        for path in sorted(self.dir.glob("*.out")) + sorted(self.dir.glob("*.log")):
            with contextlib.suppress(OSError):
                text = path.read_text(errors="replace").strip()
                if text:
                    parts.append(f"--- {path.name}\n{text[-4000:]}")
        return "\n".join(parts)

    def _stop_session(self) -> None:
        if self.session is not None and self.pgid:
            _kill_group(self.pgid, [self.session, *self.apps, *self.host_procs])
            self.session = None

    # ---- teardown ------------------------------------------------------------------------
    def close(self) -> None:
        """End the whole process group: the session, daemons and every app started here."""
        if self._sni is not None:
            with contextlib.suppress(OSError):
                self._sni.close()
            self._sni = None
        if self._x11 is not None:
            self._x11.close()
        self._stop_session()
        if self._own_dir and os.environ.get("DESKGUARD_RIG_KEEP", "") in ("", "0"):
            shutil.rmtree(self.dir, ignore_errors=True)


def _in_group(pgid: int) -> dict[str, Any]:
    """Popen arguments to join process group `pgid` (0: start a new one)."""
    if sys.version_info >= (3, 11):
        return {"process_group": pgid}
    return {"preexec_fn": lambda: os.setpgid(0, pgid)}  # pragma: no cover


def _pid_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie counts as dead)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat_line.rsplit(")", 1)[-1].split()[0] != "Z"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(pgid: int, children: Sequence[subprocess.Popen[bytes]], grace: float = 3.0) -> None:
    """SIGTERM the group (Xvfb removes its lock, apps quit cleanly), then SIGKILL what is left.

    `children` are our own members of the group: reaped as they exit, since a zombie
    still counts as a member.
    """

    def alive() -> bool:
        for child in children:
            child.poll()
        return _group_alive(pgid)

    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and alive():
        time.sleep(0.05)
    if alive():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)


@contextlib.contextmanager
def rig(base_dir: Path | None = None, **kwargs: Any) -> Iterator[Rig]:
    """``with rig() as r:`` — the same as ``with Rig() as r:``."""
    with Rig(base_dir, **kwargs) as started:
        yield started

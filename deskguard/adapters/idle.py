"""How long since the user last touched keyboard or mouse, behind one protocol.

The backend is chosen once at start and logged. Each returns seconds, or None when
it cannot tell; the Null backend always says None, which turns natural breaks off.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage

log = logging.getLogger(__name__)


class IdleMonitor(Protocol):
    name: str

    def idle_seconds(self) -> float | None: ...


class NullIdle:
    name = "none"

    def idle_seconds(self) -> float | None:
        return None


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


class X11Idle:
    """MIT-SCREEN-SAVER through ctypes: one round trip to the X server, no process."""

    name = "x11"

    def __init__(self, display: str | None = None) -> None:
        x11_path = ctypes.util.find_library("X11")
        xss_path = ctypes.util.find_library("Xss")
        if not x11_path or not xss_path:
            raise OSError("libX11 or libXss is not installed")
        self._x11 = ctypes.CDLL(x11_path)
        self._xss = ctypes.CDLL(xss_path)
        self._x11.XOpenDisplay.restype = ctypes.c_void_p
        self._x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._x11.XDefaultRootWindow.restype = ctypes.c_ulong
        self._x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self._xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        ]
        self._xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        self._xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(_XScreenSaverInfo),
        ]
        name = display.encode() if display else None
        self._display = self._x11.XOpenDisplay(name)
        if not self._display:
            raise OSError(f"cannot open X display {display or os.environ.get('DISPLAY')!r}")
        event, error = ctypes.c_int(), ctypes.c_int()
        if not self._xss.XScreenSaverQueryExtension(
            self._display, ctypes.byref(event), ctypes.byref(error)
        ):
            raise OSError("the X server has no MIT-SCREEN-SAVER extension")
        self._root = self._x11.XDefaultRootWindow(self._display)
        self._info = self._xss.XScreenSaverAllocInfo()

    def idle_seconds(self) -> float | None:
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            return None
        return float(self._info.contents.idle) / 1000.0


class DBusIdle:
    """A session-bus method that answers the idle time (GNOME's Mutter, freedesktop)."""

    def __init__(
        self, name: str, service: str, path: str, interface: str, method: str, unit_s: float
    ) -> None:
        self.name = name
        self._iface = QDBusInterface(service, path, interface, QDBusConnection.sessionBus())
        self._method = method
        self._unit_s = unit_s
        if self.idle_seconds() is None:
            raise OSError(f"{service} does not answer {method}")

    def idle_seconds(self) -> float | None:
        reply = self._iface.call(self._method)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            return None
        value: Any = reply.arguments()[0]
        return float(value) * self._unit_s if isinstance(value, int) else None


def gnome_idle() -> DBusIdle:
    return DBusIdle(
        "gnome",
        "org.gnome.Mutter.IdleMonitor",
        "/org/gnome/Mutter/IdleMonitor/Core",
        "org.gnome.Mutter.IdleMonitor",
        "GetIdletime",
        0.001,  # milliseconds
    )


def freedesktop_idle() -> DBusIdle:
    # KDE's implementation answers in milliseconds despite the spec's wording.
    return DBusIdle(
        "freedesktop",
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver",
        "GetSessionIdleTime",
        0.001,
    )


class WindowsIdle:
    name = "windows"

    def __init__(self) -> None:
        class LastInputInfo(ctypes.Structure):
            _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

        self._info = LastInputInfo()
        self._info.cbSize = ctypes.sizeof(LastInputInfo)
        self._user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        self._kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]

    def idle_seconds(self) -> float | None:
        if not self._user32.GetLastInputInfo(ctypes.byref(self._info)):
            return None
        ticks = self._kernel32.GetTickCount() & 0xFFFFFFFF
        elapsed_ms: int = (ticks - int(self._info.dwTime)) & 0xFFFFFFFF
        return elapsed_ms / 1000.0


class MacIdle:
    name = "macos"
    _PATTERN = re.compile(rb'"HIDIdleTime" = (\d+)')

    def idle_seconds(self) -> float | None:
        out = subprocess.run(
            ["ioreg", "-c", "IOHIDSystem", "-d", "4"], capture_output=True, timeout=5, check=False
        ).stdout
        match = self._PATTERN.search(out)
        return int(match.group(1)) / 1e9 if match else None  # nanoseconds


def has_session_bus(env: Mapping[str, str]) -> bool:
    if env.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = env.get("XDG_RUNTIME_DIR")
    return bool(runtime) and os.path.exists(os.path.join(runtime or "", "bus"))


@dataclass(frozen=True)
class Tried:
    """One backend considered at start: `chosen`, `refused` (it failed) or `skipped`
    (not for this desktop), and why, for the log and `status --json`."""

    backend: str
    result: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"backend": self.backend, "result": self.result, "reason": self.reason}


@dataclass(frozen=True)
class IdleChoice:
    monitor: IdleMonitor
    tried: tuple[Tried, ...]


def wayland_idle(env: Mapping[str, str]) -> IdleMonitor:
    # Imported here: pywayland is loaded on Wayland only.
    from deskguard.adapters.wayland_idle import WaylandIdle, display_name

    return WaylandIdle(display_name(env))


def _candidates(env: Mapping[str, str]) -> list[tuple[str, Callable[[], IdleMonitor] | str]]:
    """(backend, how to make it or why it is not for this desktop), best first."""
    if sys.platform == "win32":
        return [("windows", WindowsIdle)]
    if sys.platform == "darwin":
        return [("macos", MacIdle)]
    desktop = env.get("XDG_CURRENT_DESKTOP", "").lower()
    wayland = bool(env.get("WAYLAND_DISPLAY"))
    bus = has_session_bus(env)  # never make Qt autolaunch a bus daemon (DESIGN §4)
    no_bus = "no session bus"
    gnome_first: Callable[[], IdleMonitor] | str = gnome_idle
    if not (wayland and "gnome" in desktop):
        gnome_first = "not GNOME on Wayland"
    elif not bus:
        gnome_first = no_bus
    x11: Callable[[], IdleMonitor] | str = X11Idle
    if wayland:  # XWayland sees the input of X11 windows only
        x11 = "a Wayland session: X11 would see only X11 windows' input"
    elif not env.get("DISPLAY"):
        x11 = "no X display"
    ext: Callable[[], IdleMonitor] | str = "not a Wayland session"
    if wayland:
        ext = partial(wayland_idle, env)
    return [
        ("gnome", gnome_first),  # Mutter offers no ext-idle-notify: its own service first
        ("x11", x11),
        ("ext-idle-notify", ext),  # KWin, wlroots compositors, COSMIC
        ("gnome", gnome_idle if bus else no_bus),
        ("freedesktop", freedesktop_idle if bus else no_bus),
    ]


def choose_idle(env: Mapping[str, str] | None = None) -> IdleChoice:
    """The first backend that works here, in order of how exact and cheap it is; each
    one considered is logged with why it was chosen, refused or skipped."""
    env = os.environ if env is None else env
    tried: list[Tried] = []
    chosen: IdleMonitor | None = None
    for backend, make in _candidates(env):
        if any(t.backend == backend and t.result != "skipped" for t in tried):
            continue  # GNOME's service is listed twice: first on GNOME, later anywhere
        if isinstance(make, str):
            tried.append(Tried(backend, "skipped", make))
        elif chosen is not None:
            tried.append(Tried(backend, "skipped", f"{chosen.name} was chosen first"))
        else:
            try:
                chosen = make()
            except Exception as err:  # a backend that cannot start is refused, with why
                tried.append(Tried(backend, "refused", str(err) or type(err).__name__))
                continue
            tried.append(Tried(backend, "chosen", "it answers here"))
    tried = _drop_repeats(tried)
    for t in tried:
        log.info("idle backend %s: %s (%s)", t.backend, t.result, t.reason)
    if chosen is None:
        log.warning("no way to read idle time here: natural breaks are off")
        return IdleChoice(NullIdle(), tuple(tried))
    log.info("idle time from the %s backend", chosen.name)
    return IdleChoice(chosen, tuple(tried))


def _drop_repeats(tried: list[Tried]) -> list[Tried]:
    """One line per backend: the one that says the most (chosen/refused over skipped)."""
    rank = {"chosen": 0, "refused": 1, "skipped": 2}
    best: dict[str, Tried] = {}
    for t in tried:
        if t.backend not in best or rank[t.result] < rank[best[t.backend].result]:
            best[t.backend] = t
    order = list(dict.fromkeys(t.backend for t in tried))
    return [best[b] for b in order]


def choose_idle_monitor(env: Mapping[str, str] | None = None) -> IdleMonitor:
    return choose_idle(env).monitor

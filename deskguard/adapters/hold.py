"""Whether prompts must wait: a fullscreen window (a presentation, a video call) or do-not-disturb.

Each detector answers a short reason ("presentation", "do not disturb") or None.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol

from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage, QDBusVariant

from deskguard.adapters.idle import has_session_bus

log = logging.getLogger(__name__)


class HoldDetector(Protocol):
    name: str

    def reason(self) -> str | None: ...


class X11Fullscreen:
    """The active window has _NET_WM_STATE_FULLSCREEN and covers the pointer's monitor."""

    name = "x11-fullscreen"

    def __init__(self, display: str | None = None) -> None:
        path = ctypes.util.find_library("X11")
        if not path:
            raise OSError("libX11 is not installed")
        x = self._x = ctypes.CDLL(path)
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XInternAtom.restype = ctypes.c_ulong
        x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        x.XGetWindowProperty.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long,
            ctypes.c_int, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p),
        ]  # fmt: skip
        x.XFree.argtypes = [ctypes.c_void_p]
        self._display = x.XOpenDisplay(display.encode() if display else None)
        if not self._display:
            raise OSError("cannot open the X display")
        self._root = x.XDefaultRootWindow(self._display)
        self._active = self._atom(b"_NET_ACTIVE_WINDOW")
        self._state = self._atom(b"_NET_WM_STATE")
        self._fullscreen = self._atom(b"_NET_WM_STATE_FULLSCREEN")
        self._xa_window, self._xa_atom = 33, 4  # predefined atoms WINDOW and ATOM

    def _atom(self, name: bytes) -> int:
        return int(self._x.XInternAtom(self._display, name, 0))

    def _property(self, window: int, prop: int, kind: int) -> list[int]:
        actual_type, actual_format = ctypes.c_ulong(), ctypes.c_int()
        count, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
        status = self._x.XGetWindowProperty(
            self._display, window, prop, 0, 64, 0, kind, ctypes.byref(actual_type),
            ctypes.byref(actual_format), ctypes.byref(count), ctypes.byref(after),
            ctypes.byref(data),
        )  # fmt: skip
        if status != 0 or not data.value:
            return []
        try:
            if actual_format.value != 32:
                return []
            items = ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))
            return [items[i] for i in range(count.value)]
        finally:
            self._x.XFree(data)

    def reason(self) -> str | None:
        active = self._property(self._root, self._active, self._xa_window)
        if not active or not active[0]:
            return None
        states = self._property(active[0], self._state, self._xa_atom)
        return "presentation" if self._fullscreen in states else None


class GnomeInhibit:
    """GNOME's session inhibit flags: presentation and video apps set "idle" (8).

    Read as the InhibitedActions property: the IsInhibited(u) method cannot be called
    from PySide6, which sends every Python int as a signed 'i' and so is refused.
    """

    name = "gnome-inhibit"
    IDLE = 8

    def __init__(self, bus: QDBusConnection | None = None) -> None:
        self._props = QDBusInterface(
            "org.gnome.SessionManager",
            "/org/gnome/SessionManager",
            "org.freedesktop.DBus.Properties",
            bus or QDBusConnection.sessionBus(),
        )
        if self._flags() is None:
            raise OSError("org.gnome.SessionManager does not answer InhibitedActions")

    def _flags(self) -> int | None:
        reply = self._props.call("Get", "org.gnome.SessionManager", "InhibitedActions")
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            return None
        value: Any = reply.arguments()[0]
        if isinstance(value, QDBusVariant):
            value = value.variant()
        return value if isinstance(value, int) else None

    def reason(self) -> str | None:
        flags = self._flags()
        return "presentation" if flags is not None and flags & self.IDLE else None


def gnome_inhibit() -> GnomeInhibit:
    return GnomeInhibit()


class WindowsQuietState:
    """SHQueryUserNotificationState: busy, fullscreen D3D, presentation mode, quiet hours."""

    name = "windows-notification-state"
    _HELD: ClassVar[dict[int, str]] = {
        2: "presentation",
        3: "presentation",
        4: "presentation",
        6: "do not disturb",
    }

    def __init__(self) -> None:
        self._shell32 = ctypes.windll.shell32  # type: ignore[attr-defined]

    def reason(self) -> str | None:
        state = ctypes.c_int()
        if self._shell32.SHQueryUserNotificationState(ctypes.byref(state)) != 0:
            return None
        return self._HELD.get(state.value)


class Holds:
    """All detectors that work here; the first reason wins."""

    def __init__(self, detectors: Sequence[HoldDetector]) -> None:
        self.detectors = list(detectors)

    @property
    def name(self) -> str:
        return "+".join(d.name for d in self.detectors) or "none"

    def reason(self) -> str | None:
        for detector in self.detectors:
            try:
                found = detector.reason()
            except Exception as err:  # a detector that breaks must not stop prompts
                log.debug("hold detector %s failed: %s", detector.name, err)
                continue
            if found:
                return found
        return None


def choose_holds(env: Mapping[str, str] | None = None) -> Holds:
    env = os.environ if env is None else env
    makers: list[Any] = []
    if sys.platform == "win32":
        makers = [WindowsQuietState]
    elif sys.platform.startswith("linux"):
        if env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            makers.append(X11Fullscreen)
        if has_session_bus(env) and "gnome" in env.get("XDG_CURRENT_DESKTOP", "").lower():
            makers.append(gnome_inhibit)
    detectors: list[HoldDetector] = []
    for make in makers:
        try:
            detectors.append(make())
        except Exception as err:
            log.debug("hold detector %s unavailable: %s", getattr(make, "__name__", make), err)
    log.info("presentation detection: %s", Holds(detectors).name)
    return Holds(detectors)

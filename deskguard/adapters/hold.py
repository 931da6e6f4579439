"""Whether prompts must wait: a fullscreen window (a presentation, a video call) or do-not-disturb.

Each detector answers a short reason ("presentation", "do not disturb") or None:

* X11: the active window is fullscreen;
* GNOME: the session's inhibit flags (a presentation or video app inhibits "idle"), and
  its do-not-disturb switch (``org.gnome.desktop.notifications show-banners`` false),
  read through the Settings portal so that it also works in a sandbox, else gsettings;
* KDE Plasma: the ``Inhibited`` property of its ``org.freedesktop.Notifications`` (do not
  disturb; Plasma 6.4 also sets it for fullscreen windows and screen sharing);
* everywhere with logind: an ``idle`` inhibitor in ``block`` mode that one of the user's
  programs holds (``ListInhibitors``): a video player or a presentation tool;
* Windows: the shell's notification state.

The D-Bus detectors never block the app: `reason()` answers from the last reply and
asks again in the background (at most once per look of the break service, every 5 s
while a prompt is held), and change signals are listened to where the service sends
them, so a switch the user flips is seen at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from functools import partial
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


DO_NOT_DISTURB = "do not disturb"
PRESENTATION = "presentation"


class GnomeDoNotDisturb:
    """GNOME's "Do Not Disturb": ``show-banners`` false in org.gnome.desktop.notifications."""

    name = "gnome-dnd"

    def __init__(self, setting: Any = None) -> None:
        if setting is None:
            from deskguard.adapters.autostart import in_flatpak
            from deskguard.adapters.desktop_settings import DesktopSetting

            # Inside Flatpak gsettings reads the sandbox's own settings: portal only.
            setting = DesktopSetting(
                "org.gnome.desktop.notifications",
                "show-banners",
                gsettings=None if in_flatpak() else "gsettings",
            )
        self.setting = setting
        self.setting.refresh()

    @property
    def available(self) -> bool:
        """False once asked and neither the portal nor gsettings knows the key."""
        return self.setting.value is not None or not self.setting.answered

    def reason(self) -> str | None:
        self.setting.refresh()
        return DO_NOT_DISTURB if self.setting.value is False else None


class _AskedInBackground:
    """A D-Bus question asked again at each look, its last answer kept (`answer`)."""

    EVERY_S = 4.0
    name = "d-bus"

    def __init__(self, address: str | None) -> None:
        from deskguard.adapters.desktop_settings import shared_link

        self._bus_address = address
        self._link = shared_link(address)  # BusError (an OSError) without that bus
        self._asking = False
        self._asked_at = -1e9
        self.answer: Any = None
        self.problem: str | None = None  # why the last question failed, if it did
        # False while the service is not on the bus (logind in a container, Plasma's
        # notification server restarting): left out of `Holds.name`, still asked.
        self.available = True

    def _message(self) -> Any:
        raise NotImplementedError

    def _read(self, body: Any) -> Any:
        raise NotImplementedError

    def ask(self) -> None:
        now = time.monotonic()
        if self._asking or now - self._asked_at < self.EVERY_S:
            return
        self._asked_at = now
        from deskguard.adapters.dbus_notify import BusError
        from deskguard.adapters.desktop_settings import shared_link

        try:
            if self._link.broken is not None:  # the bus went and came back
                self._link = shared_link(self._bus_address)
            self._asking = True
            self._link.call(self._message(), self._answered, 3000)
        except BusError as err:
            self._asking = False
            self._answered(None, str(err))

    def _answered(self, body: Any, error: str | None) -> None:
        self._asking = False
        if error is not None:
            if error != self.problem:
                log.info("%s: %s", self.name, error)
            self.problem = error
            self.answer = None
            self.available = "ServiceUnknown" not in error and "NameHasNoOwner" not in error
            return
        self.problem = None
        self.available = True
        self.answer = self._read(body)


class NotificationsInhibited(_AskedInBackground):
    """KDE Plasma's notification server says notifications are inhibited."""

    name = "notifications-inhibited"
    SERVICE = "org.freedesktop.Notifications"
    PATH = "/org/freedesktop/Notifications"
    PROPERTIES = "org.freedesktop.DBus.Properties"

    def __init__(self, address: str | None = None) -> None:
        super().__init__(address)
        from jeepney.bus_messages import MatchRule

        self._link.add_match(
            MatchRule(
                type="signal",
                interface=self.PROPERTIES,
                member="PropertiesChanged",
                path=self.PATH,
            )
        )
        self._link.signal_received.connect(self._on_signal)
        self.ask()

    def _message(self) -> Any:
        from deskguard.adapters.desktop_settings import method_call

        return method_call(
            self.SERVICE, self.PATH, self.PROPERTIES, "Get", "ss", (self.SERVICE, "Inhibited")
        )

    def _read(self, body: Any) -> Any:
        from deskguard.adapters.desktop_settings import unwrap

        return bool(unwrap(body[0])) if body else None

    def _on_signal(self, interface: str, member: str, body: Any) -> None:
        # Plasma announces the change: a switch flipped is seen before the next look.
        if interface != self.PROPERTIES or member != "PropertiesChanged" or len(body) < 2:
            return
        if body[0] == self.SERVICE and "Inhibited" in body[1]:
            from deskguard.adapters.desktop_settings import unwrap

            self.answer = bool(unwrap(body[1]["Inhibited"]))

    def reason(self) -> str | None:
        self.ask()
        return DO_NOT_DISTURB if self.answer else None


class IdleInhibitors(_AskedInBackground):
    """logind's ``idle`` inhibitors in ``block`` mode held by this user's programs (a video
    player, a presentation tool, `systemd-inhibit --what=idle`), never our own."""

    name = "logind-idle"
    SERVICE = "org.freedesktop.login1"
    PATH = "/org/freedesktop/login1"
    MANAGER = "org.freedesktop.login1.Manager"

    def __init__(
        self, address: str | None = "SYSTEM", uid: int | None = None, pid: int | None = None
    ) -> None:
        super().__init__(address)
        self.uid = os.getuid() if uid is None else uid
        self.pid = os.getpid() if pid is None else pid
        self.holders: list[str] = []  # who holds one now, for the log
        self.ask()

    def _message(self) -> Any:
        from deskguard.adapters.desktop_settings import method_call

        return method_call(self.SERVICE, self.PATH, self.MANAGER, "ListInhibitors")

    def _read(self, body: Any) -> Any:
        # a(ssssuu): what ("idle:sleep"), who, why, mode ("block"/"delay"), uid, pid
        holders = [
            f"{who} ({why})" if why else str(who)
            for what, who, why, mode, uid, pid in (body[0] if body else [])
            if "idle" in str(what).split(":")
            and mode == "block"
            and uid == self.uid
            and pid != self.pid
        ]
        if holders != self.holders:
            log.info("idle inhibitors: %s", "; ".join(holders) or "none")
            self.holders = holders
        return bool(holders)

    def reason(self) -> str | None:
        self.ask()
        return PRESENTATION if self.answer else None


def has_system_bus(env: Mapping[str, str]) -> bool:
    if env.get("DBUS_SYSTEM_BUS_ADDRESS"):
        return True
    return os.path.exists("/run/dbus/system_bus_socket")


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
        """The detectors that work here now (a D-Bus one whose service is not on the bus
        is left out until it is)."""
        working = [d for d in self.detectors if getattr(d, "available", True)]
        return "+".join(d.name for d in working) or "none"

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
        desktop = env.get("XDG_CURRENT_DESKTOP", "").lower()
        if has_session_bus(env) and "gnome" in desktop:
            makers += [gnome_inhibit, GnomeDoNotDisturb]
        if has_session_bus(env) and "kde" in desktop:
            makers.append(NotificationsInhibited)
        if has_system_bus(env):
            system = env.get("DBUS_SYSTEM_BUS_ADDRESS") or "SYSTEM"
            makers.append(partial(IdleInhibitors, system))
    detectors: list[HoldDetector] = []
    for make in makers:
        try:
            detectors.append(make())
        except Exception as err:
            log.debug("hold detector %s unavailable: %s", getattr(make, "__name__", make), err)
    log.info("presentation detection: %s", Holds(detectors).name)
    return Holds(detectors)

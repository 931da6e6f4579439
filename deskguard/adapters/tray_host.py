"""Is there a tray host now, and by which protocol: StatusNotifier (D-Bus) or XEmbed (X11)?

Qt answers `QSystemTrayIcon.isSystemTrayAvailable()` but never says when the answer
changes, and its first tray call decides, for the whole process, whether its icon is a
StatusNotifierItem (if a StatusNotifier host is registered at that moment) or an XEmbed
window: asked too early on Wayland (no host yet at login), it could never show an icon.
So DeskGuard looks for itself, without calling Qt's tray, and is told of changes:

* StatusNotifier: ``org.kde.StatusNotifierWatcher`` on the session bus with
  ``IsStatusNotifierHostRegistered`` true (Qt's own test); changes come from a
  QDBusServiceWatcher on that name and the watcher's ``StatusNotifierHostRegistered``
  signal. xfce4-panel, KDE Plasma, GNOME with the AppIndicator extension, waybar.
* XEmbed (only where Qt runs on X11): the ``_NET_SYSTEM_TRAY_S<screen>`` selection has an
  owner; changes come as XFixes selection events on a connection of our own, read by a
  QSocketNotifier (no polling, no wake-ups while nothing happens).

`changed` is emitted once the facts have been stable for SETTLE_MS, so a panel that
restarts (or registers its host a moment after its watcher) does not flash the window.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal, Slot

from deskguard.adapters.idle import has_session_bus

log = logging.getLogger(__name__)

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
CALL_TIMEOUT_MS = 1000  # a hung panel must not hold the app up for Qt's 25 s default
SETTLE_MS = 1000


@dataclass(frozen=True)
class HostFacts:
    """What hosts are there now: a StatusNotifier host, an XEmbed tray (X11 only)."""

    sni: bool
    xembed: bool


def _library(soname: str, name: str) -> ctypes.CDLL | None:
    """The library by its soname first: ctypes.util.find_library runs ldconfig (a process,
    tens of milliseconds), and this runs before the tray icon is up."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        path = ctypes.util.find_library(name)
        return ctypes.CDLL(path) if path else None


class _TraySelection:
    """The XEmbed tray's selection on our own X connection, with XFixes owner events."""

    SET_OWNER, WINDOW_DESTROY, CLIENT_CLOSE = 1, 2, 4  # XFixes selection event masks

    def __init__(self, display: str | None) -> None:
        x11, xfixes = _library("libX11.so.6", "X11"), _library("libXfixes.so.3", "Xfixes")
        if x11 is None:
            raise OSError("libX11 is not installed")
        x = self._x = x11
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        x.XDefaultScreen.argtypes = [ctypes.c_void_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x.XInternAtom.restype = ctypes.c_ulong
        x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        x.XGetSelectionOwner.restype = ctypes.c_ulong
        x.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        x.XConnectionNumber.argtypes = [ctypes.c_void_p]
        x.XPending.argtypes = [ctypes.c_void_p]
        x.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        x.XFlush.argtypes = [ctypes.c_void_p]
        self._dpy = x.XOpenDisplay(display.encode() if display else None)
        if not self._dpy:
            raise OSError("cannot open the X display")
        screen = x.XDefaultScreen(self._dpy)
        self._atom = x.XInternAtom(self._dpy, f"_NET_SYSTEM_TRAY_S{screen}".encode(), 0)
        self.events = False
        if xfixes is not None:
            f = xfixes
            f.XFixesQueryExtension.argtypes = [ctypes.c_void_p] + [ctypes.POINTER(ctypes.c_int)] * 2
            f.XFixesQueryVersion.argtypes = f.XFixesQueryExtension.argtypes
            f.XFixesSelectSelectionInput.argtypes = [
                ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong
            ]  # fmt: skip
            base, error = ctypes.c_int(), ctypes.c_int()
            if f.XFixesQueryExtension(self._dpy, ctypes.byref(base), ctypes.byref(error)):
                major, minor = ctypes.c_int(5), ctypes.c_int(0)
                f.XFixesQueryVersion(self._dpy, ctypes.byref(major), ctypes.byref(minor))
                mask = self.SET_OWNER | self.WINDOW_DESTROY | self.CLIENT_CLOSE
                root = x.XDefaultRootWindow(self._dpy)
                f.XFixesSelectSelectionInput(self._dpy, root, self._atom, mask)
                x.XFlush(self._dpy)
                self.events = True
        self._buffer = ctypes.create_string_buffer(256)  # an XEvent is 192 bytes

    def fileno(self) -> int:
        return int(self._x.XConnectionNumber(self._dpy))

    def drain(self) -> int:
        """Read every queued event; how many there were."""
        count = 0
        while self._x.XPending(self._dpy):
            self._x.XNextEvent(self._dpy, self._buffer)
            count += 1
        return count

    def owned(self) -> bool:
        owner = int(self._x.XGetSelectionOwner(self._dpy, self._atom))
        self.drain()  # a round trip may queue events that the socket no longer signals
        return owner != 0

    def close(self) -> None:
        if self._dpy:
            self._x.XCloseDisplay(self._dpy)
            self._dpy = None


class TrayHosts(QObject):
    """The tray hosts there are now (`facts()`), and `changed` when that changes."""

    changed = Signal()

    def __init__(
        self,
        *,
        x11: bool,
        env: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        env = os.environ if env is None else env
        self._bus: Any = None
        self._selection: _TraySelection | None = None
        self._notifier: QSocketNotifier | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._settled)
        if has_session_bus(env):  # else QtDBus would autolaunch a daemon (DESIGN §4)
            self._watch_dbus()
        if x11:
            try:
                self._selection = _TraySelection(env.get("DISPLAY"))
            except OSError as err:
                log.info("cannot watch the XEmbed tray: %s", err)
            else:
                if self._selection.events:
                    self._notifier = QSocketNotifier(
                        self._selection.fileno(), QSocketNotifier.Type.Read, self
                    )
                    self._notifier.activated.connect(self._x_event)
                else:
                    log.info("no XFixes: a new or vanished XEmbed tray is not noticed")
        self._last = self.facts()

    # ---- what is there ---------------------------------------------------------------
    def facts(self) -> HostFacts:
        return HostFacts(sni=self.sni_host(), xembed=self.xembed_host())

    def sni_host(self) -> bool:
        """Qt's own test: the watcher is on the bus and says a host is registered."""
        if self._bus is None:
            return False
        from PySide6.QtDBus import QDBus, QDBusMessage, QDBusVariant

        names = self._bus.interface()
        if not names.isServiceRegistered(WATCHER).value():
            return False
        message = QDBusMessage.createMethodCall(
            WATCHER, WATCHER_PATH, "org.freedesktop.DBus.Properties", "Get"
        )
        message.setArguments([WATCHER, "IsStatusNotifierHostRegistered"])
        reply = self._bus.call(message, QDBus.CallMode.Block, CALL_TIMEOUT_MS)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            log.info("the StatusNotifier watcher did not answer: %s", reply.errorMessage())
            return False
        value: Any = reply.arguments()[0]
        if isinstance(value, QDBusVariant):
            value = value.variant()
        return bool(value)

    def xembed_host(self) -> bool:
        return self._selection is not None and self._selection.owned()

    # ---- being told ------------------------------------------------------------------
    def _watch_dbus(self) -> None:
        from PySide6.QtDBus import QDBusConnection, QDBusServiceWatcher

        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            log.info("no session bus: StatusNotifier hosts are not looked for")
            return
        self._bus = bus
        self._watcher = QDBusServiceWatcher(
            WATCHER, bus, QDBusServiceWatcher.WatchModeFlag.WatchForOwnerChange, self
        )
        self._watcher.serviceOwnerChanged.connect(self._changed_soon)
        # The watcher's name comes first, its host a moment later (or again, after a
        # host restarts while the watcher stays, as kded's does on KDE).
        for member in ("StatusNotifierHostRegistered", "StatusNotifierHostUnregistered"):
            bus.connect(  # type: ignore[call-overload]  # the stubs say bytes; str works
                WATCHER, WATCHER_PATH, WATCHER, member, self, "1_on_host_signal()"
            )

    @Slot()
    def _on_host_signal(self) -> None:
        self._changed_soon()

    def _x_event(self) -> None:
        if self._selection is not None and self._selection.drain():
            self._changed_soon()

    def _changed_soon(self, *_: object) -> None:
        self._settle.start()  # restarted by every event: one look once they stop

    def _settled(self) -> None:
        facts = self.facts()
        if facts != self._last:
            log.info(
                "tray hosts now: StatusNotifier %s, XEmbed %s",
                "yes" if facts.sni else "no",
                "yes" if facts.xembed else "no",
            )
            self._last = facts
            self.changed.emit()

    def close(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        if self._selection is not None:
            self._selection.close()

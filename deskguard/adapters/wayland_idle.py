"""Idle time from the Wayland compositor: the `ext-idle-notify-v1` protocol.

KWin (Plasma 5.27 and later), wlroots compositors (0.16 and later) and COSMIC offer it;
GNOME's Mutter does not (GNOME has its own IdleMonitor on D-Bus, see idle.py), nor does
Debian 12's sway 1.7.

The protocol never says "how long since the last input". It says once the seat has been
idle for a timeout the client chose (`idled`) and again when input comes back
(`resumed`). So we ask for a short timeout and count from it: while idled, the user has
been idle since the `idled` event minus the timeout; after `resumed`, 0 s. Below the
timeout the answer is 0 s, a grain as fine as the X11 backend's 5 s poll and far finer
than the planner needs (it looks for absences of minutes). Version 2's
`get_input_idle_notification` is used where offered: it counts input only, so a video
that holds the screensaver off does not hide that the user walked away.

This is a connection of our own to the compositor (adapters may not use QtGui, and the
events on Qt's own connection are Qt's to read). Its socket is watched by a
QSocketNotifier: events are read only when they have arrived, with libwayland's
non-blocking read, so the event loop never waits on the compositor after the first
round trip. pywayland is imported here only, and this module only on Wayland.
"""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)

PROTOCOL = "ext_idle_notifier_v1"
TIMEOUT_MS = 5000  # the grain of the answer; each pause in typing this long is 2 events


class WaylandIdleError(OSError):
    """This compositor cannot tell idle time through ext-idle-notify-v1; says why."""


def display_name(env: Mapping[str, str]) -> str:
    """The socket libwayland would connect to (a name in XDG_RUNTIME_DIR, or a path)."""
    return env.get("WAYLAND_DISPLAY") or "wayland-0"


class _Link:
    """The connection, its proxies and what the compositor said, apart from the QObject.

    Nothing here refers back to the WaylandIdle, so a finalizer can hold it and close it
    in the one safe order (proxies, then the connection) when the WaylandIdle goes:
    left to the garbage collector, a proxy freed after its display crashes the process.
    """

    def __init__(self, display: Any, timeout_s: float, monotonic: Callable[[], float]) -> None:
        self.display = display
        self.proxies: list[Any] = []  # a collected proxy would be destroyed, its events lost
        self.timeout_s = timeout_s
        self.monotonic = monotonic
        self.idle_since: float | None = None
        self.events = 0

    def idled(self, _notification: Any) -> None:
        self.events += 1
        self.idle_since = self.monotonic() - self.timeout_s

    def resumed(self, _notification: Any) -> None:
        self.events += 1
        self.idle_since = None

    def close(self) -> None:
        for proxy in reversed(self.proxies):
            if not proxy.destroyed:
                proxy.destroy()
        self.proxies.clear()
        self.display.disconnect()


class WaylandIdle(QObject):
    """Seconds since the last input on the first seat, from `idled`/`resumed` events."""

    name = "ext-idle-notify"

    def __init__(
        self,
        display: str | None = None,
        timeout_ms: int = TIMEOUT_MS,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        try:
            from pywayland.client.display import Display
            from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotifierV1
            from pywayland.protocol.wayland import WlSeat
        except ImportError as err:  # a sandbox or package built without it
            raise WaylandIdleError(f"pywayland is not installed ({err})") from err
        self.lost: str | None = None  # why the compositor can no longer tell us
        name = display or display_name(os.environ)
        connection: Any = Display(name)
        try:
            connection.connect()
        except ValueError as err:
            raise WaylandIdleError(f"cannot connect to the Wayland display {name!r}") from err
        self._link = _Link(connection, timeout_ms / 1000.0, monotonic)
        try:
            self.version = self._bind(ExtIdleNotifierV1, WlSeat, timeout_ms)
        except BaseException:
            self._link.close()
            raise
        self._finalizer = weakref.finalize(self, self._link.close)
        self._watch = QSocketNotifier(connection.get_fd(), QSocketNotifier.Type.Read, self)
        self._watch.activated.connect(self._read)

    @property
    def events(self) -> int:
        """`idled` and `resumed` events received (for tests and the log)."""
        return self._link.events

    def _bind(self, notifier_iface: Any, seat_iface: Any, timeout_ms: int) -> int:
        link = self._link
        globals_: dict[str, tuple[int, int]] = {}

        def on_global(_registry: Any, number: int, interface: str, version: int) -> None:
            globals_.setdefault(interface, (number, version))  # the first seat, if several

        registry = link.display.get_registry()
        link.proxies.append(registry)
        registry.dispatcher["global"] = on_global
        link.display.roundtrip()  # the one blocking step: the compositor lists its globals
        if PROTOCOL not in globals_:
            raise WaylandIdleError(f"the compositor does not offer {PROTOCOL}")
        if "wl_seat" not in globals_:
            raise WaylandIdleError("the compositor has no seat (wl_seat)")
        number, offered = globals_[PROTOCOL]
        version = min(offered, 2)
        notifier = registry.bind(number, notifier_iface, version)
        link.proxies.append(notifier)
        seat = registry.bind(globals_["wl_seat"][0], seat_iface, 1)
        link.proxies.append(seat)
        if version >= 2:  # input only: an idle inhibitor (a video) does not hide absence
            notification = notifier.get_input_idle_notification(timeout_ms, seat)
        else:
            notification = notifier.get_idle_notification(timeout_ms, seat)
        link.proxies.append(notification)
        notification.dispatcher["idled"] = link.idled
        notification.dispatcher["resumed"] = link.resumed
        link.display.roundtrip()  # a protocol error shows here, not later in the loop
        return version

    def _read(self) -> None:
        """The socket is readable: read what arrived, dispatch it, never wait."""
        display = self._link.display
        try:
            display.read()  # prepare_read + read_events; libwayland reads MSG_DONTWAIT
            display.dispatch(block=False)
            display.flush()
        except (RuntimeError, ValueError) as err:  # the compositor went away or erred
            self._give_up(f"the Wayland connection ended ({err})")

    def _give_up(self, why: str) -> None:
        if self.lost is None:
            log.warning("idle time: %s; natural breaks are off until DeskGuard restarts", why)
        self.lost = why
        self._watch.setEnabled(False)

    def idle_seconds(self) -> float | None:
        if self.lost is not None:
            return None
        since = self._link.idle_since
        if since is None:
            return 0.0
        return max(0.0, self._link.monotonic() - since)

    def close(self) -> None:
        self._watch.setEnabled(False)
        self._finalizer()

"""The XDG desktop portals DeskGuard uses inside a Flatpak sandbox.

A sandboxed app may not write the host's ~/.config/autostart (Flathub does not allow
it), and it reaches the notification daemon only through a hole in the sandbox. The
portals are the sanctioned way, always reachable from inside without extra permissions:

* ``org.freedesktop.portal.Background.RequestBackground(s parent_window, a{sv} options)``
  with ``autostart``, ``commandline`` and ``reason``: the portal writes (or removes) the
  host's autostart entry itself, and may ask the user first. Its answer arrives later as
  ``org.freedesktop.portal.Request.Response(u code, a{sv} results)`` on a request object.
* ``org.freedesktop.portal.Notification.AddNotification(s id, a{sv} notification)`` and
  ``RemoveNotification(s id)``: portal notifications never expire, so DeskGuard removes
  each one itself when its time is up, as notify-send's expiry does outside.

Only QtDBus. PySide6 marshals a Python dict as ``a{sv}``, a list of str inside it as
``as``, a bool as ``b`` and a str as ``s`` (tests/adapters/test_portal.py checks the bytes
on the bus); none of these calls takes the ``u`` that PySide6 cannot send (DESIGN §4).
Outside Flatpak nothing here is used: autostart.py and app.py look for /.flatpak-info.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtDBus import (
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
    QDBusPendingCallWatcher,
)

from deskguard.adapters.autostart import AutostartError, write_atomically

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
BACKGROUND = "org.freedesktop.portal.Background"
NOTIFICATION = "org.freedesktop.portal.Notification"
REQUEST = "org.freedesktop.portal.Request"
CALL_TIMEOUT_MS = 5000  # a portal that has not answered by then is taken as absent
REASON = "To remind you to stand up and move while you work, from the moment you log in."

Done = Callable[["str | None"], None]  # None: shown; else why it failed (AsyncNotifier)


class PortalError(OSError):
    """The portal could not be reached or refused the call; the message says why."""


def _session_bus(bus: QDBusConnection | None) -> QDBusConnection:
    bus = bus or QDBusConnection.sessionBus()
    if not bus.isConnected():
        raise PortalError(f"no session bus: {bus.lastError().message()}")
    return bus


def request_path(bus: QDBusConnection, token: str) -> str:
    """Where the portal puts the request object for `token` (the portal's own rule:
    the caller's unique name without ':' and with '.' as '_'), so the answer can be
    listened for before the call is made and can never be missed."""
    sender = bus.baseService().lstrip(":").replace(".", "_")
    return f"{PATH}/request/{sender}/{token}"


class BackgroundPortal(QObject):
    """RequestBackground, with the portal's later answer as `answered(granted)`."""

    answered = Signal(bool)  # autostart as the portal settled it

    def __init__(self, bus: QDBusConnection | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        self._tokens = itertools.count(1)
        self._prefix = f"deskguard{os.getpid()}_{secrets.token_hex(3)}_"  # unique per process
        self._listening: set[str] = set()

    def request(self, autostart: bool, commandline: Sequence[str], reason: str = REASON) -> str:
        """Ask for autostart on or off; returns the request's object path.

        Raises PortalError when there is no portal to ask. The portal may show the user a
        dialog; its decision comes later through `answered`.
        """
        bus = _session_bus(self._bus)
        token = f"{self._prefix}{next(self._tokens)}"
        expected = request_path(bus, token)
        self._listen(bus, expected)
        message = QDBusMessage.createMethodCall(SERVICE, PATH, BACKGROUND, "RequestBackground")
        options = {
            "handle_token": token,
            "reason": reason,
            "autostart": bool(autostart),
            "commandline": [str(arg) for arg in commandline],
            "dbus-activatable": False,
        }
        message.setArguments(["", options])  # "": no parent window (we ask from the tray)
        reply = bus.call(message, timeout=CALL_TIMEOUT_MS)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage:
            self._forget(bus, expected)
            raise PortalError(f"the Background portal did not answer: {reply.errorMessage()}")
        handle = reply.arguments()[0] if reply.arguments() else None
        path = handle.path() if isinstance(handle, QDBusObjectPath) else str(handle or "")
        if path and path != expected:
            # A portal older than handle_token (before 0.9) picks its own path.
            self._forget(bus, expected)
            self._listen(bus, path)
        return path or expected

    # "1" is Qt's SLOT() prefix; the trailing QDBusMessage tells which request answered.
    _SLOT = "1_on_response(uint,QVariantMap,QDBusMessage)"

    def _listen(self, bus: QDBusConnection, path: str) -> None:
        if bus.connect(  # type: ignore[call-overload]  # the stubs say bytes; str works
            SERVICE, path, REQUEST, "Response", self, self._SLOT
        ):
            self._listening.add(path)

    def _forget(self, bus: QDBusConnection, path: str) -> None:
        if path in self._listening:
            self._listening.discard(path)
            bus.disconnect(SERVICE, path, REQUEST, "Response", self, self._SLOT)  # type: ignore[call-overload]

    @property
    def waiting(self) -> int:
        """Requests asked and not answered yet."""
        return len(self._listening)

    @Slot("uint", "QVariantMap", QDBusMessage)
    def _on_response(self, code: int, results: dict[str, object], message: QDBusMessage) -> None:
        with contextlib.suppress(PortalError):
            self._forget(_session_bus(self._bus), message.path())  # one answer per request
        # code 0: the user's choice is in results; 1: cancelled; 2: failed otherwise
        granted = code == 0 and bool(results.get("autostart", False))
        log.info("Background portal answered %d: autostart %s", code, "on" if granted else "off")
        self.answered.emit(granted)


class PortalAutostart:
    """Autostart through the Background portal (the autostart.py backend inside Flatpak).

    The portal cannot be asked whether autostart is on, so the last settled state is kept
    in `state_dir`/autostart-portal: what was asked for at once, corrected when the portal
    answers (a user who says no in the portal's dialog sees the box unticked next time).
    """

    def __init__(
        self,
        command: Sequence[str],
        state_dir: Path,
        portal: BackgroundPortal | None = None,
    ) -> None:
        self.command = list(command)
        self.state = state_dir / "autostart-portal"
        self.portal = portal or BackgroundPortal()
        self.portal.answered.connect(self._settled)
        self.location = "the desktop's Background portal (Flatpak)"

    def enabled(self) -> bool:
        try:
            return self.state.read_text(encoding="utf-8").strip() == "on"
        except OSError:
            return False

    def enable(self) -> None:
        self._ask(True)

    def disable(self) -> None:
        self._ask(False)

    def _ask(self, on: bool) -> None:
        try:
            self.portal.request(on, self.command)
        except PortalError as e:
            raise AutostartError(f"Autostart could not be changed: {e}") from e
        self._record(on)

    def _settled(self, granted: bool) -> None:
        if not granted and self.enabled():
            log.warning("the desktop did not allow DeskGuard to start at login")
        try:
            self._record(granted)
        except AutostartError as e:  # a slot: log it, the next start asks again
            log.warning("%s", e)

    def _record(self, on: bool) -> None:
        try:
            write_atomically(self.state, b"on\n" if on else b"off\n")
        except OSError as e:
            raise AutostartError(f"{self.state} could not be written ({e.strerror or e}).") from e


class PortalNotifier:
    """Notifications through the Notification portal, for the notifier chain in Flatpak.

    Asynchronous like notify-send's notifier (notify.py): the call never blocks the event
    loop, and `done` learns whether the portal took it. After `timeout_s` the
    notification is withdrawn, since the portal has no expiry of its own.
    """

    name = "portal"

    def __init__(self, bus: QDBusConnection | None = None, parent: QObject | None = None) -> None:
        self._bus = bus
        self._parent = parent
        self._ids = itertools.count(1)
        self.pending: list[QDBusPendingCallWatcher] = []
        self.shown: set[str] = set()  # ids on screen, until their time is up

    def notify_async(self, title: str, body: str, timeout_s: int, done: Done) -> None:
        bus = _session_bus(self._bus)
        notification_id = f"deskguard-{os.getpid()}-{next(self._ids)}"
        message = QDBusMessage.createMethodCall(SERVICE, PATH, NOTIFICATION, "AddNotification")
        # No "icon": the portal shows the app's own icon (from its desktop file) and a
        # GIcon variant is a (sv) struct that PySide6 cannot build.
        message.setArguments(
            [notification_id, {"title": title, "body": body, "priority": "normal"}]
        )
        watcher = QDBusPendingCallWatcher(bus.asyncCall(message, CALL_TIMEOUT_MS), self._parent)
        self.pending.append(watcher)

        def finished(call: QDBusPendingCallWatcher) -> None:
            self.pending.remove(call)
            call.deleteLater()
            if call.isError():
                done(f"the Notification portal refused it: {call.error().message()}")
                return
            self.shown.add(notification_id)
            QTimer.singleShot(max(timeout_s, 1) * 1000, lambda: self.withdraw(notification_id))
            done(None)

        watcher.finished.connect(finished)

    def withdraw(self, notification_id: str) -> None:
        """RemoveNotification: fire and forget (an id already gone is no error to us)."""
        if notification_id not in self.shown:
            return
        self.shown.discard(notification_id)
        try:
            bus = _session_bus(self._bus)
        except PortalError:
            return
        message = QDBusMessage.createMethodCall(SERVICE, PATH, NOTIFICATION, "RemoveNotification")
        message.setArguments([notification_id])
        bus.asyncCall(message, CALL_TIMEOUT_MS)

"""Desktop notifications over D-Bus, with Start / Snooze buttons, withdrawn once answered.

`org.freedesktop.Notifications`: ``GetCapabilities() -> as``, ``Notify(s app_name,
u replaces_id, s app_icon, s summary, s body, as actions, a{sv} hints, i expire_timeout)
-> u id``, ``CloseNotification(u id)``, and the signals ``ActionInvoked(u id, s key)``
and ``NotificationClosed(u id, u reason)``.

Why not QtDBus: PySide6 marshals a Python int as ``i`` (``q`` through QDBusArgument)
and the daemons, most of them GDBus services (dunst, GNOME Shell), refuse ``Notify`` and
``CloseNotification`` without their ``u`` (DESIGN §4). jeepney (pure Python) writes and
reads the bytes from signatures. Why not jeepney's own blocking I/O: a hung daemon
would freeze the app. So the socket is ours and asynchronous, like QtDBus's: a
QSocketNotifier reads what arrives, every call has a reply callback and a time limit
on a QTimer, and nothing waits on the GUI thread except the bus's own one-second
handshake. The daemon sends its signals to the connection that called ``Notify`` only
(dunst names it as the destination), which is why every call shares this connection.

`DBusNotifier` is both a notifier for the chain (notify.py: plain notifications with an
expiry and the ``desktop-entry`` hint, so the desktop's notification settings can list
DeskGuard) and the break prompt's notification (services/breaks.py's PromptNotice):
buttons where ``GetCapabilities`` lists ``actions``, plain text elsewhere, closed with
``CloseNotification`` as soon as the prompt is answered.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import socket
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

log = logging.getLogger(__name__)

APP_ID = "io.github.deskguard.DeskGuard"  # = adapters.autostart.APP_ID (test_packaging)
SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = SERVICE
CALL_TIMEOUT_MS = 5000  # a daemon that has not answered by then counts as failed
AUTH_TIMEOUT_S = 1.0  # the bus's own handshake, the one blocking step

Reply = Callable[[Any, "str | None"], None]  # (the reply's body, or None; why it failed)
Done = Callable[["str | None"], None]  # None: shown; else why it failed (AsyncNotifier)


class BusError(OSError):
    """No session bus to talk to, or the connection to it broke; the message says why."""


class BusLink(QObject):
    """One connection to the session bus: calls with reply callbacks and time limits,
    and a Qt signal for every D-Bus signal that reaches it. Never blocks after connecting."""

    signal_received = Signal(str, str, object)  # interface, member, body (a tuple)

    def __init__(self, address: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        try:
            from jeepney.bus import get_bus
            from jeepney.io.blocking import prep_socket
            from jeepney.low_level import Parser
        except ImportError as err:
            raise BusError(f"jeepney is not installed ({err})") from err
        try:
            self._sock: socket.socket = prep_socket(
                get_bus(address or "SESSION"), timeout=AUTH_TIMEOUT_S
            )
        except (OSError, KeyError, ValueError) as err:  # no bus, refused, timed out
            raise BusError(f"no session bus: {err}") from err
        # Never wait on the bus: reads take what has arrived; a send of a notification
        # (well under 1 KB) fits in the socket's buffer unless the bus itself is stuck.
        self._sock.setblocking(False)
        self._closer = weakref.finalize(self, self._sock.close)  # closed with its owner
        self._parser = Parser()
        self._serials = itertools.count(1)
        self._pending: dict[int, tuple[Reply, QTimer]] = {}
        self.broken: str | None = None
        self._watch = QSocketNotifier(self._sock.fileno(), QSocketNotifier.Type.Read, self)
        self._watch.activated.connect(self._read)
        from jeepney.bus_messages import message_bus

        self.call(message_bus.Hello(), lambda _body, _error: None)  # the bus wants it first

    def call(self, message: Any, reply: Reply, timeout_ms: int = CALL_TIMEOUT_MS) -> None:
        """Send a method call; `reply(body, None)` or `reply(None, why)` comes once, later,
        on the GUI thread, within `timeout_ms` at most. BusError: the link is broken."""
        if self.broken is not None:
            raise BusError(self.broken)
        serial = next(self._serials)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._answer(serial, None, "no answer in time"))
        self._pending[serial] = (reply, timer)
        timer.start(timeout_ms)
        try:
            self._sock.sendall(message.serialise(serial=serial))
        except OSError as err:  # answers every pending call, this one included
            self._break(f"the session bus connection broke ({err})")

    def add_match(self, rule: Any) -> None:
        from jeepney.bus_messages import message_bus

        self.call(message_bus.AddMatch(rule), lambda _body, _error: None)

    def _answer(self, serial: int, body: Any, error: str | None) -> None:
        entry = self._pending.pop(serial, None)
        if entry is None:
            return  # answered already (a late reply after the time limit)
        reply, timer = entry
        timer.stop()
        timer.deleteLater()
        reply(body, error)

    def _read(self) -> None:
        from jeepney.low_level import HeaderFields, MessageType

        while True:
            try:
                data = self._sock.recv(65536, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as err:
                self._break(f"the session bus connection broke ({err})")
                return
            if not data:
                self._break("the session bus closed the connection")
                return
            self._parser.add_data(data)
        while (message := self._parser.get_next_message()) is not None:
            header = message.header
            kind = header.message_type
            if kind in (MessageType.method_return, MessageType.error):
                serial = header.fields.get(HeaderFields.reply_serial, -1)
                if kind is MessageType.error:
                    name = header.fields.get(HeaderFields.error_name, "error")
                    text = message.body[0] if message.body else ""
                    self._answer(serial, None, f"{name}: {text}".rstrip(": "))
                else:
                    self._answer(serial, message.body, None)
            elif kind is MessageType.signal:
                self.signal_received.emit(
                    header.fields.get(HeaderFields.interface, ""),
                    header.fields.get(HeaderFields.member, ""),
                    message.body,
                )

    def _break(self, why: str) -> None:
        if self.broken is None:
            log.warning("%s", why)
        self.broken = why
        self._watch.setEnabled(False)
        with contextlib.suppress(OSError):
            self._closer()
        for serial in list(self._pending):
            self._answer(serial, None, why)

    def close(self) -> None:
        self._break("closed")


@dataclass
class _Prompt:
    """The prompt's notification: its id once Notify answered, and whether it was
    withdrawn before that (then it is closed the moment the id arrives)."""

    id: int | None = None
    withdrawn: bool = False


class DBusNotifier(QObject):
    """Notifications through org.freedesktop.Notifications on our own bus connection."""

    name = "d-bus"
    # A button of the prompt's notification: "start", "snooze" or "default" (its body).
    action_invoked = Signal(str)

    def __init__(
        self,
        icon: Path | None = None,
        address: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._icon = str(icon) if icon is not None else ""
        self._address = address
        self._link: BusLink | None = None
        self.capabilities: list[str] | None = None  # None: not asked yet
        self._asking: list[Callable[[], None]] = []  # what waits for the capabilities
        self._prompt: _Prompt | None = None
        self.timeout_ms = CALL_TIMEOUT_MS  # each call's time limit
        self.shown: list[int] = []  # ids of everything shown, the latest last (tests)
        self.closed: list[int] = []  # ids this side closed (tests, the log)

    # ---- the connection ------------------------------------------------------------
    def _bus(self) -> BusLink:
        """The connection, opened at first use (and again after it broke)."""
        if self._link is None or self._link.broken is not None:
            if self._link is not None:
                self._link.deleteLater()
            self._link = BusLink(self._address, self)
            self.capabilities = None
            self._link.signal_received.connect(self._on_signal)
            from jeepney.bus_messages import MatchRule

            for member in ("ActionInvoked", "NotificationClosed"):
                self._link.add_match(
                    MatchRule(type="signal", interface=INTERFACE, member=member, path=PATH)
                )
        return self._link

    def _method(self, member: str, signature: str | None = None, body: tuple[Any, ...] = ()) -> Any:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(PATH, bus_name=SERVICE, interface=INTERFACE)
        return new_method_call(address, member, signature, body)

    def with_capabilities(self, then: Callable[[], None]) -> None:
        """Run `then` once the daemon's capabilities are known (asked once, async)."""
        if self.capabilities is not None:
            then()
            return
        self._asking.append(then)
        if len(self._asking) > 1:
            return  # already asked

        def answered(body: Any, error: str | None) -> None:
            if error is not None:  # asked again next time: the daemon may come back
                log.info("notification daemon capabilities unknown: %s", error)
                self.capabilities = None
            else:
                self.capabilities = [str(c) for c in body[0]] if body else []
            waiting, self._asking = self._asking, []
            for run in waiting:
                run()

        try:
            self._bus().call(self._method("GetCapabilities"), answered, self.timeout_ms)
        except BusError as err:
            answered(None, str(err))

    @property
    def supports_actions(self) -> bool:
        """The daemon said it shows buttons (False while unknown)."""
        return self.capabilities is not None and "actions" in self.capabilities

    def _notify(
        self,
        title: str,
        body: str,
        timeout_s: int,
        actions: Sequence[tuple[str, str]],
        reply: Reply,
    ) -> None:
        flat = [part for key, label in actions for part in (key, label)]
        hints = {
            "desktop-entry": ("s", APP_ID),  # the desktop's per-app notification settings
            "urgency": ("y", 1),
            "category": ("s", "presence"),
        }
        message = self._method(
            "Notify",
            "susssasa{sv}i",
            ("DeskGuard", 0, self._icon, title, body, flat, hints, timeout_s * 1000),
        )
        try:
            self._bus().call(message, reply, self.timeout_ms)
        except BusError as err:
            reply(None, str(err))

    def close(self) -> None:
        if self._link is not None:
            self._link.close()

    # ---- the chain's notifier ---------------------------------------------------------
    def notify_async(self, title: str, body: str, timeout_s: int, done: Done) -> None:
        def answered(reply: Any, error: str | None) -> None:
            if error is None and reply:
                self.shown.append(int(reply[0]))
            done(error)

        self._notify(title, body, timeout_s, (), answered)

    # ---- the prompt's notification (services/breaks.py: PromptNotice) -----------------
    def show_prompt(
        self,
        title: str,
        body: str,
        plain_body: str,
        buttons: Sequence[tuple[str, str]],
        timeout_s: int,
        done: Done,
    ) -> None:
        """The prompt with `buttons` (key, label) where the daemon offers buttons, else
        `plain_body`; `done(None)` once shown, `done(why)` when it could not be (the
        caller then uses the notifier chain). It replaces the prompt shown before."""
        self.withdraw_prompt()
        prompt = _Prompt()
        self._prompt = prompt

        def send() -> None:
            if prompt.withdrawn:
                return  # answered while the capabilities were asked
            with_buttons = self.supports_actions and bool(buttons)
            actions = list(buttons) if with_buttons else []
            self._notify(title, body if with_buttons else plain_body, timeout_s, actions, answered)

        def answered(reply: Any, error: str | None) -> None:
            if error is not None or not reply:
                if self._prompt is prompt:
                    self._prompt = None
                done(error or "no notification id")
                return
            prompt.id = int(reply[0])
            self.shown.append(prompt.id)
            if prompt.withdrawn:
                self._close(prompt.id)
            done(None)

        self.with_capabilities(send)

    def withdraw_prompt(self) -> None:
        """The prompt was answered (or ended): its notification goes from the screen."""
        prompt, self._prompt = self._prompt, None
        if prompt is None:
            return
        prompt.withdrawn = True
        if prompt.id is not None:
            self._close(prompt.id)

    def _close(self, notification_id: int) -> None:
        self.closed.append(notification_id)

        def answered(_body: Any, error: str | None) -> None:
            if error is not None:
                log.info("could not withdraw notification %d: %s", notification_id, error)

        try:
            message = self._method("CloseNotification", "u", (notification_id,))
            self._bus().call(message, answered, self.timeout_ms)
        except BusError as err:
            log.info("could not withdraw notification %d: %s", notification_id, err)

    def _on_signal(self, interface: str, member: str, body: Any) -> None:
        prompt = self._prompt
        if interface != INTERFACE or prompt is None or prompt.id is None or not body:
            return
        if int(body[0]) != prompt.id:
            return  # another notification of ours, or another app's
        if member == "ActionInvoked" and len(body) > 1:
            key = str(body[1])
            log.info("notification button %r pressed", key)
            # Kept: most daemons close it after a button, mako does not; the answer the
            # button gives withdraws it (and the daemon ignores a close of a closed one).
            self.action_invoked.emit(key)
        elif member == "NotificationClosed":
            self._prompt = None  # dismissed or expired: the tray still says "waiting"

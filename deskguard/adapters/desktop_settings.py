"""A desktop setting kept current without ever blocking the app: read through the XDG
Settings portal, else (GNOME's keys, outside a sandbox) with `gsettings get`.

* ``org.freedesktop.portal.Settings.Read(s namespace, s key) -> v`` on
  ``org.freedesktop.portal.Desktop`` (/org/freedesktop/portal/desktop). The value comes
  wrapped in one variant more than documented (portals before 1.15 all do it), so every
  layer is unwrapped. ``org.freedesktop.portal.Error.NotFound``: the desktop has no such
  key (GNOME before 48 has no break reminders). ``SettingChanged(s, s, v)`` tells of
  changes, so a switch the user flips is seen at once. GNOME's portal backend serves the
  ``org.gnome.*`` schemas, which is how a Flatpak reads the host's settings.
  Seen on Debian 12: xdg-desktop-portal-gtk serves only some schemas (interface, a11y,
  privacy, sound, input-sources, wm.preferences) and answers NotFound for
  ``org.gnome.desktop.notifications``; so a key the portal does not have is read with:
* ``gsettings get SCHEMA KEY`` in a QProcess (not inside Flatpak: there it would read
  the sandbox's own settings), at most every GSETTINGS_EVERY_S, and at once when dconf
  says the schema's folder changed (``ca.desrt.dconf.Writer.Notify``, which dconf's
  writer sends on the session bus for every change), so a switch flipped is seen within
  moments without polling.

Calls go through adapters/dbus_notify.py's BusLink (jeepney on our own socket, read by a
QSocketNotifier): every call has a reply callback and a time limit.
"""

from __future__ import annotations

import ast
import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QProcess, Signal

log = logging.getLogger(__name__)

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SETTINGS = "org.freedesktop.portal.Settings"
NOT_FOUND = "org.freedesktop.portal.Error.NotFound"
CALL_TIMEOUT_MS = 3000
ASK_EVERY_S = 4.0  # the break service looks every 5 s at most; one question per look
GSETTINGS_EVERY_S = 30.0
DCONF_WRITER = "ca.desrt.dconf.Writer"
GSETTINGS_TIMEOUT_MS = 3000

_links: dict[str | None, Any] = {}


def shared_link(address: str | None = None) -> Any:
    """One BusLink per bus for every reader here (a broken one is replaced).
    `address`: None for the session bus, "SYSTEM", or a bus address (tests)."""
    from deskguard.adapters.dbus_notify import BusLink

    link = _links.get(address)
    if link is None or link.broken is not None:
        link = _links[address] = BusLink(address)
    return link


def method_call(
    service: str,
    path: str,
    interface: str,
    member: str,
    signature: str | None = None,
    body: tuple[Any, ...] = (),
    *,
    autostart: bool = False,
) -> Any:
    """A jeepney method call, by default one that never starts a service by D-Bus
    activation: asking whether notifications are held must not launch a notification
    daemon (DESIGN §4). The portal is the exception: starting on demand is its design."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.low_level import MessageFlag

    message = new_method_call(
        DBusAddress(path, bus_name=service, interface=interface), member, signature, body
    )
    if not autostart:
        message.header.flags |= MessageFlag.no_auto_start
    return message


def unwrap(value: Any) -> Any:
    """A value without its variant layers (jeepney gives a variant as (signature, value))."""
    while isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and value[0]:
        value = value[1]
    return value


def parse_gvariant_text(text: str) -> Any:
    """What `gsettings get` prints for the simple types read here: true/false, numbers,
    strings and lists of strings ("['movement']", "@as []"). Anything else: None."""
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    for prefix in ("@as ", "uint32 ", "int32 ", "@s "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


class DesktopSetting(QObject):
    """One key's value, as far as known (`value`: None while unknown or absent).

    `refresh()` asks again in the background (called at every look the break service
    takes); `changed(value)` comes when the answer differs. `source` says where the last
    answer came from: "portal", "gsettings" or "none".
    """

    changed = Signal(object)

    def __init__(
        self,
        namespace: str,
        key: str,
        *,
        address: str | None = None,
        gsettings: str | None = "gsettings",
        use_portal: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.namespace = namespace
        self.key = key
        self.value: Any = None
        self.source = "none"
        self.answered = False  # any answer yet, even "no such key"
        self._address = address
        self._gsettings = gsettings
        self._portal = use_portal  # False once the portal is found missing
        self._listening: Any = None  # the link SettingChanged is subscribed on
        self._asking = False
        self._asked_at = -1e9
        self._gsettings_at = -1e9
        self._process: QProcess | None = None
        self._dconf_listening = False
        self._connected: Any = None  # the link whose signals reach _on_signal
        self.now: Callable[[], float] = time.monotonic

    # ---- asking ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Ask again unless a question is out or one was asked a moment ago."""
        now = self.now()
        if self._asking or now - self._asked_at < ASK_EVERY_S:
            return
        self._asked_at = now
        if self._portal:
            self._ask_portal()
        else:
            self._ask_gsettings()

    def _ask_portal(self) -> None:
        from deskguard.adapters.dbus_notify import BusError

        try:
            link = shared_link(self._address)
            self._listen(link)
            message = method_call(
                PORTAL,
                PORTAL_PATH,
                SETTINGS,
                "Read",
                "ss",
                (self.namespace, self.key),
                autostart=True,
            )
            self._asking = True
            link.call(message, self._portal_answered, CALL_TIMEOUT_MS)
        except BusError as err:
            self._asking = False
            self._no_portal(str(err))

    def _portal_answered(self, body: Any, error: str | None) -> None:
        self._asking = False
        if error is None:
            self._set(unwrap(body[0]) if body else None, "portal")
        elif error.startswith(NOT_FOUND):
            # The desktop serves this namespace and has no such key; outside a sandbox
            # gsettings may still know it (a portal backend of another desktop).
            if self._gsettings:
                self._ask_gsettings()
            else:
                self._set(None, "portal")
        elif "no answer in time" in error:
            self._ask_gsettings()  # the portal may be starting: asked again next time
        else:  # ServiceUnknown, no such interface: no portal here
            self._no_portal(error)

    def _no_portal(self, why: str) -> None:
        log.info("no settings portal (%s): %s %s via gsettings", why, self.namespace, self.key)
        self._portal = False
        self._ask_gsettings()

    def _ask_gsettings(self, *, now_please: bool = False) -> None:
        now = self.now()
        if not self._gsettings or self._process is not None:
            return
        if not now_please and now - self._gsettings_at < GSETTINGS_EVERY_S:
            return
        self._listen_to_dconf()
        self._gsettings_at = now
        process = QProcess(self)
        process.setProgram(self._gsettings)
        process.setArguments(["get", self.namespace, self.key])
        process.finished.connect(self._gsettings_finished)
        process.errorOccurred.connect(self._gsettings_failed)
        self._process = process
        self._asking = True
        process.start()
        from PySide6.QtCore import QTimer

        QTimer.singleShot(GSETTINGS_TIMEOUT_MS, process, process.kill)

    def _gsettings_finished(self, code: int, _status: object) -> None:
        process = self._process
        if process is None:
            return
        out = bytes(process.readAllStandardOutput().data()).decode(errors="replace")
        self._done_gsettings()
        # A missing schema or key (older GNOME) exits 1: unknown, not an error to tell.
        self._set(parse_gvariant_text(out) if code == 0 else None, "gsettings")

    def _gsettings_failed(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.info("gsettings cannot run: %s %s stays unknown", self.namespace, self.key)
            self._gsettings = None
            self._done_gsettings()
            self._set(None, "none")

    def _done_gsettings(self) -> None:
        if self._process is not None:
            self._process.deleteLater()
            self._process = None
        self._asking = False

    # ---- being told ----------------------------------------------------------------------
    def _listen(self, link: Any) -> None:
        if self._listening is link:
            return
        from jeepney.bus_messages import MatchRule

        rule = MatchRule(type="signal", interface=SETTINGS, member="SettingChanged")
        rule.add_arg_condition(0, self.namespace)
        link.add_match(rule)
        self._connect(link)
        self._listening = link

    def _connect(self, link: Any) -> None:
        if self._connected is not link:
            link.signal_received.connect(self._on_signal)
            self._connected = link

    def _listen_to_dconf(self) -> None:
        """dconf's writer tells every change on the session bus: read again then."""
        if self._dconf_listening:
            return
        from jeepney.bus_messages import MatchRule

        from deskguard.adapters.dbus_notify import BusError

        try:
            link = shared_link(self._address)
        except BusError:
            return
        link.add_match(MatchRule(type="signal", interface=DCONF_WRITER, member="Notify"))
        self._connect(link)
        self._dconf_listening = True

    def _on_signal(self, interface: str, member: str, body: Any) -> None:
        if interface == DCONF_WRITER and member == "Notify" and len(body) >= 2:
            # (s prefix, as changes, s tag): the keys changed are prefix + each change.
            folder = "/" + self.namespace.replace(".", "/") + "/"
            keys = [body[0] + change for change in body[1]] or [body[0]]
            if any(k.startswith(folder) or folder.startswith(k) for k in keys):
                self._ask_gsettings(now_please=True)
            return
        if interface != SETTINGS or member != "SettingChanged" or len(body) < 3:
            return
        if (body[0], body[1]) == (self.namespace, self.key):
            self._set(unwrap(body[2]), "portal")

    def _set(self, value: Any, source: str) -> None:
        self.source = source
        self.answered = True
        if value != self.value:
            self.value = value
            self.changed.emit(value)

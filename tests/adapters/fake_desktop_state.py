"""A stand-in for the desktop services DeskGuard's holds and settings read, on a private bus.

Run as a script with DBUS_SESSION_BUS_ADDRESS pointing at a throw-away dbus-daemon:

    python tests/adapters/fake_desktop_state.py [--own portal,notifications,login1]

It owns, on that bus (each only when named in --own; default: all three):

* ``org.freedesktop.portal.Desktop`` at /org/freedesktop/portal/desktop with
  ``org.freedesktop.portal.Settings.Read(s namespace, s key) -> v``, the value wrapped in
  a second variant as real portals send it, ``org.freedesktop.portal.Error.NotFound`` for
  a key it does not have, and ``SettingChanged(s, s, v)`` when a value is set;
* ``org.freedesktop.Notifications`` at /org/freedesktop/Notifications with KDE Plasma's
  ``Inhibited`` property (``org.freedesktop.DBus.Properties.Get``) and
  ``PropertiesChanged`` when it changes;
* ``org.freedesktop.login1`` at /org/freedesktop/login1 with
  ``org.freedesktop.login1.Manager.ListInhibitors() -> a(ssssuu)``;
* ``org.kde.StatusNotifierWatcher`` at /StatusNotifierWatcher (only with ``--own
  watcher``): the ``IsStatusNotifierHostRegistered`` property and the
  ``StatusNotifierHostRegistered`` / ``StatusNotifierHostUnregistered`` signals;

and ``com.deskguard.FakeDesktopState`` at /control: ``SetBool(s ns, s key, b)``,
``SetStrings(s ns, s key, as)``, ``SetUint(s ns, s key, u)``, ``Forget(s ns, s key)``,
``SetInhibited(b)``, ``SetInhibitors(s json)`` (a list of [what, who, why, mode, uid,
pid]), ``SetHost(b)`` (a StatusNotifier host registers or leaves), ``ReleaseWatcher()``
(the panel quits), ``DconfNotify(s prefix, as changes)`` (dconf's writer telling of a
change, ``ca.desrt.dconf.Writer.Notify``),
 ``Calls() -> s`` (JSON: how often each method was called) and ``Quit()``.

Written with jeepney, which types every value from its signature: QtDBus in PySide6
cannot send ``a(ssssuu)`` or a variant inside a variant. It prints ``ready`` once every
name is owned.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections import Counter
from typing import Any, NoReturn

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

PORTAL = ("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop")
SETTINGS = "org.freedesktop.portal.Settings"
NOTIFICATIONS = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
LOGIN1 = ("org.freedesktop.login1", "/org/freedesktop/login1")
MANAGER = "org.freedesktop.login1.Manager"
PROPERTIES = "org.freedesktop.DBus.Properties"
WATCHER = ("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher")
CONTROL = ("com.deskguard.FakeDesktopState", "/control")
NAMES = {"portal": PORTAL, "notifications": NOTIFICATIONS, "login1": LOGIN1, "watcher": WATCHER}


class Fake:
    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.settings: dict[tuple[str, str], tuple[str, Any]] = {}
        self.inhibited = False
        self.inhibitors: list[tuple[str, str, str, str, int, int]] = []
        self.calls: Counter[str] = Counter()
        self.running = True
        self.host = False

    def set(self, namespace: str, key: str, value: tuple[str, Any]) -> None:
        self.settings[(namespace, key)] = value
        emitter = DBusAddress(PORTAL[1], interface=SETTINGS)
        self.conn.send(new_signal(emitter, "SettingChanged", "ssv", (namespace, key, value)))

    def handle(self, msg: Any) -> None:
        fields = msg.header.fields
        path = fields.get(HeaderFields.path)
        interface = fields.get(HeaderFields.interface)
        member = fields.get(HeaderFields.member)
        self.calls[f"{interface}.{member}"] += 1
        body = msg.body
        reply: tuple[str | None, tuple[Any, ...]] = (None, ())
        if (path, interface, member) == (PORTAL[1], SETTINGS, "Read"):
            value = self.settings.get((body[0], body[1]))
            if value is None:
                self.conn.send(
                    new_error(
                        msg,
                        "org.freedesktop.portal.Error.NotFound",
                        "s",
                        ("Requested setting not found",),
                    )
                )
                return
            reply = ("v", (("v", value),))
        elif (path, interface, member) == (NOTIFICATIONS[1], PROPERTIES, "Get"):
            if tuple(body) != (NOTIFICATIONS[0], "Inhibited"):
                self.conn.send(
                    new_error(msg, "org.freedesktop.DBus.Error.UnknownProperty", "s", ("no",))
                )
                return
            reply = ("v", (("b", self.inhibited),))
        elif (path, interface, member) == (LOGIN1[1], MANAGER, "ListInhibitors"):
            reply = ("a(ssssuu)", (self.inhibitors,))
        elif (path, interface, member) == (WATCHER[1], PROPERTIES, "Get"):
            values = {"IsStatusNotifierHostRegistered": ("b", self.host)}
            values["RegisteredStatusNotifierItems"] = ("as", [])
            reply = ("v", (values.get(body[1], ("b", False)),))
        elif path == CONTROL[1] and interface == CONTROL[0]:
            reply = self.control(member, body)
        else:
            self.conn.send(
                new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"{member}?",))
            )
            return
        self.conn.send(new_method_return(msg, reply[0], reply[1]))

    def control(self, member: str, body: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
        if member == "SetBool":
            self.set(body[0], body[1], ("b", bool(body[2])))
        elif member == "SetStrings":
            self.set(body[0], body[1], ("as", list(body[2])))
        elif member == "SetUint":
            self.set(body[0], body[1], ("u", int(body[2])))
        elif member == "Forget":
            self.settings.pop((body[0], body[1]), None)
        elif member == "SetInhibited":
            self.inhibited = bool(body[0])
            emitter = DBusAddress(NOTIFICATIONS[1], interface=PROPERTIES)
            changed = {"Inhibited": ("b", self.inhibited)}
            self.conn.send(
                new_signal(
                    emitter, "PropertiesChanged", "sa{sv}as", (NOTIFICATIONS[0], changed, [])
                )
            )
        elif member == "SetInhibitors":
            self.inhibitors = [
                (str(a), str(b), str(c), str(d), int(e), int(f))
                for a, b, c, d, e, f in json.loads(body[0])
            ]
        elif member == "SetHost":
            self.host = bool(body[0])
            emitter = DBusAddress(WATCHER[1], interface=WATCHER[0])
            name = "Registered" if self.host else "Unregistered"
            self.conn.send(new_signal(emitter, f"StatusNotifierHost{name}"))
        elif member == "DconfNotify":
            emitter = DBusAddress("/ca/desrt/dconf/Writer/user", interface="ca.desrt.dconf.Writer")
            self.conn.send(new_signal(emitter, "Notify", "sass", (body[0], list(body[1]), "")))
        elif member == "ReleaseWatcher":
            self.conn.send(message_bus.ReleaseName(WATCHER[0]))
        elif member == "Calls":
            return ("s", (json.dumps(self.calls),))
        elif member == "Quit":
            self.running = False
        return (None, ())


def _stop(*_: object) -> NoReturn:
    raise SystemExit(0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--own", default="portal,notifications,login1", help=", ".join(NAMES))
    parser.add_argument("--hang", action="store_true", help="never answer, except /control")
    parser.add_argument("--show-banners", choices=["true", "false"])
    parser.add_argument("--selected-breaks", help="comma-separated, e.g. eyesight,movement")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    with open_dbus_connection(bus="SESSION") as conn:
        fake = Fake(conn)
        if args.show_banners is not None:
            fake.settings[("org.gnome.desktop.notifications", "show-banners")] = (
                "b",
                args.show_banners == "true",
            )
        if args.selected_breaks is not None:
            breaks = [b for b in args.selected_breaks.split(",") if b]
            fake.settings[("org.gnome.desktop.break-reminders", "selected-breaks")] = ("as", breaks)
        wanted = [NAMES[n][0] for n in args.own.split(",") if n] + [CONTROL[0]]
        for name in wanted:
            reply = conn.send_and_get_reply(message_bus.RequestName(name, 4), timeout=10)
            if reply.body[0] != 1:  # 1: primary owner
                print(f"cannot own {name}: {reply.body}", file=sys.stderr)
                return 2
        print("ready", flush=True)
        while fake.running:
            msg = conn.receive()
            if msg.header.message_type is not MessageType.method_call:
                continue
            if args.hang and msg.header.fields.get(HeaderFields.path) != CONTROL[1]:
                fake.calls["unanswered"] += 1  # a hung desktop service
                continue
            fake.handle(msg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

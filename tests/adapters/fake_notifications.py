"""A notification daemon for tests on a private session bus, that records every call.

Run with DBUS_SESSION_BUS_ADDRESS pointing at a throw-away dbus-daemon:

    python tests/adapters/fake_notifications.py [--no-actions]

It owns ``org.freedesktop.Notifications`` and answers ``GetCapabilities`` (with
``actions`` unless --no-actions), ``GetServerInformation``, ``Notify`` (ids from 1) and
``CloseNotification`` (then ``NotificationClosed(id, 3)``), checking each call's
signature as GDBus daemons do (a wrong one gets ``InvalidArgs``). Like dunst it sends
its signals to the connection that made the notification only.

Control, on the same name at /control, interface ``com.deskguard.FakeNotifications``:
``Invoke(u id, s key)`` sends ``ActionInvoked(id, key)`` as if the user pressed that
button; ``Calls() -> s`` is every call so far as JSON (member, signature, body, sender).
It prints ``ready`` once the name is owned, and runs until terminated.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CONTROL = "com.deskguard.FakeNotifications"
SIGNATURES = {
    "GetCapabilities": "",
    "GetServerInformation": "",
    "Notify": "susssasa{sv}i",
    "CloseNotification": "u",
}


def plain(value: Any) -> Any:
    """JSON-ready: variants (signature, value) of hints become their value."""
    if isinstance(value, dict):
        return {
            k: plain(v[1] if isinstance(v, tuple) and len(v) == 2 else v) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-actions", action="store_true")
    args = parser.parse_args()
    capabilities = ["body", "body-markup", "icon-static"]
    if not args.no_actions:
        capabilities.append("actions")

    conn = open_dbus_connection(bus="SESSION")
    reply = conn.send_and_get_reply(message_bus.RequestName(NAME, 4), timeout=5)  # 4: no queue
    if reply.body[0] != 1:
        print(f"cannot own {NAME}: {reply.body}", flush=True)
        return 2
    calls: list[dict[str, Any]] = []
    owners: dict[int, str] = {}  # notification id -> the connection that made it
    next_id = 1
    emitter = DBusAddress(PATH, interface=NAME)
    print("ready", flush=True)

    while True:
        msg = conn.receive()
        header = msg.header
        if header.message_type is not MessageType.method_call:
            continue
        member = header.fields.get(HeaderFields.member, "")
        signature = header.fields.get(HeaderFields.signature, "")
        sender = header.fields.get(HeaderFields.sender, "")
        interface = header.fields.get(HeaderFields.interface, "")
        if interface == CONTROL:
            if member == "Invoke":
                nid, key = msg.body
                owner = owners.pop(nid, None)  # the daemon closes it after a button
                if owner is None:
                    conn.send(new_error(msg, "com.deskguard.Error.NoSuch", "s", (str(nid),)))
                    continue
                invoked = new_signal(emitter, "ActionInvoked", "us", (nid, key))
                invoked.header.fields[HeaderFields.destination] = owner
                conn.send(invoked)
                conn.send(new_method_return(msg))
            elif member == "Calls":
                conn.send(new_method_return(msg, "s", (json.dumps(calls),)))
            continue
        if member not in SIGNATURES:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (member,)))
            continue
        if signature != SIGNATURES[member]:
            text = f"Type of message, '({signature})', does not match '({SIGNATURES[member]})'"
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", "s", (text,)))
            continue
        calls.append(
            {"member": member, "signature": signature, "body": plain(msg.body), "sender": sender}
        )
        if member == "GetCapabilities":
            conn.send(new_method_return(msg, "as", (capabilities,)))
        elif member == "GetServerInformation":
            conn.send(new_method_return(msg, "ssss", ("fake", "deskguard", "1", "1.2")))
        elif member == "Notify":
            nid = msg.body[1] or next_id
            if nid == next_id:
                next_id += 1
            owners[nid] = sender
            conn.send(new_method_return(msg, "u", (nid,)))
        elif member == "CloseNotification":
            nid = msg.body[0]
            conn.send(new_method_return(msg))
            if owners.pop(nid, None) is not None:
                closed = new_signal(emitter, "NotificationClosed", "uu", (nid, 3))
                closed.header.fields[HeaderFields.destination] = sender
                conn.send(closed)


if __name__ == "__main__":
    sys.exit(main())

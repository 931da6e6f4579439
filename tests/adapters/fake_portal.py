"""A stand-in for xdg-desktop-portal's Background and Notification portals, on a private bus.

Run as a script with DBUS_SESSION_BUS_ADDRESS pointing at a throw-away dbus-daemon:

    python tests/adapters/fake_portal.py [--answer grant|deny|cancel] [--legacy-handle]

It owns ``org.freedesktop.portal.Desktop`` and exports, at /org/freedesktop/portal/desktop:

* ``org.freedesktop.portal.Background.RequestBackground(s parent_window, a{sv} options) -> o``:
  like the real portal it creates a request object at
  /org/freedesktop/portal/desktop/request/SENDER/TOKEN (SENDER: the caller's unique name
  without ':' and with '.' as '_'; TOKEN: options["handle_token"]) and, a moment after
  replying, emits ``org.freedesktop.portal.Request.Response(u code, a{sv} results)`` there:
  code 0 with ``background`` and ``autostart`` (as asked, or false when told to deny), or
  code 1 (cancelled). With --legacy-handle it ignores handle_token and picks its own path,
  as portals before 0.9 did.
* ``org.freedesktop.portal.Notification.AddNotification(s id, a{sv} notification)`` and
  ``RemoveNotification(s id)``.

and ``com.deskguard.FakePortal`` at /control: ``Calls() -> s`` (every call received, as
JSON), ``SetAnswer(s)`` and ``Quit()``. It prints ``ready`` once the name is owned.
Only PySide6's QtDBus.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import Any

from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtDBus import (
    QDBusAbstractAdaptor,
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
)

PATH = "/org/freedesktop/portal/desktop"


class State:
    def __init__(self, answer: str, legacy_handle: bool) -> None:
        self.answer = answer
        self.legacy_handle = legacy_handle
        self.calls: list[list[Any]] = []
        self.requests: list[QObject] = []  # kept alive: their signals are the answers


@ClassInfo({"D-Bus Interface": "org.freedesktop.portal.Request"})
class Request(QObject):
    Response = Signal("uint", "QVariantMap")  # exported as Response(u, a{sv})


@ClassInfo({"D-Bus Interface": "org.freedesktop.portal.Background"})
class Background(QDBusAbstractAdaptor):
    def __init__(self, parent: QObject, state: State) -> None:
        super().__init__(parent)
        self.state = state

    # The trailing QDBusMessage is Qt's way to hand a slot its caller's message.
    @Slot(str, "QVariantMap", QDBusMessage, result=QDBusObjectPath)
    def RequestBackground(
        self, parent_window: str, options: dict[str, Any], message: QDBusMessage
    ) -> QDBusObjectPath:
        state = self.state
        sender = message.service().lstrip(":").replace(".", "_")
        if state.legacy_handle:
            path = f"{PATH}/request/{sender}/legacy{len(state.requests)}"
        else:
            path = f"{PATH}/request/{sender}/{options.get('handle_token', 'none')}"
        state.calls.append(["RequestBackground", parent_window, options, path])
        request = Request()
        state.requests.append(request)
        bus = QDBusConnection.sessionBus()
        bus.registerObject(path, request, QDBusConnection.RegisterOption.ExportAllSignals)
        if state.answer == "cancel":
            code, results = 1, {}
        else:
            autostart = bool(options.get("autostart")) and state.answer == "grant"
            code, results = 0, {"background": state.answer == "grant", "autostart": autostart}
        # After the reply has gone out, as the real portal answers once the user chose.
        QTimer.singleShot(50, lambda: request.Response.emit(code, results))
        return QDBusObjectPath(path)


@ClassInfo({"D-Bus Interface": "org.freedesktop.portal.Notification"})
class Notification(QDBusAbstractAdaptor):
    def __init__(self, parent: QObject, state: State) -> None:
        super().__init__(parent)
        self.state = state

    @Slot(str, "QVariantMap")
    def AddNotification(self, notification_id: str, notification: dict[str, Any]) -> None:
        self.state.calls.append(["AddNotification", notification_id, notification])

    @Slot(str)
    def RemoveNotification(self, notification_id: str) -> None:
        self.state.calls.append(["RemoveNotification", notification_id])


@ClassInfo({"D-Bus Interface": "com.deskguard.FakePortal"})
class Control(QObject):
    def __init__(self, state: State) -> None:
        super().__init__()
        self.state = state

    @Slot(result=str)
    def Calls(self) -> str:
        return json.dumps(self.state.calls)

    @Slot(str)
    def SetAnswer(self, answer: str) -> None:
        self.state.answer = answer

    @Slot()
    def Quit(self) -> None:
        QTimer.singleShot(0, QCoreApplication.quit)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answer", choices=("grant", "deny", "cancel"), default="grant")
    parser.add_argument("--legacy-handle", action="store_true")
    args = parser.parse_args(argv)

    app = QCoreApplication(sys.argv[:1])
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        print(f"no session bus: {bus.lastError().message()}", file=sys.stderr)
        return 2
    state = State(args.answer, args.legacy_handle)
    portal = QObject()
    adaptors = [Background(portal, state), Notification(portal, state)]
    control = Control(state)
    ok = bus.registerObject(PATH, portal) and bus.registerObject(
        "/control", control, QDBusConnection.RegisterOption.ExportAllSlots
    )
    if not ok or not bus.registerService("org.freedesktop.portal.Desktop"):
        print(f"cannot export the portal: {bus.lastError().message()}", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    ticker = QTimer()  # lets Python run its signal handlers while Qt waits
    ticker.start(100)
    ticker.timeout.connect(lambda: None)
    print("ready", flush=True)
    code = app.exec()
    del adaptors
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A stand-in for the desktop's idle and inhibit services, for tests on a private bus.

Run as a script with DBUS_SESSION_BUS_ADDRESS pointing at a throw-away dbus-daemon:

    python tests/adapters/fake_dbus_service.py --idle-ms 4321 --inhibited

It owns, on that bus (each can be left out with --without NAME):

* ``org.gnome.Mutter.IdleMonitor``: ``GetIdletime() -> t`` (milliseconds) at
  /org/gnome/Mutter/IdleMonitor/Core;
* ``org.freedesktop.ScreenSaver``: ``GetSessionIdleTime() -> u`` (milliseconds, as KDE
  answers) at /org/freedesktop/ScreenSaver;
* ``org.gnome.SessionManager``: ``IsInhibited(u flags) -> b`` at /org/gnome/SessionManager
  (true when --inhibited and the flags ask for the "idle" bit, 8);

and ``com.deskguard.FakeDesktop`` at /control, whose ``SetIdleMs(i)`` and
``SetInhibited(b)`` change the answers while it runs, and ``Calls() -> u`` counts the
idle and inhibit queries it answered; ``Quit()`` leaves the bus. It prints ``ready`` on
stdout once every name is owned, and runs until terminated. Only PySide6's QtDBus: no
other D-Bus library is needed.
"""

from __future__ import annotations

import argparse
import signal
import sys

from PySide6.QtCore import ClassInfo, Property, QCoreApplication, QObject, QTimer, Slot
from PySide6.QtDBus import QDBusConnection

IDLE_BIT = 8


class State:
    def __init__(self, idle_ms: int, inhibited: bool) -> None:
        self.idle_ms = idle_ms
        self.inhibited = inhibited
        self.calls = 0


@ClassInfo({"D-Bus Interface": "org.gnome.Mutter.IdleMonitor"})
class MutterIdleMonitor(QObject):
    def __init__(self, state: State) -> None:
        super().__init__()
        self.state = state

    @Slot(result="qulonglong")
    def GetIdletime(self) -> int:
        self.state.calls += 1
        return self.state.idle_ms


@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})
class ScreenSaver(QObject):
    def __init__(self, state: State) -> None:
        super().__init__()
        self.state = state

    @Slot(result="uint")
    def GetSessionIdleTime(self) -> int:
        self.state.calls += 1
        return self.state.idle_ms & 0xFFFFFFFF


@ClassInfo({"D-Bus Interface": "org.gnome.SessionManager"})
class SessionManager(QObject):
    def __init__(self, state: State) -> None:
        super().__init__()
        self.state = state

    def _inhibited_actions(self) -> int:
        return IDLE_BIT if self.state.inhibited else 0

    InhibitedActions = Property(int, _inhibited_actions)

    @Slot("uint", result=bool)
    def IsInhibited(self, flags: int) -> bool:
        self.state.calls += 1
        return self.state.inhibited and bool(flags & IDLE_BIT)


@ClassInfo({"D-Bus Interface": "com.deskguard.FakeDesktop"})
class Control(QObject):
    def __init__(self, state: State) -> None:
        super().__init__()
        self.state = state

    @Slot(int)  # "i": what a plain Python int is sent as
    def SetIdleMs(self, value: int) -> None:
        self.state.idle_ms = int(value)

    @Slot(bool)
    def SetInhibited(self, value: bool) -> None:
        self.state.inhibited = bool(value)

    @Slot(result="uint")
    def Calls(self) -> int:
        return self.state.calls

    @Slot()
    def Quit(self) -> None:
        QTimer.singleShot(0, QCoreApplication.quit)  # after the reply has gone out


SERVICES = {
    "mutter": (
        "org.gnome.Mutter.IdleMonitor",
        "/org/gnome/Mutter/IdleMonitor/Core",
        MutterIdleMonitor,
    ),
    "screensaver": ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", ScreenSaver),
    "session": ("org.gnome.SessionManager", "/org/gnome/SessionManager", SessionManager),
    "control": ("com.deskguard.FakeDesktop", "/control", Control),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-ms", type=int, default=0)
    parser.add_argument("--inhibited", action="store_true")
    parser.add_argument("--without", action="append", default=[], choices=sorted(SERVICES))
    args = parser.parse_args(argv)

    app = QCoreApplication(sys.argv[:1])
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        print(f"no session bus: {bus.lastError().message()}", file=sys.stderr)
        return 2
    state = State(args.idle_ms, args.inhibited)
    objects = []  # keep them alive while the app runs
    for key, (service, path, kind) in SERVICES.items():
        if key in args.without:
            continue
        obj = kind(state)
        objects.append(obj)
        if not bus.registerObject(
            path,
            obj,
            QDBusConnection.RegisterOption.ExportAllSlots
            | QDBusConnection.RegisterOption.ExportAllProperties,
        ):
            print(f"cannot export {path}: {bus.lastError().message()}", file=sys.stderr)
            return 2
        if not bus.registerService(service):
            print(f"cannot own {service}: {bus.lastError().message()}", file=sys.stderr)
            return 2

    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    ticker = QTimer()  # lets Python run its signal handlers while Qt waits
    ticker.start(100)
    ticker.timeout.connect(lambda: None)
    print("ready", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

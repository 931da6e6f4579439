"""A notification daemon that never answers, for tests on a private session bus.

Run with DBUS_SESSION_BUS_ADDRESS pointing at a throw-away dbus-daemon. It owns
``org.freedesktop.Notifications``, prints ``ready``, then stops itself (SIGSTOP): every
call to the name waits for an answer that never comes, as with a hung daemon. End it
with SIGKILL (a stopped process ignores SIGTERM until continued).
"""

from __future__ import annotations

import os
import signal
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtDBus import QDBusConnection


def main() -> int:
    app = QCoreApplication(sys.argv[:1])
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected() or not bus.registerService("org.freedesktop.Notifications"):
        print(f"cannot own the name: {bus.lastError().message()}", flush=True)
        return 2
    print("ready", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

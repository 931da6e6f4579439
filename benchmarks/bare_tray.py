"""The baselines for benchmarks/idle_cost.py: a bare PySide6 tray app, and the stack floor.

A QApplication, a QSystemTrayIcon with DeskGuard's own icon (so icon loading costs
the same on both sides) and a one-item QMenu. Run: python benchmarks/bare_tray.py

With --floor it is the **stack floor** (DESIGN §6): the same bare tray that has also
imported what the design's packages force on any app built on them while it sits idle —
APScheduler's scheduler base and its cron, interval and date triggers, sqlite3,
platformdirs and PySide6.QtDBus. Imports only: it schedules, opens and calls nothing.
They are imported before PySide6, so PySide6's import hook (which reads and keeps the
source of every module imported after it; DeskGuard drops that cache, see
deskguard/footprint.py) adds nothing to the floor: the floor is as low as those
packages allow, which makes the budgets against it stricter, not looser.
"""

from __future__ import annotations

import importlib
import signal
import sys
from pathlib import Path

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "deskguard.svg"
FLOOR = "--floor" in sys.argv[1:]

# What the design's packages force at idle (DESIGN §6).
STACK = (
    "sqlite3",
    "platformdirs",
    "apscheduler.schedulers.base",
    "apscheduler.triggers.cron",
    "apscheduler.triggers.interval",
    "apscheduler.triggers.date",
)
if FLOOR:
    for name in STACK:
        importlib.import_module(name)

from PySide6.QtGui import QIcon  # noqa: E402  (after the floor's imports: see above)
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon  # noqa: E402

if FLOOR:
    importlib.import_module("PySide6.QtDBus")


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # no Python-level handler: no wake-ups
    tray = QSystemTrayIcon(QIcon(str(ICON)))
    menu = QMenu()
    menu.addAction("Quit", app.quit)
    tray.setContextMenu(menu)
    tray.setToolTip("stack floor" if FLOOR else "bare tray")
    tray.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

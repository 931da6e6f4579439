"""The baseline for benchmarks/idle_cost.py: a bare PySide6 tray app and nothing else.

A QApplication, a QSystemTrayIcon with DeskGuard's own icon (so icon loading costs
the same on both sides) and a one-item QMenu. Run: python benchmarks/bare_tray.py
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "deskguard.svg"


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # no Python-level handler: no wake-ups
    tray = QSystemTrayIcon(QIcon(str(ICON)))
    menu = QMenu()
    menu.addAction("Quit", app.quit)
    tray.setContextMenu(menu)
    tray.setToolTip("bare tray")
    tray.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

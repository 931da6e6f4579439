"""A text window that holds the keyboard and writes down everything typed into it.

    QT_QPA_PLATFORM=wayland python tests/e2e/wayland_editor.py OUT

Its Wayland app_id is ``dg-test-editor``. Every change of its text is written to OUT
(whole, replaced atomically), so a test can compare what it typed with what arrived.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QPlainTextEdit


def main() -> int:
    out = Path(sys.argv[1])
    app = QApplication(["dg-test-editor"])
    app.setDesktopFileName("dg-test-editor")
    editor = QPlainTextEdit()
    editor.setWindowTitle("DG test editor")
    editor.resize(900, 500)

    def save() -> None:
        tmp = out.with_suffix(".tmp")
        tmp.write_text(editor.toPlainText(), encoding="utf-8")
        os.replace(tmp, out)

    editor.textChanged.connect(save)
    save()
    editor.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

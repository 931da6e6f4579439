"""Render the Settings window offscreen to PNG: every tab, light and dark, 100 % and 200 %.

    python benchmarks/render_settings.py [--out DIR]

Writes /tmp/deskguard-settings/settings-<tab>-<light|dark>-<1x|2x>.png and prints each
path. The schedule tab is also shown with a live validation message (work starts after
it ends). QT_SCALE_FACTOR must be set before Qt starts, so each scale runs in its own
process. Not a test: look at the pictures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

TABS = ("schedule", "breaks", "reminders", "data", "startup")


def dark_palette():  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    base, text, window = QColor("#1e2226"), QColor("#e6e6e6"), QColor("#2a2f34")
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor("#ffffff")),
        (QPalette.ColorRole.Light, QColor("#3a4046")),
        (QPalette.ColorRole.Midlight, QColor("#343a40")),
        (QPalette.ColorRole.Mid, QColor("#23272b")),
        (QPalette.ColorRole.Dark, QColor("#15181b")),
        (QPalette.ColorRole.Shadow, QColor("#000000")),
        (QPalette.ColorRole.Highlight, QColor("#1f8a8a")),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.PlaceholderText, QColor("#9aa5b1")),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
    ):
        p.setColor(role, color)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a828a"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7a828a"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a828a"))
    return p


def render(out: Path, scale: str) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from deskguard.adapters.config import int_ranges, validate_setting
    from deskguard.core.model import Settings
    from deskguard.ui.settings_dialog import Folders, SettingsDialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    light = app.palette()
    folders = Folders(
        data=Path("/home/alex/.local/share/deskguard"),
        config=Path("/home/alex/.config/deskguard"),
        log=Path("/home/alex/.local/state/deskguard/log"),
    )
    tag = f"{scale}x"
    for theme, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        dialog = SettingsDialog(
            Settings(),
            autostart=True,
            folders=folders,
            ranges=int_ranges(),
            validate=validate_setting,
        )
        dialog.show()
        for index, name in enumerate(TABS):
            dialog.tabs.setCurrentIndex(index)
            app.processEvents()
            path = out / f"settings-{name}-{theme}-{tag}.png"
            dialog.grab().save(str(path))
            print(path)
        dialog.tabs.setCurrentIndex(0)
        dialog.start_edit.setTime(dialog.start_edit.time().fromString("18:00", "HH:mm"))
        dialog.day_boxes[2].setChecked(False)
        app.processEvents()
        path = out / f"settings-schedule-invalid-{theme}-{tag}.png"
        dialog.grab().save(str(path))
        print(path)
        dialog.close()
        dialog.deleteLater()
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--out", type=Path, default=Path("/tmp/deskguard-settings"))
    parser.add_argument("--child", metavar="SCALE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        render(args.out, args.child)
        return 0
    for scale in ("1", "2"):
        env = {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}
        cmd = [sys.executable, __file__, "--out", str(args.out), "--child", scale]
        subprocess.run(cmd, env=env, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

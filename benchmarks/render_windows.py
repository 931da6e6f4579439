"""Render DeskGuard's library, checklist, first-run and red-flag windows to PNG.

    python benchmarks/render_windows.py [--out DIR] [--dark] [--scale 1.0]

Writes into /tmp/deskguard-windows/ by default, one PNG per window state, and prints
the path of each. Offscreen, with the real content from resources/. Not a test: look.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from deskguard.adapters.content import Library, load_library, resources_dir
from deskguard.core.model import Settings

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def dark_palette() -> QPalette:
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
        (QPalette.ColorRole.Highlight, QColor("#1f8a8a")),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.PlaceholderText, QColor("#9aa5b1")),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
    ):
        p.setColor(role, color)
    muted = QColor("#6c757d")
    for role in (
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, muted)
    return p


def save(widget: QWidget, out: Path, name: str) -> None:
    widget.show()
    QApplication.processEvents()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/deskguard-windows"))
    parser.add_argument("--dark", action="store_true", help="render with a dark palette too")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    library = load_library()
    themes = [("", None)] + ([("-dark", dark_palette())] if args.dark else [])
    for suffix, palette in themes:
        if palette is not None:
            app.setPalette(palette)
        render_all(library, args.out, suffix)
    return 0


def render_all(library: Library, out: Path, suffix: str) -> None:
    from deskguard.core.checklist import ChecklistResult, Score
    from deskguard.ui.checklist import ChecklistDialog
    from deskguard.ui.first_run import FirstRunDialog
    from deskguard.ui.library import LibraryWindow
    from deskguard.ui.red_flags import RedFlagsDialog

    icon = QIcon(str(resources_dir() / "icons" / "deskguard.svg"))
    pictures = {e.id: library.picture_path(e) for e in library.exercises}
    clock = [NOW]

    lib = LibraryWindow(
        library.exercises, library.avoid, pictures, {"squat"}, lambda: clock[0], icon
    )
    save(lib, out, f"library-list{suffix}")
    lib.show_exercise("seated-hamstring-stretch")
    save(lib, out, f"library-detail{suffix}")
    lib.hold.start()
    clock[0] = NOW + timedelta(seconds=12)
    lib.hold.tick()
    save(lib, out, f"library-hold-running{suffix}")
    lib.hold.stop()
    clock[0] = NOW
    lib.show_exercise("squat")
    save(lib, out, f"library-detail-excluded{suffix}")
    lib.show_avoid("toe-touches")
    save(lib, out, f"library-avoid{suffix}")
    lib.search.setText("hamstring")
    lib.desk_only.setChecked(True)
    save(lib, out, f"library-filtered{suffix}")
    lib.search.setText("no such thing")
    save(lib, out, f"library-no-match{suffix}")
    lib.close()

    workstation = library.checklist("workstation")
    last = ChecklistResult(
        "workstation",
        NOW - timedelta(days=12),
        {"feet-flat": True, "lumbar-support": True},
        Score(2, len(workstation.items)),
    )
    dialog = ChecklistDialog(workstation, lambda: NOW, last, icon)
    save(dialog, out, f"checklist-workstation{suffix}")
    dialog.close()
    movement = ChecklistDialog(library.checklist("movement"), lambda: NOW, None, icon)
    save(movement, out, f"checklist-movement-first-time{suffix}")
    movement.close()

    flags = RedFlagsDialog(library.red_flags, library.disclaimer, icon)
    save(flags, out, f"red-flags{suffix}")
    flags.close()

    welcome = FirstRunDialog(
        Settings(), library.red_flags, library.disclaimer, workstation, lambda: NOW, icon
    )
    for index in range(welcome.pages.count()):
        welcome.go_to(index)
        save(welcome, out, f"first-run-{index + 1}{suffix}")
    welcome.go_to(2)
    welcome.end_time.setTime(welcome.start_time.time().addSecs(-3600))
    welcome.interval.setValue(90)
    save(welcome, out, f"first-run-3-invalid{suffix}")
    welcome.close()


if __name__ == "__main__":
    raise SystemExit(main())

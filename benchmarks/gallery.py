"""Render every window of DeskGuard in each of its states, light and dark, 100 % and 200 %.

    python benchmarks/gallery.py OUT [--only NAME ...] [--themes light dark] [--scales 1 2]
    python benchmarks/gallery.py OUT --rig [--only NAME ...]   # on the e2e rig's X server

Writes OUT/<theme>-<scale>x/<scene>.png for each scene of tests/ui/gallery_scenes.py,
the physiotherapist's PDF summary as page images (with poppler's pdftoppm), and one
contact sheet per theme and scale (OUT/contact-<theme>-<scale>x.png) to look through.
Each theme and scale renders in a process of its own, offscreen, on a screen of a common
size for that scale (1920x1080 at 100 %, a 2560x1600 laptop at 200 %). Not a test: look.
The README's screenshots are copied from here (see the README).

With --rig it starts the e2e rig's Xvfb and window manager (tests/e2e/rig.py), renders
each scene there on the xcb platform and shoots the whole screen (`import -window
root`), as the user's X server draws it, into OUT/rig/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCREENS = {"1": (1920, 1080), "2": (2560, 1600)}


def child(out: Path, theme: str, only: list[str], root: bool = False) -> int:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from deskguard.ui.theme import apply_theme
    from tests.ui.gallery_scenes import SCENES

    app = QApplication(sys.argv[:1])
    apply_theme(app, theme)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name, build in SCENES.items():
        if only and name not in only:
            continue
        try:
            widget = build()
        except Exception as err:  # a scene that cannot be built is reported, not hidden
            print(f"FAILED {name}: {type(err).__name__}: {err}", flush=True)
            failed += 1
            continue
        widget.show()
        if root:
            widget.move(40, 30)
        loop = QEventLoop()
        QTimer.singleShot(300 if root else 150, loop.quit)
        loop.exec()
        path = out / f"{name}.png"
        if root:
            subprocess.run(["import", "-window", "root", str(path)], check=True)
        else:
            widget.grab().save(str(path))
        print(path, flush=True)
        widget.hide()
        widget.deleteLater()
        QCoreApplication.processEvents()
    if not root and (not only or "pdf" in only):
        failed += render_pdf(out)
    return 1 if failed else 0


def render_pdf(out: Path) -> int:
    from deskguard.ui.therapist_report import write_summary
    from tests.ui.progress_history import Plan, build

    history = build(Plan(weeks=10))
    pdf, _csv = write_summary(out / "summary.pdf", history.coach(), history.source(), 12)
    tool = shutil.which("pdftoppm")
    if tool is None:
        print("pdftoppm not found (apt-get install poppler-utils): PDF pages not rendered")
        return 0
    subprocess.run([tool, "-png", "-r", "80", str(pdf), str(out / "pdf-page")], check=True)
    for page in sorted(out.glob("pdf-page-*.png")):
        print(page)
    return 0


def on_rig(out: Path, only: list[str]) -> int:
    from tests.e2e.rig import Rig

    with Rig(tray=False, notifications=False) as rig:
        env = rig.child_env(QT_QPA_PLATFORM="xcb")
        command = [sys.executable, __file__, str(out / "rig"), "--child", "--root"]
        done = subprocess.run([*command, "--only", *only], env=env, timeout=600, check=False)
        if done.returncode != 0:
            print(rig.logs(), file=sys.stderr)
        return done.returncode


def contact_sheet(folder: Path, target: Path, title: str) -> None:
    """The folder's PNGs as captioned thumbnails on one page."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    images = sorted(folder.glob("*.png"))
    thumb_w, thumb_h, caption, columns, pad = 460, 340, 22, 5, 14
    rows = (len(images) + columns - 1) // columns
    sheet = QImage(
        columns * (thumb_w + pad) + pad,
        rows * (thumb_h + caption + pad) + pad + 40,
        QImage.Format.Format_RGB32,
    )
    sheet.fill(QColor("#808890"))
    painter = QPainter(sheet)
    font = QFont()
    font.setPixelSize(15)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRect(pad, 8, sheet.width(), 28), int(Qt.AlignmentFlag.AlignLeft), title)
    for index, path in enumerate(images):
        row, col = divmod(index, columns)
        x = pad + col * (thumb_w + pad)
        y = 40 + pad + row * (thumb_h + caption + pad)
        image = QImage(str(path)).scaled(
            thumb_w,
            thumb_h,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        painter.drawImage(x, y + caption, image)
        painter.drawText(QRect(x, y, thumb_w, caption), int(Qt.AlignmentFlag.AlignLeft), path.stem)
    painter.end()
    sheet.save(str(target))
    print(f"contact sheet {target} ({len(images)} images)")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", nargs="*", default=[], help="scene names (see gallery_scenes)")
    parser.add_argument("--themes", nargs="*", default=["light", "dark"])
    parser.add_argument("--scales", nargs="*", default=["1", "2"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--theme", default="light", help=argparse.SUPPRESS)
    parser.add_argument("--root", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rig", action="store_true", help="shoot on the e2e rig's X server")
    args = parser.parse_args()
    if args.child:
        return child(args.out, args.theme, args.only, args.root)
    if args.rig:
        return on_rig(args.out, args.only)
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            width, height = SCREENS.get(scale, (1920, 1080))
            config = Path(tmp) / f"screen-{scale}.json"
            config.write_text(json.dumps({"screens": [{"name": "s", "width": width,
                                                       "height": height}]}))  # fmt: skip
            for theme in args.themes:
                folder = args.out / f"{theme}-{scale}x"
                env = {
                    **os.environ,
                    "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
                    "QT_SCALE_FACTOR": scale,
                }
                command = [sys.executable, __file__, str(folder), "--child", "--theme", theme]
                done = subprocess.run([*command, "--only", *args.only], env=env, check=False)
                status = status or done.returncode
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
                contact_sheet(
                    folder,
                    args.out / f"contact-{theme}-{scale}x.png",
                    f"DeskGuard, {theme} theme, {int(float(scale) * 100)} %",
                )
    return status


if __name__ == "__main__":
    raise SystemExit(main())

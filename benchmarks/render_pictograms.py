"""Render every pictogram and the app icon to PNG contact sheets for a visual check.

    QT_QPA_PLATFORM=offscreen python benchmarks/render_pictograms.py [--out DIR]

Writes, by default into /tmp/deskguard-pictograms/:
  pictograms.png   every resources/pictograms/*.svg at 96 px, on a light and a dark panel
  icon.png         resources/icons/deskguard.svg at 22, 32 and 64 px, light and dark
and prints one line per file it rendered. Not a test: look at the PNGs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

REPO = Path(__file__).resolve().parent.parent
PICTOGRAMS = REPO / "resources" / "pictograms"
ICON = REPO / "resources" / "icons" / "deskguard.svg"

LIGHT = QColor("#f7f7f5")
DARK = QColor("#1e2226")
LIGHT_TEXT = QColor("#333333")
DARK_TEXT = QColor("#dddddd")

CELL = 96  # --cell overrides it, e.g. 200 for a closer look
PAD = 12
LABEL = 16
COLUMNS = 6


def _renderer(path: Path) -> QSvgRenderer:
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        raise SystemExit(f"invalid SVG: {path}")
    return renderer


def _panel(painter: QPainter, origin_x: int, files: list[Path], dark: bool) -> None:
    rows = (len(files) + COLUMNS - 1) // COLUMNS
    width = COLUMNS * (CELL + PAD) + PAD
    height = rows * (CELL + LABEL + PAD) + PAD
    painter.fillRect(origin_x, 0, width, height, DARK if dark else LIGHT)
    painter.setPen(DARK_TEXT if dark else LIGHT_TEXT)
    for index, path in enumerate(files):
        col, row = index % COLUMNS, index // COLUMNS
        x = origin_x + PAD + col * (CELL + PAD)
        y = PAD + row * (CELL + LABEL + PAD)
        _renderer(path).render(painter, QRectF(x, y, CELL, CELL))
        painter.drawText(
            QRectF(x - PAD / 2, y + CELL, CELL + PAD, LABEL),
            int(Qt.AlignmentFlag.AlignCenter),
            path.stem[:18],
        )


def render_pictograms(out: Path) -> Path:
    files = sorted(PICTOGRAMS.glob("*.svg"))
    if not files:
        raise SystemExit(f"no pictograms in {PICTOGRAMS}")
    rows = (len(files) + COLUMNS - 1) // COLUMNS
    panel_w = COLUMNS * (CELL + PAD) + PAD
    height = rows * (CELL + LABEL + PAD) + PAD
    image = QImage(panel_w * 2, height, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(10)
    painter.setFont(font)
    _panel(painter, 0, files, dark=False)
    _panel(painter, panel_w, files, dark=True)
    painter.end()
    target = out / "pictograms.png"
    image.save(str(target))
    for path in files:
        print(f"rendered {path.relative_to(REPO)}")
    return target


def render_icon(out: Path) -> Path | None:
    if not ICON.is_file():
        print(f"no icon at {ICON.relative_to(REPO)}", file=sys.stderr)
        return None
    sizes = (22, 32, 64)
    width = sum(sizes) + PAD * (len(sizes) + 1)
    row_h = max(sizes) + 2 * PAD
    image = QImage(width * 2, row_h, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer = _renderer(ICON)
    for panel, bg in enumerate((LIGHT, DARK)):
        painter.fillRect(panel * width, 0, width, row_h, bg)
        x = panel * width + PAD
        for size in sizes:
            # Render at the real pixel size (as a tray would), then blit 1:1.
            small = QImage(size, size, QImage.Format.Format_ARGB32)
            small.fill(Qt.GlobalColor.transparent)
            icon_painter = QPainter(small)
            icon_painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(icon_painter, QRectF(0, 0, size, size))
            icon_painter.end()
            painter.drawImage(x, (row_h - size) // 2, small)
            x += size + PAD
    painter.end()
    target = out / "icon.png"
    image.save(str(target))
    print(f"rendered {ICON.relative_to(REPO)} at {sizes}")
    return target


def main(argv: list[str] | None = None) -> int:
    global CELL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("/tmp/deskguard-pictograms"))
    parser.add_argument("--cell", type=int, default=96, help="pictogram size in px (96)")
    args = parser.parse_args(argv)
    out: Path = args.out
    CELL = args.cell
    out.mkdir(parents=True, exist_ok=True)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    sheet = render_pictograms(out)
    print(f"contact sheet: {sheet}")
    icon = render_icon(out)
    if icon is not None:
        print(f"icon sheet: {icon}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())

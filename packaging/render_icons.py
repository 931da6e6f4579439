"""Render the app icon for packaging: hicolor PNGs, the SVG copy, .ico and .icns.

    python packaging/render_icons.py

Reads resources/icons/deskguard.svg and writes, next to this script:

    icons/hicolor/scalable/apps/deskguard.svg       (a copy)
    icons/hicolor/<N>x<N>/apps/deskguard.png        N = 16 22 24 32 48 64 128 256
    deskguard.ico, deskguard.icns                   (PyInstaller's Windows/macOS icons)

The icons/hicolor tree installs as it is into /usr/share/icons/hicolor (or
~/.local/share/icons/hicolor). Rendering uses QtSvg, offscreen; run it again whenever
the SVG changes and commit the result.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "resources" / "icons" / "deskguard.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
NAME = "deskguard"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def write(image: QImage, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QImageWriter(str(path), fmt.encode())
    if not writer.write(image):
        raise SystemExit(f"{path}: {writer.errorString()}")
    print(path.relative_to(HERE.parent))


def main(out: Path = HERE) -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: not a valid SVG")
    hicolor = out / "icons" / "hicolor"
    svg = hicolor / "scalable" / "apps" / f"{NAME}.svg"
    svg.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, svg)
    print(svg.relative_to(HERE.parent))
    for size in SIZES:
        write(render(renderer, size), hicolor / f"{size}x{size}" / "apps" / f"{NAME}.png", "png")
    big = render(renderer, 256)
    formats = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    for suffix in ("ico", "icns"):
        if suffix in formats:
            write(big, out / f"{NAME}.{suffix}", suffix)
        else:
            print(f"skipped {NAME}.{suffix}: this Qt has no {suffix} writer", file=sys.stderr)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

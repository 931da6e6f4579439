"""Render the app icon for packaging: hicolor PNGs, the SVG copy, .ico and .icns.

    python packaging/render_icons.py

Reads resources/icons/deskguard.svg and writes

    deskguard/data/io.github.deskguard.DeskGuard.svg     (a copy)
    deskguard/data/io.github.deskguard.DeskGuard-<N>.png N = 16 22 24 32 48 64 128 256
    packaging/deskguard.ico, packaging/deskguard.icns    (PyInstaller's Windows/macOS icons)

deskguard/data/ is package data: it ships in the wheel, and `deskguard desktop-entry
install` (deskguard/adapters/desktop_entry.py) copies each icon to
icons/hicolor/<N>x<N>/apps/io.github.deskguard.DeskGuard.png under the user's XDG data
folder; packaging/build_deb.py and the Flatpak manifest install the same files under
/usr/share or /app/share. The folder is flat (no hicolor tree) so that setuptools sees one
data package, not a namespace package per folder. The icon is named by the app ID, like
the desktop file and the metainfo, as AppStream and Flatpak require. Rendering uses QtSvg,
offscreen; run it again whenever the SVG changes and commit the result.
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
ROOT = HERE.parent
SOURCE = ROOT / "resources" / "icons" / "deskguard.svg"
DATA = ROOT / "deskguard" / "data"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
APP_ID = "io.github.deskguard.DeskGuard"  # deskguard.adapters.desktop_entry.APP_ID
NAME = "deskguard"  # the .ico/.icns, which PyInstaller's spec names


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
    print(path)


def main(out: Path = HERE, data: Path = DATA) -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: not a valid SVG")
    data.mkdir(parents=True, exist_ok=True)
    svg = data / f"{APP_ID}.svg"
    shutil.copyfile(SOURCE, svg)
    print(svg)
    for size in SIZES:
        write(render(renderer, size), data / f"{APP_ID}-{size}.png", "png")
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

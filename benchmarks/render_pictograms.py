"""Render every pictogram and the app icon to PNG contact sheets for a visual check.

    QT_QPA_PLATFORM=offscreen python benchmarks/render_pictograms.py [--out DIR]
        [--cell PX] [--only NAME ...] [--source DIR]

Writes, by default into /tmp/deskguard-pictograms/:
  pictograms.png           every resources/pictograms/*.svg at 96 px (100 %), light and dark
  pictograms@2x-light.png  the same at 192 px (200 %) on a light panel, in two sheets when
  pictograms@2x-dark.png   there are many, so a viewer shows them at their real size
  thumbnails.png           every pictogram at the library list's icon size (ui/library.py
  thumbnails@2x-*.png      LIST_ICON) at 100 % (light and dark) and 200 %, as the list draws it
  icon.png                 resources/icons/deskguard.svg at 22, 32 and 64 px, light and dark
and prints one line per file it rendered. `--only bird-dog cat-cow` renders just those;
`--source DIR` renders the SVGs of another folder (a draft). Not a test: look at the PNGs.
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

PAD = 12
LABEL = 16
COLUMNS = 6
THUMB = 64  # keep in step with deskguard/ui/library.py LIST_ICON (not imported: no widgets)


def _renderer(path: Path) -> QSvgRenderer:
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        raise SystemExit(f"invalid SVG: {path}")
    return renderer


def _sheet(files: list[Path], cell: int, themes: tuple[bool, ...], columns: int) -> QImage:
    """`files` at `cell` px in a grid, one panel per theme (False light, True dark)."""
    rows = (len(files) + columns - 1) // columns
    panel_w = columns * (cell + PAD) + PAD
    height = rows * (cell + LABEL + PAD) + PAD
    image = QImage(panel_w * len(themes), height, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(10 if cell < 150 else 13)
    painter.setFont(font)
    for panel, dark in enumerate(themes):
        origin_x = panel * panel_w
        painter.fillRect(origin_x, 0, panel_w, height, DARK if dark else LIGHT)
        painter.setPen(DARK_TEXT if dark else LIGHT_TEXT)
        for index, path in enumerate(files):
            col, row = index % columns, index // columns
            x = origin_x + PAD + col * (cell + PAD)
            y = PAD + row * (cell + LABEL + PAD)
            _renderer(path).render(painter, QRectF(x, y, cell, cell))
            painter.drawText(
                QRectF(x - PAD / 2, y + cell, cell + PAD, LABEL),
                int(Qt.AlignmentFlag.AlignCenter),
                path.stem[: max(12, cell // 6)],
            )
    painter.end()
    return image


def _thumbnail(path: Path, size: int, ratio: int) -> QImage:
    """As the library list draws it: rendered at size × ratio, shown at `size` points."""
    image = QImage(size * ratio, size * ratio, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _renderer(path).render(painter)
    painter.end()
    return image


def render_thumbnails(files: list[Path], out: Path) -> list[Path]:
    """Each pictogram at the list's icon size, in rows of nine: at 100 % light and dark side
    by side, at 200 % one sheet per theme (as a 2x screen shows the list)."""
    gap, columns = 8, 9
    rows = (len(files) + columns - 1) // columns
    written = []
    for ratio, themes, name in (
        (1, (LIGHT, DARK), "thumbnails.png"),
        (2, (LIGHT,), "thumbnails@2x-light.png"),
        (2, (DARK,), "thumbnails@2x-dark.png"),
    ):
        size = THUMB * ratio
        panel_w = columns * (size + gap) + gap
        height = rows * (size + gap) + gap
        image = QImage(panel_w * len(themes), height, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        for panel, background in enumerate(themes):
            painter.fillRect(panel * panel_w, 0, panel_w, height, background)
            for index, path in enumerate(files):
                col, row = index % columns, index // columns
                x = panel * panel_w + gap + col * (size + gap)
                painter.drawImage(x, gap + row * (size + gap), _thumbnail(path, THUMB, ratio))
        painter.end()
        target = out / name
        image.save(str(target))
        written.append(target)
    return written


def render_pictograms(files: list[Path], out: Path, cell: int) -> list[Path]:
    written = []
    sheet = _sheet(files, cell, (False, True), COLUMNS)
    target = out / "pictograms.png"
    sheet.save(str(target))
    written.append(target)
    # 200 %: one theme per sheet, at most 12 figures each, so nothing is scaled down to fit.
    big = cell * 2
    for dark, name in ((False, "light"), (True, "dark")):
        for part, start in enumerate(range(0, len(files), 12)):
            chunk = files[start : start + 12]
            suffix = f"-{part + 1}" if len(files) > 12 else ""
            target = out / f"pictograms@2x-{name}{suffix}.png"
            _sheet(chunk, big, (dark,), 4).save(str(target))
            written.append(target)
    written.extend(render_thumbnails(files, out))
    for path in files:
        print(f"rendered {path}")
    return written


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("/tmp/deskguard-pictograms"))
    parser.add_argument("--cell", type=int, default=96, help="pictogram size in px at 100 %%")
    parser.add_argument("--source", type=Path, default=PICTOGRAMS, help="folder of SVGs")
    parser.add_argument("--only", nargs="*", default=[], help="names without .svg")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(Path(args.source).glob("*.svg"))
    if args.only:
        files = [f for f in files if f.stem in set(args.only)]
    if not files:
        raise SystemExit(f"no pictograms in {args.source}")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for sheet in render_pictograms(files, out, args.cell):
        print(f"sheet: {sheet}")
    icon = render_icon(out)
    if icon is not None:
        print(f"icon sheet: {icon}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())

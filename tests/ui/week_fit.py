"""Which labels of the week window would be cut off at its default size?

Shows each view (week, days, 12 weeks) with a full record and measures every axis
label, day and week name, verdict, figure and table header with QFontMetrics against
the space the chart or header gives it. Run as a module it prints the findings as JSON,
so a test can measure under another scale factor (QT_SCALE_FACTOR=2) in a process of
its own.
"""

from __future__ import annotations

import json
import sys
from datetime import time, timedelta

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication, QStyle

from deskguard.core.model import Settings
from deskguard.core.stats import WeekSource
from deskguard.ui.weekly_chart import WeeklyChartWindow
from tests.core.test_stats import MONDAY, FakeReader
from tests.ui.week_history import working_weeks

TODAY = MONDAY + timedelta(days=3)


def unfit_labels(app: QApplication) -> tuple[list[str], int, list[int]]:
    """Every label that does not fit, as 'where: text (needed > available)'; the number
    of labels measured; and the window's size."""
    source = WeekSource(FakeReader(working_weeks(TODAY, until=time(14))), Settings(), lambda: TODAY)
    window = WeeklyChartWindow(source)
    window.this_week()
    window.show()
    found: list[str] = []
    measured = 0
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        app.processEvents()
        for chart in (window.chart, window.trend):
            if not chart.isVisible():
                continue
            for fit in chart.label_fits():
                measured += 1
                if not fit.fits:
                    room = f"{fit.needed:.1f} > {fit.available:.1f}"
                    found.append(f"{fit.where}: {fit.text!r} ({room})")
        if window.table.isVisible():
            header = window.table.horizontalHeader()
            metrics = QFontMetricsF(header.font())
            # The style's padding around a header's text, on both sides.
            margin = 2 * header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin)
            used = 0
            for column in range(header.count()):
                text = window.table.horizontalHeaderItem(column).text()
                needed = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
                size = header.sectionSize(column)
                used += size
                measured += 1
                if needed + margin > size:
                    found.append(f"header: {text!r} ({needed + margin:.1f} > {size})")
                measured += 1
                cells = window.table.sizeHintForColumn(column)  # Qt's own need for the cells
                if cells > size:
                    found.append(f"cells of {text!r}: {cells} > {size}")
            if used > window.table.viewport().width():
                found.append(f"table: {used} px of columns in {window.table.viewport().width()}")
    for key, tile in window.tiles.items():
        if tile.isVisible():
            measured += 1
            needed = tile.value.fontMetrics().horizontalAdvance(tile.value.text())
            if needed > tile.value.width():
                found.append(f"tile {key}: {tile.value.text()!r} ({needed} > {tile.value.width()})")
    size = [window.width(), window.height()]
    window.close()
    return found, measured, size


if __name__ == "__main__":
    application = QApplication(sys.argv[:1])
    unfit, count, size = unfit_labels(application)
    ratio = application.primaryScreen().devicePixelRatio()
    print(json.dumps({"unfit": unfit, "measured": count, "ratio": ratio, "size": size}))

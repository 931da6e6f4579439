"""This week at a glance: one row per day, from the same stats `deskguard report` prints."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from deskguard.core.stats import DayRow, WeekReport

COLUMNS = ("Day", "Prompted", "Completed", "Natural", "Snoozed", "Skipped", "Missed", "Adherence")


def adherence_text(row: DayRow) -> str:
    if row.adherence is None:
        return "—" if row.working_day else "day off"
    return f"{row.adherence:.0%}"


class SummaryDialog(QDialog):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("DeskGuard — This week")
        self.headline = QLabel()
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.headline.setFont(font)
        self.table = QTableWidget(8, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("Breaks per day this week")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def show_report(self, report: WeekReport) -> None:
        totals = report.totals
        if totals.prompted == 0:
            self.headline.setText(f"{report.week}: no break prompts yet this week")
        else:
            taken = totals.completed + totals.natural
            share = f" ({totals.adherence:.0%})" if totals.adherence is not None else ""
            self.headline.setText(
                f"{report.week}: {taken} of {totals.finished} breaks taken{share}"
            )
        rows = [*report.days, totals]
        for r, row in enumerate(rows):
            label = "Total" if r == 7 else row.date.strftime("%a %d %b")
            values = [
                label,
                str(row.prompted),
                str(row.completed),
                str(row.natural),
                str(row.snoozed),
                str(row.skipped),
                str(row.missed),
                adherence_text(row),
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if r == 7:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        width = self.table.horizontalHeader().length() + 40
        self.resize(max(width, 560), 380)

"""The "This week" window: did I get up enough? A sentence, tiles, one chart per view.

Every number comes from `core.stats` through a `WeekSource` (the same functions behind
`deskguard report`), read afresh on each show and each step of the navigation; the
headline and each day's verdict come from `core.glance`. The charts are painted from the
palette (`ui/week_bars.py`), so they follow a light or dark theme.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QLocale, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPalette,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.glance import SEGMENTS, Mark, WeekGlance, week_glance, week_ongoing
from deskguard.core.stats import (
    TREND_WEEKS,
    DayRow,
    WeekReport,
    WeekSource,
    duration_text,
    minutes_text,
)
from deskguard.ui.chart_parts import Tile, overlay_label, with_overlay
from deskguard.ui.week_bars import COLOURS, MARK_TEXT, NAMES, TrendBars, WeekBars
from deskguard.ui.widgets import local_date, local_time

# Two-line headers: a column is as wide as its widest line, so none is cut off.
COLUMNS = (
    "Day",
    "Scheduled\nbreaks",
    "Completed",
    "Away\nanyway",
    "Started\nby you",
    "Skipped",
    "Missed",
    "Snoozed",
    "Share\ntaken",
    "Time on\nbreaks",
    "Longest\nsitting",
)


def week_span(monday: date, today: date, locale: QLocale | None = None) -> str:
    """The week by its dates in the user's locale: "23–29 Nov", "30 Nov – 6 Dec",
    "29 Dec 2025 – 4 Jan 2026"; the year only when it is not this year's."""
    sunday = monday + timedelta(days=6)
    if monday.year != sunday.year:
        first, last = (
            local_date(monday, "d MMM yyyy", locale),
            local_date(sunday, "d MMM yyyy", locale),
        )
        return f"{first} – {last}"
    year = "" if sunday.year == today.year else " yyyy"
    if monday.month == sunday.month:
        return f"{monday.day}–{local_date(sunday, 'd MMM' + year, locale)}"
    return f"{local_date(monday, 'd MMM', locale)} – {local_date(sunday, 'd MMM' + year, locale)}"


def window_title(monday: date, this_monday: date, today: date) -> str:
    if monday == this_monday:
        return "DeskGuard — This week"
    if monday == this_monday - timedelta(days=7):
        return "DeskGuard — Last week"
    return f"DeskGuard — Week of {week_span(monday, today)}"


def _when(at: datetime, today: date) -> str:
    """A break time as a person says it: "at 09:45", "tomorrow at 09:00", "on Monday at 09:00"."""
    clock = local_time(at.time())
    day = at.date()
    if day == today:
        return f"at {clock}"
    if day == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"on {QLocale().dayName(day.isoweekday())} at {clock}"


def _points(change: float) -> str:
    """This week against last, in points of the share taken."""
    size = abs(round(change))
    if size == 0:
        return "this week: the same"
    unit = "point" if size == 1 else "points"
    return f"this week: {size} {unit} {'up' if change > 0 else 'down'}"


def _swatch(colour: str, hatched: bool) -> QLabel:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    if hatched:
        painter = QPainter(pixmap)
        painter.fillRect(pixmap.rect(), QBrush(QColor(0, 0, 0, 110), Qt.BrushStyle.BDiagPattern))
        painter.end()
    label = QLabel()
    label.setPixmap(pixmap)
    return label


class WeeklyChartWindow(QWidget):
    """The week's window. `show_week` loads a week; the buttons move between weeks."""

    def __init__(
        self,
        source: WeekSource,
        next_break: Callable[[], datetime | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.next_break = next_break or (lambda: None)
        self.monday = source.this_monday()
        self.report: WeekReport | None = None
        self.glance: WeekGlance | None = None
        self.trend_reports: list[WeekReport] = []
        self.setWindowTitle("DeskGuard — This week")
        self.resize(900, 680)
        screen = QGuiApplication.primaryScreen()  # not QWidget.screen(): ui/widgets.screen_of
        if screen is not None:  # never larger than the screen (a small one at 200 %)
            room = screen.availableGeometry()
            self.resize(min(900, room.width() - 40), min(680, room.height() - 40))

        # -- navigation
        self.prev_button = QPushButton("◀  Previous week")
        self.prev_button.setToolTip("Previous week (Alt+Left)")
        self.next_button = QPushButton("Next week  ▶")
        self.next_button.setToolTip("Next week (Alt+Right)")
        self.today_button = QPushButton("This week")
        self.week_label = QLabel()
        font = self.week_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.week_label.setFont(font)
        self.week_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prev_button.clicked.connect(self.previous_week)
        self.next_button.clicked.connect(self.next_week)
        self.today_button.clicked.connect(self.this_week)
        QShortcut(QKeySequence("Alt+Left"), self, self.previous_week)
        QShortcut(QKeySequence("Alt+Right"), self, self.next_week)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        # Ctrl+Tab moves between the views from anywhere in the window, not only the tabs.
        QShortcut(QKeySequence("Ctrl+Tab"), self, lambda: self._step_tab(1))
        QShortcut(QKeySequence("Ctrl+Shift+Tab"), self, lambda: self._step_tab(-1))
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.week_label, 1)
        nav.addWidget(self.today_button)
        nav.addWidget(self.next_button)

        # -- the answer, in words
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        bigger = self.headline.font()
        bigger.setPointSizeF(bigger.pointSizeF() * 1.12)
        self.headline.setFont(bigger)

        # -- summary tiles
        self.tiles = {
            "taken": Tile("Breaks taken"),
            "days": Tile("Days at your goal"),
            "movement": Tile("Time on breaks"),
            "sitting": Tile("Longest sitting"),
            "streak": Tile("Streak"),
            "change": Tile("Last week"),
            "checklist": Tile("Workstation check"),
        }
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for index, tile in enumerate(self.tiles.values()):
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            tiles.addWidget(tile, 0, index)

        # -- the week's chart, with a word for the new user over it when it is empty
        self.chart = WeekBars()
        self.empty_label = overlay_label("")
        stack_host = with_overlay(self.chart, self.empty_label)
        legend = QHBoxLayout()
        legend.setSpacing(6)
        for key in SEGMENTS:
            legend.addWidget(_swatch(COLOURS[key], key in ("skipped", "missed")))
            legend.addWidget(QLabel(NAMES[key]))
            legend.addSpacing(8)
        goal_key = QLabel("▬▸ the day's goal")
        legend.addWidget(goal_key)
        legend.addStretch(1)
        self.legend_goal = goal_key
        self.week_page = week_page = QWidget()
        week_layout = QVBoxLayout(week_page)
        week_layout.setContentsMargins(0, 6, 0, 0)
        week_layout.addLayout(tiles)
        week_layout.addWidget(stack_host, 1)
        week_layout.addLayout(legend)

        # -- the same week as a table (screen readers, exact figures)
        self.table = QTableWidget(8, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setAccessibleName("Breaks per day, in figures")

        # -- twelve weeks
        self.trend = TrendBars()
        self.trend_headline = QLabel()
        self.trend_headline.setWordWrap(True)
        self.trend_page = trend_page = QWidget()
        trend_layout = QVBoxLayout(trend_page)
        trend_layout.setContentsMargins(0, 6, 0, 0)
        trend_layout.addWidget(self.trend_headline)
        trend_layout.addWidget(self.trend, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(week_page, "Week")
        self.tabs.addTab(self.table, "Days in detail")
        self.tabs.addTab(trend_page, f"{TREND_WEEKS} weeks")

        # -- export
        self.png_button = QPushButton("Save chart as PNG…")
        self.csv_button = QPushButton("Export the week's record as CSV…")
        self.close_button = QPushButton("Close")
        self.png_button.clicked.connect(self._ask_png)
        self.csv_button.clicked.connect(self._ask_csv)
        self.close_button.clicked.connect(self.close)
        self.status = QLabel()
        self.status.setStyleSheet("color: palette(placeholder-text);")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.png_button)
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(nav)
        layout.addWidget(self.headline)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

    # ---- navigation -------------------------------------------------------------------
    def show_week(self, monday: date) -> None:
        """Load the week starting `monday` (and the 12 weeks ending with it) afresh."""
        self.monday = monday
        self.report = self.source.week(monday)
        self.glance = week_glance(self.report)
        self.trend_reports = self.source.trend(monday)
        self._fill_week(self.report, self.glance)
        self._fill_trend(self.trend_reports)
        earliest = self.source.earliest_monday()
        this = self.source.this_monday()
        self.prev_button.setEnabled(earliest is not None and monday > earliest)
        self.next_button.setEnabled(monday < this)
        self.today_button.setEnabled(monday != this)
        self.setWindowTitle(window_title(monday, this, self.source.today()))
        self.status.clear()

    def previous_week(self) -> None:
        if self.prev_button.isEnabled():
            self.show_week(self.monday - timedelta(days=7))

    def next_week(self) -> None:
        if self.next_button.isEnabled():
            self.show_week(self.monday + timedelta(days=7))

    def this_week(self) -> None:
        self.show_week(self.source.this_monday())

    def _step_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    # ---- export ---------------------------------------------------------------------------
    def save_png(self, path: Path) -> bool:
        """The view on show (12 weeks or the week), under its week and headline, as a PNG."""
        on_trend = self.tabs.currentWidget() is self.trend_page
        page = (self.trend_page if on_trend else self.week_page).grab()
        caption = f"DeskGuard · {self.week_label.text()}\n{self.headline.text()}"
        fm = self.fontMetrics()
        band = fm.height() * 2 + 16
        ratio = page.devicePixelRatio()
        image = QPixmap(page.width(), page.height() + round(band * ratio))
        image.setDevicePixelRatio(ratio)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        width = page.width() / ratio
        painter.drawText(QRectF(8, 4, width - 16, band), int(Qt.AlignmentFlag.AlignLeft), caption)
        painter.drawPixmap(0, band, page)
        painter.end()
        ok = bool(image.save(str(path), "PNG"))
        self.status.setText(f"Saved {path}" if ok else f"Could not save {path}")
        return ok

    def export_csv(self, path: Path) -> int | None:
        """The raw record the shown week was counted from; None when it cannot be written."""
        try:
            with path.open("w", newline="", encoding="utf-8") as handle:
                count = self.source.write_week_csv(self.monday, handle)
        except OSError as err:
            self.status.setText(f"Could not write {path}: {err.strerror or err}")
            return None
        self.status.setText(f"Wrote {count} events to {path}")
        return count

    def _ask_png(self) -> None:
        suggested = str(Path.home() / f"deskguard-week-of-{self.monday.isoformat()}.png")
        name, _ = QFileDialog.getSaveFileName(self, "Save chart", suggested, "PNG image (*.png)")
        if name:
            self.save_png(Path(name))

    def _ask_csv(self) -> None:
        suggested = str(Path.home() / f"deskguard-week-of-{self.monday.isoformat()}.csv")
        name, _ = QFileDialog.getSaveFileName(self, "Export the record", suggested, "CSV (*.csv)")
        if name:
            self.export_csv(Path(name))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.hide()
        event.ignore()  # kept for the next time it is asked for; the data reloads then

    # ---- filling in -------------------------------------------------------------------------
    def _day_name(self, row: DayRow) -> str:
        if row.in_progress:
            return "Today"
        return local_date(row.date, "ddd d")

    def _empty_text(self, report: WeekReport) -> str:
        today = self.source.today()
        this = self.source.this_monday()
        if report.monday != this:
            return f"Nothing was recorded in the week of {week_span(report.monday, today)}."
        upcoming = self.next_break()
        if self.source.earliest_monday() is None:
            if upcoming is None:
                return "Nothing recorded yet.\nYour breaks will show up here as you take them."
            return f"Nothing recorded yet.\nYour first break is {_when(upcoming, today)}."
        if upcoming is None:
            return "No breaks yet this week.\nThey will show up here as you take them."
        return f"No breaks yet this week.\nYour next break is {_when(upcoming, today)}."

    def _fill_week(self, report: WeekReport, glance: WeekGlance) -> None:
        today = self.source.today()
        totals = report.totals
        self.week_label.setText(week_span(report.monday, today))
        empty = report.empty
        self.empty_label.setText(self._empty_text(report) if empty else "")
        self.empty_label.setVisible(empty)
        self.headline.setText(glance.headline or self._empty_text(report).replace("\n", " "))
        self.chart.set_week(glance, [self._day_name(d) for d in report.days])

        t = self.tiles
        share = totals.adherence
        if totals.counted and totals.finished:
            t["taken"].set(
                f"{totals.breaks} of {totals.counted}",
                f"{share:.0%} · goal {report.goal}%" if share is not None else "",
            )
        elif totals.self_started:
            t["taken"].set(str(totals.self_started), "started by you")
        else:
            t["taken"].set("—", f"goal {report.goal}% of breaks")
        ongoing = week_ongoing(report)
        if glance.judged_days:
            t["days"].set(
                f"{glance.met_days} of {glance.judged_days}",
                "working days so far" if ongoing else "working days",
            )
        else:
            t["days"].set("—", "no working day judged yet" if ongoing else "no working days")
        moved = totals.movement_seconds
        t["movement"].set(duration_text(moved) if moved else "—", "standing and moving")
        t["sitting"].set(minutes_text(totals.longest_sitting_minutes), "without a break")
        future = report.monday > today
        t["streak"].setVisible(not future)
        days = "day" if report.streak == 1 else "days"
        t["streak"].set(f"{report.streak} {days}", "in a row at your goal")
        previous = report.previous_adherence
        if previous is None:
            t["change"].set("—", "nothing recorded")
        elif report.change is None:
            t["change"].set(f"{previous:.0%}", "nothing to compare yet")
        else:
            t["change"].set(f"{previous:.0%}", _points(report.change))
        check = report.checklist
        t["checklist"].setVisible(check is not None and check.score.total > 0)
        if check is not None:
            taken = local_date(check.taken_at.date(), "d MMM")
            t["checklist"].set(f"{check.score.ticked} of {check.score.total}", f"on {taken}")

        self._fill_table(report, glance)

    def _fill_table(self, report: WeekReport, glance: WeekGlance) -> None:
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        for r, row in enumerate([*report.days, report.totals]):
            total = r == 7
            mark = None if total else glance.days[r].mark
            if row.adherence is not None:
                share = f"{row.adherence:.0%}"
                if mark in (Mark.MET, Mark.NOT_MET):
                    share += " ✓" if mark is Mark.MET else " ✗"
            elif mark is not None and mark is not Mark.NO_PROMPTS:
                share = MARK_TEXT[mark].replace("+ ", "")
            else:
                share = "—"
            values = [
                "Week" if total else local_date(row.date, "ddd d MMM"),
                str(row.prompted),
                str(row.completed),
                str(row.natural),
                str(row.self_started),
                str(row.skipped),
                str(row.missed),
                str(row.snoozed),
                share,
                duration_text(row.movement_seconds) if row.movement_seconds else "—",
                minutes_text(row.longest_sitting_minutes),
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if total:
                    bold = QFont(item.font())
                    bold.setBold(True)
                    item.setFont(bold)
                elif mark in (Mark.DAY_OFF, Mark.PAUSED, Mark.UPCOMING):
                    item.setForeground(QBrush(muted))
                self.table.setItem(r, c, item)

    def _fill_trend(self, weeks: list[WeekReport]) -> None:
        today = self.source.today()
        self.trend.set_weeks(weeks, self.source.this_monday())
        with_prompts = [w for w in weeks if w.totals.finished]
        met = sum(1 for w in with_prompts if w.totals.meets(w.goal))
        if not weeks:
            self.trend_headline.clear()
            return
        first, last = weeks[0].monday, weeks[-1].monday + timedelta(days=6)
        year = "" if first.year == last.year == today.year else " yyyy"
        span = f"{local_date(first, 'd MMM' + year)} – {local_date(last, 'd MMM' + year)}"
        if not with_prompts:
            self.trend_headline.setText(f"No breaks recorded from {span}.")
            return
        weeks_word = "week" if len(with_prompts) == 1 else "weeks"
        self.trend_headline.setText(
            f"Goal met in {met} of {len(with_prompts)} {weeks_word} with breaks ({span})."
        )

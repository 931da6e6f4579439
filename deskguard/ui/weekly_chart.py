"""The week at a glance: outcome bars per day, adherence against the goal, a 12-week trend.

Every number comes from `core.stats` through a `WeekSource` (the same functions behind
`deskguard report`), read afresh on each show and each step of the navigation. This is
the only module that imports QtCharts; the app imports it when the window is first asked
for (DESIGN §6).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QScatterSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QKeySequence,
    QPainter,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.stats import (
    TREND_WEEKS,
    DayRow,
    WeekReport,
    WeekSource,
    adherence_text,
    minutes_text,
)

TITLE = "DeskGuard — This week"

# Okabe & Ito's palette: told apart with every common form of colour blindness.
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("completed", "Completed", "#009E73"),  # bluish green
    ("natural", "Natural break", "#56B4E9"),  # sky blue
    ("skipped", "Skipped", "#E69F00"),  # orange
    ("missed", "Missed", "#D55E00"),  # vermillion
)
ADHERENCE_COLOUR = "#0072B2"  # blue
GOAL_COLOUR = "#444444"
MUTED = "#6B6B6B"

COLUMNS = (
    "Day",
    "Prompted",
    "Completed",
    "Natural",
    "Snoozed",
    "Skipped",
    "Missed",
    "Adherence",
    "Moved (min)",
    "Longest sitting",
)

EMPTY_WEEK = (
    "No breaks were recorded this week.\n"
    "That is fine: holidays, quiet weeks and pauses happen.\n"
    "Breaks will show up here as they come."
)
EMPTY_FUTURE = "This week has not happened yet.\nBreaks will show up here as they come."


def day_label(row: DayRow) -> str:
    label = row.date.strftime("%a %d")
    if row.status == "day off":
        return f"{label} · off"
    if row.status == "paused":
        return f"{label} · paused"
    return label


def week_title(report: WeekReport) -> str:
    monday = report.monday
    sunday = monday + timedelta(days=6)
    year, week, _ = monday.isocalendar()
    if monday.month == sunday.month:
        span = f"{monday.day}–{sunday:%d %b %Y}"
    else:
        span = f"{monday:%d %b} – {sunday:%d %b %Y}"
    return f"Week {week}, {year} · {span}"


def _pen(colour: str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour))
    pen.setWidthF(width)
    pen.setStyle(style)
    return pen


def _new_chart() -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(6, 6, 6, 6))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _value_axis(low: float, high: float, ticks: int, fmt: str, title: str) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(low, high)
    axis.setTickCount(ticks)
    axis.setLabelFormat(fmt)
    axis.setTitleText(title)
    axis.setGridLinePen(_pen("#E4E4E4", 1))
    return axis


def _category_axis(labels: list[str]) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.append(labels)
    font = QFont(axis.labelsFont())
    font.setPointSizeF(font.pointSizeF() * 0.9)
    axis.setLabelsFont(font)
    return axis


def _goal_line(goal: int, count: int) -> QLineSeries:
    line = QLineSeries()
    line.setName(f"Goal {goal}%")
    line.setPen(_pen(GOAL_COLOUR, 1.6, Qt.PenStyle.DashLine))
    line.append(-0.5, goal)
    line.append(count - 0.5, goal)
    return line


def overlay_label(text: str, background: str) -> QLabel:
    """The centred card shown over an empty chart."""
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(
        f"color: {MUTED}; background: {background}; padding: 18px;"
        " border: 1px solid #DADDE2; border-radius: 8px;"
    )
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def with_overlay(view: QWidget, label: QLabel) -> QWidget:
    """`view` with `label` floating over it (clicks pass through to the view)."""
    host = QWidget()
    stack = QStackedLayout(host)
    stack.setStackingMode(QStackedLayout.StackingMode.StackAll)
    overlay = QWidget()
    overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    overlay_layout = QVBoxLayout(overlay)
    overlay_layout.addStretch(2)
    overlay_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
    overlay_layout.addStretch(3)
    stack.addWidget(overlay)
    stack.addWidget(view)
    return host


class Tile(QFrame):
    """One summary figure: a big value over a short caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "QFrame#tile { background: #F6F7F9; border: 1px solid #DADDE2; border-radius: 6px; }"
        )
        self.value = QLabel("—")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet(f"color: {MUTED};")
        self.note = QLabel("")
        self.note.setStyleSheet(f"color: {MUTED};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set(self, value: str, note: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)
        self.setAccessibleName(f"{self.caption.text()}: {value} {note}".strip())


class WeeklyChartWindow(QWidget):
    """The "This week" window. `show_week` loads a week; the buttons move between weeks."""

    def __init__(self, source: WeekSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.monday = source.this_monday()
        self.report: WeekReport | None = None
        self.trend_reports: list[WeekReport] = []
        self.setWindowTitle(TITLE)
        self.resize(900, 680)

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
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.week_label, 1)
        nav.addWidget(self.today_button)
        nav.addWidget(self.next_button)

        # -- summary tiles
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.tiles = {
            "adherence": Tile("Adherence"),
            "taken": Tile("Breaks taken"),
            "movement": Tile("Movement"),
            "sitting": Tile("Longest sitting stretch"),
            "streak": Tile("Streak at goal"),
            "change": Tile("Change from last week"),
            "checklist": Tile("Workstation checklist"),
        }
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for index, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, 0, index)

        # -- the week's chart, with a kind word over it when it is empty
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setAccessibleName("Breaks per day and adherence against the goal")
        self.chart_view.setMinimumHeight(320)
        self.empty_label = overlay_label(EMPTY_WEEK, "rgba(255, 255, 255, 215)")
        self.empty_label.setWordWrap(False)  # the text has its own line breaks
        stack_host = with_overlay(self.chart_view, self.empty_label)
        self.week_page = week_page = QWidget()
        week_layout = QVBoxLayout(week_page)
        week_layout.setContentsMargins(0, 6, 0, 0)
        week_layout.addLayout(tiles)
        week_layout.addWidget(stack_host, 1)

        # -- the same week as a table (readable by screen readers and for exact figures)
        self.table = QTableWidget(8, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Breaks per day this week")

        # -- twelve weeks
        self.trend_view = QChartView()
        self.trend_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.trend_view.setAccessibleName(f"Adherence per week over {TREND_WEEKS} weeks")

        self.tabs = QTabWidget()
        self.tabs.addTab(week_page, "Week")
        self.tabs.addTab(self.table, "Days in detail")
        self.tabs.addTab(self.trend_view, f"{TREND_WEEKS} weeks")

        # -- export
        self.png_button = QPushButton("Save chart as PNG…")
        self.csv_button = QPushButton("Export week's events as CSV…")
        self.close_button = QPushButton("Close")
        self.png_button.clicked.connect(self._ask_png)
        self.csv_button.clicked.connect(self._ask_csv)
        self.close_button.clicked.connect(self.close)
        self.status = QLabel()
        self.status.setStyleSheet(f"color: {MUTED};")
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
        self.trend_reports = self.source.trend(monday)
        self._fill_week(self.report)
        self._fill_trend(self.trend_reports)
        earliest = self.source.earliest_monday()
        this = self.source.this_monday()
        self.prev_button.setEnabled(earliest is not None and monday > earliest)
        self.next_button.setEnabled(monday < this)
        self.today_button.setEnabled(monday != this)
        self.status.clear()

    def previous_week(self) -> None:
        if self.prev_button.isEnabled():
            self.show_week(self.monday - timedelta(days=7))

    def next_week(self) -> None:
        if self.next_button.isEnabled():
            self.show_week(self.monday + timedelta(days=7))

    def this_week(self) -> None:
        self.show_week(self.source.this_monday())

    # ---- what the charts show (tests compare these with the stats) -----------------------
    def bar_values(self) -> dict[str, list[int]]:
        """Each outcome's bar heights per day, read back from the chart."""
        values: dict[str, list[int]] = {}
        for series in self.chart_view.chart().series():
            if isinstance(series, QStackedBarSeries):
                for bar_set in series.barSets():
                    key = str(bar_set.property("outcome"))
                    values[key] = [round(bar_set.at(i)) for i in range(bar_set.count())]
        return values

    def adherence_points(self) -> list[tuple[float, float]]:
        """(day index, percent) of the adherence line, read back from the chart."""
        for series in self.chart_view.chart().series():
            if isinstance(series, QScatterSeries) and series.name() == "Adherence":
                return [(p.x(), p.y()) for p in series.points()]
        return []

    def trend_values(self) -> list[float | None]:
        """Adherence percent per week of the trend chart; None for weeks without prompts."""
        for series in self.trend_view.chart().series():
            if isinstance(series, QBarSeries):
                [bar_set] = series.barSets()
                return [
                    None if w.adherence is None else bar_set.at(i)
                    for i, w in enumerate(self.trend_reports)
                ]
        return []

    # ---- export ---------------------------------------------------------------------------
    def save_png(self, path: Path) -> bool:
        """The chart on show (the trend when that tab is open, else the week) as a PNG."""
        on_trend = self.tabs.currentWidget() is self.trend_view
        target: QWidget = self.trend_view if on_trend else self.week_page
        ok = bool(target.grab().save(str(path), "PNG"))
        self.status.setText(f"Saved {path}" if ok else f"Could not save {path}")
        return ok

    def export_csv(self, path: Path) -> int | None:
        """The raw events the shown week was counted from; None when it cannot be written."""
        try:
            with path.open("w", newline="", encoding="utf-8") as handle:
                count = self.source.write_week_csv(self.monday, handle)
        except OSError as err:
            self.status.setText(f"Could not write {path}: {err.strerror or err}")
            return None
        self.status.setText(f"Wrote {count} events to {path}")
        return count

    def _ask_png(self) -> None:
        suggested = str(Path.home() / f"deskguard-{self._week_name()}.png")
        name, _ = QFileDialog.getSaveFileName(self, "Save chart", suggested, "PNG image (*.png)")
        if name:
            self.save_png(Path(name))

    def _ask_csv(self) -> None:
        suggested = str(Path.home() / f"deskguard-{self._week_name()}-events.csv")
        name, _ = QFileDialog.getSaveFileName(self, "Export events", suggested, "CSV (*.csv)")
        if name:
            self.export_csv(Path(name))

    def _week_name(self) -> str:
        return self.report.week if self.report is not None else "week"

    def closeEvent(self, event: QCloseEvent) -> None:
        self.hide()
        event.ignore()  # kept for the next time it is asked for; the data reloads then

    # ---- filling in -------------------------------------------------------------------------
    def _fill_week(self, report: WeekReport) -> None:
        totals = report.totals
        self.week_label.setText(week_title(report))
        upcoming = all(d.upcoming or not d.working_day for d in report.days)
        if report.empty:
            self.headline.setText(f"{report.week}: no break prompts this week")
            self.empty_label.setText(EMPTY_FUTURE if upcoming else EMPTY_WEEK)
        else:
            share = f" ({totals.adherence:.0%})" if totals.adherence is not None else ""
            self.headline.setText(
                f"{report.week}: {totals.taken} of {totals.finished} breaks taken{share}"
                + (f", {totals.natural} of them natural" if totals.natural else "")
            )
        self.empty_label.setVisible(report.empty)

        t = self.tiles
        if totals.adherence is None:
            t["adherence"].set("—", f"goal {report.goal}%")
        else:
            met = "goal met" if totals.meets(report.goal) else f"goal {report.goal}%"
            t["adherence"].set(f"{totals.adherence:.0%}", met)
        t["taken"].set(str(totals.taken), f"of {totals.finished} · {totals.snoozed} snoozes")
        t["movement"].set(minutes_text(totals.movement_minutes), "timed breaks")
        t["sitting"].set(minutes_text(totals.longest_sitting_minutes), "without a break")
        days = "day" if report.streak == 1 else "days"
        t["streak"].set(f"{report.streak} {days}", f"at or above {report.goal}%")
        if report.change is None:
            t["change"].set("—", "nothing to compare")
        else:
            t["change"].set(f"{report.change:+.0f} pts", f"vs {report.previous_week}")
        check = report.checklist
        t["checklist"].setVisible(check is not None)
        if check is not None:
            t["checklist"].set(str(check.score), f"on {check.taken_at:%d %b %Y}")

        self._fill_table(report)
        self.chart_view.setChart(self._week_chart(report))

    def _fill_table(self, report: WeekReport) -> None:
        for r, row in enumerate([*report.days, report.totals]):
            sitting = row.longest_sitting_minutes
            values = [
                "Total" if r == 7 else row.date.strftime("%a %d %b"),
                str(row.prompted),
                str(row.completed),
                str(row.natural),
                str(row.snoozed),
                str(row.skipped),
                str(row.missed),
                adherence_text(row),
                str(row.movement_minutes),
                minutes_text(sitting) if sitting is not None else "—",
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if r == 7:
                    bold = QFont(item.font())
                    bold.setBold(True)
                    item.setFont(bold)
                elif row.status in ("day off", "paused", "upcoming"):
                    item.setForeground(QBrush(QColor(MUTED)))
                self.table.setItem(r, c, item)

    def _week_chart(self, report: WeekReport) -> QChart:
        chart = _new_chart()
        chart.setTitle(f"Breaks per day · {week_title(report)}")  # names the week in a PNG
        bars = QStackedBarSeries()
        bars.setBarWidth(0.6)
        for key, name, colour in OUTCOMES:
            bar_set = QBarSet(name)
            bar_set.setProperty("outcome", key)
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour).darker(115))
            bar_set.append([float(getattr(day, key)) for day in report.days])
            bars.append(bar_set)
        chart.addSeries(bars)

        days = _category_axis([day_label(d) for d in report.days])
        chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        most = max((d.finished for d in report.days), default=0)
        top = max(4, most + 1)
        counts = _value_axis(0, top, min(top, 8) + 1 if top <= 8 else 5, "%d", "Breaks")
        if top > 8:
            counts.setRange(0, ((top + 3) // 4) * 4)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(days)
        bars.attachAxis(counts)

        share = _value_axis(0, 105, 6, "%d%%", "Adherence")  # room for a dot at 100 %
        share.setTickType(QValueAxis.TickType.TicksDynamic)
        share.setTickAnchor(0)
        share.setTickInterval(20)
        share.setGridLineVisible(False)
        chart.addAxis(share, Qt.AlignmentFlag.AlignRight)
        goal = _goal_line(report.goal, len(report.days))
        points = [
            (float(i), 100 * d.adherence)
            for i, d in enumerate(report.days)
            if d.adherence is not None
        ]
        # Lines join neighbouring days that have a result; a day without one breaks them.
        runs: list[QLineSeries] = []
        for x, y in points:
            if not runs or runs[-1].at(runs[-1].count() - 1).x() != x - 1:
                runs.append(QLineSeries())
                runs[-1].setPen(_pen(ADHERENCE_COLOUR, 2.4))
            runs[-1].append(QPointF(x, y))
        marks = QScatterSeries()
        marks.setName("Adherence")
        marks.setColor(QColor(ADHERENCE_COLOUR))
        marks.setBorderColor(QColor("white"))
        marks.setMarkerSize(11)
        for x, y in points:
            marks.append(QPointF(x, y))
        for series in (goal, *runs, marks):
            chart.addSeries(series)
            series.attachAxis(days)
            series.attachAxis(share)
        for run in runs:
            chart.legend().markers(run)[0].setVisible(False)  # the dots carry the name
        return chart

    def _fill_trend(self, weeks: list[WeekReport]) -> None:
        chart = _new_chart()
        if weeks:
            first, last = weeks[0].monday, weeks[-1].monday + timedelta(days=6)
            chart.setTitle(
                f"Adherence per week, {len(weeks)} weeks: {first:%d %b %Y} – {last:%d %b %Y}"
                " (— : no prompts that week)"
            )
        bar_set = QBarSet("Adherence")
        bar_set.setColor(QColor(ADHERENCE_COLOUR))
        bar_set.setBorderColor(QColor(ADHERENCE_COLOUR).darker(115))
        bar_set.append([100 * (w.adherence or 0.0) for w in weeks])
        bars = QBarSeries()
        bars.setBarWidth(0.6)
        bars.append(bar_set)
        chart.addSeries(bars)
        labels = _category_axis([self._trend_label(w) for w in weeks])
        chart.addAxis(labels, Qt.AlignmentFlag.AlignBottom)
        share = _value_axis(0, 100, 6, "%d%%", "Adherence")
        chart.addAxis(share, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(labels)
        bars.attachAxis(share)
        goal = _goal_line(weeks[0].goal if weeks else 80, len(weeks))
        chart.addSeries(goal)
        goal.attachAxis(labels)
        goal.attachAxis(share)
        self.trend_view.setChart(chart)

    def _trend_label(self, week: WeekReport) -> str:
        share = "—" if week.adherence is None else f"{week.adherence:.0%}"
        return f"W{week.monday.isocalendar()[1]} {share}"

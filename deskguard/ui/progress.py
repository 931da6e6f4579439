"""Back-care progress: pain against breaks and sessions, week by week (issue 7 item 5).

The same visual language as the weekly chart (ui/chart_parts.py): its tiles, chart
helpers and Okabe & Ito colours. Per week, bars for break adherence and for programme
sessions done (as a share of the planned ones), a line for the mean pain rating (0–10,
before sessions and at the weekly check-in), and above them markers on the day a phase
changed or a session was stopped by sharp pain. Every figure comes from
`core.progress.summarise` (through `therapist_report.progress_summary`), i.e.
`core.programme.weekly_progress` and the break stats' `trend`, read afresh whenever the
window is shown or the programme changes.

Imports QtCharts: the app imports this module only when the window is first opened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCharts import (
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLegend,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import QPointF, QStandardPaths, Qt
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QCursor,
    QHideEvent,
    QImage,
    QKeySequence,
    QPainter,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from deskguard.core import programme
from deskguard.core.programme import Kind
from deskguard.core.progress import (
    DEFAULT_WEEKS,
    WEEK_COLUMNS,
    Milestone,
    ProgressSummary,
    review_text,
    week_rows,
)
from deskguard.core.stats import WeekSource
from deskguard.services.programme import Coach
from deskguard.ui.chart_parts import (
    Tile,
    _category_axis,
    _new_chart,
    _pen,
    _value_axis,
    muted_colour,
    overlay_label,
    warning_text,
    with_overlay,
)
from deskguard.ui.therapist_report import (
    ADHERENCE_COLOUR,
    ADVANCE_COLOUR,
    PAIN_COLOUR,
    SEE_THERAPIST,
    SEE_THERAPIST_WHY,
    SESSIONS_COLOUR,
    STEP_BACK_COLOUR,
    STOP_COLOUR,
    WARNING_BACKGROUND,
    WARNING_BORDER,
    SummaryError,
    _draw_cross,
    _triangle,
    progress_summary,
    write_summary,
)
from deskguard.ui.widgets import local_date

TITLE = "DeskGuard — Back-care progress"
SAVE_LABEL = "Save summary for your physiotherapist…"

NOT_STARTED = (
    "The back-care programme has not started yet.\n"
    "Once it has, your sessions and pain ratings appear here week by week,\n"
    "beside the breaks you take."
)
NO_RATINGS = (
    "No pain ratings in these weeks yet. Rate your pain before a session or at the weekly "
    "check-in, and the pain line appears."
)
SOME_UNRATED = "Weeks without a pain rating leave a gap in the pain line."
PAIN_TOP = 11.6  # the pain axis runs past 10 to leave a strip for the markers
PHASE_ROW = 11.0  # where phase changes sit on the pain axis
STOP_ROW = 10.35  # where sharp stops sit

# Marker kinds: (key, legend name, colour); the key is what tests ask for.
MARKERS: tuple[tuple[str, str, str], ...] = (
    ("advanced", "Phase up", ADVANCE_COLOUR),
    ("stepped_back", "Stepped back", STEP_BACK_COLOUR),
    ("stopped", "Sharp pain stop", STOP_COLOUR),
)


def _marker_image(key: str, colour: str, size: int = 15) -> QImage:
    """The same triangle and cross shapes the printed chart uses."""
    scale = 2  # drawn at twice the size for high-DPI screens
    image = QImage(size * scale, size * scale, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    centre = QPointF(size / 2, size / 2)
    r = size * 0.42
    if key == "stopped":
        _draw_cross(painter, centre, r * 0.8, colour)
    else:
        painter.setPen(_pen("white", 1.0))
        painter.setBrush(QColor(colour))
        painter.drawPath(_triangle(centre, r, key == "advanced"))
    painter.end()
    return image


def sessions_text(done: int, planned: int) -> str:
    """Sessions against the plan, never "1 of 0": a session done before the first
    planned day (a programme started on a Saturday) is ahead of the plan."""
    sessions = "session" if done == 1 else "sessions"
    if planned == 0:
        if done == 0:
            return "No sessions planned yet: they start on your next session day"
        return f"{done} {sessions} done, ahead of your plan"
    return f"{done} of {planned} planned sessions done"


class ProgressWindow(QWidget):
    """Pain against breaks and sessions over `weeks` weeks, with the physiotherapist's summary."""

    def __init__(
        self,
        coach: Coach,
        breaks: WeekSource,
        weeks: int = DEFAULT_WEEKS,
        parent: QWidget | None = None,
        open_programme: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.coach = coach
        self.breaks = breaks
        self.open_programme = open_programme
        self.weeks = weeks
        self.summary: ProgressSummary | None = None
        self._marker_tips: dict[str, list[tuple[float, str]]] = {}
        self._stale = False
        self.setWindowTitle(TITLE)
        self.resize(960, 720)

        self.headline = QLabel()
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.headline.setFont(font)
        self.period = QLabel()
        self.period.setStyleSheet("color: palette(placeholder-text);")

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setStyleSheet(
            f"background: {WARNING_BACKGROUND}; border: 1px solid {WARNING_BORDER};"
            " border-radius: 6px; padding: 8px;"
        )
        self.banner.setAccessibleName("Advice")

        self.tiles = {
            "phase": Tile("Current phase"),
            "sessions": Tile("Sessions this week"),
            "pain": Tile("Pain this week"),
            "review": Tile("Four-week review"),
            "breaks": Tile("Breaks taken this week"),
        }
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for index, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, 0, index)

        # -- the chart, with a kind word over it when the programme has not started
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setAccessibleName("Pain against breaks and sessions, week by week")
        self.chart_view.setMinimumHeight(340)
        self.empty_label = overlay_label(NOT_STARTED)
        stack_host = with_overlay(self.chart_view, self.empty_label)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(placeholder-text); padding: 0 4px 4px 4px;")
        self.chart_page = chart_page = QWidget()
        chart_layout = QVBoxLayout(chart_page)
        chart_layout.setContentsMargins(0, 6, 0, 0)
        chart_layout.addLayout(tiles)
        chart_layout.addWidget(stack_host, 1)
        chart_layout.addWidget(self.note)

        self.table = QTableWidget(0, len(WEEK_COLUMNS))
        self.table.setHorizontalHeaderLabels(WEEK_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Programme and breaks per week")

        self.history = QTableWidget(0, 2)
        self.history.setHorizontalHeaderLabels(["Date", "What happened"])
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.setWordWrap(True)
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.history.setAccessibleName("Programme history: start, phase changes, sharp stops")

        self.tabs = QTabWidget()
        self.tabs.addTab(chart_page, "Trend")
        self.tabs.addTab(self.table, "Weeks in detail")
        self.tabs.addTab(self.history, "History")

        self.disclaimer = QLabel(programme.NOT_MEDICAL_ADVICE)
        self.disclaimer.setWordWrap(True)
        self.disclaimer.setStyleSheet("color: palette(placeholder-text);")

        self.save_button = QPushButton(SAVE_LABEL)
        self.save_button.setToolTip(
            "A printable PDF of this view (with the phase history and red-flag answers)"
            " and a CSV of the weekly figures beside it"
        )
        self.close_button = QPushButton("Close")
        self.save_button.clicked.connect(self._ask_summary)
        self.close_button.clicked.connect(self.close)
        # Not started: the way to start is here, not only in another window.
        self.start_button = QPushButton("Start the programme…")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._start_programme)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.period)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.disclaimer)
        layout.addLayout(buttons)

        coach.changed.connect(self.refresh)
        self.refresh()

    # ---- reading ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the programme and the breaks afresh and redraw everything."""
        summary = progress_summary(self.coach, self.breaks, self.weeks)
        self.summary = summary
        self._fill_header(summary)
        self._fill_tiles(summary)
        self._fill_table(summary)
        self._fill_history(summary)
        self.chart_view.setChart(self._chart(summary))
        self.empty_label.setVisible(not summary.started)
        if not summary.started:
            self.note.setText("")
        elif not summary.has_ratings:
            self.note.setText(NO_RATINGS)
        elif any(w.programme.mean_pain is None for w in summary.weeks if w.programme.phase):
            self.note.setText(SOME_UNRATED)
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))
        self.save_button.setEnabled(summary.started)
        self.start_button.setVisible(not summary.started and self.open_programme is not None)
        self.save_button.setToolTip(
            self.save_button.toolTip() if summary.started else "Start the programme first."
        )

    def _start_programme(self) -> None:
        if self.open_programme is not None:
            self.open_programme()

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:  # breaks happen all the time: shown again, read again
            self.refresh()
            self._stale = False
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._stale = True
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.hide()
        event.ignore()  # kept for the next time it is asked for; the data reloads then

    # ---- what the chart shows (tests compare these with weekly_progress) ------------------
    def bar_values(self) -> dict[str, list[float | None]]:
        """Per week, break adherence and sessions done as percent; None where there is none."""
        out: dict[str, list[float | None]] = {}
        if self.summary is None:
            return out
        for series in self.chart_view.chart().series():
            if isinstance(series, QBarSeries):
                for bar_set in series.barSets():
                    key = str(bar_set.property("key"))
                    out[key] = [bar_set.at(i) for i in range(bar_set.count())]
        weeks = self.summary.weeks
        for i, w in enumerate(weeks):
            if w.break_adherence is None:
                out["breaks"][i] = None
            if w.sessions_share is None:
                out["sessions"][i] = None
        return out

    def pain_points(self) -> list[tuple[float, float]]:
        """(week index, mean pain) of the pain line's dots."""
        for series in self.chart_view.chart().series():
            if isinstance(series, QScatterSeries) and series.property("key") == "pain":
                return [(p.x(), p.y()) for p in series.points()]
        return []

    def pain_runs(self) -> list[list[float]]:
        """The week indexes each drawn piece of the pain line joins."""
        return [
            [p.x() for p in series.points()]
            for series in self.chart_view.chart().series()
            if isinstance(series, QLineSeries)
            and not isinstance(series, QScatterSeries)
            and series.property("key") == "pain-run"
        ]

    def markers(self) -> dict[str, list[float]]:
        """x positions (week index plus the day within it) of each kind of marker."""
        out: dict[str, list[float]] = {key: [] for key, _, _ in MARKERS}
        for series in self.chart_view.chart().series():
            key = series.property("key")
            if isinstance(series, QScatterSeries) and key in out:
                out[str(key)] = [p.x() for p in series.points()]
        return out

    def category_labels(self) -> list[str]:
        for axis in self.chart_view.chart().axes(Qt.Orientation.Horizontal):
            return list(axis.property("labels") or [])
        return []

    # ---- saving -------------------------------------------------------------------------
    def save_summary(self, path: Path) -> tuple[Path, Path] | None:
        """Writes the PDF and the CSV; None (and the reason on show) when it cannot."""
        try:
            pdf, csv = write_summary(path, self.coach, self.breaks, self.weeks)
        except SummaryError as err:
            self.status.setStyleSheet(f"color: {warning_text()};")
            self.status.setText(str(err))
            return None
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.setText(f"Saved {pdf.name} and {csv.name} in {pdf.parent}")
        return pdf, csv

    def suggested_path(self) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        base = Path(folder) if folder else Path.home()
        return base / f"deskguard-back-care-summary-{self.coach.today():%Y-%m-%d}.pdf"

    def _ask_summary(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save summary for your physiotherapist", str(self.suggested_path()), "PDF (*.pdf)"
        )
        if name:
            self.save_summary(Path(name))

    # ---- filling in ------------------------------------------------------------------------
    def _fill_header(self, summary: ProgressSummary) -> None:
        state = summary.status
        weeks = summary.weeks
        self.period.setText(
            f"{len(weeks)} {'week' if len(weeks) == 1 else 'weeks'}: {summary.period_text()}"
        )
        if state.started is None:
            self.headline.setText("Back-care programme: not started")
        else:
            done = sum(w.programme.sessions for w in weeks)
            planned = sum(w.programme.planned for w in weeks)
            stops = sum(w.programme.stopped for w in weeks)
            text = sessions_text(done, planned)
            if stops:
                text += f", {stops} stopped by sharp pain"
            self.headline.setText(text)
        review = state.review
        if state.paused and any(r != "user" for r in state.pause_reasons):
            self.banner.setText(
                "<b>The programme is paused</b> until a clinician has checked the warning "
                "signs you reported. The summary lists them for your appointment."
            )
        elif review is not None and review.see_therapist:
            self.banner.setText(f"<b>{SEE_THERAPIST}.</b> {SEE_THERAPIST_WHY}")
        else:
            self.banner.setText("")
        self.banner.setVisible(bool(self.banner.text()))

    def _fill_tiles(self, summary: ProgressSummary) -> None:
        state = summary.status
        t = self.tiles
        week = summary.this_week()
        if week.break_adherence is None:
            t["breaks"].set("—", "no break prompts yet")
        else:
            t["breaks"].set(
                f"{week.break_adherence:.0%}", f"{week.breaks_taken} of {week.breaks_finished}"
            )
        if state.started is None:
            for key in ("phase", "sessions", "pain", "review"):
                t[key].set("—", "not started")
            return
        phase = programme.phase(state.phase)
        t["phase"].set(
            f"Phase {phase.number} of {programme.PHASE_COUNT}",
            "paused" if state.paused else phase.title,
        )
        if week.programme.planned:
            value = f"{week.programme.sessions} of {week.programme.planned}"
            t["sessions"].set(value, summary.days_text())
        else:
            t["sessions"].set(str(week.programme.sessions), "none planned yet this week")
        if week.programme.mean_pain is None:
            t["pain"].set("—", "no rating yet")
        else:
            t["pain"].set(
                f"{week.programme.mean_pain:.1f}", f"worst {week.programme.worst_pain} · 0–10"
            )
        review = state.review
        note_style = "color: palette(placeholder-text);"
        if review is None:
            due = state.review_on
            past = due is not None and due <= summary.today
            when = "" if due is None else local_date(due, "d MMM")
            t["review"].set("—", "no ratings to compare" if past else f"due {when}")
        else:
            value = f"{review.baseline:.1f} → {review.recent:.1f}"
            better = review_text(review).split("(", 1)[1].rstrip(")")
            if review.see_therapist:
                t["review"].set(value, f"{better}: see a physiotherapist")
                note_style = f"color: {warning_text()}; font-weight: bold;"
            else:
                t["review"].set(value, better)
        t["review"].note.setStyleSheet(note_style)

    def _fill_table(self, summary: ProgressSummary) -> None:
        rows = week_rows(summary)
        self.table.setRowCount(len(rows))
        for r, (row, week) in enumerate(zip(rows, summary.weeks, strict=True)):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if week.programme.phase is None:
                    item.setForeground(QBrush(muted_colour()))
                self.table.setItem(r, c, item)

    def _fill_history(self, summary: ProgressSummary) -> None:
        """Start, phase changes, sharp stops, pauses and the red-flag answers, by date."""
        rows = [(m.at, m.text) for m in summary.timeline]
        self.history.setRowCount(max(1, len(rows)))
        if not rows:
            self.history.setItem(0, 0, QTableWidgetItem("—"))
            self.history.setItem(0, 1, QTableWidgetItem("The programme has not started."))
            return
        for r, (at, text) in enumerate(rows):
            self.history.setItem(r, 0, QTableWidgetItem(local_date(at.date(), "ddd d MMM yyyy")))
            self.history.setItem(r, 1, QTableWidgetItem(text))
        self.history.resizeRowsToContents()

    def _chart(self, summary: ProgressSummary) -> QChart:
        chart = _new_chart()
        weeks = summary.weeks
        first, last = weeks[0], weeks[-1]
        sunday = last.monday + timedelta(days=6)
        year = " yyyy"
        if len(weeks) == 1:
            span = f"week of {local_date(first.monday, 'd MMM yyyy')}"
        else:
            start = local_date(
                first.monday, "d MMM" + ("" if first.monday.year == sunday.year else year)
            )
            span = f"{start} – {local_date(sunday, 'd MMM yyyy')}"
        chart.setTitle(f"Pain against breaks and sessions · {span}")

        bars = QBarSeries()
        bars.setBarWidth(0.7)
        for key, name, colour, values in (
            ("breaks", "Breaks taken", ADHERENCE_COLOUR, [w.break_adherence for w in weeks]),
            (
                "sessions",
                "Sessions done",
                SESSIONS_COLOUR,
                [w.sessions_share for w in weeks],
            ),
        ):
            bar_set = QBarSet(name)
            bar_set.setProperty("key", key)
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour).darker(115))
            bar_set.append([100 * (v or 0.0) for v in values])
            bars.append(bar_set)
        chart.addSeries(bars)

        labels = [self._week_label(w.monday, w.programme.phase) for w in weeks]
        axis_x = _category_axis(labels)
        axis_x.setProperty("labels", labels)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        # Pain 10 sits level with 100 %, so both axes share their grid lines; above them
        # runs the strip for the markers.
        shares = [100 * s for w in weeks for s in (w.sessions_share,) if s is not None]
        highest = max([100.0, *shares])
        most = next((top for top in (100, 150, 200) if highest <= top), 100 * -(-highest // 100))
        axis_share = _value_axis(0, most * PAIN_TOP / 10, 6, "%d%%", "Breaks taken, sessions done")
        axis_share.setTickType(QValueAxis.TickType.TicksDynamic)
        axis_share.setTickAnchor(0)
        axis_share.setTickInterval(most / 5)
        chart.addAxis(axis_share, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(axis_x)
        bars.attachAxis(axis_share)

        axis_pain = _value_axis(0, PAIN_TOP, 6, "%d", "Mean pain (0–10)")
        axis_pain.setTickType(QValueAxis.TickType.TicksDynamic)
        axis_pain.setTickAnchor(0)
        axis_pain.setTickInterval(2)
        axis_pain.setGridLineVisible(False)
        chart.addAxis(axis_pain, Qt.AlignmentFlag.AlignRight)

        points = [
            (float(i), w.programme.mean_pain)
            for i, w in enumerate(weeks)
            if w.programme.mean_pain is not None
        ]
        runs: list[QLineSeries] = []
        for x, y in points:
            if not runs or runs[-1].at(runs[-1].count() - 1).x() != x - 1:
                runs.append(QLineSeries())
                runs[-1].setProperty("key", "pain-run")
                runs[-1].setPen(_pen(PAIN_COLOUR, 2.6))
            runs[-1].append(QPointF(x, y))
        dots = QScatterSeries()
        dots.setName("Mean pain")
        dots.setProperty("key", "pain")
        dots.setColor(QColor(PAIN_COLOUR))
        dots.setBorderColor(QColor("white"))
        dots.setMarkerSize(11)
        for x, y in points:
            dots.append(QPointF(x, y))
        extra: list[QXYSeries] = [*runs, dots]

        self._marker_tips = {}
        for key, name, colour in MARKERS:
            moments = self._markers_of(summary, key)
            marks = QScatterSeries()
            marks.setName(name)
            marks.setProperty("key", key)
            marks.setColor(QColor(colour))
            marks.setBorderColor(QColor("white"))
            marks.setMarkerSize(15)
            marks.setLightMarker(_marker_image(key, colour))
            row = STOP_ROW if key == "stopped" else PHASE_ROW
            tips = self._marker_tips[key] = []
            for m in moments:
                index = summary.week_index(m.day)
                if index is None:
                    continue
                x = index - 0.5 + (m.day.weekday() + 0.5) / 7
                marks.append(QPointF(x, row))
                tips.append((x, f"{local_date(m.at.date(), 'ddd d MMM')}: {m.text}"))
            marks.hovered.connect(
                lambda point, state, key=key: self._show_marker_tip(key, point, state)
            )
            extra.append(marks)
        for series in extra:
            chart.addSeries(series)
            series.attachAxis(axis_x)
            series.attachAxis(axis_pain)
        for run in runs:
            chart.legend().markers(run)[0].setVisible(False)  # the dots carry the name
        # Nothing to explain: no sessions planned yet, no ratings yet.
        chart.legend().markers(dots)[0].setVisible(bool(points))
        shown = {
            "breaks": any(w.break_adherence is not None for w in weeks),
            "sessions": any(w.sessions_share is not None for w in weeks),
        }
        for marker in chart.legend().markers(bars):
            for bar_set in bars.barSets():
                if marker.label() == bar_set.label():
                    marker.setVisible(shown[str(bar_set.property("key"))])
        for series in extra[len(runs) :]:
            [marker] = chart.legend().markers(series)
            marker.setShape(QLegend.MarkerShape.MarkerShapeFromSeries)
            if not self._marker_tips.get(str(series.property("key")), True):
                marker.setVisible(False)  # nothing of the kind to explain
        return chart

    @staticmethod
    def _markers_of(summary: ProgressSummary, key: str) -> list[Milestone]:
        kind = {
            "advanced": Kind.ADVANCED,
            "stepped_back": Kind.STEPPED_BACK,
            "stopped": Kind.SESSION_STOPPED,
        }[key]
        return [m for m in summary.in_period(summary.timeline) if m.kind is kind]

    def _show_marker_tip(self, key: str, point: QPointF, state: bool) -> None:
        if not state:
            QToolTip.hideText()
            return
        texts = [text for x, text in self._marker_tips.get(key, []) if abs(x - point.x()) < 0.01]
        if texts:
            QToolTip.showText(QCursor.pos(), "\n".join(texts))

    @staticmethod
    def _week_label(monday: date, phase: int | None) -> str:
        """The week by its Monday's date, and its phase under it (QtCharts reads <br>)."""
        week = local_date(monday, "d MMM")
        return week if phase is None else f"{week}<br>phase {phase}"

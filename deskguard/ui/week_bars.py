"""The two charts of the "This week" window, painted from the palette (light or dark).

`WeekBars` draws `core.glance.WeekGlance`: one value axis counting breaks, a stacked bar
per day, the day's goal mark on the same scale, and under each day its name and how it
did in words. `TrendBars` draws twelve weeks on one percent axis with the goal line,
each week's figure over its bar and a tick on the weeks that met the goal. Both say
where each label goes and how wide it may be (`label_fits`), so a test can prove that
nothing is cut off at the window's default size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from deskguard.core.glance import SEGMENTS, TAKEN_SEGMENTS, DayGlance, Mark, WeekGlance
from deskguard.core.stats import WeekReport
from deskguard.ui.widgets import local_date

# Okabe & Ito's palette: told apart with every common form of colour blindness. Breaks
# the user did not take are also hatched, so the two kinds differ without colour.
COLOURS = {
    "completed": "#009E73",
    "natural": "#56B4E9",
    "self_started": "#CC79A7",
    "skipped": "#E69F00",
    "missed": "#D55E00",
}
NAMES = {
    "completed": "Completed",
    "natural": "Away anyway",
    "self_started": "Started by you",
    "skipped": "Skipped",
    "missed": "Missed",
}
WEEK_COLOUR = "#0072B2"
MARK_TEXT = {
    Mark.MET: "✓ goal met",
    Mark.NOT_MET: "✗ not met",
    Mark.TODAY: "so far",
    Mark.DAY_OFF: "day off",
    Mark.BONUS: "+ bonus",
    Mark.PAUSED: "paused",
    Mark.NO_PROMPTS: "no prompts",
    Mark.UPCOMING: "",
}
PAD = 6.0


@dataclass(frozen=True)
class LabelFit:
    """One label as laid out: its text, the width it needs and the width it is given."""

    where: str
    text: str
    needed: float
    available: float

    @property
    def fits(self) -> bool:
        return self.needed <= self.available


def _roles(widget: QWidget) -> tuple[QColor, QColor, QColor, QColor]:
    """Background, text, muted text and grid colours of the widget's palette."""
    pal = widget.palette()
    base = pal.color(QPalette.ColorRole.Base)
    text = pal.color(QPalette.ColorRole.Text)
    muted = pal.color(QPalette.ColorRole.PlaceholderText)
    if abs(muted.lightness() - base.lightness()) < 90:  # some themes leave it too faint
        muted = QColor(text)
        muted.setAlpha(170)
    grid = QColor(text)
    grid.setAlpha(40)
    return base, text, muted, grid


def _hatch(colour: QColor) -> QBrush:
    """Diagonal lines that show on `colour`: dark on a light fill, light on a dark one."""
    shade = QColor(0, 0, 0, 110) if colour.lightness() > 90 else QColor(255, 255, 255, 110)
    return QBrush(shade, Qt.BrushStyle.BDiagPattern)


class _Chart(QWidget):
    """Shared geometry: a plot area with a value axis at its left and n slots."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)
        self.setAutoFillBackground(False)

    def _metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self.font())

    def _slots(self) -> int:
        raise NotImplementedError

    def _axis_labels(self) -> list[str]:
        raise NotImplementedError

    def _bottom_lines(self) -> int:
        raise NotImplementedError

    def plot_rect(self) -> QRectF:
        fm = self._metrics()
        axis = max(fm.horizontalAdvance(t) for t in self._axis_labels()) + 2 * PAD
        top = fm.height() * 1.6  # room for the figure over the tallest bar
        bottom = fm.height() * (self._bottom_lines() + 0.4) + PAD
        return QRectF(axis, top, max(1.0, self.width() - axis - PAD), self.height() - top - bottom)

    def slot_width(self) -> float:
        return self.plot_rect().width() / max(1, self._slots())

    def slot_at(self, x: float) -> int | None:
        plot = self.plot_rect()
        if not plot.left() <= x < plot.right():
            return None
        return int((x - plot.left()) // self.slot_width())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.slot_at(event.position().x()) if hasattr(event, "position") else None
            if index is None:
                index = self.slot_at(float(event.pos().x()))
            tip = self.tooltip_for(index) if index is not None else ""
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def tooltip_for(self, index: int) -> str:
        return ""

    def _draw_axis(self, p: QPainter, top: float, ticks: Sequence[tuple[float, str]]) -> None:
        _, text, muted, grid = _roles(self)
        plot = self.plot_rect()
        fm = self._metrics()
        for value, label in ticks:
            y = plot.bottom() - plot.height() * value / top
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(muted)
            box = QRectF(0, y - fm.height() / 2, plot.left() - PAD, fm.height())
            p.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
        p.setPen(QPen(text, 1))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))


class WeekBars(_Chart):
    """A week's breaks per day on one scale, with each day's goal and result."""

    def __init__(self) -> None:
        super().__init__("Breaks per day this week, each against the day's goal")
        self.glance: WeekGlance | None = None
        self.day_names: list[str] = []

    def set_week(self, glance: WeekGlance, day_names: list[str]) -> None:
        self.glance = glance
        self.day_names = day_names
        self.setAccessibleDescription(
            "; ".join(f"{n}: {_day_words(d)}" for n, d in zip(day_names, glance.days, strict=True))
        )
        self.update()

    def _slots(self) -> int:
        return 7

    def _axis_labels(self) -> list[str]:
        ticks = self.glance.ticks if self.glance else (0,)
        return [str(t) for t in ticks]

    def _bottom_lines(self) -> int:
        return 2

    def figure(self, day: DayGlance) -> str:
        if day.mark is Mark.UPCOMING or day.total == 0:
            return ""
        if day.row.counted and day.row.finished:
            return f"{day.taken} of {day.row.counted}"
        return f"+{day.row.self_started}" if day.row.self_started else ""

    def tooltip_for(self, index: int) -> str:
        if self.glance is None or not 0 <= index < 7:
            return ""
        return f"{self.day_names[index]}: {_day_words(self.glance.days[index])}"

    def label_fits(self) -> list[LabelFit]:
        if self.glance is None:
            return []
        fm = self._metrics()
        bold = self.font()
        bold.setBold(True)
        fmb = QFontMetricsF(bold)
        slot = self.slot_width() - 4
        fits = []
        for name, day in zip(self.day_names, self.glance.days, strict=True):
            fits.append(LabelFit("day", name, fmb.horizontalAdvance(name), slot))
            mark = MARK_TEXT[day.mark]
            fits.append(LabelFit("mark", mark, fm.horizontalAdvance(mark), slot))
            figure = self.figure(day)
            fits.append(LabelFit("figure", figure, fm.horizontalAdvance(figure), slot))
        axis = self.plot_rect().left() - PAD
        for label in self._axis_labels():
            fits.append(LabelFit("axis", label, fm.horizontalAdvance(label), axis))
        return fits

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        base, text, muted, _ = _roles(self)
        p.fillRect(self.rect(), base)
        glance = self.glance
        if glance is None:
            return
        plot = self.plot_rect()
        top = glance.axis_top
        self._draw_axis(p, top, [(t, str(t)) for t in glance.ticks])
        fm = self._metrics()
        slot = self.slot_width()
        unit = plot.height() / top
        bar_w = min(slot * 0.56, 70.0)
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        bold = self.font()
        bold.setBold(True)
        for i, day in enumerate(glance.days):
            x0 = plot.left() + i * slot
            if day.mark is Mark.TODAY:
                tint = QColor(highlight)
                tint.setAlpha(36)
                p.fillRect(QRectF(x0 + 1, plot.top(), slot - 2, plot.height()), tint)
            left = x0 + (slot - bar_w) / 2
            y = plot.bottom()
            for key, count in zip(SEGMENTS, day.counts, strict=True):
                if not count:
                    continue
                height = count * unit
                rect = QRectF(left, y - height, bar_w, height)
                colour = QColor(COLOURS[key])
                p.fillRect(rect, colour)
                if key not in TAKEN_SEGMENTS:
                    p.fillRect(rect, _hatch(colour))
                p.setPen(QPen(base, 1))  # a thin gap between segments
                p.drawLine(rect.topLeft(), rect.topRight())
                y -= height
            if day.goal_count is not None:
                gy = plot.bottom() - day.goal_count * unit
                p.setPen(QPen(text, 2.5))
                p.drawLine(QPointF(left - 8, gy), QPointF(left + bar_w + 8, gy))
                p.setBrush(text)
                p.setPen(Qt.PenStyle.NoPen)
                p.drawPolygon(
                    QPolygonF(
                        [
                            QPointF(left - 8, gy - 4),
                            QPointF(left - 2, gy),
                            QPointF(left - 8, gy + 4),
                        ]
                    )
                )
            figure = self.figure(day)
            if figure:
                p.setPen(text)
                if day.goal_count is not None:  # above the goal mark too, never across it
                    y = min(y, plot.bottom() - day.goal_count * unit - 3)
                box = QRectF(x0, y - fm.height() - 2, slot, fm.height())
                p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), figure)
            name = self.day_names[i]
            p.setFont(bold)
            p.setPen(text if day.mark is not Mark.UPCOMING else muted)
            line = QRectF(x0, plot.bottom() + PAD / 2, slot, fm.height())
            p.drawText(line, int(Qt.AlignmentFlag.AlignCenter), name)
            p.setFont(self.font())
            p.setPen(text if day.mark in (Mark.MET, Mark.NOT_MET, Mark.BONUS) else muted)
            p.drawText(
                line.translated(0, fm.height()),
                int(Qt.AlignmentFlag.AlignCenter),
                MARK_TEXT[day.mark],
            )
        p.end()


def _day_words(day: DayGlance) -> str:
    row = day.row
    if day.mark is Mark.UPCOMING:
        return "still to come"
    parts = [f"{n} {NAMES[k].lower()}" for k, n in zip(SEGMENTS, day.counts, strict=True) if n]
    detail = ", ".join(parts) if parts else "no breaks"
    if day.mark in (Mark.MET, Mark.NOT_MET):
        noun = "break" if row.counted == 1 else "breaks"
        return f"{row.breaks} of {row.counted} {noun} taken, {MARK_TEXT[day.mark][2:]} ({detail})"
    return f"{MARK_TEXT[day.mark]} ({detail})"


class TrendBars(_Chart):
    """Adherence per week on one percent axis; the weeks that met the goal are ticked."""

    def __init__(self) -> None:
        super().__init__("Share of breaks taken per week, against the goal")
        self.weeks: list[WeekReport] = []
        self.labels: list[str] = []
        self.current: date | None = None

    def set_weeks(self, weeks: list[WeekReport], current: date | None) -> None:
        self.weeks = weeks
        self.current = current
        self.labels = [local_date(w.monday, "d MMM") for w in weeks]
        self.setAccessibleDescription(
            "; ".join(
                f"week of {lbl}: {self.figure(w) or 'no breaks'}"
                for lbl, w in zip(self.labels, weeks, strict=True)
            )
        )
        self.update()

    def _slots(self) -> int:
        return max(1, len(self.weeks))

    def _axis_labels(self) -> list[str]:
        return [f"{v}%" for v in range(0, 101, 20)]

    def _bottom_lines(self) -> int:
        return 2

    def goal(self) -> int:
        return self.weeks[0].goal if self.weeks else 80

    def met(self, week: WeekReport) -> bool | None:
        totals = week.totals
        return totals.meets(week.goal) if totals.finished else None

    def figure(self, week: WeekReport) -> str:
        share = week.adherence
        if share is None:
            return ""
        return ("✓ " if self.met(week) else "") + f"{round(share * 100)}%"

    def tooltip_for(self, index: int) -> str:
        if not 0 <= index < len(self.weeks):
            return ""
        w = self.weeks[index]
        t = w.totals
        if w.adherence is None:
            return f"Week of {self.labels[index]}: no breaks recorded"
        goal = "goal met" if self.met(w) else "goal not met"
        noun = "break" if t.counted == 1 else "breaks"
        return f"Week of {self.labels[index]}: {t.breaks} of {t.counted} {noun} taken, {goal}"

    def label_fits(self) -> list[LabelFit]:
        fm = self._metrics()
        slot = self.slot_width() - 4
        fits = []
        for label, week in zip(self.labels, self.weeks, strict=True):
            fits.append(LabelFit("week", label, fm.horizontalAdvance(label), slot))
            figure = self.figure(week) or "—"
            fits.append(LabelFit("figure", figure, fm.horizontalAdvance(figure), slot))
        axis = self.plot_rect().left() - PAD
        for label in self._axis_labels():
            fits.append(LabelFit("axis", label, fm.horizontalAdvance(label), axis))
        caption = self._caption()
        fits.append(LabelFit("caption", caption, fm.horizontalAdvance(caption), self.width()))
        return fits

    def _caption(self) -> str:
        return f"Weeks starting on the date shown · dashed line: your goal, {self.goal()}%"

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        base, text, muted, _ = _roles(self)
        p.fillRect(self.rect(), base)
        if not self.weeks:
            return
        plot = self.plot_rect()
        self._draw_axis(p, 100, [(v, f"{v}%") for v in range(0, 101, 20)])
        fm = self._metrics()
        slot = self.slot_width()
        bar_w = min(slot * 0.6, 60.0)
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        colour = QColor(WEEK_COLOUR)
        if base.lightness() < 128:
            colour = colour.lighter(150)  # the deep blue would sink into a dark background
        gy = plot.bottom() - plot.height() * self.goal() / 100
        for i, week in enumerate(self.weeks):
            x0 = plot.left() + i * slot
            if week.monday == self.current:
                tint = QColor(highlight)
                tint.setAlpha(36)
                p.fillRect(QRectF(x0 + 1, plot.top(), slot - 2, plot.height()), tint)
            share = week.adherence
            y = plot.bottom()
            if share is not None:
                height = plot.height() * share
                rect = QRectF(x0 + (slot - bar_w) / 2, y - height, bar_w, height)
                if self.met(week):
                    p.fillRect(rect, colour)
                else:  # paler and hatched: told apart from a met week without colour
                    pale = QColor(colour)
                    pale.setAlpha(120)
                    p.fillRect(rect, pale)
                    p.fillRect(rect, _hatch(base))
                    p.setPen(QPen(colour, 1.5))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(rect)
                y -= height
            p.setPen(QPen(text, 1.6, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x0, gy), QPointF(x0 + slot, gy))
            figure = self.figure(week) or "—"
            box = QRectF(x0, y - fm.height() - 2, slot, fm.height())
            width = fm.horizontalAdvance(figure) + 6
            # On the background colour, so the goal line never runs through the figure.
            p.fillRect(QRectF(box.center().x() - width / 2, box.top(), width, box.height()), base)
            p.setPen(text if share is not None else muted)
            p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), figure)
            p.setPen(text)
            line = QRectF(x0, plot.bottom() + PAD / 2, slot, fm.height())
            p.drawText(line, int(Qt.AlignmentFlag.AlignCenter), self.labels[i])
        p.setPen(muted)
        caption = QRectF(0, plot.bottom() + PAD / 2 + fm.height() * 1.2, self.width(), fm.height())
        p.drawText(caption, int(Qt.AlignmentFlag.AlignCenter), self._caption())
        p.end()

"""The printable summary of the back-care programme for a physiotherapist.

What it shows is `core.progress.ProgressSummary`; `progress_summary` here only reads the
Coach (the programme's log, the session days, the content's words) and hands it to
`core.progress.summarise`, so the figures are the progress window's.

`write_summary` writes an A4 PDF (QPdfWriter + QTextDocument, with a trend chart drawn by
QPainter) and a CSV with one row per week beside it. Both go to temporary files in the
target folder first and are renamed into place only when both are complete, so a failed
save leaves any earlier summary as it was; the records themselves are only read.

No QtCharts here: the app can import this module without loading it (DESIGN §6).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from deskguard.core import programme
from deskguard.core.evidence import ARTICLES, article_codes, is_ours
from deskguard.core.export import progress_csv_text
from deskguard.core.model import Dose, Exercise
from deskguard.core.programme import Kind
from deskguard.core.progress import (
    DEFAULT_WEEKS,
    WEEK_COLUMNS,
    ProgressSummary,
    review_text,
    summarise,
    week_rows,
)
from deskguard.core.stats import WeekSource
from deskguard.services.programme import Coach

CHART_WIDTH_PT = 640  # the chart's width in the PDF's layout units

# The weekly chart's colours (Okabe & Ito, safe with every common colour blindness).
ADHERENCE_COLOUR = "#0072B2"  # blue: breaks taken, as in the weekly chart
SESSIONS_COLOUR = "#009E73"  # bluish green: programme sessions done
PAIN_COLOUR = "#CC79A7"  # reddish purple: mean pain
STOP_COLOUR = "#D55E00"  # vermillion: a session stopped by sharp pain
ADVANCE_COLOUR = "#009E73"
STEP_BACK_COLOUR = "#E69F00"  # orange
MUTED = "#6B6B6B"
GRID = "#E4E4E4"
WARNING_BACKGROUND = "#FFF1E0"
WARNING_BORDER = "#E69F00"


def _day(when: date | datetime) -> str:
    """ "Mon 7 Sep 2026": no zero padding, as the windows write it."""
    return f"{when:%a} {when.day} {when:%b %Y}"


def _date(when: date | datetime) -> str:
    return f"{when.day} {when:%b %Y}"


SEE_THERAPIST = "See a physiotherapist"
SEE_THERAPIST_WHY = (
    "After four weeks the pain rating has not improved by at least "
    f"{programme.MIN_IMPROVEMENT:.0%}, the figure DeskGuard uses (the articles give "
    f"{programme.REVIEW_RANGE_TEXT}; taking the top of that range is our choice). A physical "
    "therapist can assess the back in full and adjust the exercises."
)
# The articles as a numbered reference list: a clinician reads "[2]", never a file name.
REFERENCES = {code: n for n, code in enumerate(ARTICLES, start=1)}
PAIN_NOTE = (
    "Pain: 0–10 ratings before sessions and at the weekly check-in (ratings right after a "
    "session, when a good muscle ache is expected, are left out)."
)


class SummaryError(Exception):
    """The summary could not be written; the message says where and why, in plain words."""


# ---- what the view and the summary show --------------------------------------------------


def progress_summary(
    coach: Coach, breaks: WeekSource, weeks: int = DEFAULT_WEEKS
) -> ProgressSummary:
    """Up to `weeks` weeks ending with the coach's current week (`core.progress.summarise`
    on what the Coach holds)."""
    exercises = coach.exercises()

    def exercise_name(exercise_id: str) -> str:
        exercise = exercises.get(exercise_id)
        return exercise.name if exercise is not None else exercise_id

    return summarise(
        coach.events(),
        coach.settings.programme_days,
        breaks,
        coach.today(),
        weeks,
        exercise_name=exercise_name,
        flag_texts=coach.flag_texts,
        questions=len(coach.screening_questions()),
    )


# ---- the chart drawn for print -----------------------------------------------------------------


def _pen(colour: str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour))
    pen.setWidthF(width)
    pen.setStyle(style)
    return pen


def paint_trend(painter: QPainter, area: QRectF, summary: ProgressSummary) -> None:
    """The progress chart for paper: bars for break adherence and sessions done (% of
    planned, left axis), the mean-pain line (0–10, right axis), sharp stops and phase
    changes marked above the bars. Sizes follow `area`, so any resolution works."""
    unit = area.height() / 100  # one "point" of this drawing
    font = QFont(painter.font())
    font.setPixelSize(max(1, round(4.2 * unit)))
    painter.setFont(font)
    metrics = painter.fontMetrics()
    label_h = 2.6 * metrics.height()
    strip_h = 9 * unit  # the events strip above the bars
    left = area.left() + metrics.horizontalAdvance("100%") + 4 * unit
    right = area.right() - metrics.horizontalAdvance("10") - 4 * unit
    legend, legend_h = _legend_spots(metrics.horizontalAdvance, left, right, area.top(), unit)
    top = area.top() + legend_h + strip_h
    bottom = area.bottom() - label_h
    plot = QRectF(QPointF(left, top), QPointF(right, bottom))
    count = len(summary.weeks)
    slot = plot.width() / max(1, count)
    share_top = max(
        [100.0]
        + [100 * s for s in (w.sessions_share for w in summary.weeks) if s is not None and s > 1]
    )
    share_top = 20 * -(-share_top // 20)

    def y_share(value: float) -> float:
        return bottom - plot.height() * value / share_top

    def y_pain(value: float) -> float:
        return bottom - plot.height() * value / 10

    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    # grid and axes
    painter.setPen(_pen(GRID, max(1.0, 0.25 * unit)))
    for value in range(0, int(share_top) + 1, 20):
        y = y_share(value)
        painter.drawLine(QPointF(left, y), QPointF(right, y))
    painter.setPen(QColor(MUTED))
    for value in range(0, int(share_top) + 1, 20):
        y = y_share(value)
        box = QRectF(area.left(), y - 3 * unit, left - area.left() - 1.5 * unit, 6 * unit)
        painter.drawText(
            box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value}%"
        )
    for value in range(0, 11, 2):
        y = y_pain(value)
        box = QRectF(right + 1.5 * unit, y - 3 * unit, area.right() - right, 6 * unit)
        painter.drawText(
            box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, str(value)
        )
    painter.setPen(_pen("#9A9A9A", max(1.0, 0.3 * unit)))
    painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))

    # bars: break adherence and sessions done, side by side in each week's slot
    bar_w = slot * 0.3
    for i, w in enumerate(summary.weeks):
        x0 = left + i * slot + slot * 0.2
        for offset, share, colour in (
            (0.0, w.break_adherence, ADHERENCE_COLOUR),
            (bar_w, w.sessions_share, SESSIONS_COLOUR),
        ):
            if share is None:
                continue
            y = y_share(100 * share)
            painter.fillRect(QRectF(x0 + offset, y, bar_w, bottom - y), QColor(colour))
        painter.setPen(QColor("#333333"))
        label = QRectF(left + i * slot, bottom + 0.8 * unit, slot, label_h)
        phase = f"P{w.programme.phase}" if w.programme.phase is not None else " "
        painter.drawText(
            label,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            f"W{w.monday.isocalendar()[1]}\n{phase}",
        )

    # the mean-pain line, broken by weeks without a rating
    pain_pen = _pen(PAIN_COLOUR, 0.8 * unit)
    painter.setPen(pain_pen)
    previous: QPointF | None = None
    for i, w in enumerate(summary.weeks):
        mean = w.programme.mean_pain
        if mean is None:
            previous = None
            continue
        point = QPointF(left + (i + 0.5) * slot, y_pain(mean))
        if previous is not None:
            painter.drawLine(previous, point)
        previous = point
    painter.setBrush(QColor(PAIN_COLOUR))
    painter.setPen(_pen("white", 0.35 * unit))
    for i, w in enumerate(summary.weeks):
        if w.programme.mean_pain is not None:
            point = QPointF(left + (i + 0.5) * slot, y_pain(w.programme.mean_pain))
            painter.drawEllipse(point, 1.5 * unit, 1.5 * unit)

    # the events strip: phase changes and sharp stops on their day
    def x_of(day: date) -> float | None:
        index = summary.week_index(day)
        if index is None:
            return None
        return left + (index + (day.weekday() + 0.5) / 7) * slot

    strip_y = top - strip_h / 2
    r = 1.8 * unit
    painter.setPen(_pen("white", 0.3 * unit))
    for m in summary.in_period(summary.phase_changes):
        x = x_of(m.day)
        if x is None:
            continue
        up = m.kind is Kind.ADVANCED
        painter.setBrush(QColor(ADVANCE_COLOUR if up else STEP_BACK_COLOUR))
        painter.drawPath(_triangle(QPointF(x, strip_y - r * 0.6), r, up))
    for m in summary.in_period(summary.stops):
        x = x_of(m.day)
        if x is None:
            continue
        _draw_cross(painter, QPointF(x, strip_y + r * 1.4), r * 0.75, STOP_COLOUR)

    # legend, in as many rows as it needs
    painter.setPen(QColor("#333333"))
    for (kind, colour, text), spot in zip(LEGEND, legend, strict=True):
        y = spot.y()
        swatch = QPointF(spot.x() + 2 * unit, y)
        painter.save()
        painter.setPen(_pen("white", 0.3 * unit))
        painter.setBrush(QColor(colour))
        if kind == "bar":
            painter.fillRect(QRectF(spot.x(), y - 1.5 * unit, 4 * unit, 3 * unit), QColor(colour))
        elif kind == "line":
            painter.setPen(_pen(colour, 0.8 * unit))
            painter.drawLine(QPointF(spot.x(), y), QPointF(spot.x() + 4 * unit, y))
        elif kind in ("up", "down"):
            painter.drawPath(_triangle(QPointF(swatch.x(), y), r, kind == "up"))
        else:
            _draw_cross(painter, swatch, r * 0.75, colour)
        painter.restore()
        painter.drawText(QPointF(spot.x() + 5.5 * unit, y + metrics.capHeight() / 2), text)
    painter.restore()


LEGEND = (
    ("bar", ADHERENCE_COLOUR, "Breaks taken (%)"),
    ("bar", SESSIONS_COLOUR, "Sessions done / planned (%)"),
    ("line", PAIN_COLOUR, "Mean pain (0–10, right)"),
    ("up", ADVANCE_COLOUR, "Moved up a phase"),
    ("down", STEP_BACK_COLOUR, "Stepped back"),
    ("stop", STOP_COLOUR, "Stopped by sharp pain"),
)


def _legend_spots(
    metrics_width: Callable[[str], float], left: float, right: float, top: float, unit: float
) -> tuple[list[QPointF], float]:
    """Where each legend entry starts (its vertical centre), and the legend's height."""
    spots: list[QPointF] = []
    row_h = 7 * unit
    x, row = left, 0
    for _, _, text in LEGEND:
        width = 5.5 * unit + metrics_width(text) + 4 * unit
        if x > left and x + width - 4 * unit > right:
            x, row = left, row + 1
        spots.append(QPointF(x, top + row_h * (row + 0.5)))
        x += width
    return spots, row_h * (row + 1)


def _triangle(centre: QPointF, r: float, up: bool) -> QPainterPath:
    sign = -1 if up else 1
    path = QPainterPath()
    path.moveTo(centre.x(), centre.y() + sign * r)
    path.lineTo(centre.x() - r, centre.y() - sign * r * 0.7)
    path.lineTo(centre.x() + r, centre.y() - sign * r * 0.7)
    path.closeSubpath()
    return path


def _draw_cross(painter: QPainter, centre: QPointF, r: float, colour: str) -> None:
    """A bold ✕: a session stopped by sharp pain."""
    painter.save()
    pen = _pen(colour, r * 0.55)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawLine(centre + QPointF(-r, -r), centre + QPointF(r, r))
    painter.drawLine(centre + QPointF(-r, r), centre + QPointF(r, -r))
    painter.restore()


def trend_image(summary: ProgressSummary, width: int = 2000, height: int = 760) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        margin = height * 0.02
        paint_trend(
            painter, QRectF(margin, margin, width - 2 * margin, height - 2 * margin), summary
        )
    finally:
        painter.end()
    return image


# ---- the PDF -----------------------------------------------------------------------------------

_STYLE = f"""
body {{ font-size: 9.5pt; color: #1F1F1F; }}
h1 {{ font-size: 16pt; margin-bottom: 0; }}
h2 {{ font-size: 12pt; margin-top: 16px; margin-bottom: 6px; }}
p {{ margin-top: 4px; margin-bottom: 4px; }}
.muted {{ color: {MUTED}; }}
th {{ background-color: #EEF0F3; text-align: left; font-weight: bold; }}
td.num, th.num {{ text-align: center; }}
td {{ white-space: nowrap; }}
td.wrap {{ white-space: normal; }}
.flag {{ color: #A13F00; }}
.small {{ font-size: 8pt; }}
"""

WARNING_BOX = (
    f'bgcolor="{WARNING_BACKGROUND}" border="1" cellspacing="0" '
    f'style="border-color: {WARNING_BORDER}; border-style: solid;"'
)
TABLE_ATTRIBUTES = (
    'cellspacing="0" cellpadding="3" border="1" '
    'style="border-collapse: collapse; border-color: #C9CDD3; border-style: solid;"'
)


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric_from: int,
    width: str = "100%",
    wrap: Sequence[int] = (),
    widths: Sequence[str] = (),
) -> str:
    """Cells are HTML already (escape text before); the header repeats on a new page."""

    def cls(i: int) -> str:
        names = (["num"] if i >= numeric_from else []) + (["wrap"] if i in wrap else [])
        return " ".join(names)

    def size(i: int) -> str:
        return f' width="{widths[i]}"' if i < len(widths) else ""

    head = "".join(f'<th class="{cls(i)}"{size(i)}>{escape(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td class="{cls(i)}">{c}</td>' for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return (
        f'<table width="{width}" {TABLE_ATTRIBUTES}>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _facts(summary: ProgressSummary) -> list[tuple[str, str]]:
    state = summary.status
    if state.started is None:
        return [("Programme", "Not started")]
    phase = programme.phase(state.phase)
    since = f", since {_date(state.phase_since)}" if state.phase_since else ""
    week = summary.this_week()
    facts = [
        ("Programme started", f"{_day(state.started)}"),
        ("Current phase", f"{phase.number} of {programme.PHASE_COUNT}, {phase.title}{since}"),
        ("Session days", summary.days_text()),
        ("Sessions this week", f"{week.programme.sessions} of {week.programme.planned} planned"),
    ]
    if state.paused:
        reasons = [r for r in state.pause_reasons if r != "user"]
        why = "for a clinician's check" if reasons else "by the user"
        facts.insert(2, ("Status", f"Paused {why}"))
    review = state.review
    if review is not None:
        facts.append(("Four-week review", f"pain {review_text(review)}"))
    return facts


def _review_html(summary: ProgressSummary) -> str:
    state = summary.status
    if state.started is None:
        return "<p>The programme has not started, so there is nothing to review yet.</p>"
    review = state.review
    due = state.review_on
    if review is None:
        if due is not None and due <= summary.today:
            return (
                "<p>No pain ratings were recorded (before a session or at the weekly "
                "check-in), so the four-week review has nothing to compare.</p>"
            )
        when = f" It is due on {_day(due)}." if due is not None else ""
        return (
            "<p>After four weeks the first week's pain ratings are compared with the last "
            f"week's.{when}</p>"
        )
    rows = [
        ["Baseline: mean rating in the programme's first week", f"{review.baseline:.1f}"],
        ["Recent: mean rating in the last 7 days", f"{review.recent:.1f}"],
        ["Improvement", f"{review.improvement:.0%}"],
        [
            "Improvement the plan looks for",
            f"at least {programme.MIN_IMPROVEMENT:.0%} (articles: {programme.REVIEW_RANGE_TEXT})",
        ],
    ]
    html = _table(["Measure", "Value"], rows, 1, width="75%")
    html += f'<p class="muted">{escape(programme.REVIEW_RULE)}</p>'
    if review.see_therapist:
        html += f'<p class="flag"><b>{SEE_THERAPIST}.</b> {escape(SEE_THERAPIST_WHY)}</p>'
    else:
        html += f"<p>Pain improved by {review.improvement:.0%}: the plan carries on.</p>"
    return html


def _dose_cell(dose: Dose) -> str:
    parts = []
    if dose.sets is not None:
        parts.append(f"{dose.sets} sets")
    if dose.reps is not None:
        parts.append(f"{dose.reps} reps")
    if dose.hold_seconds is not None:
        parts.append(f"hold {dose.hold_seconds} s")
    if dose.duration_seconds is not None:
        parts.append(f"{dose.duration_seconds} s")
    return ", ".join(parts) + (", each side" if dose.per_side else "")


def _source_cell(sources: Sequence[str], choice: str) -> str:
    """ "[1], [4]" for the articles; DeskGuard's own choice spelt out, so it is never read as
    evidence."""
    cited = ", ".join(f"[{REFERENCES[c]}]" for c in article_codes(sources))
    if not is_ours(sources):
        return escape(cited)
    ours = f"<i>Our suggestion:</i> {escape(choice)}"
    return f"{escape(cited)}; {ours}" if cited else ours


def routine_html(routine: Sequence[Exercise], phase_number: int) -> str:
    """The current phase's exercises, each dose and step list with its source, the phase's
    choice of exercises and the rest between sets; then the reference list."""
    phase = programme.phase(phase_number)
    parts = [
        f'<p class="small">Phase {phase.number}, {escape(phase.title)}. Which exercises are '
        f"in it: {_source_cell(phase.placement_source, phase.placement_choice)} "
        f"{escape(programme.REST_CHOICE)}</p>"
    ]
    rows = [
        [
            escape(e.name),
            escape(_dose_cell(e.dose)),
            _source_cell(e.dose_source, e.dose_choice),
            _source_cell(e.steps_source, e.steps_choice),
        ]
        for e in routine
    ]
    if rows:
        parts.append(
            _table(
                ["Exercise", "Dose", "Dose from", "Steps from"],
                rows,
                99,
                wrap=(0, 2, 3),
                widths=("20%", "18%", "31%", "31%"),
            )
        )
    refs = "; ".join(f"[{n}] {escape(ARTICLES[code])}" for code, n in REFERENCES.items())
    parts.append(f'<p class="muted small">Articles: {refs}.</p>')
    return f'<div class="small">{"".join(parts)}</div>'


def summary_html(
    summary: ProgressSummary, chart: str | None = "chart", routine: Sequence[Exercise] = ()
) -> str:
    """The summary as Qt rich text; `chart` names the trend image resource (None: no chart);
    `routine`: the current phase's exercises, listed with where each dose and step list
    comes from."""
    parts = [f"<html><head><style>{_STYLE}</style></head><body>"]
    parts.append("<h1>Back-care programme summary</h1>")
    parts.append(
        f'<p class="muted">For a physiotherapist · {summary.period_text()} '
        f"({len(summary.weeks)} weeks) · produced on {_date(summary.today)} by DeskGuard "
        "from the user's own entries</p>"
    )
    parts.append(
        '<table cellspacing="0" cellpadding="2" style="margin-top: 6px;">'
        + "".join(
            f"<tr><td><b>{escape(k)}</b></td><td>&nbsp;&nbsp;{escape(v)}</td></tr>"
            for k, v in _facts(summary)
        )
        + "</table>"
    )
    review = summary.status.review
    if review is not None and review.see_therapist:
        parts.append(
            f'<table width="100%" cellpadding="6" style="margin-top: 6px;" {WARNING_BOX}>'
            '<tr><td class="wrap">'
            f"<b>{SEE_THERAPIST}.</b> {escape(SEE_THERAPIST_WHY)}</td></tr></table>"
        )
    if chart is not None:
        parts.append(f'<p align="center"><img src="{chart}" width="{CHART_WIDTH_PT}"></p>')

    parts.append("<h2>Week by week</h2>")
    rows = [[escape(cell) for cell in row] for row in week_rows(summary)]
    parts.append(_table(WEEK_COLUMNS, rows, 2))
    parts.append(
        f'<p class="muted">Sessions: done of planned. {escape(PAIN_NOTE)} Breaks taken: break '
        "prompts taken (completed, or already away) of those that came due. —: nothing "
        "recorded that week.</p>"
    )

    # The history, the review and the screenings on a page of their own, once there are any.
    new_page = ' style="page-break-before: always;"' if summary.started else ""
    parts.append(f"<h2{new_page}>Phase history</h2>")
    moments = [m for m in summary.timeline if m.kind is not Kind.SCREENED]  # see below
    if moments:
        rows = [[f"{_day(m.at)}", escape(m.text)] for m in moments]
        parts.append(_table(["Date", "Event"], rows, 99, wrap=(1,), widths=("20%",)))
    else:
        parts.append("<p>The programme has not started.</p>")

    parts.append("<h2>Four-week review</h2>")
    parts.append(_review_html(summary))
    if summary.status.steady_severe_pain:
        parts.append(
            '<p class="flag">The last two pain ratings were '
            f"{programme.SEVERE_PAIN} or more out of 10.</p>"
        )

    parts.append("<h2>Red-flag screenings</h2>")
    if summary.screenings:
        rows = []
        for s in summary.screenings:
            if s.flags:
                said = "; ".join(s.answers or s.flags)
                answer = f'<span class="flag"><b>Yes</b> to: {escape(said)}</span>'
            else:
                answer = f"No to all {summary.questions} warning-sign questions"
            rows.append([f"{_day(s.at)}", answer])
        parts.append(_table(["Date", "Answers"], rows, 99, wrap=(1,), widths=("20%",)))
    else:
        parts.append("<p>No red-flag screening has been recorded.</p>")

    if summary.started and routine:  # nothing to show before the programme starts
        parts.append("<h2>The current routine: evidence and DeskGuard's choices</h2>")
        parts.append(routine_html(routine, summary.status.phase))

    parts.append(f'<p class="muted"><br>{escape(programme.NOT_MEDICAL_ADVICE)}</p>')
    parts.append("</body></html>")
    return "".join(parts)


def _render_pdf(path: Path, summary: ProgressSummary, routine: Sequence[Exercise] = ()) -> int:
    """Writes the PDF to `path`; returns the page count. Raises SummaryError."""
    writer = QPdfWriter(str(path))
    writer.setTitle("DeskGuard: back-care summary for a physiotherapist")
    writer.setCreator("DeskGuard")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(18, 16, 18, 16),
            QPageLayout.Unit.Millimeter,
        )
    )
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl("chart"), trend_image(summary))
    doc.setHtml(summary_html(summary, routine=routine))
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    footer_h = writer.resolution() * 0.3  # inch
    body = QSizeF(page.width(), page.height() - footer_h)
    doc.setPageSize(body)
    pages = doc.pageCount()
    painter = QPainter()
    if not painter.begin(writer):
        raise SummaryError(f"Could not write the PDF {path.name}: the file cannot be opened.")
    try:
        footer_font = QFont(doc.defaultFont())
        footer_font.setPointSizeF(8)
        for n in range(pages):
            if n:
                writer.newPage()
            painter.save()
            painter.translate(0, -n * body.height())
            doc.drawContents(painter, QRectF(0, n * body.height(), body.width(), body.height()))
            painter.restore()
            painter.setFont(footer_font)
            painter.setPen(QColor(MUTED))
            foot = QRectF(0, body.height(), body.width(), footer_h)
            painter.drawText(
                foot,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                f"DeskGuard back-care summary · {summary.period_text()}",
            )
            painter.drawText(
                foot,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                f"Page {n + 1} of {pages}",
            )
    finally:
        painter.end()
    return pages


def current_routine(coach: Coach) -> list[Exercise]:
    """The exercises of the programme's current phase (phase 1 before it starts)."""
    exercises = coach.exercises()
    return [exercises[i] for i in coach.phase().exercise_ids if i in exercises]


def _temp_beside(target: Path, suffix: str) -> Path:
    """An empty temporary file in `target`'s folder (so the rename stays on one disk)."""
    folder = target.parent
    if not folder.is_dir():
        raise SummaryError(f"The folder {folder} does not exist. Choose another folder.")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=suffix, dir=folder)
    except OSError as err:
        reason = err.strerror or str(err)
        raise SummaryError(
            f"Cannot write to the folder {folder} ({reason}). Choose another folder."
        ) from err
    os.close(handle)
    return Path(name)


def write_summary(
    path_pdf: Path, coach: Coach, breaks: WeekSource, weeks: int = DEFAULT_WEEKS
) -> tuple[Path, Path]:
    """Writes the physiotherapist's summary: the PDF at `path_pdf` and a CSV beside it
    (same name, .csv). Returns (pdf, csv). Raises SummaryError with a message for the user;
    on any failure neither file is changed and no temporary file is left behind."""
    path_pdf = Path(path_pdf)
    if path_pdf.suffix.lower() != ".pdf":
        path_pdf = path_pdf.with_name(path_pdf.name + ".pdf")
    path_csv = path_pdf.with_suffix(".csv")
    summary = progress_summary(coach, breaks, weeks)
    temps: list[Path] = []
    try:
        tmp_pdf = _temp_beside(path_pdf, ".pdf.tmp")
        temps.append(tmp_pdf)
        tmp_csv = _temp_beside(path_csv, ".csv.tmp")
        temps.append(tmp_csv)
        _render_pdf(tmp_pdf, summary, current_routine(coach))
        if tmp_pdf.stat().st_size == 0:
            raise SummaryError(f"Could not write the PDF {path_pdf.name}: nothing was written.")
        try:
            with tmp_csv.open("w", encoding="ascii", errors="replace", newline="") as handle:
                handle.write(progress_csv_text(summary))
            os.replace(tmp_pdf, path_pdf)
            os.replace(tmp_csv, path_csv)
        except OSError as err:
            raise SummaryError(
                f"Could not save the summary in {path_pdf.parent}: {err.strerror or err}."
            ) from err
    finally:
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
    return path_pdf, path_csv

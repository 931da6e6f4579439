"""Every CSV DeskGuard writes, with the one rule that keeps them safe in a spreadsheet.

* the raw break events (`deskguard export --csv` and the weekly chart's "Save week as
  CSV"): `EVENT_CSV_COLUMNS`, `event_csv_rows`, `write_week_csv`;
* the programme's log (`deskguard export --programme-csv`): `PROGRAMME_CSV_COLUMNS`,
  `programme_csv_rows`;
* the physiotherapist's summary, one row per week: `PROGRESS_CSV_COLUMNS`,
  `progress_csv_rows`, `progress_csv_text`.

Every cell goes through `spreadsheet_safe`, so a note typed by the user cannot run as a
formula when the file is opened in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING

from deskguard.core.model import Event, Prompt
from deskguard.core.stats import EventReader, prompt_days, query_range

if TYPE_CHECKING:  # the CLI's export imports only what it writes
    from deskguard.core.programme import ProgrammeEvent
    from deskguard.core.progress import ProgressSummary


# A spreadsheet may run a cell that starts with one of these as a formula, or trim the
# blank and then run it: = + - @, tab, CR, LF, a space, and the full-width ＝ ＋ － ＠ and
# ideographic space that some spreadsheets read as their ASCII forms.
FORMULA_STARTS = frozenset("=+-@\t\r\n \uff1d\uff0b\uff0d\uff20\u3000")
# A plain ASCII number (-300, +0100, 1.5e3) stays a number; float() would also pass
# " 12", "１２" and "nan", which are not left alone.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def spreadsheet_safe(cell: str) -> str:
    """A cell that could run as a formula (see FORMULA_STARTS) gets a leading quote.

    Plain numbers such as -300 stay as they are.
    """
    if cell[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def write_csv(handle: IO[str], columns: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """The header and `rows` (already escaped) with CRLF line ends; returns the row count."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


# ---- raw break events -------------------------------------------------------------------------

EVENT_CSV_COLUMNS = ("time", "utc_offset", "kind", "prompt", "source", "exercise", "detail", "day")


def event_csv_rows(events: Iterable[Event], prompts: Mapping[str, Prompt]) -> Iterator[list[str]]:
    """CSV rows (without the header, `EVENT_CSV_COLUMNS`) for events in time order, escaped.

    The `day` column is the local day the stats count the event on, so a pivot of the
    file by day and kind gives the numbers of `report`.
    """
    for event, day in prompt_days(events):
        prompt = prompts.get(event.prompt_id or "")
        row = [
            event.at.isoformat(timespec="seconds"),
            event.at.strftime("%z"),
            event.kind.value,
            event.prompt_id or "",
            prompt.source if prompt else "",
            (prompt.exercise_id or "") if prompt else "",
            event.detail,
            day.isoformat(),
        ]
        yield [spreadsheet_safe(cell) for cell in row]


def write_week_csv(history: EventReader, monday: date, handle: IO[str]) -> int:
    """The raw events the week's numbers were counted from, as CSV; returns the count."""
    start, end = query_range(monday)
    prompts = {p.id: p for p in history.prompts_between(start - timedelta(days=1), end)}
    first, last = monday.isoformat(), (monday + timedelta(days=6)).isoformat()
    rows = event_csv_rows(history.events_in_range(start, end), prompts)
    # The query reaches past the week (every UTC offset): keep the days the stats count.
    return write_csv(handle, EVENT_CSV_COLUMNS, (r for r in rows if first <= r[-1] <= last))


# ---- the programme's log ----------------------------------------------------------------------

PROGRAMME_CSV_COLUMNS = (
    "time",
    "utc_offset",
    "kind",
    "phase",
    "rating",
    "sensation",
    "when",
    "flags",
    "detail",
    "day",
)


def programme_csv_rows(events: Iterable[ProgrammeEvent]) -> Iterator[list[str]]:
    """CSV rows (without the header) for programme events, in the log's order, escaped."""
    for event in events:
        row = [
            event.at.isoformat(timespec="seconds"),
            event.at.strftime("%z"),
            event.kind.value,
            str(event.phase) if event.phase else "",
            "" if event.rating is None else str(event.rating),
            "" if event.sensation is None else event.sensation.value,
            "" if event.when is None else event.when.value,
            ";".join(event.flags),
            event.detail,
            event.day.isoformat(),
        ]
        yield [spreadsheet_safe(cell) for cell in row]


# ---- the physiotherapist's summary, week by week -----------------------------------------------

PROGRESS_CSV_COLUMNS = (
    "week",
    "monday",
    "phase",
    "sessions_done",
    "sessions_planned",
    "sharp_stops",
    "breaks_taken",
    "breaks_finished",
    "break_adherence_pct",
    "mean_pain",
    "worst_pain",
)


def number_text(value: float | None, digits: int) -> str:
    """`value` with `digits` decimals; an empty cell for no data."""
    return "" if value is None else f"{value:.{digits}f}"


def progress_csv_rows(summary: ProgressSummary) -> Iterator[list[str]]:
    """One row per week (header `PROGRESS_CSV_COLUMNS` not included); empty cells for no
    data."""
    for w in summary.weeks:
        p = w.programme
        adherence = None if w.break_adherence is None else 100 * w.break_adherence
        row = [
            w.week,
            w.monday.isoformat(),
            "" if p.phase is None else str(p.phase),
            str(p.sessions),
            str(p.planned),
            str(p.stopped),
            str(w.breaks_taken),
            str(w.breaks_finished),
            number_text(adherence, 1),
            number_text(p.mean_pain, 2),
            "" if p.worst_pain is None else str(p.worst_pain),
        ]
        yield [spreadsheet_safe(cell) for cell in row]


def progress_csv_text(summary: ProgressSummary) -> str:
    out = io.StringIO()
    write_csv(out, PROGRESS_CSV_COLUMNS, progress_csv_rows(summary))
    return out.getvalue()

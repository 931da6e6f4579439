"""Every CSV: columns, cells, escaping and the day a row counts on (no Qt, no store)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from deskguard.core.export import (
    EVENT_CSV_COLUMNS,
    PROGRAMME_CSV_COLUMNS,
    PROGRESS_CSV_COLUMNS,
    event_csv_rows,
    number_text,
    programme_csv_rows,
    progress_csv_rows,
    progress_csv_text,
    spreadsheet_safe,
    write_csv,
    write_week_csv,
)
from deskguard.core.model import Event, Prompt
from deskguard.core.programme import Kind, PainWhen, ProgrammeEvent, Sensation
from deskguard.core.stats import day_rows
from tests.core.test_progress import W46, W47, W48, FakeTrend, summary_of
from tests.core.test_stats import CET, MONDAY, SEEDED_DAY, SETTINGS, FakeReader, K, at, trail

# ---- spreadsheet-safe cells -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, safe",
    [
        ("plain", "plain"),
        ("", ""),
        ("-300", "-300"),  # a plain number stays a number
        ("+1.5", "+1.5"),
        ("-x", "'-x"),
        ("=1+1", "'=1+1"),
        ("+a", "'+a"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a=b", "a=b"),  # only the first character matters
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("\ncmd", "'\ncmd"),
        (" =1+1", "' =1+1"),  # a spreadsheet may trim the blank, then run it
        (" 12", "' 12"),  # float() would call this a number
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),  # full-width =
        ("\uff0b1", "'\uff0b1"),  # full-width +
        ("\uff0d300", "'\uff0d300"),  # full-width -, no number to Python either
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),  # full-width @
        ("\u3000=1", "'\u3000=1"),  # ideographic space
        ("-nan", "'-nan"),
        ("-1e3", "-1e3"),
        ("+0100", "+0100"),  # the utc_offset column
        ("-.5", "-.5"),
        ("\uff11\uff12", "\uff11\uff12"),  # full-width digits start no formula
    ],
)
def test_spreadsheet_safe(cell: str, safe: str) -> None:
    assert spreadsheet_safe(cell) == safe


def test_write_csv_header_rows_and_crlf() -> None:
    out = io.StringIO()
    assert write_csv(out, ("a", "b"), [["1", "x,y"], ["2", ""]]) == 2
    assert out.getvalue() == 'a,b\r\n1,"x,y"\r\n2,\r\n'
    empty = io.StringIO()
    assert write_csv(empty, ("a",), []) == 0
    assert empty.getvalue() == "a\r\n"


def test_number_text() -> None:
    assert number_text(None, 1) == ""
    assert number_text(0.0, 1) == "0.0"
    assert number_text(62.5, 1) == "62.5"
    assert number_text(4.333, 2) == "4.33"


# ---- raw break events ---------------------------------------------------------------------------


def test_event_day_column_pivots_to_the_report() -> None:
    events = [*SEEDED_DAY, *trail("z", at(MONDAY, 23, 55), (K.PROMPTED, 0), (K.MISSED, 10))]
    events.append(Event(K.PAUSED, at(MONDAY, 17), None, "=HYPERLINK(1)"))
    rows = list(event_csv_rows(sorted(events, key=lambda e: e.at), {}))
    assert len(rows) == len(events) and all(len(r) == len(EVENT_CSV_COLUMNS) for r in rows)
    assert "'=HYPERLINK(1)" in [r[6] for r in rows]
    counts = Counter((r[7], r[2]) for r in rows)
    [mon] = day_rows(events, MONDAY, MONDAY, SETTINGS)
    day = MONDAY.isoformat()
    assert counts[(day, "completed")] == mon.completed
    assert counts[(day, "missed")] == mon.missed == 3  # z's miss after midnight is Monday's
    assert counts[(day, "snoozed")] == mon.snoozed
    assert counts[(day, "natural")] == mon.natural


def test_event_rows_name_the_prompt() -> None:
    when = at(MONDAY, 10)
    prompts = {
        "a": Prompt("a", when, "scheduled", "chin-tuck"),
        "b": Prompt("b", when, "manual"),
    }
    events = [
        Event(K.PROMPTED, when, "a"),
        Event(K.PROMPTED, when + timedelta(minutes=1), "b"),
        Event(K.PROMPTED, when + timedelta(minutes=2), "gone"),
        Event(K.PAUSED, when + timedelta(minutes=3), None, "until 11:00"),
    ]
    rows = list(event_csv_rows(events, prompts))
    assert rows[0] == [
        "2026-11-23T10:00:00+01:00",
        "+0100",
        "prompted",
        "a",
        "scheduled",
        "chin-tuck",
        "",
        "2026-11-23",
    ]
    assert rows[1][3:6] == ["b", "manual", ""]
    assert rows[2][3:6] == ["gone", "", ""]
    assert rows[3][2:7] == ["paused", "", "", "", "until 11:00"]


class PromptReader(FakeReader):
    def __init__(self, events: list[Event], prompts: list[Prompt]) -> None:
        super().__init__(events)
        self.prompts = prompts
        self.prompt_reads: list[tuple[datetime, datetime]] = []

    def prompts_between(self, start: datetime, end: datetime) -> list[Prompt]:
        self.prompt_reads.append((start, end))
        return [p for p in self.prompts if start <= p.due_at < end]


def test_week_csv_holds_the_weeks_days_only() -> None:
    sunday = MONDAY + timedelta(days=6)
    east = timezone(timedelta(hours=14))
    events = [
        Event(K.PROMPTED, at(MONDAY - timedelta(days=1), 23), "before"),
        Event(K.PROMPTED, at(MONDAY, 0), "first"),
        Event(K.PROMPTED, at(sunday, 23, 59), "last"),
        # Monday local time far east, still Sunday in UTC: next week's.
        Event(K.PROMPTED, datetime(2026, 11, 30, 1, tzinfo=east), "after"),
    ]
    prompts = [Prompt("first", at(MONDAY, 0), "manual", "walk")]
    reader = PromptReader(events, prompts)
    out = io.StringIO()
    assert write_week_csv(reader, MONDAY, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["prompt"] for r in rows] == ["first", "last"]
    assert rows[0]["exercise"] == "walk" and rows[0]["source"] == "manual"
    assert out.getvalue().splitlines()[0] == ",".join(EVENT_CSV_COLUMNS)
    # Prompts are read from two days before the week's Monday (UTC).
    [(start, _)] = reader.prompt_reads
    assert start == datetime(2026, 11, 21, tzinfo=timezone.utc)


# ---- the programme's log -------------------------------------------------------------------


def test_programme_rows_every_column() -> None:
    now = datetime(2026, 11, 23, 23, 30, tzinfo=CET)
    events = [
        ProgrammeEvent(Kind.SCREENED, now, flags=("leg-weakness", "night-pain")),
        ProgrammeEvent(Kind.STARTED, now, phase=1),
        ProgrammeEvent(Kind.PAIN, now, rating=0, sensation=Sensation.ACHE, when=PainWhen.BEFORE),
        ProgrammeEvent(Kind.SESSION_STOPPED, now, phase=2, detail="=cmd|' /C calc'!A0"),
    ]
    rows = list(programme_csv_rows(events))
    assert all(len(r) == len(PROGRAMME_CSV_COLUMNS) for r in rows)
    assert rows[0] == [
        "2026-11-23T23:30:00+01:00",
        "+0100",
        "screened",
        "",  # phase 0: none
        "",
        "",
        "",
        "leg-weakness;night-pain",
        "",
        "2026-11-23",  # the local day, not UTC's
    ]
    assert rows[1][2:5] == ["started", "1", ""]
    assert rows[2][2:8] == ["pain", "", "0", "ache", "before", ""]
    assert rows[3][3] == "2" and rows[3][8] == "'=cmd|' /C calc'!A0"


# ---- the physiotherapist's summary --------------------------------------------------------------


def test_progress_rows_a_row_per_week() -> None:
    summary = summary_of(breaks=FakeTrend({W46: (3, 4), W47: (2, 3), W48: (4, 4)}))
    rows = list(progress_csv_rows(summary))
    assert all(len(r) == len(PROGRESS_CSV_COLUMNS) for r in rows)
    assert rows[0] == [
        "2026-W46",
        W46.isoformat(),
        "1",
        "3",
        "3",
        "0",
        "3",
        "4",
        "75.0",
        "5.50",
        "6",
    ]
    assert rows[1] == [
        "2026-W47",
        W47.isoformat(),
        "1",
        "1",
        "3",
        "1",
        "2",
        "3",
        "66.7",
        "4.00",
        "4",
    ]
    assert rows[2] == ["2026-W48", W48.isoformat(), "1", "0", "3", "0", "4", "4", "100.0", "", ""]


def test_progress_rows_before_the_start_have_empty_cells() -> None:
    before = W46 - timedelta(weeks=1)
    summary = summary_of(breaks=FakeTrend({before: (1, 2), W48: (0, 0)}))
    first, *_, last = list(progress_csv_rows(summary))
    assert first == ["2026-W45", before.isoformat(), "", "0", "0", "0", "1", "2", "50.0", "", ""]
    assert last[6:9] == ["0", "0", ""]  # no break prompts: no adherence


def test_progress_csv_text() -> None:
    summary = summary_of()
    text = progress_csv_text(summary)
    lines = text.split("\r\n")
    assert lines[0] == ",".join(PROGRESS_CSV_COLUMNS)
    assert len(lines) == len(summary.weeks) + 2 and lines[-1] == ""  # CRLF after each row
    assert lines[1].startswith("2026-W46,2026-11-09,1,")


def test_the_columns() -> None:
    assert EVENT_CSV_COLUMNS[-1] == PROGRAMME_CSV_COLUMNS[-1] == "day"
    assert PROGRESS_CSV_COLUMNS[:2] == ("week", "monday")

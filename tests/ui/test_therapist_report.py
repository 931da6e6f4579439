"""The physiotherapist's summary: a PDF and a CSV that say what weekly_progress says.

The PDF's text is read back with poppler's pdftotext (poppler-utils, installed by
.ci/run); without it those tests skip loudly here and fail in CI.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from deskguard.core import programme
from deskguard.core.export import PROGRESS_CSV_COLUMNS
from deskguard.core.programme import Kind
from deskguard.core.stats import monday_of
from deskguard.ui import therapist_report
from deskguard.ui.therapist_report import (
    SEE_THERAPIST,
    SummaryError,
    progress_summary,
    write_summary,
)
from tests.ui.progress_history import FIRST_MONDAY, History, Plan, build, flat_pain

REQUIRED_ENV = "DESKGUARD_E2E_REQUIRED"


def pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        reason = "pdftotext (apt-get install poppler-utils) is needed to read the PDF back"
        if os.environ.get(REQUIRED_ENV) == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    out = subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return unicodedata.normalize("NFKC", out.stdout)  # poppler gives "ﬂ" ligatures


def pdf_pages(path: Path) -> int:
    """The page count from the PDF's page tree (Qt writes it uncompressed)."""
    data = path.read_bytes()
    counts = re.findall(rb"/Type\s*/Pages\b.*?/Count\s+(\d+)", data, flags=re.S)
    assert len(counts) == 1, "one page tree expected"
    return int(counts[0])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="ascii", newline="") as handle:  # plain ASCII: no dashes, no symbols
        return list(csv.DictReader(handle))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def mondays(history: History, weeks: int) -> list[date]:
    last = monday_of(history.today())
    return [last - timedelta(days=7 * (weeks - 1 - i)) for i in range(weeks)]


@pytest.fixture
def ten_weeks() -> History:
    # Ten programme weeks: phase up in weeks 1, 5 and 7, a sharp stop on the Wednesday
    # of week 3, a skipped Friday in week 8; ratings fall from 6 to 3. Today is the
    # Thursday of week 9.
    return build(Plan(weeks=10))


def test_summary_weeks_are_weekly_progress_beside_the_break_trend(
    qtbot: QtBot, ten_weeks: History
) -> None:
    coach, source = ten_weeks.coach(), ten_weeks.source()
    summary = progress_summary(coach, source, 10)
    expected = programme.weekly_progress(
        coach.events(), coach.settings.programme_days, mondays(ten_weeks, 10)
    )
    assert [w.programme for w in summary.weeks] == expected
    trend = source.trend(monday_of(ten_weeks.today()), 10)
    assert [w.break_adherence for w in summary.weeks] == [r.adherence for r in trend]
    assert [w.breaks_taken for w in summary.weeks] == [r.totals.taken for r in trend]
    # The seeded story, week by week.
    assert [w.programme.phase for w in summary.weeks] == [1, 2, 2, 1, 1, 2, 2, 3, 3, 3]
    assert [w.programme.stopped for w in summary.weeks] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert [w.programme.sessions for w in summary.weeks] == [3, 3, 3, 2, 3, 3, 3, 3, 2, 2]
    assert all(w.programme.planned == 3 for w in summary.weeks)
    assert [m.kind for m in summary.phase_changes] == [
        Kind.ADVANCED,
        Kind.STEPPED_BACK,
        Kind.ADVANCED,
        Kind.ADVANCED,
    ]
    [stop] = summary.stops
    assert stop.day == FIRST_MONDAY + timedelta(weeks=3, days=2)
    assert "Bird dog" in stop.text


def test_weeks_before_any_record_are_left_out(qtbot: QtBot) -> None:
    history = build(Plan(weeks=4))
    summary = progress_summary(history.coach(), history.source(), 12)
    assert len(summary.weeks) == 4
    assert summary.first_day == FIRST_MONDAY
    # Breaks before the programme stay: they are a record too.
    later = build(Plan(weeks=6, start_week=2))
    summary = progress_summary(later.coach(), later.source(), 12)
    assert summary.first_day == FIRST_MONDAY
    assert [w.programme.phase for w in summary.weeks][:3] == [None, None, 1]


def test_pdf_has_two_a4_pages_with_the_key_figures(
    qtbot: QtBot, tmp_path: Path, ten_weeks: History
) -> None:
    coach, source = ten_weeks.coach(), ten_weeks.source()
    pdf, sheet = write_summary(tmp_path / "summary.pdf", coach, source, 10)
    assert pdf == tmp_path / "summary.pdf" and sheet == tmp_path / "summary.csv"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf_pages(pdf) == 2
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595(\.0+)? 842(\.0+)?\s*\]", pdf.read_bytes()), "A4"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv", "summary.pdf"]

    text = pdf_text(pdf)
    flat = squash(text)
    summary = progress_summary(coach, source, 10)
    assert "Back-care programme summary" in flat
    assert f"{summary.period_text()} (10 weeks)" in flat
    assert "Programme started Mon 7 Sep 2026" in flat
    assert "Current phase 3 of 3, Carry it into real life, since 26 Oct 2026" in flat
    assert "Sessions this week 2 of 3 planned" in flat
    review = summary.status.review
    assert review is not None and not review.see_therapist
    assert f"{review.baseline:.1f} → {review.recent:.1f}" in flat
    assert f"{review.improvement:.0%}" in flat
    assert SEE_THERAPIST not in flat
    # Every week's row, figure by figure.
    for w in summary.weeks:
        p = w.programme
        row = (
            rf"{w.week}\s+\S+.*?\s+{p.phase}\s+{p.sessions}/{p.planned}\s+"
            rf"{p.stopped if p.stopped else '—'}\s+{re.escape(w.adherence_text())}\s+"
            rf"{p.mean_pain:.1f}\s+{p.worst_pain}"
        )
        assert re.search(row, text), f"no row for {w.week}: {row}"
    # The phase history, with dates.
    assert "Mon 14 Sep 2026 Moved up to phase 2, Build stability" in flat
    assert "Wed 30 Sep 2026 Session stopped: sharp pain during Bird dog" in flat
    assert "Wed 30 Sep 2026 Stepped back to phase 1, Settle and re-activate" in flat
    assert "Mon 26 Oct 2026 Moved up to phase 3" in flat
    # Red-flag screenings: at the start and after the sharp report.
    assert flat.count("No to all 9 warning-sign questions") == 2
    assert "Page 1 of 2" in flat and "Page 2 of 2" in flat
    assert squash(programme.NOT_MEDICAL_ADVICE) in flat


def test_csv_has_a_row_per_week_that_agrees_with_weekly_progress(
    qtbot: QtBot, tmp_path: Path, ten_weeks: History
) -> None:
    coach, source = ten_weeks.coach(), ten_weeks.source()
    _, sheet = write_summary(tmp_path / "s.pdf", coach, source, 10)
    raw = sheet.read_bytes()
    raw.decode("ascii")  # plain ASCII: no dashes, no symbols
    rows = read_csv(sheet)
    with sheet.open(encoding="ascii", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == PROGRESS_CSV_COLUMNS
    expected = programme.weekly_progress(
        coach.events(), coach.settings.programme_days, mondays(ten_weeks, 10)
    )
    trend = source.trend(monday_of(ten_weeks.today()), 10)
    assert len(rows) == len(expected) == 10
    for row, week, report in zip(rows, expected, trend, strict=True):
        assert row["monday"] == week.monday.isoformat()
        assert row["week"] == report.week
        assert int(row["sessions_done"]) == week.sessions
        assert int(row["sessions_planned"]) == week.planned
        assert int(row["sharp_stops"]) == week.stopped
        assert int(row["phase"]) == week.phase
        assert week.mean_pain is not None
        assert float(row["mean_pain"]) == pytest.approx(week.mean_pain, abs=0.005)
        assert int(row["worst_pain"]) == week.worst_pain
        assert int(row["breaks_taken"]) == report.totals.taken
        assert int(row["breaks_finished"]) == report.totals.finished
        assert report.adherence is not None
        assert float(row["break_adherence_pct"]) == pytest.approx(100 * report.adherence, abs=0.05)


def test_weeks_without_data_have_empty_cells_and_dashes(qtbot: QtBot, tmp_path: Path) -> None:
    history = build(Plan(weeks=6, quiet_weeks=(3,), unrated_weeks=(4,)))
    pdf, sheet = write_summary(tmp_path / "s.pdf", history.coach(), history.source(), 6)
    rows = read_csv(sheet)
    assert [r["break_adherence_pct"] == "" for r in rows] == [False] * 3 + [True] + [False] * 2
    assert [r["mean_pain"] == "" for r in rows] == [False] * 3 + [True, True, False]
    assert rows[3]["sessions_done"] == "0" and rows[3]["sessions_planned"] == "3"
    text = pdf_text(pdf)
    assert re.search(r"2026-W40\s+\S+.*?\s+\d\s+0/3\s+—\s+—\s+—\s+—", text)


def test_a_therapist_is_recommended_in_words(qtbot: QtBot, tmp_path: Path) -> None:
    history = flat_pain()
    summary = progress_summary(history.coach(), history.source())
    assert summary.status.review is not None and summary.status.review.see_therapist
    pdf, _ = write_summary(tmp_path / "s.pdf", history.coach(), history.source())
    flat = squash(pdf_text(pdf))
    assert f"{SEE_THERAPIST}. After four weeks the pain rating has not improved" in flat
    assert "at least 30%" in flat


def test_red_flags_and_pauses_are_listed_with_their_texts(qtbot: QtBot, tmp_path: Path) -> None:
    history = build(Plan(weeks=2, red_flags_at_start=("leg-weakness", "fever-or-chills")))
    coach = history.coach()
    pdf, sheet = write_summary(tmp_path / "s.pdf", coach, history.source())
    flat = squash(pdf_text(pdf))
    assert "Yes to: You have a fever or chills along with the back pain.; Your legs" in flat
    assert "Paused for a clinician's check: You have a fever or chills" in flat
    assert "Status Paused for a clinician's check" in flat
    rows = read_csv(sheet)
    assert [r["sessions_done"] for r in rows] == ["0", "0"]  # paused from the start


def test_not_started_still_writes_a_plain_summary(qtbot: QtBot, tmp_path: Path) -> None:
    history = build(Plan(weeks=3, start_programme=False))
    pdf, sheet = write_summary(tmp_path / "s.pdf", history.coach(), history.source())
    assert pdf_pages(pdf) == 1
    flat = squash(pdf_text(pdf))
    assert "Programme Not started" in flat
    assert "No red-flag screening has been recorded." in flat
    rows = read_csv(sheet)
    assert len(rows) == 3 and {r["phase"] for r in rows} == {""}
    assert all(r["breaks_taken"] != "0" for r in rows)


def test_a_name_without_pdf_gets_it(qtbot: QtBot, tmp_path: Path) -> None:
    history = build(Plan(weeks=1))
    pdf, sheet = write_summary(tmp_path / "for-anna", history.coach(), history.source())
    assert pdf.name == "for-anna.pdf" and sheet.name == "for-anna.csv"
    assert pdf.exists() and sheet.exists()


def test_a_missing_folder_is_a_clear_error(qtbot: QtBot, tmp_path: Path) -> None:
    history = build(Plan(weeks=1))
    with pytest.raises(SummaryError, match=r"folder .*nowhere does not exist"):
        write_summary(tmp_path / "nowhere" / "s.pdf", history.coach(), history.source())
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_a_clear_error_and_changes_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = build(Plan(weeks=2))
    old_pdf, old_csv = tmp_path / "s.pdf", tmp_path / "s.csv"
    old_pdf.write_bytes(b"%PDF- an earlier summary")
    old_csv.write_text("earlier\n")

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(therapist_report.tempfile, "mkstemp", refuse)
    with pytest.raises(SummaryError, match=r"Cannot write to the folder .* \(Permission denied\)"):
        write_summary(old_pdf, history.coach(), history.source())
    assert old_pdf.read_bytes() == b"%PDF- an earlier summary"
    assert old_csv.read_text() == "earlier\n"


def test_a_failure_half_way_leaves_earlier_files_and_no_temporaries(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = build(Plan(weeks=2))
    coach = history.coach()
    events_before = coach.events()
    old_pdf, old_csv = tmp_path / "s.pdf", tmp_path / "s.csv"
    old_pdf.write_bytes(b"%PDF- an earlier summary")
    old_csv.write_text("earlier\n")

    def broken(path: Path, summary: object, *_routine: object) -> int:
        path.write_bytes(b"%PDF- half")
        raise SummaryError("Could not write the PDF s.pdf: the disk is full.")

    monkeypatch.setattr(therapist_report, "_render_pdf", broken)
    with pytest.raises(SummaryError, match="disk is full"):
        write_summary(old_pdf, coach, history.source())
    assert old_pdf.read_bytes() == b"%PDF- an earlier summary"
    assert old_csv.read_text() == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "s.pdf"]
    assert coach.events() == events_before  # nothing the user recorded is touched


def test_importing_the_report_does_not_load_qtcharts() -> None:
    code = (
        "import sys, deskguard.ui.therapist_report; "
        "sys.exit(1 if 'PySide6.QtCharts' in sys.modules else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0

"""The progress window: its chart shows exactly weekly_progress and the break trend."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from deskguard.core import programme
from deskguard.core.programme import Kind, PainWhen, Sensation
from deskguard.core.stats import WeekSource, monday_of
from deskguard.ui.progress import (
    NO_RATINGS,
    NOT_STARTED,
    SAVE_LABEL,
    SOME_UNRATED,
    TITLE,
    ProgressWindow,
)
from deskguard.ui.therapist_report import SEE_THERAPIST, WEEK_COLUMNS
from tests.core.test_stats import FakeReader
from tests.ui.progress_history import (
    FIRST_MONDAY,
    History,
    Plan,
    breaks_on,
    build,
    flat_pain,
)


def make(qtbot: QtBot, history: History, weeks: int = 12) -> ProgressWindow:
    window = ProgressWindow(history.coach(), history.source(), weeks)
    qtbot.addWidget(window)
    return window


def mondays(history: History, weeks: int) -> list[date]:
    last = monday_of(history.today())
    return [last - timedelta(days=7 * (weeks - 1 - i)) for i in range(weeks)]


def day_x(first: date, day: date) -> float:
    """Where a marker for `day` sits: its week's index plus the day within that week."""
    return (monday_of(day) - first).days // 7 - 0.5 + (day.weekday() + 0.5) / 7


def test_the_chart_shows_exactly_weekly_progress_and_the_break_trend(qtbot: QtBot) -> None:
    history = build(Plan(weeks=10, unrated_weeks=(6,)))
    window = make(qtbot, history, 10)
    coach = window.coach
    expected = programme.weekly_progress(
        coach.events(), coach.settings.programme_days, mondays(history, 10)
    )
    trend = window.breaks.trend(monday_of(history.today()), 10)

    bars = window.bar_values()
    assert bars["sessions"] == pytest.approx([100 * w.sessions / w.planned for w in expected])
    assert bars["breaks"] == pytest.approx([100 * r.adherence for r in trend])  # type: ignore[operator]
    assert bars["sessions"][3] == pytest.approx(200 / 3)  # the week of the sharp stop
    rated = [(float(i), w.mean_pain) for i, w in enumerate(expected) if w.mean_pain is not None]
    assert window.pain_points() == rated  # doubles, carried exactly
    assert 6.0 not in [x for x, _ in window.pain_points()]  # the unrated week
    assert window.pain_runs() == [[0, 1, 2, 3, 4, 5], [7, 8, 9]]  # a gap, not a bridge
    assert window.category_labels() == [
        f"{w.monday.day} {w.monday:%b}<br>phase {w.phase}" for w in expected
    ]

    first = expected[0].monday
    events = coach.events()
    for key, kind in (
        ("advanced", Kind.ADVANCED),
        ("stepped_back", Kind.STEPPED_BACK),
        ("stopped", Kind.SESSION_STOPPED),
    ):
        days = [e.day for e in events if e.kind is kind]
        assert window.markers()[key] == pytest.approx([day_x(first, d) for d in days]), key
    assert len(window.markers()["advanced"]) == 3
    assert window.markers()["stopped"] == pytest.approx([3 + 2.5 / 7 - 0.5])  # W3's Wednesday

    assert window.table.rowCount() == 10
    assert window.table.columnCount() == len(WEEK_COLUMNS)
    for r, week in enumerate(expected):
        assert window.table.item(r, 3).text() == f"{week.sessions}/{week.planned}"
        assert window.table.item(r, 4).text() == (str(week.stopped) if week.stopped else "—")
        mean = "—" if week.mean_pain is None else f"{week.mean_pain:.1f}"
        assert window.table.item(r, 6).text() == mean
    assert window.empty_label.isHidden()


def test_tiles_and_headline_tell_this_week(qtbot: QtBot) -> None:
    history = build(Plan(weeks=10))
    window = make(qtbot, history, 10)
    state = window.coach.status()
    this_week = programme.weekly_progress(
        window.coach.events(), window.coach.settings.programme_days, [monday_of(history.today())]
    )[0]
    t = window.tiles
    assert window.windowTitle() == TITLE
    assert t["phase"].value.text() == "Phase 3 of 3"
    assert t["phase"].note.text() == "Carry it into real life"
    assert t["sessions"].value.text() == f"{this_week.sessions} of {this_week.planned}" == "2 of 3"
    assert t["sessions"].note.text() == "Mon, Wed, Fri"
    assert this_week.mean_pain is not None
    assert t["pain"].value.text() == f"{this_week.mean_pain:.1f}"
    review = state.review
    assert review is not None and not review.see_therapist
    assert t["review"].value.text() == f"{review.baseline:.1f} → {review.recent:.1f}"
    assert t["review"].note.text() == f"{review.improvement:.0%} better"
    trend = window.breaks.trend(monday_of(history.today()), 1)[0]
    assert t["breaks"].value.text() == f"{trend.adherence:.0%}"
    assert window.headline.text() == "27 of 30 planned sessions done, 1 stopped by sharp pain"
    assert window.banner.isHidden()
    assert window.disclaimer.text() == programme.NOT_MEDICAL_ADVICE
    history_rows = [
        (window.history.item(r, 0).text(), window.history.item(r, 1).text())
        for r in range(window.history.rowCount())
    ]
    assert history_rows == [
        ("Mon 7 Sep 2026", "Warning-sign questions: no to all 9"),
        ("Mon 7 Sep 2026", "Started at phase 1, Settle and re-activate"),
        ("Mon 14 Sep 2026", "Moved up to phase 2, Build stability"),
        ("Wed 30 Sep 2026", "Session stopped: sharp pain during Bird dog"),
        ("Wed 30 Sep 2026", "Stepped back to phase 1, Settle and re-activate, for at least 7 days"),
        ("Wed 30 Sep 2026", "Warning-sign questions: no to all 9"),
        ("Mon 12 Oct 2026", "Moved up to phase 2, Build stability"),
        ("Mon 26 Oct 2026", "Moved up to phase 3, Carry it into real life"),
    ]


def test_no_improvement_after_four_weeks_says_see_a_physical_therapist(qtbot: QtBot) -> None:
    window = make(qtbot, flat_pain())
    review = window.coach.status().review
    assert review is not None and review.see_therapist
    assert not window.banner.isHidden()
    assert window.banner.text().startswith(f"<b>{SEE_THERAPIST}.</b>")
    assert window.tiles["review"].note.text().endswith("see a physiotherapist")


def test_a_red_flag_pause_is_said_above_the_chart(qtbot: QtBot) -> None:
    window = make(qtbot, build(Plan(weeks=2, red_flags_at_start=("leg-weakness",))))
    assert window.history.item(0, 1).text() == (
        "Warning-sign questions: yes to: Your legs or feet feel weak or lose strength."
    )
    assert window.history.item(2, 1).text().startswith("Paused for a clinician's check")
    assert not window.banner.isHidden()
    assert "paused" in window.banner.text() and "clinician" in window.banner.text()
    assert window.tiles["phase"].note.text() == "paused"


def test_not_started_reads_kindly_and_keeps_the_breaks(qtbot: QtBot) -> None:
    history = build(Plan(weeks=3, start_programme=False))
    window = make(qtbot, history)
    assert not window.empty_label.isHidden()
    assert window.empty_label.text() == NOT_STARTED
    assert window.headline.text() == "Back-care programme: not started"
    assert window.tiles["phase"].value.text() == "—"
    assert window.tiles["phase"].note.text() == "not started"
    trend = window.breaks.trend(monday_of(history.today()), 3)
    assert window.bar_values()["breaks"] == pytest.approx([100 * r.adherence for r in trend])  # type: ignore[operator]
    assert window.bar_values()["sessions"] == [None, None, None]
    assert window.pain_points() == [] and window.note.isHidden()
    assert not window.save_button.isEnabled()
    assert window.category_labels() == ["7 Sep", "14 Sep", "21 Sep"]


def test_nothing_recorded_at_all_shows_this_week_only(qtbot: QtBot) -> None:
    history = build(Plan(weeks=1, start_programme=False, prompts_per_day=0))
    window = make(qtbot, history)
    assert window.summary is not None and len(window.summary.weeks) == 1
    assert window.tiles["breaks"].value.text() == "—"
    assert window.tiles["breaks"].note.text() == "no break prompts yet"
    assert window.bar_values() == {"breaks": [None], "sessions": [None]}
    chart = window.chart_view.chart()
    assert chart.title() == "Pain against breaks and sessions · week of 7 Sep 2026"
    assert [m.label() for m in chart.legend().markers() if m.isVisible()] == []
    assert window.history.item(0, 1).text() == "The programme has not started."


def test_weeks_without_ratings_say_so(qtbot: QtBot) -> None:
    none_rated = build(Plan(weeks=3, unrated_weeks=(0, 1, 2)))
    window = make(qtbot, none_rated)
    assert window.pain_points() == []
    assert window.note.text() == NO_RATINGS and not window.note.isHidden()
    assert window.tiles["pain"].value.text() == "—"
    assert window.tiles["pain"].note.text() == "no rating yet"
    assert window.bar_values()["sessions"] == pytest.approx([100.0, 100.0, 200 / 3])

    some_rated = build(Plan(weeks=3, unrated_weeks=(1,)))
    window = make(qtbot, some_rated)
    assert window.note.text() == SOME_UNRATED
    assert [x for x, _ in window.pain_points()] == [0.0, 2.0]


def test_the_window_redraws_when_the_programme_changes(qtbot: QtBot) -> None:
    history = build(Plan(weeks=2, sharp=None, unrated_weeks=(1,)))
    window = make(qtbot, history)
    assert [x for x, _ in window.pain_points()] == [0.0]
    history.clock.advance(days=1)  # Friday: a session day
    with qtbot.waitSignal(window.coach.changed, timeout=1000):
        window.coach.log_pain(2, Sensation.ACHE, PainWhen.BEFORE)
    assert window.pain_points()[-1] == (1.0, 2.0)
    window.coach.finish_session(5, 5)
    assert window.tiles["sessions"].value.text() == "3 of 3"


def test_showing_again_reads_the_breaks_afresh(qtbot: QtBot) -> None:
    history = build(Plan(weeks=2))
    reader = FakeReader(history.break_events)
    window = ProgressWindow(history.coach(), WeekSource(reader, history.settings, history.today))
    qtbot.addWidget(window)
    window.show()
    before = window.bar_values()["breaks"][-1]
    window.close()
    assert window.isHidden()  # closing keeps it for the next time
    # Friday's breaks, all taken, arrive while the window is hidden.
    history.clock.advance(days=1)
    reader.events += breaks_on(history.today(), 1.0, 8, random.Random(1))
    assert window.bar_values()["breaks"][-1] == before
    window.show()
    after = window.bar_values()["breaks"][-1]
    assert before is not None and after is not None and after > before


def test_save_asks_for_a_pdf_in_the_documents_folder_and_writes_both_files(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make(qtbot, build(Plan(weeks=3)))
    asked: list[tuple[object, ...]] = []
    target = tmp_path / "for-physio.pdf"

    def dialog(parent: QWidget, caption: str, suggested: str, filters: str) -> tuple[str, str]:
        asked.append((parent, caption, suggested, filters))
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    assert window.save_button.text() == SAVE_LABEL and window.save_button.isEnabled()
    window.save_button.click()
    [(parent, caption, suggested, filters)] = asked
    assert parent is window and "physiotherapist" in str(caption) and filters == "PDF (*.pdf)"
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(str(suggested)).parent == Path(documents)
    today = FIRST_MONDAY + timedelta(weeks=2, days=3)
    assert Path(str(suggested)).name == f"deskguard-back-care-summary-{today}.pdf"
    assert target.read_bytes().startswith(b"%PDF")
    assert target.with_suffix(".csv").exists()
    assert window.status.text() == f"Saved for-physio.pdf and for-physio.csv in {tmp_path}"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    window.save_button.click()  # cancelled: nothing changes
    assert window.status.text().startswith("Saved for-physio.pdf")


def test_a_save_that_fails_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    window = make(qtbot, build(Plan(weeks=2)))
    assert window.save_summary(tmp_path / "gone" / "s.pdf") is None
    assert "does not exist" in window.status.text()
    assert not (tmp_path / "gone").exists()


def test_never_one_of_zero_sessions() -> None:
    from deskguard.ui.progress import sessions_text

    assert sessions_text(1, 0) == "1 session done, ahead of your plan"
    assert sessions_text(0, 0) == "No sessions planned yet: they start on your next session day"
    assert sessions_text(2, 3) == "2 of 3 planned sessions done"


def test_not_started_offers_start_and_escape_closes(qtbot: QtBot) -> None:
    history = build(Plan(weeks=2, start_programme=False))
    opened: list[bool] = []
    window = ProgressWindow(
        history.coach(), history.source(), 2, open_programme=lambda: opened.append(True)
    )
    qtbot.addWidget(window)
    window.show()
    assert window.start_button.isVisible()
    window.start_button.click()
    assert opened == [True]
    with qtbot.waitActive(window, timeout=1000):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()
    started = make(qtbot, build(Plan(weeks=2)))
    assert started.start_button.isHidden()

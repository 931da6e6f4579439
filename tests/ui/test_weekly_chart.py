"""The weekly chart window: its data is the stats' data; navigation and export work."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from deskguard.core.model import Event, EventKind, Settings
from deskguard.core.stats import WeekSource, adherence_text
from deskguard.ui.weekly_chart import EMPTY_WEEK, OUTCOMES, WeeklyChartWindow
from tests.core.test_stats import MONDAY, SEEDED_DAY, FakeReader, at, history_of

TODAY = MONDAY + timedelta(days=3)  # Thursday of 2026-W48


def make(qtbot: QtBot, events: list[Event], settings: Settings | None = None) -> WeeklyChartWindow:
    source = WeekSource(FakeReader(events), settings or Settings(), today=lambda: TODAY)
    window = WeeklyChartWindow(source)
    qtbot.addWidget(window)
    window.this_week()
    return window


def test_the_charts_show_exactly_the_stats(qtbot: QtBot) -> None:
    window = make(qtbot, history_of(14) + SEEDED_DAY)
    report = window.source.week(MONDAY)
    assert window.report is not None and window.report.as_dict() == report.as_dict()
    assert window.bar_values() == {
        key: [getattr(day, key) for day in report.days] for key, _, _ in OUTCOMES
    }
    expected = [
        (float(i), 100 * d.adherence) for i, d in enumerate(report.days) if d.adherence is not None
    ]
    points = window.adherence_points()
    assert [x for x, _ in points] == [x for x, _ in expected]
    assert [y for _, y in points] == pytest.approx([y for _, y in expected])
    for r, day in enumerate([*report.days, report.totals]):
        assert window.table.item(r, 1).text() == str(day.prompted)
        assert window.table.item(r, 6).text() == str(day.missed)
        assert window.table.item(r, 7).text() == adherence_text(day)
    totals = report.totals
    assert window.tiles["taken"].value.text() == str(totals.taken)
    assert window.tiles["adherence"].value.text() == f"{totals.adherence:.0%}"
    assert window.tiles["streak"].value.text().startswith(str(report.streak))
    trend = window.source.trend(MONDAY)
    assert len(window.trend_reports) == 12
    assert window.trend_values() == pytest.approx(
        [None if w.adherence is None else 100 * w.adherence for w in trend]
    )
    assert window.empty_label.isHidden()


def test_navigation_between_weeks(qtbot: QtBot) -> None:
    window = make(qtbot, history_of(3))
    assert window.monday == MONDAY
    assert not window.next_button.isEnabled() and not window.today_button.isEnabled()
    qtbot.mouseClick(window.prev_button, Qt.MouseButton.LeftButton)
    assert window.monday == MONDAY - timedelta(days=7)
    assert window.report is not None and window.report.week == "2026-W47"
    assert "Week 47, 2026" in window.week_label.text()
    assert window.next_button.isEnabled() and window.today_button.isEnabled()
    window.prev_button.click()
    assert window.monday == MONDAY - timedelta(days=14)
    assert not window.prev_button.isEnabled()  # the oldest week with events
    window.previous_week()  # the shortcut's slot does nothing past the start either
    assert window.monday == MONDAY - timedelta(days=14)
    window.next_button.click()
    assert window.monday == MONDAY - timedelta(days=7)
    window.today_button.click()
    assert window.monday == MONDAY and window.report.week == "2026-W48"  # type: ignore[union-attr]


def test_an_empty_week_is_said_kindly(qtbot: QtBot) -> None:
    events = [*SEEDED_DAY, Event(EventKind.PAUSED, at(MONDAY - timedelta(days=28), 9), None, "")]
    window = make(qtbot, events)
    window.show_week(MONDAY - timedelta(days=14))
    assert not window.empty_label.isHidden()
    assert window.empty_label.text() == EMPTY_WEEK
    assert "no break prompts" in window.headline.text()
    assert window.tiles["adherence"].value.text() == "—"
    assert window.bar_values()["completed"] == [0] * 7
    assert window.adherence_points() == []
    assert window.tiles["checklist"].isHidden()


def test_export_png_and_csv(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make(qtbot, SEEDED_DAY)
    window.resize(900, 680)
    png = tmp_path / "week.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(png), ""))
    window.png_button.click()
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 300 and image.height() > 200
    assert f"Saved {png}" in window.status.text()

    window.tabs.setCurrentIndex(2)
    trend_png = tmp_path / "trend.png"
    assert window.save_png(trend_png) and not QImage(str(trend_png)).isNull()

    target = tmp_path / "week.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.csv_button.click()
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == len(SEEDED_DAY)
    assert sum(r["kind"] == "missed" for r in rows) == window.report.totals.missed  # type: ignore[union-attr]
    assert f"Wrote {len(rows)} events" in window.status.text()

    assert window.export_csv(tmp_path / "missing" / "x.csv") is None
    assert "Could not write" in window.status.text()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    window.csv_button.click()  # cancelled: nothing happens
    assert "Could not write" in window.status.text()


def test_goal_and_days_off_follow_the_settings(qtbot: QtBot) -> None:
    settings = Settings(working_days=frozenset({0, 1, 2}), adherence_goal=60)
    window = make(qtbot, SEEDED_DAY, settings)
    assert window.report is not None and window.report.goal == 60
    assert [window.table.item(r, 7).text() for r in (3, 4)] == ["day off", "day off"]
    assert window.tiles["adherence"].note.text() == "goal 60%"  # 50 % on Monday: not met


def test_closing_only_hides(qtbot: QtBot) -> None:
    window = make(qtbot, [])
    window.show()
    qtbot.waitExposed(window)
    window.close_button.click()
    assert not window.isVisible()
    assert window.monday == date(2026, 11, 23)

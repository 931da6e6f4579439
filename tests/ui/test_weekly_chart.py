"""The week window: its figures are the stats', its chart has one scale and says how each
day did, nothing is cut off, and it speaks in dates and sentences, not codes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from deskguard.core.glance import Mark, goal_count
from deskguard.core.model import Event, EventKind, Settings
from deskguard.core.stats import WeekSource
from deskguard.ui.weekly_chart import WeeklyChartWindow, week_span
from tests.core.test_stats import CET, MONDAY, SEEDED_DAY, FakeReader, at, history_of
from tests.ui.week_fit import unfit_labels
from tests.ui.week_history import prompt, self_started_break, working_weeks

TODAY = MONDAY + timedelta(days=3)  # Thursday of 2026-W48
ROOT = Path(__file__).resolve().parents[2]


def make(
    qtbot: QtBot,
    events: list[Event],
    settings: Settings | None = None,
    today: date = TODAY,
    next_break: datetime | None = None,
) -> WeeklyChartWindow:
    source = WeekSource(FakeReader(events), settings or Settings(), today=lambda: today)
    window = WeeklyChartWindow(source, lambda: next_break)
    qtbot.addWidget(window)
    window.this_week()
    return window


def full_day(day: date, outcomes: list[str]) -> list[Event]:
    import random

    rng = random.Random(1)
    events: list[Event] = []
    for n, outcome in enumerate(outcomes):
        due = datetime.combine(day, time(9, 45), tzinfo=CET) + timedelta(minutes=47 * n)
        events += prompt(f"{day}-{n}", due, outcome, rng)
    return events


def test_one_scale_counts_breaks_and_each_day_says_how_it_did(qtbot: QtBot) -> None:
    record = [
        *full_day(MONDAY, ["completed"] * 8),  # 8 of 8
        *full_day(MONDAY + timedelta(days=1), ["completed"] * 5 + ["skipped"] * 3),  # 5 of 8
        *full_day(TODAY, ["completed", "missed"]),  # in progress
    ]
    window = make(qtbot, record)
    glance = window.chart.glance
    assert glance is not None and glance is window.glance
    mon, tue, wed, thu, fri, sat, _sun = glance.days
    # One value axis, in breaks: the tallest bar fits under it and the goal marks sit on it.
    assert glance.axis_top >= max(d.total for d in glance.days) and glance.ticks[0] == 0
    assert mon.total == 8 and mon.goal_count == goal_count(8, 80) == 7
    assert mon.taken >= mon.goal_count  # 8 of 8 is drawn above its goal, never below
    assert tue.goal_count == 7 and tue.taken == 5 < tue.goal_count
    assert (mon.mark, tue.mark, wed.mark) == (Mark.MET, Mark.NOT_MET, Mark.NO_PROMPTS)
    assert (thu.mark, fri.mark, sat.mark) == (Mark.TODAY, Mark.UPCOMING, Mark.DAY_OFF)
    assert thu.total == 2 and thu.taken == 1  # today's partial day, drawn as it stands
    assert window.chart.day_names[3] == "Today"
    assert window.headline.text() == (
        "You got up for 14 of 18 breaks so far — goal met on 1 of 2 working days. "
        "Today: 1 of 2 so far."
    )
    assert window.tiles["days"].value.text() == "1 of 2"


def test_a_self_started_break_on_a_day_off_is_a_bonus(qtbot: QtBot) -> None:
    saturday = MONDAY + timedelta(days=5)
    record = [
        *full_day(MONDAY, ["completed", "completed"]),
        *self_started_break("own", at(saturday, 11), 120, finished=True),
        *self_started_break("stopped", at(MONDAY, 14), 40, finished=False),
    ]
    window = make(qtbot, record, today=MONDAY + timedelta(days=6))
    glance = window.glance
    assert glance is not None
    sat = glance.days[5]
    assert sat.mark is Mark.BONUS and sat.goal_count is None
    assert window.chart.figure(sat) == "+1"
    assert glance.days[0].mark is Mark.MET and glance.days[0].total == 2  # stopped: not counted
    assert window.headline.text() == (
        "You got up for 3 of 3 breaks (1 started by you) — goal met on 1 of 1 working day."
    )
    assert window.table.item(5, 8).text() == "bonus"


def test_the_figures_are_the_stats(qtbot: QtBot) -> None:
    window = make(qtbot, working_weeks(TODAY, until=time(14)))
    report = window.source.week(MONDAY)
    assert window.report is not None and window.report.as_dict() == report.as_dict()
    for r, day in enumerate([*report.days, report.totals]):
        assert window.table.item(r, 1).text() == str(day.prompted)
        assert window.table.item(r, 4).text() == str(day.self_started)
        assert window.table.item(r, 6).text() == str(day.missed)
    totals = report.totals
    assert window.tiles["taken"].value.text() == f"{totals.breaks} of {totals.counted}"
    trend = window.source.trend(MONDAY)
    assert [w.as_dict() for w in window.trend.weeks] == [w.as_dict() for w in trend]
    assert len(window.trend.weeks) == 12
    met = [window.trend.met(w) for w in trend]
    for week, figure in zip(trend, (window.trend.figure(w) for w in trend), strict=True):
        assert figure.endswith(f"{round(week.adherence * 100)}%")  # type: ignore[operator]
        assert figure.startswith("✓") == bool(met[trend.index(week)])
    assert window.empty_label.isHidden()


def test_weeks_are_named_by_their_dates_and_the_title_follows(qtbot: QtBot) -> None:
    window = make(qtbot, history_of(3))
    assert window.week_label.text() == "23–29 Nov"
    assert window.windowTitle() == "DeskGuard — This week"
    window.prev_button.click()
    assert window.week_label.text() == "16–22 Nov"
    assert window.windowTitle() == "DeskGuard — Last week"
    window.prev_button.click()
    assert window.windowTitle() == "DeskGuard — Week of 9–15 Nov"
    assert not window.prev_button.isEnabled()  # the oldest week with events
    window.previous_week()
    assert window.monday == MONDAY - timedelta(days=14)
    window.today_button.click()
    assert window.monday == MONDAY
    for text in (window.headline.text(), window.trend_headline.text(), window.windowTitle()):
        assert "W4" not in text and "pts" not in text and "2026-W" not in text
    english = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    assert week_span(date(2025, 12, 29), TODAY, english) == "29 Dec 2025 – 4 Jan 2026"
    assert week_span(date(2026, 11, 30), TODAY, english) == "30 Nov – 6 Dec"
    assert week_span(date(2025, 11, 24), TODAY, english) == "24–30 Nov 2025"


def test_a_new_user_is_told_when_the_first_break_comes(qtbot: QtBot) -> None:
    first = datetime(2026, 11, 26, 9, 45, tzinfo=CET)
    window = make(qtbot, [], next_break=first)
    assert not window.empty_label.isHidden()
    clock = QLocale().toString(first.time(), QLocale.FormatType.ShortFormat)
    assert window.empty_label.text() == f"Nothing recorded yet.\nYour first break is at {clock}."
    assert "holidays" not in window.empty_label.text()
    assert window.tiles["taken"].value.text() == "—"
    assert window.tiles["movement"].value.text() == "—"
    # A first day with one break: figures, not an empty card, and no "0 min".
    window = make(qtbot, full_day(TODAY, ["completed"]))
    assert window.empty_label.isHidden()
    assert window.headline.text() == "You got up for 1 of 1 break so far."
    assert window.tiles["movement"].value.text() == "2 min"
    assert window.tiles["sitting"].value.text() != "0 min"


def test_a_past_empty_week_is_said_plainly(qtbot: QtBot) -> None:
    events = [*SEEDED_DAY, Event(EventKind.PAUSED, at(MONDAY - timedelta(days=28), 9), None, "")]
    window = make(qtbot, events)
    window.show_week(MONDAY - timedelta(days=14))
    assert window.empty_label.text() == "Nothing was recorded in the week of 9–15 Nov."
    assert window.tiles["checklist"].isHidden()


def test_no_label_is_cut_off_in_this_process(qtbot: QtBot) -> None:
    # The offscreen screen here is 800x600, so the window opens smaller than its default.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    unfit, measured, _size = unfit_labels(app)
    assert measured > 60
    assert unfit == []


@pytest.mark.parametrize(
    ("scale", "screen"), [("1", (1920, 1080)), ("2", (2560, 1600))], ids=["100%", "200%"]
)
def test_no_label_is_cut_off_at_the_default_size(
    scale: str, screen: tuple[int, int], tmp_path: Path
) -> None:
    """In a process of its own on a screen of a common size (a 200 % laptop: 2560x1600),
    where the window opens at its default size."""
    config = tmp_path / "screen.json"
    width, height = screen
    config.write_text(json.dumps({"screens": [{"name": "s", "width": width, "height": height}]}))
    env = {**os.environ, "QT_SCALE_FACTOR": scale}
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.week_fit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ratio"] == float(scale)
    assert result["size"] == [900, 680]
    assert result["measured"] > 60
    assert result["unfit"] == []


def test_escape_closes_and_ctrl_tab_moves_between_views(qtbot: QtBot) -> None:
    window = make(qtbot, [])
    window.show()
    with qtbot.waitActive(window, timeout=1000):  # shortcuts belong to the active window
        window.activateWindow()
    qtbot.keyClick(window.close_button, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1  # Ctrl+Tab from anywhere moves to the next view
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_export_png_and_csv(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make(qtbot, SEEDED_DAY)
    window.show()
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
    assert [window.table.item(r, 8).text() for r in (3, 4)] == ["day off", "day off"]
    assert window.tiles["taken"].note.text().endswith("goal 60%")


def test_closing_only_hides(qtbot: QtBot) -> None:
    window = make(qtbot, [])
    window.show()
    qtbot.waitExposed(window)
    window.close_button.click()
    assert not window.isVisible()
    assert window.monday == date(2026, 11, 23)

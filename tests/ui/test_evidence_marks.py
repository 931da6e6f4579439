"""Issue 15 in the programme's windows: DeskGuard's own choices are marked where a user
or a physiotherapist reads them (programme window, session player, PDF), one review
threshold, honest expectations, and "gentle walking is fine" after sharp pain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import load_library
from deskguard.core import programme
from deskguard.core.clock import FakeClock
from deskguard.core.model import Settings
from deskguard.core.programme import Sensation
from deskguard.services.programme import Coach, MemoryProgrammeLog
from deskguard.ui.programme_window import ProgrammeWindow
from deskguard.ui.session_player import Page, SessionPlayer
from deskguard.ui.therapist_report import current_routine, progress_summary, summary_html
from tests.ui.progress_history import build, flat_pain

MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(autouse=True)
def close_windows(qapp: QApplication) -> Iterator[None]:
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SessionPlayer):
            widget.abandon()
        widget.close()


def coach(start: bool = True) -> Coach:
    c = Coach(
        log=MemoryProgrammeLog(), clock=FakeClock(MONDAY), settings=Settings(),
        library=load_library(),
    )  # fmt: skip
    if start:
        c.start([])
    return c


def labels(widget: QApplication | ProgrammeWindow | SessionPlayer) -> list[QLabel]:
    return [label for label in widget.findChildren(QLabel) if label.isVisible()]


# ---- programme window ----------------------------------------------------------------------


def test_phase_cards_mark_the_choice_of_exercises_as_ours(qtbot: QtBot) -> None:
    window = ProgrammeWindow(coach(start=False))
    qtbot.addWidget(window)
    window.show()
    marked = [label for label in labels(window) if label.text().startswith("Exercises:")]
    assert len(marked) == programme.PHASE_COUNT
    for label, phase in zip(marked, programme.PHASES, strict=True):
        assert "our suggestion" in label.text()
        assert phase.placement_choice in label.toolTip()


def test_the_rules_tell_the_review_range_the_choice_and_what_to_expect(qtbot: QtBot) -> None:
    window = ProgrammeWindow(coach(start=False))
    qtbot.addWidget(window)
    window.show()
    rules = window.rules.text()
    assert "at least 20–30% (DeskGuard looks for 30%: our choice)" in rules
    assert "10–25 lb (5–11 kg)" in rules
    assert "gentle walking is fine" in rules
    assert "Expect slow progress" in rules and "straight line" in rules
    assert "our reading" in rules  # a clean week counted as 3 sessions


def test_the_current_phase_marks_its_exercises_too(qtbot: QtBot) -> None:
    window = ProgrammeWindow(coach())
    qtbot.addWidget(window)
    window.show()
    assert "our suggestion" in window.phase_exercises.text()
    assert window.phase_exercises.toolTip()


# ---- session player ------------------------------------------------------------------------


def test_the_player_marks_doses_and_steps(qtbot: QtBot) -> None:
    player = SessionPlayer(coach())
    qtbot.addWidget(player)
    player.show()
    routine = player.before_routine.text()
    assert "Cat-cow — 1 set of 8 reps (our suggestion)" in routine
    assert "Glute bridge — 1 set of 8 reps<" in routine  # the articles' dose: no mark
    player.before_rating.set_rating(2)
    player.before_rating.set_sensation(Sensation.NONE)
    player.primary_button.click()
    assert player.page is Page.STEP
    assert "Dose: our suggestion · Steps: from the articles" in player.step_where.text()
    assert "no count" in player.step_where.toolTip()
    player.next()  # on to the rest after the first set
    assert player.page is Page.REST
    assert "our suggestion" in player.rest_lead.text()
    assert player.rest_lead.toolTip() == programme.REST_CHOICE


def test_sharp_pain_says_skip_the_routine_and_walk_gently(qtbot: QtBot) -> None:
    player = SessionPlayer(coach())
    qtbot.addWidget(player)
    player.show()
    player.before_rating.set_rating(2)
    player.before_rating.set_sensation(Sensation.NONE)
    player.primary_button.click()
    player.sharp()
    text = player.check_explain.text()
    assert "Skip the routine today; gentle walking is fine." in text
    assert "too advanced" not in player.check_advice.text()
    assert "leave the exercise out for now" in player.check_advice.text()


def test_sharp_pain_before_the_start_says_walk_not_rest(qtbot: QtBot) -> None:
    player = SessionPlayer(coach())
    qtbot.addWidget(player)
    player.show()
    player.before_rating.set_rating(5)
    player.before_rating.set_sensation(Sensation.SHARP)
    player.primary_button.click()
    assert "gentle walking is fine" in player.check_explain.text()
    assert "rest instead" not in player.check_explain.text()
    player.form.none_apply()
    player.form.confirm_button.click()
    assert player.end_heading.text() == "Skip the routine today"
    assert "Gentle walking is fine today" in player.end_message.text()


# ---- the physiotherapist's PDF -------------------------------------------------------------


def test_the_pdf_lists_the_routine_with_evidence_and_choices(qtbot: QtBot) -> None:
    history = build()
    c = history.coach()
    summary = progress_summary(c, history.source())
    routine = current_routine(c)
    assert [e.id for e in routine] == list(c.phase().exercise_ids)
    html = summary_html(summary, chart=None, routine=routine)
    assert "The current routine: evidence and DeskGuard's choices" in html
    assert "<i>Our suggestion:</i> The articles say to repeat it" in html  # cat-cow's dose
    assert "[1]" in html and "Motive Health" in html  # the reference list
    assert escape(programme.REST_CHOICE) in html
    assert "000" not in html.split("<h2>The current routine")[1]  # no file numbers


def test_the_pdf_review_names_the_range_and_the_choice(qtbot: QtBot) -> None:
    history = flat_pain()
    html = summary_html(progress_summary(history.coach(), history.source()), chart=None)
    assert "at least 30% (articles: 20–30%)" in html
    assert "DeskGuard uses 30%, the top of that range" in html

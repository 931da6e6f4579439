"""The red-flag questions, the clinician screen and the pain log's dialog (issue 7, item 4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import load_library
from deskguard.core import programme
from deskguard.core.clock import FakeClock
from deskguard.core.model import Settings
from deskguard.core.programme import Kind, PainWhen, Sensation
from deskguard.services.programme import Coach, MemoryProgrammeLog
from deskguard.ui.pain_dialog import CHECKIN_TITLE, PainDialog, PainRating
from deskguard.ui.screening import (
    CLINICIAN_TITLE,
    ClinicianDialog,
    ScreeningDialog,
    ScreeningForm,
    clinician_watch,
)

MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def make_coach() -> Coach:
    return Coach(
        log=MemoryProgrammeLog(),
        clock=FakeClock(MONDAY),
        settings=Settings(),
        library=load_library(),
    )


@pytest.fixture(autouse=True)
def close_windows(qapp: QApplication) -> Iterator[None]:
    """The clinician screen is a window of its own: close whatever a test left open."""
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()


def texts(widget: object) -> str:
    assert hasattr(widget, "findChildren")
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def shown_clinician(coach: Coach) -> ClinicianDialog:
    dialog = clinician_watch(coach).dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


# ---- the questions -------------------------------------------------------------------------


def test_every_question_is_asked_and_none_is_answered_in_advance(qtbot: QtBot) -> None:
    coach = make_coach()
    form = ScreeningForm(coach.screening_questions())
    qtbot.addWidget(form)
    questions = coach.screening_questions()
    assert len(questions) >= 8
    shown = texts(form)
    for flag in questions:
        assert flag.text in shown
        assert form.answer(flag.id) is None
        assert form.yes[flag.id].accessibleName() == f"Yes: {flag.text}"
    assert "no-progress-with-exercise" not in form.yes  # the review answers that one
    assert not form.confirm_button.isEnabled()
    assert "9 questions still need an answer" in form.missing.text()
    with qtbot.assertNotEmitted(form.answered):
        form.confirm()


def test_none_of_these_ticks_no_everywhere_and_waits_for_the_confirm(qtbot: QtBot) -> None:
    coach = make_coach()
    form = ScreeningForm(coach.screening_questions())
    qtbot.addWidget(form)
    with qtbot.assertNotEmitted(form.answered):
        form.none_button.click()
    assert all(form.answer(f.id) is False for f in form.questions)
    assert form.confirm_button.isEnabled()
    with qtbot.waitSignal(form.answered, timeout=1000) as signal:
        form.confirm_button.click()
    assert signal.args == [[]]


def test_one_unanswered_question_keeps_continue_off(qtbot: QtBot) -> None:
    coach = make_coach()
    form = ScreeningForm(coach.screening_questions())
    qtbot.addWidget(form)
    for flag in form.questions[1:]:
        form.no[flag.id].click()
    assert not form.confirm_button.isEnabled()
    assert form.missing.text() == "1 question still needs an answer."
    form.yes[form.questions[0].id].click()
    assert form.confirm_button.isEnabled()
    with qtbot.waitSignal(form.answered, timeout=1000) as signal:
        form.confirm_button.click()
    assert signal.args == [[form.questions[0].id]]


def test_starting_with_no_warning_signs_starts_phase_one(qtbot: QtBot) -> None:
    coach = make_coach()
    dialog = ScreeningDialog(coach, starting=True)
    qtbot.addWidget(dialog)
    dialog.open()
    assert "not medical advice" in dialog.disclaimer.text()
    dialog.form.none_button.click()
    with qtbot.assertNotEmitted(coach.clinician_needed):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    state = coach.status()
    assert state.active and state.phase == 1
    assert not dialog.isVisible()
    assert [e.kind for e in coach.events()] == [Kind.SCREENED, Kind.STARTED]


def test_cancelling_the_start_records_nothing(qtbot: QtBot) -> None:
    coach = make_coach()
    dialog = ScreeningDialog(coach, starting=True)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.form.none_apply()
    dialog.cancel_button.click()
    assert coach.events() == []
    assert coach.status().started is None


def test_a_yes_pauses_and_shows_the_clinician_screen_with_the_reason(qtbot: QtBot) -> None:
    coach = make_coach()
    dialog = ScreeningDialog(coach, starting=True)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.form.none_apply()
    dialog.form.yes["leg-weakness"].click()
    with qtbot.waitSignal(coach.clinician_needed, timeout=1000):
        dialog.form.confirm_button.click()
    state = coach.status()
    assert state.started is not None and state.paused
    assert state.pause_reasons == ("leg-weakness",)
    clinician = shown_clinician(coach)
    assert clinician.windowTitle() == CLINICIAN_TITLE
    assert "clinician" in clinician.windowTitle()
    shown = texts(clinician)
    assert "Please see a clinician" in shown
    assert "Your legs or feet feel weak or lose strength." in shown
    assert "paused" in shown and "saved in its log" in shown
    assert "not medical advice" in shown and "diagnosis" in shown
    assert [e.kind for e in coach.events()][-1] is Kind.PAUSED


def test_screening_later_in_the_programme_records_a_screening_not_a_start(qtbot: QtBot) -> None:
    coach = make_coach()
    coach.start([])
    dialog = ScreeningDialog(coach)
    qtbot.addWidget(dialog)
    dialog.form.none_apply()
    dialog.form.yes["fever-or-chills"].click()
    dialog.form.confirm()
    kinds = [e.kind for e in coach.events()]
    assert kinds.count(Kind.STARTED) == 1
    assert kinds[-2:] == [Kind.SCREENED, Kind.PAUSED]
    assert "You have a fever or chills" in texts(shown_clinician(coach))


def test_one_clinician_screen_per_coach_however_many_windows_hook_it(qtbot: QtBot) -> None:
    coach = make_coach()
    coach.start([])
    first = clinician_watch(coach)
    assert clinician_watch(coach) is first
    coach.screen(["leg-weakness"])
    dialog = shown_clinician(coach)
    coach.resume()
    coach.screen(["after-fall-or-injury"])
    assert shown_clinician(coach) is dialog
    shown = texts(dialog)
    assert "after a fall" in shown and "Your legs or feet" not in shown


def test_a_user_pause_shows_no_clinician_screen(qtbot: QtBot) -> None:
    coach = make_coach()
    coach.start([])
    watch = clinician_watch(coach)
    coach.pause()
    assert watch.dialog is None


# ---- the pain rating -------------------------------------------------------------------------


def test_the_scale_runs_from_no_pain_to_the_worst_imaginable(qtbot: QtBot) -> None:
    rating = PainRating("How is it?")
    qtbot.addWidget(rating)
    assert [b.text() for b in rating.scale_buttons] == [str(n) for n in range(11)]
    assert "no pain" in rating.scale_buttons[0].accessibleName()
    assert "worst imaginable" in rating.scale_buttons[10].accessibleName()
    shown = texts(rating)
    assert "0 = no pain" in shown and "10 = the worst imaginable" in shown
    names = [b.text() for b in rating.sensation_buttons.values()]
    assert names == [
        "None of these",
        "A dull ache or muscle tiredness",
        "Sharp or stabbing",
        "It travels down a leg",
    ]
    assert rating.rating() is None and rating.sensation() is None and not rating.complete()


def test_keys_pick_a_rating_and_zero_means_no_pain(qtbot: QtBot) -> None:
    rating = PainRating("How is it?")
    qtbot.addWidget(rating)
    qtbot.keyClick(rating, Qt.Key.Key_7)
    assert rating.rating() == 7 and rating.sensation() is None
    qtbot.keyClick(rating, Qt.Key.Key_Right)
    assert rating.rating() == 8
    qtbot.keyClick(rating, Qt.Key.Key_0)
    assert rating.rating() == 0 and rating.sensation() is Sensation.NONE
    assert rating.complete()


def test_a_bad_sensation_warns_before_the_save(qtbot: QtBot) -> None:
    rating = PainRating("How is it?")
    qtbot.addWidget(rating)
    rating.show()
    rating.sensation_buttons[Sensation.ACHE].click()
    assert not rating.warning.isVisible()
    rating.sensation_buttons[Sensation.RADIATING].click()
    assert rating.warning.isVisible() and rating.is_bad()


def test_the_weekly_check_in_is_logged(qtbot: QtBot) -> None:
    coach = make_coach()
    coach.start([])
    dialog = PainDialog(coach, PainWhen.CHECKIN)
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.windowTitle() == CHECKIN_TITLE
    assert programme.NOT_MEDICAL_ADVICE not in dialog.disclaimer.text()  # the library's line
    assert "not medical advice" in dialog.disclaimer.text()
    assert not dialog.save_button.isEnabled()
    dialog.rating.set_rating(4)
    assert not dialog.save_button.isEnabled()
    dialog.rating.sensation_buttons[Sensation.ACHE].click()
    with qtbot.waitSignal(dialog.saved, timeout=1000) as signal:
        dialog.save_button.click()
    assert signal.args == [4, Sensation.ACHE]
    last = coach.events()[-1]
    assert (last.kind, last.rating, last.sensation, last.when) == (
        Kind.PAIN,
        4,
        Sensation.ACHE,
        PainWhen.CHECKIN,
    )
    assert dialog.screening is None
    assert not coach.status().checkin_due


def test_sharp_pain_at_the_check_in_asks_the_warning_signs(qtbot: QtBot) -> None:
    coach = make_coach()
    coach.start([])
    dialog = PainDialog(coach, PainWhen.CHECKIN)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.rating.set_rating(5)
    dialog.rating.set_sensation(Sensation.SHARP)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    screening = dialog.screening
    assert screening is not None and screening.isVisible()
    assert not screening.starting
    screening.form.none_apply()
    screening.form.yes["shooting-leg-pain"].click()
    screening.form.confirm()
    assert coach.status().paused
    assert "shoots down a leg" in texts(shown_clinician(coach))


def test_every_control_is_named(qtbot: QtBot) -> None:
    coach = make_coach()
    coach.start([])
    for widget in (
        ScreeningDialog(coach, starting=True),
        ClinicianDialog(coach, ["leg-weakness"]),
        PainDialog(coach, PainWhen.CHECKIN),
    ):
        qtbot.addWidget(widget)
        buttons = widget.findChildren(QAbstractButton)
        assert buttons
        assert [b for b in buttons if not b.accessibleName()] == []

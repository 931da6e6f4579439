"""The session player walks today's routine and records it through the coach (issue 7, item 2).

Time moves only on the FakeClock; the player's `tick()` is what its 1 s timer calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import load_library
from deskguard.core import programme
from deskguard.core.clock import FakeClock
from deskguard.core.model import Settings
from deskguard.core.programme import Kind, PainWhen, Sensation
from deskguard.services.programme import Coach, MemoryProgrammeLog
from deskguard.ui.screening import clinician_watch
from deskguard.ui.session_player import TITLE, Page, SessionPlayer

MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(autouse=True)
def close_windows(qapp: QApplication) -> Iterator[None]:
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SessionPlayer):
            widget.abandon()
        widget.close()


def started(phase: int = 1) -> tuple[Coach, FakeClock]:
    """A programme started on MONDAY; phase 2 after a clean first week (a Monday again)."""
    clock = FakeClock(MONDAY)
    coach = Coach(
        log=MemoryProgrammeLog(), clock=clock, settings=Settings(), library=load_library()
    )
    coach.start([])
    for _ in range(phase - 1):
        for gap in (2, 2, 3):
            coach.finish_session(5, 5)
            clock.advance(days=gap)
        coach.advance()
    assert coach.status().phase == phase and coach.status().train_today.ok
    return coach, clock


def open_player(qtbot: QtBot, coach: Coach) -> SessionPlayer:
    player = SessionPlayer(coach)
    qtbot.addWidget(player)
    player.show()
    return player


def begin(player: SessionPlayer, rating: int = 3, sensation: Sensation = Sensation.ACHE) -> None:
    player.before_rating.set_rating(rating)
    player.before_rating.set_sensation(sensation)
    player.primary_button.click()


def kinds(coach: Coach) -> list[Kind]:
    return [e.kind for e in coach.events()]


def shown_text(widget: SessionPlayer) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def walk_to(player: SessionPlayer, qtbot: QtBot, predicate: object) -> None:
    """Return through sets and rests (without counting) until `predicate(player)`."""
    assert callable(predicate)
    for _ in range(40):
        if predicate(player):
            return
        qtbot.keyClick(player, Qt.Key.Key_Return)
    raise AssertionError("never got there")


# ---- before ----------------------------------------------------------------------------------


def test_title_before_page_and_the_disclaimer(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    assert "Session" in player.windowTitle() == TITLE
    assert player.page is Page.BEFORE
    text = shown_text(player)
    assert "Phase 1 of 3 · Settle and re-activate" in text
    assert "Cat-cow — 1 set of 8 reps" in player.before_routine.text()
    assert "Knee-to-chest stretch — 1 set, hold 20 s" in player.before_routine.text()
    assert player.disclaimer.text() == programme.NOT_MEDICAL_ADVICE
    assert player.disclaimer.isVisible()
    assert not player.pain_panel.isVisible()
    assert not player.primary_button.isEnabled()  # the rating comes first
    player.before_rating.set_rating(3)
    assert not player.primary_button.isEnabled()
    player.before_rating.set_sensation(Sensation.ACHE)
    assert player.primary_button.isEnabled()
    qtbot.keyClick(player, Qt.Key.Key_Return)
    assert player.page is Page.STEP
    pain = coach.events()[-1]
    assert (pain.kind, pain.rating, pain.when) == (Kind.PAIN, 3, PainWhen.BEFORE)


def test_no_session_on_a_rest_day(qtbot: QtBot) -> None:
    coach, clock = started()
    coach.finish_session(5, 5)
    clock.advance(days=1)
    player = open_player(qtbot, coach)
    player.before_rating.set_rating(2)
    player.before_rating.set_sensation(Sensation.ACHE)
    assert not player.primary_button.isEnabled()
    assert "Rest day" in player.before_offer.text() and player.before_offer.isVisible()
    qtbot.keyClick(player, Qt.Key.Key_Return)
    assert player.page is Page.BEFORE
    assert kinds(coach).count(Kind.PAIN) == 0


# ---- a set -------------------------------------------------------------------------------------


def test_a_step_shows_picture_steps_set_and_both_kinds_of_pain(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    assert player.name.text() == "Cat-cow"
    assert player.set_line.text() == "Set 1 of 1"
    assert player.picture.isVisible() and player.picture.renderer().isValid()
    assert "table-top" in player.how.text()
    assert player.cues.text().startswith("Form: ")
    assert player.pain_panel.isVisible()
    assert player.good_text.text() == programme.GOOD_ACHE
    assert player.bad_text.text() == programme.BAD_PAIN
    assert player.good_text.isVisible() and player.bad_text.isVisible()
    assert "Exercise 1 of 5" in player.step_where.text()


def test_the_rep_counter_counts_to_the_target_and_no_further(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    assert player.step.reps == 8 and player.counter.text() == "0"
    assert player.counter_unit.text() == "of 8 reps"
    for _ in range(7):
        qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.counter.text() == "7" and player.index not in player.completed
    player.count_button.click()
    assert player.counter.text() == "8" and player.index in player.completed
    assert not player.count_button.isEnabled()
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.reps == 8 and player.counter.text() == "8"
    assert "All 8 done" in player.count_status.text()


def test_the_hold_timer_counts_down_to_done(qtbot: QtBot) -> None:
    coach, clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    walk_to(player, qtbot, lambda p: p.page is Page.STEP and p.is_hold)
    assert player.name.text() == "Knee-to-chest stretch"
    assert player.counter.text() == "0:20" and not player.ticking
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.ticking
    clock.advance(seconds=12)
    player.tick()
    assert player.counter.text() == "0:08" and player.index not in player.completed
    clock.advance(seconds=8)
    player.tick()
    assert player.counter.text() == "Done" and player.index in player.completed
    assert not player.ticking  # no timer left running once the hold is done
    assert player.count_progress.value() == player.count_progress.maximum() == 20


def test_a_hold_stopped_part_way_starts_again_from_the_top(qtbot: QtBot) -> None:
    coach, clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    walk_to(player, qtbot, lambda p: p.page is Page.STEP and p.is_hold)
    player.count()
    clock.advance(seconds=5)
    player.tick()
    player.count()  # stop
    assert not player.ticking and player.counter.text() == "0:20"
    clock.advance(seconds=60)
    player.tick()
    assert player.index not in player.completed


def test_rest_between_sets_counts_down_and_moves_on_by_itself(qtbot: QtBot) -> None:
    coach, clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    qtbot.keyClick(player, Qt.Key.Key_Return)
    assert player.page is Page.REST and player.ticking
    assert player.rest_countdown.text() == "0:30"
    assert programme.REST_BETWEEN_SETS_SECONDS == 30
    assert player.up_next.text() == "Up next: Pelvic tilt · set 1 of 1"
    assert player.pain_panel.isVisible()
    clock.advance(seconds=20)
    player.tick()
    assert player.rest_countdown.text() == "0:10" and player.page is Page.REST
    clock.advance(seconds=10)
    player.tick()
    assert player.page is Page.STEP and player.name.text() == "Pelvic tilt"
    assert not player.ticking


def test_the_rest_can_be_skipped(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    player.primary_button.click()
    assert player.page is Page.REST
    assert player.primary_button.accessibleName() == "Skip the rest"
    player.primary_button.click()
    assert player.page is Page.STEP and player.index == 1 and not player.ticking


def test_per_side_sets_name_the_side(qtbot: QtBot) -> None:
    coach, _clock = started(phase=2)
    player = open_player(qtbot, coach)
    begin(player)
    walk_to(player, qtbot, lambda p: p.page is Page.STEP and p.step.side is not None)
    assert player.name.text() == "Side-lying leg raise"
    assert player.set_line.text() == "Set 1 of 1 · left side"  # week 1: the low dose
    qtbot.keyClick(player, Qt.Key.Key_Return)
    assert "right side" in player.up_next.text()
    qtbot.keyClick(player, Qt.Key.Key_Return)
    assert player.set_line.text() == "Set 1 of 1 · right side"


def test_good_ache_reassures_and_records_nothing(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    before = coach.events()
    player.good_button.click()
    assert player.pain_feedback.isVisible() and "muscle working" in player.pain_feedback.text()
    assert coach.events() == before and player.page is Page.STEP


# ---- finishing ---------------------------------------------------------------------------------


def do_everything(player: SessionPlayer, clock: FakeClock, qtbot: QtBot) -> None:
    """Every rep counted and every hold held, by keyboard, to the finish screen."""
    while player.page is not Page.FINISH:
        if player.page is Page.REST:
            qtbot.keyClick(player, Qt.Key.Key_Return)
        elif player.is_hold:
            qtbot.keyClick(player, Qt.Key.Key_Space)
            clock.advance(seconds=player.target)
            player.tick()
            qtbot.keyClick(player, Qt.Key.Key_Return)
        else:
            for _ in range(player.target):
                qtbot.keyClick(player, Qt.Key.Key_Space)
            qtbot.keyClick(player, Qt.Key.Key_Return)


def test_the_finish_records_the_session_and_the_pain_after(qtbot: QtBot) -> None:
    coach, clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    do_everything(player, clock, qtbot)
    assert player.summary.text() == "Well done: all 5 exercises, 5 sets."
    assert "✓  Child's pose: done in full" in player.summary_list.text()
    assert Kind.SESSION_DONE not in kinds(coach)
    assert not player.primary_button.isEnabled()  # the rating after comes first
    player.after_rating.set_rating(2)
    player.after_rating.set_sensation(Sensation.ACHE)
    with qtbot.waitSignal(player.finished, timeout=1000):
        qtbot.keyClick(player, Qt.Key.Key_Return)
    events = coach.events()
    assert [e.kind for e in events[-2:]] == [Kind.PAIN, Kind.SESSION_DONE]
    assert events[-2].when is PainWhen.AFTER and events[-2].rating == 2
    assert events[-1].detail == "5/5" and events[-1].phase == 1
    assert coach.status().last_session == MONDAY.date()
    assert player.page is Page.END and "Saved" in player.end_heading.text()
    assert player.end_record.text() == (
        "Recorded: 5 of 5 exercises done in full. Pain 3/10 before, 2/10 after."
    )
    # Monday's session: Tuesday rests, Wednesday is the next of Monday/Wednesday/Friday.
    assert player.end_next.text() == "Next session: Wednesday 25 November, at 18:00."
    qtbot.keyClick(player, Qt.Key.Key_Return)
    assert not player.isVisible()


def test_sets_moved_past_early_do_not_count_as_done(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    for _ in range(8):
        player.count()
    walk_to(player, qtbot, lambda p: p.page is Page.FINISH)
    assert player.summary.text() == "1 of 5 exercises done in full, 1 of 5 sets."
    assert "–  Pelvic tilt: not finished" in player.summary_list.text()
    player.after_rating.set_rating(0)
    player.primary_button.click()
    assert coach.events()[-1].detail == "1/5"


# ---- sharp pain --------------------------------------------------------------------------------


def test_sharp_pain_stops_steps_back_and_asks_the_warning_signs(qtbot: QtBot) -> None:
    coach, clock = started(phase=2)
    player = open_player(qtbot, coach)
    begin(player)
    logged = len(coach.events())
    qtbot.keyClick(player, Qt.Key.Key_Return)  # cat-cow done, rest
    qtbot.keyClick(player, Qt.Key.Key_Return)  # dead bug
    assert player.name.text() == "Dead bug"
    player.count()
    with qtbot.waitSignal(player.stopped, timeout=1000):
        player.sharp_button.click()
    state = coach.status()
    assert state.phase == 1 and state.hold_until is not None
    assert [e.kind for e in coach.events()[-2:]] == [Kind.SESSION_STOPPED, Kind.STEPPED_BACK]
    assert coach.events()[-2].detail == "dead-bug"
    assert player.page is Page.CHECK and not player.ticking
    assert player.check_heading.text() == "Session stopped"
    explain = player.check_explain.text()
    assert "sharp pain during Dead bug" in explain
    assert "back to phase 1, Settle and re-activate, for at least a week" in explain
    assert "halfway" in player.check_advice.text() and player.check_note.isVisible()
    assert not player.pain_panel.isVisible()
    assert player.form.isVisible() and player.form.unanswered()
    player.form.none_apply()
    qtbot.keyClick(player, Qt.Key.Key_Return)
    assert kinds(coach)[logged:] == [Kind.SESSION_STOPPED, Kind.STEPPED_BACK, Kind.SCREENED]
    assert coach.status().active
    assert player.page is Page.END and "phase 1" in player.end_message.text()
    clock.advance(days=2)
    assert not coach.status().advance.ok  # held in phase 1 for a week


def test_sharp_pain_in_phase_one_stays_in_phase_one(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    player.primary_button.click()  # on to the rest: sharp still names the set just done
    player.sharp_button.click()
    assert coach.status().phase == 1
    assert "during Cat-cow" in player.check_explain.text()
    assert "stay in phase 1" in player.check_explain.text()


def test_a_yes_after_sharp_pain_pauses_and_shows_the_clinician_screen(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    player.sharp()
    player.form.none_apply()
    player.form.yes["numbness-or-tingling-in-legs"].click()
    with qtbot.waitSignal(coach.clinician_needed, timeout=1000):
        player.form.confirm_button.click()
    assert coach.status().paused
    dialog = clinician_watch(coach).dialog
    assert dialog is not None and dialog.isVisible()
    assert "numbness, tingling or pins and needles" in dialog.view.reasons.text()
    assert player.page is Page.END and "paused" in player.end_heading.text()


def test_sharp_or_travelling_pain_before_the_start_means_no_session(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player, rating=6, sensation=Sensation.RADIATING)
    assert player.page is Page.CHECK and player.check_heading.text() == "Not today"
    assert not player.check_note.isVisible()
    player.form.none_apply()
    player.form.confirm()
    assert player.page is Page.END and player.end_heading.text() == "Skip the routine today"
    assert Kind.SESSION_DONE not in kinds(coach) and Kind.SESSION_STOPPED not in kinds(coach)
    assert coach.events()[-2].sensation is Sensation.RADIATING


def test_sharp_pain_after_the_session_is_saved_then_asks(qtbot: QtBot) -> None:
    coach, clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    do_everything(player, clock, qtbot)
    player.after_rating.set_rating(5)
    player.after_rating.set_sensation(Sensation.SHARP)
    player.primary_button.click()
    assert Kind.SESSION_DONE in kinds(coach)
    assert player.page is Page.CHECK and "halfway" in player.check_advice.text()


# ---- abandoning --------------------------------------------------------------------------------


def test_esc_asks_and_abandoning_records_nothing_as_done(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    for _ in range(3):
        player.count()
    logged = coach.events()
    qtbot.keyClick(player, Qt.Key.Key_Escape)
    assert player.confirm_bar.isVisible() and player.isVisible()
    assert "Nothing will be recorded as done" in player.confirm_text.text()
    qtbot.keyClick(player, Qt.Key.Key_Return)  # keep going
    assert not player.confirm_bar.isVisible() and player.page is Page.STEP
    assert player.reps == 3
    qtbot.keyClick(player, Qt.Key.Key_Escape)
    with qtbot.waitSignal(player.abandoned, timeout=1000):
        qtbot.keyClick(player, Qt.Key.Key_Escape)
    assert not player.isVisible()
    assert coach.events() == logged  # nothing added: no session, no stop
    assert coach.status().train_today.ok


def test_closing_the_window_part_way_asks_first(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    player.primary_button.click()
    assert player.page is Page.REST
    player.close()
    assert player.isVisible() and player.confirm_bar.isVisible()
    with qtbot.waitSignal(player.abandoned, timeout=1000):
        player.abandon_button.click()
    assert not player.isVisible() and not player.ticking
    assert Kind.SESSION_DONE not in kinds(coach)


def test_esc_before_beginning_just_closes(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    with qtbot.assertNotEmitted(player.abandoned):
        qtbot.keyClick(player, Qt.Key.Key_Escape)
    assert not player.isVisible()


# ---- naming and translation -------------------------------------------------------------------


def test_every_button_is_named(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    for advance in (lambda: begin(player), lambda: player.primary_button.click()):
        advance()
        buttons = player.findChildren(QAbstractButton)
        assert [b for b in buttons if not b.accessibleName()] == []


class Marking(QTranslator):
    """Marks every text looked up under the player's contexts: «text»."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if context in ("SessionPlayer", "PainRating", "ScreeningForm"):
            return f"«{source}»"
        return ""

    def isEmpty(self) -> bool:
        return False


def test_the_player_texts_go_through_qt_translation(qtbot: QtBot) -> None:
    marking = Marking()
    assert QCoreApplication.installTranslator(marking)
    try:
        coach, _clock = started()
        player = open_player(qtbot, coach)
        assert player.windowTitle() == f"«{TITLE}»"
        assert player.primary_button.text() == "«Begin  ⏎»"
        assert player.before_rating.sensation_buttons[Sensation.ACHE].text().startswith("«")
        begin(player)
        assert player.good_button.text() == "«&Good ache»"
        assert player.set_line.text() == "«Set 1 of 1»"  # the template, filled in after
    finally:
        QCoreApplication.removeTranslator(marking)


def test_a_digit_rates_the_pain_wherever_the_focus_is(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    player.setFocus()  # the window, not the rating's buttons
    qtbot.keyClick(player, Qt.Key.Key_4)
    assert player.before_rating.rating() == 4
    qtbot.keyClick(player, Qt.Key.Key_1)
    qtbot.keyClick(player, Qt.Key.Key_0)  # "1" then "0" at once: 10
    assert player.before_rating.rating() == 10


def test_the_rest_shows_what_comes_next_with_its_picture(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    qtbot.keyClick(player, Qt.Key.Key_Return)
    assert player.page is Page.REST
    pelvic = coach.exercises()["pelvic-tilt"]
    assert player.up_next_dose.text() == pelvic.steps[0]
    assert player.up_next_picture.isVisible()


def test_the_complete_page_offers_no_stop(qtbot: QtBot) -> None:
    coach, _clock = started()
    player = open_player(qtbot, coach)
    begin(player)
    while player.page is not Page.FINISH:
        if player.page is Page.REST:
            player.skip_rest()
        elif player.is_hold:
            player.next()
        else:
            for _ in range(player.target):
                player.count()
            player.next()
    assert player.stop_button.isHidden()
    qtbot.keyClick(player, Qt.Key.Key_Escape)  # asks before closing unsaved
    assert player.confirm_bar.isVisible()
    assert "will not be recorded" in player.confirm_text.text()

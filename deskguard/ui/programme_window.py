"""The back-care programme's home: what it is, where you are in it, and what today offers.

Not started, it explains the three phases, the rhythm (3–4 sessions a week on
non-consecutive days, at least a week per phase, light loads in phase 3) and starts the
programme after the red-flag questions. Started, it shows the current phase and its
week, today's session (or why not today), the offer to move on (or why not yet), the
weekly check-in when due, the four-week review, a steady-severe-pain warning, and a
paused programme's reasons with the way back ("a clinician has cleared me").

Every figure and decision comes from coach.status() (core/programme.py); the window only
shows it, and redraws on coach.changed, on show and when activated (a new day may have
begun). The not-medical-advice line is always at the bottom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QLocale, Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from deskguard.core import programme
from deskguard.core.evidence import source_mark, source_tooltip
from deskguard.core.programme import PainWhen, Review, Status
from deskguard.services.programme import Coach
from deskguard.ui.pain_dialog import PainDialog
from deskguard.ui.screening import ScreeningDialog, clinician_watch
from deskguard.ui.session_player import SessionPlayer
from deskguard.ui.widgets import (
    GOOD_COLOUR,
    INFO_COLOUR,
    WARNING_COLOUR,
    bullet_html,
    disclaimer_label,
    fit_to_content,
    named_button,
    note_frame,
    rich_label,
    text_label,
    vertical_scroll,
)

__all__ = ["TITLE", "ProgrammeWindow", "days_text"]

# Also how tests and the rig find the window (untranslated, as they run).
TITLE = str(QT_TRANSLATE_NOOP("ProgrammeWindow", "DeskGuard — Back-care programme"))


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return QCoreApplication.translate("ProgrammeWindow", "{0} and {1}").format(
        ", ".join(items[:-1]), items[-1]
    )


def days_text(days: frozenset[int] | set[int]) -> str:
    """Monday-0 weekdays as the locale names them, e.g. "Monday, Wednesday and Friday"."""
    locale = QLocale()
    return _join([locale.dayName(d + 1) for d in sorted(days)])


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"  # "Monday 7 December", no leading zero


def _change_text(review: Review) -> str:
    if review.baseline > 0 and review.improvement > 0:
        return QCoreApplication.translate("ProgrammeWindow", "{0:.0%} less pain").format(
            review.improvement
        )
    if review.recent > review.baseline:
        return QCoreApplication.translate("ProgrammeWindow", "more pain than at the start")
    return QCoreApplication.translate("ProgrammeWindow", "no change")


class ProgrammeWindow(QWidget):
    def __init__(
        self,
        coach: Coach,
        open_progress: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.coach = coach
        self.open_progress = open_progress
        self.watch = clinician_watch(coach)
        self.player: SessionPlayer | None = None
        self.screening: ScreeningDialog | None = None
        self.checkin: PainDialog | None = None
        self.setWindowTitle(self.tr(TITLE))
        self.setObjectName("programmeWindow")
        self.setAccessibleName(self.tr("Back-care programme"))

        self.heading = text_label(self.tr("Back-care programme"), scale=1.6, bold=True)
        self.intro = self._intro()
        self.current = self._current()
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(12)
        inner.addWidget(self.intro)
        inner.addWidget(self.current)
        self._scroll, self._content = vertical_scroll(content)

        self.disclaimer = disclaimer_label(programme.NOT_MEDICAL_ADVICE)
        self.progress_button = named_button(
            self.tr("&Progress…"), self.tr("Open the progress view")
        )
        self.progress_button.clicked.connect(self._open_progress)
        self.progress_button.setVisible(open_progress is not None)
        # A holiday or a cold: the user may stop the plan without any warning sign.
        self.pause_button = named_button(
            self.tr("P&ause the programme"), self.tr("Pause the programme")
        )
        self.pause_button.clicked.connect(self.coach.pause)
        self.close_button = named_button(self.tr("&Close"), self.tr("Close"))
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress_button)
        buttons.addWidget(self.pause_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 14)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(self.disclaimer)
        layout.addLayout(buttons)
        self.setMinimumSize(600, 480)
        self._fitted = False

        coach.changed.connect(self.refresh)
        self.refresh()

    # ---- not started -----------------------------------------------------------------
    def _intro(self) -> QWidget:
        box = QWidget()
        lead = text_label(
            self.tr(
                "A few short sessions a week, mostly on the floor, to wake up the muscles "
                "that protect your lower back: the glutes and the deep core. Three phases, "
                "each one built on the one before."
            ),
            scale=1.05,
        )
        exercises = self.coach.exercises()
        self.phase_cards: list[QWidget] = []
        cards = QVBoxLayout()
        cards.setSpacing(8)
        for phase in programme.PHASES:
            frame, inner = note_frame(INFO_COLOUR, f"phaseCard{phase.number}")
            inner.addWidget(
                text_label(self.tr("Phase {0} · {1}").format(phase.number, phase.title), bold=True)
            )
            inner.addWidget(text_label(phase.goal))
            names = [exercises[i].name for i in phase.exercise_ids if i in exercises]
            chosen = text_label(
                self.tr("Exercises: {0} ({1})").format(
                    ", ".join(names), source_mark(phase.placement_source)
                ),
                muted=True,
            )
            chosen.setToolTip(source_tooltip(phase.placement_source, phase.placement_choice))
            inner.addWidget(chosen)
            if phase.load:
                inner.addWidget(text_label(phase.load, bold=True))
            self.phase_cards.append(frame)
            cards.addWidget(frame)
        low, high = programme.SESSIONS_PER_WEEK_MIN, programme.SESSIONS_PER_WEEK_MAX
        rules = [
            self.tr(
                "{0}–{1} sessions a week, on days that are not back to back. Muscles get "
                "stronger on the rest days; training every day works against you."
            ).format(low, high),
            self.tr(
                "At least a full week in each phase. The next phase opens once you have "
                "had a week of sessions without sharp pain (DeskGuard counts {0} sessions "
                "as that week: our reading)."
            ).format(programme.CLEAN_WEEK_SESSIONS),
            self.tr("Phase 3 adds a light weight: {0}–{1} lb ({2}–{3} kg).").format(
                *programme.LOAD_LB, *programme.LOAD_KG
            ),
            self.tr(
                "Sharp, stabbing or travelling pain means stop: the session ends and the "
                "programme steps back a phase for a week. Skip the routine that day; "
                "gentle walking is fine."
            ),
            self.tr(
                "A quick pain rating before and after each session and once a week. If "
                "after four weeks your pain has not eased by at least {0} (DeskGuard looks "
                "for {1:.0%}: our choice), DeskGuard suggests seeing a physiotherapist."
            ).format(programme.REVIEW_RANGE_TEXT, programme.MIN_IMPROVEMENT),
            programme.EXPECTATIONS,
        ]
        self.rules = rich_label(bullet_html(rules))
        self.rules.setAccessibleName(self.tr("How the programme works"))
        self.intro_days = text_label(muted=True)
        self.start_button = named_button(
            self.tr("&Start the programme…"), self.tr("Start the programme")
        )
        self.start_button.setMinimumWidth(220)
        self.start_button.clicked.connect(self.ask_to_start)
        start_note = text_label(
            self.tr("First, a few yes/no questions about warning signs."), muted=True
        )
        start_row = QHBoxLayout()
        start_row.addWidget(start_note, 1)
        start_row.addWidget(self.start_button)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(lead)
        layout.addLayout(cards)
        layout.addWidget(text_label(self.tr("How it works"), scale=1.15, bold=True))
        layout.addWidget(self.rules)
        layout.addWidget(self.intro_days)
        layout.addLayout(start_row)
        return box

    # ---- started -----------------------------------------------------------------------
    def _current(self) -> QWidget:
        box = QWidget()

        self.paused_box, paused = note_frame(WARNING_COLOUR, "pausedBox")
        self.paused_title = text_label(self.tr("The programme is paused"), scale=1.2, bold=True)
        self.paused_lead = text_label()
        self.paused_reasons = rich_label()
        self.paused_reasons.setAccessibleName(self.tr("Why the programme is paused"))
        self.resume_button = named_button("", "")
        self.resume_button.clicked.connect(self.coach.resume)
        paused.addWidget(self.paused_title)
        paused.addWidget(self.paused_lead)
        paused.addWidget(self.paused_reasons)
        paused.addWidget(self.resume_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.severe_box, severe = note_frame(WARNING_COLOUR, "severeBox")
        self.severe_text = text_label(
            self.tr(
                "Your last two pain ratings were {0} or more out of 10 (two in a row is "
                "DeskGuard's rule of thumb). Pain that stays this high is worth showing to "
                "a doctor or physiotherapist, whatever the exercises do for you."
            ).format(programme.SEVERE_PAIN)
        )
        severe.addWidget(text_label(self.tr("Please see a clinician"), scale=1.1, bold=True))
        severe.addWidget(self.severe_text)

        self.review_box, review = note_frame(GOOD_COLOUR, "reviewBox")
        self.review_title = text_label(scale=1.1, bold=True)
        self.review_text = text_label()
        review.addWidget(self.review_title)
        review.addWidget(self.review_text)

        self.phase_box, phase = note_frame(INFO_COLOUR, "phaseBox")
        self.phase_of = text_label(muted=True)
        self.phase_title = text_label(scale=1.35, bold=True)
        self.phase_goal = text_label()
        self.phase_week = text_label(bold=True)
        self.phase_load = text_label(bold=True)
        self.phase_exercises = text_label(muted=True)
        for label in (
            self.phase_of,
            self.phase_title,
            self.phase_goal,
            self.phase_week,
            self.phase_load,
            self.phase_exercises,
        ):
            phase.addWidget(label)

        self.today_title = text_label(self.tr("Today"), scale=1.15, bold=True)
        self.today_reason = text_label()
        self.week_count = text_label(muted=True)
        self.session_button = named_button(
            self.tr("Start &today's session"), self.tr("Start today's session")
        )
        self.session_button.setMinimumWidth(220)
        self.session_button.clicked.connect(self.open_session)
        self.days = text_label(muted=True)
        today_text = QVBoxLayout()
        today_text.addWidget(self.today_reason)
        today_text.addWidget(self.week_count)
        today_row = QHBoxLayout()
        today_row.addLayout(today_text, 1)
        today_row.addWidget(self.session_button, 0, Qt.AlignmentFlag.AlignTop)

        self.checkin_box, checkin = note_frame(INFO_COLOUR, "checkinBox")
        self.checkin_text = text_label(
            self.tr(
                "A week has gone by since your last check-in. One rating of how your back "
                "has felt shows, over the weeks, whether the programme helps."
            )
        )
        self.checkin_button = named_button(
            self.tr("Weekly &check-in…"), self.tr("Do the weekly check-in")
        )
        self.checkin_button.clicked.connect(self.open_checkin)
        checkin_row = QHBoxLayout()
        checkin_row.addWidget(self.checkin_text, 1)
        checkin_row.addWidget(self.checkin_button, 0, Qt.AlignmentFlag.AlignTop)
        checkin.addLayout(checkin_row)

        self.advance_title = text_label(self.tr("The next phase"), scale=1.15, bold=True)
        self.advance_reason = text_label()
        self.advance_button = named_button("", "")
        self.advance_button.clicked.connect(self.coach.advance)

        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.paused_box)
        layout.addWidget(self.severe_box)
        layout.addWidget(self.review_box)
        layout.addWidget(self.phase_box)
        layout.addSpacing(4)
        layout.addWidget(self.today_title)
        layout.addLayout(today_row)
        layout.addWidget(self.days)
        layout.addWidget(self.checkin_box)
        layout.addSpacing(4)
        layout.addWidget(self.advance_title)
        layout.addWidget(self.advance_reason)
        layout.addWidget(self.advance_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    # ---- drawing -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraws everything from one coach.status()."""
        state = self.coach.status()
        settings = self.coach.settings
        days = self.tr("Your session days: {0}, at {1}.").format(
            days_text(set(settings.programme_days)), f"{settings.programme_time:%H:%M}"
        )
        self.intro_days.setText(days)
        self.days.setText(days)
        started = state.started is not None
        self.intro.setVisible(not started)
        self.current.setVisible(started)
        self.pause_button.setVisible(state.active)
        if started:
            self._draw_current(state)

    def _draw_current(self, state: Status) -> None:
        today = self.coach.today()
        phase = programme.phase(state.phase)

        self.paused_box.setVisible(state.paused)
        if state.paused:
            texts = self.coach.flag_texts(state.pause_reasons)
            clinical = bool(texts) or any(r != "user" for r in state.pause_reasons)
            if clinical:
                self.paused_lead.setText(
                    self.tr(
                        "You reported warning signs that a doctor or physiotherapist should "
                        "look at first. DeskGuard cannot say what causes them; this is not a "
                        "diagnosis. You told it:"
                    )
                )
                self.resume_button.setText(self.tr("A clinician has cleared me to continue"))
                self.resume_button.setAccessibleName(
                    self.tr("A clinician has cleared me: resume the programme")
                )
            else:
                self.paused_lead.setText(self.tr("You paused the programme yourself."))
                self.resume_button.setText(self.tr("&Resume the programme"))
                self.resume_button.setAccessibleName(self.tr("Resume the programme"))
            self.paused_reasons.setVisible(bool(texts))
            self.paused_reasons.setText(bullet_html(texts))

        self.severe_box.setVisible(state.steady_severe_pain)
        self._draw_review(state.review)

        self.phase_of.setText(
            self.tr("Phase {0} of {1}").format(phase.number, programme.PHASE_COUNT)
        )
        self.phase_title.setText(phase.title)
        self.phase_goal.setText(phase.goal)
        week = programme.week_in_phase(state, today)
        since = state.phase_since or today
        self.phase_week.setText(
            self.tr("Week {0} of this phase, since {1}.").format(week, _day(since))
        )
        self.phase_load.setText(phase.load)
        self.phase_load.setVisible(bool(phase.load))
        exercises = self.coach.exercises()
        names = [exercises[i].name for i in phase.exercise_ids if i in exercises]
        self.phase_exercises.setText(
            self.tr("Exercises: {0} ({1})").format(
                ", ".join(names), source_mark(phase.placement_source)
            )
        )
        self.phase_exercises.setToolTip(
            source_tooltip(phase.placement_source, phase.placement_choice)
        )

        offer = state.train_today
        self.today_reason.setText(offer.reason)
        self.session_button.setEnabled(offer.ok)
        low, high = programme.SESSIONS_PER_WEEK_MIN, programme.SESSIONS_PER_WEEK_MAX
        self.week_count.setText(
            (
                self.tr("1 session so far this week; the plan asks for {1}–{2}.")
                if state.sessions_this_week == 1
                else self.tr("{0} sessions so far this week; the plan asks for {1}–{2}.")
            ).format(state.sessions_this_week, low, high)
        )

        self.checkin_box.setVisible(state.checkin_due and not state.paused)

        offer = state.advance
        last = state.phase >= programme.PHASE_COUNT
        self.advance_title.setText(self.tr("The last phase") if last else self.tr("The next phase"))
        self.advance_reason.setText(offer.reason)
        self.advance_button.setVisible(offer.ok)
        if offer.ok:
            self.advance_button.setText(self.tr("Move on to phase {0}").format(state.phase + 1))
            self.advance_button.setAccessibleName(
                self.tr("Move on to phase {0}").format(state.phase + 1)
            )

    def _draw_review(self, review: Review | None) -> None:
        self.review_box.setVisible(review is not None)
        if review is None:
            return
        figures = self.tr(
            "Your pain rating averaged {0:.1f} out of 10 in your first week and {1:.1f} over "
            "the last seven days: {2}."
        ).format(review.baseline, review.recent, _change_text(review))
        if review.see_therapist:
            colour = WARNING_COLOUR
            self.review_title.setText(self.tr("Four-week review: please see a physiotherapist"))
            self.review_text.setText(
                figures
                + " "
                + self.tr(
                    "The articles look for at least {0} less pain after four weeks, and "
                    "DeskGuard for {1:.0%} (our choice). It has not come, so it is wise to "
                    "have a qualified physiotherapist assess your back. Take your "
                    "progress summary with you."
                ).format(programme.REVIEW_RANGE_TEXT, programme.MIN_IMPROVEMENT)
            )
        else:
            colour = GOOD_COLOUR
            self.review_title.setText(self.tr("Four-week review: on track"))
            self.review_text.setText(
                figures
                + " "
                + self.tr(
                    "That is at least the {0:.0%} DeskGuard looks for (the top of the "
                    "articles' {1}). Keep going: progress is rarely a straight line."
                ).format(programme.MIN_IMPROVEMENT, programme.REVIEW_RANGE_TEXT)
            )
        self.review_box.setStyleSheet(
            "QFrame#reviewBox { border: 1px solid palette(mid);"
            f" border-left: 5px solid {colour}; border-radius: 4px; }}"
        )

    # ---- actions -----------------------------------------------------------------------
    def ask_to_start(self) -> None:
        self.screening = ScreeningDialog(self.coach, starting=True, parent=self)
        self.screening.open()

    def open_session(self) -> None:
        if not self.coach.status().train_today.ok:
            return
        if self.player is None or not self.player.isVisible():
            self.player = SessionPlayer(self.coach)
        self.player.show()
        self.player.raise_()
        self.player.activateWindow()

    def open_checkin(self) -> None:
        self.checkin = PainDialog(self.coach, PainWhen.CHECKIN, parent=self)
        self.checkin.open()

    def _open_progress(self) -> None:
        if self.open_progress is not None:
            self.open_progress()

    # ---- events ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)
        if not self._fitted:  # word-wrapped labels know their height only once shown
            self._fitted = True
            fit_to_content(self, self._scroll, self._content, 720)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.refresh()  # a new day may have begun while the window stood open
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            event.accept()
            return
        super().keyPressEvent(event)

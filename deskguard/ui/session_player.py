"""The session player: today's routine of the back-care programme, one set at a time.

Pages, in order: a pain rating before → each `Step` of coach.routine() (picture, steps,
form cues, "set 1 of 2", the side, and a rep counter or a hold timer) with a rest
countdown between sets → a finish screen with a summary and a pain rating after, which
records the session through coach.finish_session(done, total).

"Good ache" and "This hurts (sharp)" stay on screen with the articles' distinction
(programme.GOOD_ACHE / BAD_PAIN) through every set and rest. Sharp pain stops the session
at once (coach.report_sharp: one phase back for a week), explains why, suggests a
smaller range of motion next time, and asks the red-flag questions (coach.screen). A
sharp or travelling pain rated before or after asks them too; any yes pauses the
programme and the clinician screen comes up (screening.clinician_watch).

Every rule of the session (which set, which side, holds, reps, rests, the finish, sharp
pain, abandoning) is core/session.py's `Session`; this widget shows where it stands and
hands it the user's input and the time. Time is read only through coach.clock (its
monotonic reading), and a 1 s QTimer runs only while a hold or a rest counts down;
`tick()` is public so tests drive it with a fake clock.

Keys: Return does the page's main action (Begin, Next, Skip rest, Save, Continue,
Close); Space counts a rep or starts/stops a hold; Alt+G good ache, Alt+H sharp pain;
Esc asks before abandoning, and abandoning records nothing as done.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from deskguard.core import programme
from deskguard.core.evidence import (
    exercise_marks,
    exercise_tooltip,
    is_ours,
    source_mark,
    source_tooltip,
)
from deskguard.core.model import Exercise
from deskguard.core.programme import PainWhen, Sensation, Step
from deskguard.core.session import IN_SET, Phase, Session, Why, next_session_day
from deskguard.services.programme import Coach
from deskguard.ui.pain_dialog import PainRating
from deskguard.ui.screening import ScreeningForm, clinician_watch
from deskguard.ui.widgets import (
    GOOD_COLOUR,
    INFO_COLOUR,
    WARNING_COLOUR,
    bullet_html,
    disclaimer_label,
    named_button,
    note_frame,
    readable,
    rich_label,
    text_label,
    vertical_scroll,
)

__all__ = ["TITLE", "Page", "SessionPlayer"]

# Also how tests and the rig find the window (untranslated, as they run).
TITLE = str(QT_TRANSLATE_NOOP("SessionPlayer", "DeskGuard — Session"))
PICTURE_SIZE = 190


class Page(enum.IntEnum):
    BEFORE = 0  # today's routine and the pain rating before
    STEP = 1  # one set of one exercise
    REST = 2  # the rest between sets
    FINISH = 3  # summary and the pain rating after
    CHECK = 4  # the red-flag questions (sharp pain, or a bad rating)
    END = 5  # what happens next


def clock_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _ordered_html(items: Sequence[str]) -> str:
    rows = "".join(f"<li style='margin-bottom:4px'>{html.escape(i)}</li>" for i in items)
    return f"<ol style='margin:0; -qt-list-indent:1'>{rows}</ol>"


def _big(text: str, scale: float) -> QLabel:
    label = text_label(text, scale=scale, bold=True)
    label.setWordWrap(False)
    return label


def scroll_page(top: Sequence[QWidget], bottom: Sequence[QWidget]) -> QWidget:
    """A player page that scrolls when short of room: `top`, a gap, then `bottom`."""
    content = QWidget()
    inner = QVBoxLayout(content)
    inner.setContentsMargins(0, 0, 0, 0)
    inner.setSpacing(10)
    for widget in top:
        inner.addWidget(widget)
    inner.addSpacing(6)
    for widget in bottom:
        inner.addWidget(widget)
    scroll, _content = vertical_scroll(content)
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroll, 1)
    return page


class SessionPlayer(QWidget):
    finished = Signal()  # the session was recorded as done
    stopped = Signal()  # sharp pain stopped it (recorded, stepped back)
    abandoned = Signal()  # closed part-way: nothing recorded as done

    def __init__(self, coach: Coach, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.coach = coach
        self.watch = clinician_watch(coach)
        self.setWindowTitle(self.tr(TITLE))
        self.setObjectName("sessionPlayer")
        self.setAccessibleName(self.tr("Back-care session"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        state = coach.status()
        self.phase = programme.phase(state.phase)
        self.week = programme.week_in_phase(state, coach.today())
        self.session = Session(coach.routine())  # every rule of the session lives there
        self.exercise_by_id: dict[str, Exercise] = coach.exercises()
        self._closing = False

        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.setRange(0, max(1, len(self.steps)))
        self.progress.setAccessibleName(self.tr("Session progress"))

        self.pages = QStackedWidget()
        self.pages.addWidget(self._before_page())
        self.pages.addWidget(self._step_page())
        self.pages.addWidget(self._rest_page())
        self.pages.addWidget(self._finish_page())
        self.pages.addWidget(self._check_page())
        self.pages.addWidget(self._end_page())
        self.pain_panel = self._pain_panel()
        self.confirm_bar = self._confirm_bar()
        self.stop_button = named_button(
            self.tr("Stop  (Esc)"), self.tr("Stop the session"), focus=False
        )
        self.stop_button.clicked.connect(self.request_stop)
        self.primary_button = named_button("", "", focus=False)
        self.primary_button.setMinimumWidth(160)
        self.primary_button.clicked.connect(self._primary)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.primary_button)
        self.disclaimer = disclaimer_label(programme.NOT_MEDICAL_ADVICE)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 14, 22, 14)
        layout.setSpacing(10)
        layout.addWidget(self.progress)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.pain_panel)
        layout.addWidget(self.confirm_bar)
        layout.addLayout(buttons)
        layout.addWidget(self.disclaimer)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)

        self.setMinimumSize(640, 560)
        self.resize(780, 680)
        self._show_before()

    # ---- building the pages ------------------------------------------------------------
    def _before_page(self) -> QWidget:
        self.before_heading = text_label(self.tr("Today's session"), scale=1.6, bold=True)
        self.before_phase = text_label(bold=True)
        self.before_phase.setStyleSheet(f"color: {readable(INFO_COLOUR)};")
        self.before_routine = rich_label()
        self.before_routine.setAccessibleName(self.tr("Today's routine"))
        self.before_note = text_label(muted=True)
        self.before_offer = text_label()
        self.before_offer.setStyleSheet(f"color: {readable(WARNING_COLOUR)};")
        self.before_rating = PainRating(self.tr("How does your lower back feel right now?"))
        self.before_rating.changed.connect(self._update_before)
        during, note = note_frame(WARNING_COLOUR, "duringNote")
        self.before_during = text_label(
            self.tr(
                "During the session, a dull ache in the working muscle is fine. Press “This "
                "hurts (sharp)” the moment you feel sharp, stabbing or travelling pain: the "
                "session stops there, and the programme eases back."
            )
        )
        note.addWidget(self.before_during)
        return scroll_page(
            [self.before_heading, self.before_phase, self.before_routine, self.before_note, during],
            [self.before_rating, self.before_offer],
        )

    def _step_page(self) -> QWidget:
        page = QWidget()
        self.step_where = text_label(muted=True)
        self.picture = QSvgWidget()
        self.picture.setFixedSize(QSize(PICTURE_SIZE, PICTURE_SIZE))
        self.picture.setAccessibleName(self.tr("Exercise picture"))
        self.name = text_label(scale=1.5, bold=True)
        self.set_line = text_label(scale=1.15, bold=True)
        self.set_line.setStyleSheet(f"color: {readable(INFO_COLOUR)};")
        self.how = rich_label()
        self.how.setAccessibleName(self.tr("How to do it"))
        self.cues = text_label(muted=True)
        text = QVBoxLayout()
        text.setSpacing(6)
        text.addWidget(self.name)
        text.addWidget(self.set_line)
        text.addWidget(self.how)
        text.addWidget(self.cues)
        text.addStretch(1)
        card = QHBoxLayout()
        card.setSpacing(16)
        card.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        card.addLayout(text, 1)

        counter, inner = note_frame(INFO_COLOUR, "counterPanel")
        self.counter = _big("0", 3.0)
        self.counter.setAccessibleName(self.tr("Count"))
        self.counter_unit = text_label(scale=1.2)
        self.count_button = named_button("", "", focus=False)
        self.count_button.setMinimumWidth(190)
        self.count_button.setMinimumHeight(44)
        self.count_button.clicked.connect(self.count)
        self.count_progress = QProgressBar()
        self.count_progress.setTextVisible(False)
        self.count_progress.setMaximumHeight(8)
        self.count_progress.setAccessibleName(self.tr("Set progress"))
        self.count_status = text_label(muted=True)
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(self.counter, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.counter_unit, 1, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.count_button, 0, Qt.AlignmentFlag.AlignVCenter)
        inner.addLayout(row)
        inner.addWidget(self.count_progress)
        inner.addWidget(self.count_status)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.step_where)
        layout.addLayout(card, 1)
        layout.addWidget(counter)
        return page

    def _rest_page(self) -> QWidget:
        page = QWidget()
        heading = text_label(self.tr("Rest"), scale=1.6, bold=True)
        self.rest_lead = text_label(
            self.tr("Breathe easy and shake out your arms and legs. The next set starts by itself.")
            + " "
            + self.tr("(The rest time is our suggestion.)")
        )
        self.rest_lead.setToolTip(programme.REST_CHOICE)
        self.rest_countdown = _big("0:30", 3.4)
        self.rest_countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rest_countdown.setAccessibleName(self.tr("Rest time left"))
        self.rest_progress = QProgressBar()
        self.rest_progress.setTextVisible(False)
        self.rest_progress.setMaximumHeight(8)
        self.rest_progress.setAccessibleName(self.tr("Rest progress"))
        # What comes next, so the rest is also the time to get into position.
        self.up_next = text_label(scale=1.1, bold=True)
        self.up_next_dose = text_label(muted=True)
        self.up_next_picture = QSvgWidget()
        self.up_next_picture.setFixedSize(QSize(72, 72))
        self.up_next_picture.setAccessibleName(self.tr("Picture of the next exercise"))
        next_text = QVBoxLayout()
        next_text.addWidget(self.up_next)
        next_text.addWidget(self.up_next_dose)
        next_text.addStretch(1)
        next_row = QHBoxLayout()
        next_row.addWidget(self.up_next_picture, 0, Qt.AlignmentFlag.AlignTop)
        next_row.addLayout(next_text, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(self.rest_lead)
        layout.addStretch(1)
        layout.addWidget(self.rest_countdown)
        layout.addWidget(self.rest_progress)
        layout.addStretch(1)
        layout.addLayout(next_row)
        return page

    def _finish_page(self) -> QWidget:
        self.finish_heading = text_label(self.tr("Session complete"), scale=1.6, bold=True)
        self.finish_heading.setStyleSheet(f"color: {readable(GOOD_COLOUR)};")
        self.summary = text_label(scale=1.1)
        self.summary_list = text_label(selectable=True)
        self.summary_list.setAccessibleName(self.tr("What you did"))
        self.after_rating = PainRating(self.tr("How does your lower back feel now?"))
        self.after_rating.changed.connect(self._update_finish)
        self.after_note = text_label(
            self.tr(
                "A dull ache or tiredness in the muscles you worked is normal after a session."
            ),
            muted=True,
        )
        return scroll_page(
            [self.finish_heading, self.summary, self.summary_list],
            [self.after_rating, self.after_note],
        )

    def _check_page(self) -> QWidget:
        self.check_heading = text_label(scale=1.6, bold=True)
        self.check_heading.setStyleSheet(f"color: {readable(WARNING_COLOUR)};")
        self.check_explain = text_label()
        self.check_note, note = note_frame(INFO_COLOUR, "rangeNote")
        self.check_advice = text_label()
        note.addWidget(self.check_advice)
        self.check_questions = text_label(
            self.tr("Before you go: a few warning signs"), scale=1.2, bold=True
        )
        self.form = ScreeningForm(self.coach.screening_questions())
        self.form.answered.connect(self._screened)
        return scroll_page(
            [self.check_heading, self.check_explain, self.check_note],
            [self.check_questions, self.form],
        )

    def _end_page(self) -> QWidget:
        page = QWidget()
        self.end_heading = text_label(scale=1.6, bold=True)
        self.end_message = text_label(scale=1.05)
        self.end_card, card = note_frame(GOOD_COLOUR, "endCard")
        self.end_record = text_label()
        self.end_next = text_label(bold=True)
        card.addWidget(self.end_record)
        card.addWidget(self.end_next)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.end_heading)
        layout.addWidget(self.end_message)
        layout.addWidget(self.end_card)
        layout.addStretch(1)
        return page

    def _pain_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("painPanel")
        panel.setStyleSheet(
            "QFrame#painPanel { border: 1px solid palette(mid); border-radius: 4px; }"
        )
        self.good_button = named_button(
            self.tr("&Good ache"), self.tr("It is a good ache"), focus=False
        )
        self.good_button.setStyleSheet(f"color: {readable(GOOD_COLOUR)}; font-weight: bold;")
        self.good_button.clicked.connect(self.good_ache)
        self.sharp_button = named_button(
            self.tr("This &hurts (sharp)"),
            self.tr("This hurts: sharp pain, stop the session"),
            focus=False,
        )
        self.sharp_button.setStyleSheet(f"color: {readable(WARNING_COLOUR)}; font-weight: bold;")
        self.sharp_button.clicked.connect(self.sharp)
        for button in (self.good_button, self.sharp_button):
            button.setMinimumWidth(170)
        self.good_text = text_label(programme.GOOD_ACHE)
        self.bad_text = text_label(programme.BAD_PAIN)
        self.pain_feedback = text_label(muted=True)
        self.pain_feedback.hide()
        grid = QGridLayout(panel)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        grid.addWidget(self.good_button, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.good_text, 0, 1)
        grid.addWidget(self.sharp_button, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.bad_text, 1, 1)
        grid.addWidget(self.pain_feedback, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        return panel

    def _confirm_bar(self) -> QFrame:
        bar, inner = note_frame(WARNING_COLOUR, "confirmBar")
        self.confirm_text = text_label(bold=True)
        self.keep_button = named_button(self.tr("Keep going  ⏎"), self.tr("Keep going"))
        self.keep_button.clicked.connect(self.keep_going)
        self.abandon_button = named_button(self.tr("Stop session  (Esc)"), self.tr("Stop session"))
        self.abandon_button.clicked.connect(self.abandon)
        row = QHBoxLayout()
        row.addWidget(self.confirm_text, 1)
        row.addWidget(self.keep_button)
        row.addWidget(self.abandon_button)
        inner.addLayout(row)
        bar.hide()
        return bar

    # ---- what is where -------------------------------------------------------------------
    @property
    def page(self) -> Page:
        return Page(self.pages.currentIndex())

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.session.steps

    @property
    def exercise_ids(self) -> tuple[str, ...]:
        return self.session.exercise_ids

    @property
    def index(self) -> int:
        return self.session.index

    @property
    def reps(self) -> int:
        return self.session.reps

    @property
    def completed(self) -> frozenset[int]:
        """The steps whose reps or hold reached the target."""
        return self.session.completed

    @property
    def step(self) -> Step:
        return self.session.step

    def exercise(self, step: Step | None = None) -> Exercise:
        return self.exercise_by_id[(step or self.step).exercise_id]

    def _show_page(self, page: Page) -> None:
        # A stacked widget takes the size of its largest page; size to the shown one only.
        for i in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if i == page else QSizePolicy.Policy.Ignored
            widget = self.pages.widget(i)
            if widget is not None:
                widget.setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(page)
        self.pain_panel.setVisible(page in (Page.STEP, Page.REST))
        self.progress.setVisible(page in (Page.STEP, Page.REST, Page.FINISH))
        self.confirm_bar.hide()
        # Session complete: nothing left to stop (Esc still asks before closing unsaved).
        self.stop_button.setVisible(page in (Page.STEP, Page.REST))
        self.primary_button.setVisible(page != Page.CHECK)
        self.primary_button.setEnabled(True)
        if page == Page.BEFORE:
            self._set_primary(self.tr("Begin  ⏎"), self.tr("Begin the session"))
        elif page == Page.REST:
            self._set_primary(self.tr("Skip rest  ⏎"), self.tr("Skip the rest"))
        elif page == Page.FINISH:
            self._set_primary(self.tr("Save  ⏎"), self.tr("Save the session"))
        elif page == Page.END:
            self._set_primary(self.tr("Close  ⏎"), self.tr("Close the session"))
        if page in (Page.STEP, Page.REST, Page.END):
            self.setFocus()

    def _set_primary(self, text: str, name: str) -> None:
        self.primary_button.setText(text)
        self.primary_button.setAccessibleName(name)

    def _follow(self, was: tuple[Phase, int]) -> None:
        """After an action or a tick: the page for where the session is now if it moved
        (`was`: its phase and step before), else the running counter or rest."""
        session = self.session
        if (session.phase, session.index) != was:
            if session.phase in IN_SET:
                self._show_step()
            elif session.phase is Phase.REST:
                self._show_rest()
            elif session.phase is Phase.FINISHED:
                self._show_finish()
        elif session.phase in IN_SET:
            self._show_counter()
        elif session.phase is Phase.REST:
            self._show_rest_left()
        self._sync_ticker()

    def _where(self) -> tuple[Phase, int]:
        return self.session.phase, self.session.index

    # ---- before ------------------------------------------------------------------------
    def _show_before(self) -> None:
        phase = self.phase
        self.before_phase.setText(
            self.tr("Phase {0} of {1} · {2} · week {3} of this phase").format(
                phase.number, programme.PHASE_COUNT, phase.title, self.week
            )
        )
        rows = []
        for i in self.exercise_ids:
            exercise = self.exercise_by_id[i]
            row = self.tr("{0} — {1}").format(exercise.name, self._dose_text(i))
            if is_ours(exercise.dose_source):  # the dose is DeskGuard's, not the articles'
                row += f" ({source_mark(exercise.dose_source)})"
            rows.append(row)
        self.before_routine.setText(bullet_html(rows))
        self.before_routine.setToolTip(
            source_tooltip(phase.placement_source, phase.placement_choice)
        )
        note = self.tr(
            "Mostly on the floor: have a mat or a carpet ready. Move slowly and with "
            "control; good form matters more than the count."
        )
        if phase.load:
            note += " " + phase.load
        self.before_note.setText(note)
        self._show_page(Page.BEFORE)
        self._update_before()

    def _dose_text(self, exercise_id: str) -> str:
        steps = [s for s in self.steps if s.exercise_id == exercise_id]
        first = steps[0]
        sets = self.tr("1 set") if first.sets == 1 else self.tr("{0} sets").format(first.sets)
        if first.reps is not None:
            dose = self.tr("{0} of {1} reps").format(sets, first.reps)
        else:
            dose = self.tr("{0}, hold {1} s").format(sets, first.hold_seconds)
        if first.side is not None:
            dose += self.tr(", each side")
        return dose

    def _update_before(self) -> None:
        offer = self.coach.status().train_today
        reason = ""
        if not self.session.steps:
            reason = self.tr("No exercises are available for this phase.")
        elif not offer.ok:
            reason = offer.reason
        self.before_offer.setText(reason)
        self.before_offer.setVisible(bool(reason))
        if self.page == Page.BEFORE:
            self.primary_button.setEnabled(not reason and self.before_rating.complete())

    def begin(self) -> None:
        self._update_before()
        if self.page != Page.BEFORE or not self.primary_button.isEnabled():
            return
        rating, sensation = self.before_rating.rating(), self.before_rating.sensation()
        assert rating is not None and sensation is not None
        self.coach.log_pain(rating, sensation, PainWhen.BEFORE)
        was = self._where()
        self.session.begin(sensation, self._now())
        if self.session.asking:
            self._ask()
            return
        self._follow(was)

    # ---- a set -------------------------------------------------------------------------
    def _show_step(self) -> None:
        step, exercise = self.step, self.exercise()
        number = self.session.exercise_number
        self.step_where.setText(
            self.tr("Exercise {0} of {1} · step {2} of {3}").format(
                number, len(self.exercise_ids), self.index + 1, len(self.steps)
            )
            + " · "
            + exercise_marks(exercise)
        )
        self.step_where.setToolTip(exercise_tooltip(exercise))
        path = self.coach.library.picture_path(exercise)
        self.picture.setVisible(path is not None)
        if path is not None:
            self.picture.load(str(path))
        self.name.setText(exercise.name)
        line = self.tr("Set {0} of {1}").format(step.set_number, step.sets)
        if step.side == "left":
            line += self.tr(" · left side")
        elif step.side == "right":
            line += self.tr(" · right side")
        self.set_line.setText(line)
        self.how.setText(_ordered_html(exercise.steps))
        self.cues.setText(self.tr("Form: {0}").format(" ".join(exercise.cues)))
        self.progress.setValue(self.index)
        self._show_counter()
        self._show_page(Page.STEP)
        if self.session.is_last:
            self._set_primary(self.tr("Finish  ⏎"), self.tr("Finish the session"))
        else:
            self._set_primary(self.tr("Next  ⏎"), self.tr("Next set"))

    @property
    def is_hold(self) -> bool:
        return self.session.is_hold

    @property
    def target(self) -> int:
        return self.session.target

    def _show_counter(self) -> None:
        shown = self.session.counter(self._now())
        target = shown.target
        self.count_progress.setRange(0, max(1, target))
        self.count_progress.setValue(shown.value)
        done = shown.done
        if shown.hold:
            running = shown.running
            self.counter.setText(
                self.tr("Done") if done and not running else clock_text(shown.left)
            )
            self.counter_unit.setText(self.tr("hold for {0} seconds").format(target))
            if running:
                self.count_button.setText(self.tr("Stop hold  (Space)"))
                self.count_button.setAccessibleName(self.tr("Stop the hold"))
                self.count_status.setText(self.tr("Breathe normally. Ease off if anything hurts."))
            else:
                self.count_button.setText(
                    self.tr("Hold again  (Space)") if done else self.tr("Start hold  (Space)")
                )
                self.count_button.setAccessibleName(self.tr("Start the hold"))
                self.count_status.setText(
                    self.tr("Well held. Come out of it slowly, then press Return.")
                    if done
                    else self.tr("Get into position, then start the hold.")
                )
            self.count_button.setEnabled(True)
        else:
            self.counter.setText(str(shown.value))
            self.counter_unit.setText(self.tr("of {0} reps").format(target))
            self.count_button.setText(self.tr("Rep done  (Space)"))
            self.count_button.setAccessibleName(self.tr("Count one rep"))
            self.count_button.setEnabled(shown.left > 0)
            self.count_status.setText(
                self.tr("All {0} done. Press Return when you are ready.").format(target)
                if done
                else self.tr("Slow and controlled. Press Space after each rep.")
            )

    def count(self) -> None:
        """Space / the counter button: one rep more, or start or stop the hold."""
        if self.page != Page.STEP:
            return
        was = self._where()
        self.session.count(self._now())
        self._follow(was)

    def next(self) -> None:
        """Return / Next: on to the rest, the next set, or the finish screen."""
        if self.page != Page.STEP:
            return
        was = self._where()
        self.session.next(self._now())
        self._follow(was)

    # ---- rest ----------------------------------------------------------------------------
    def _show_rest(self) -> None:
        seconds = self.session.rest_seconds
        self.rest_progress.setRange(0, seconds)
        following = self.session.following
        assert following is not None  # the last set has no rest after it
        text = self.tr("Up next: {0} · set {1} of {2}").format(
            self.exercise(following).name, following.set_number, following.sets
        )
        if following.side == "left":
            text += self.tr(" · left side")
        elif following.side == "right":
            text += self.tr(" · right side")
        self.up_next.setText(text)
        upcoming = self.exercise(following)
        self.up_next_dose.setText(upcoming.steps[0] if upcoming.steps else "")
        path = self.coach.library.picture_path(upcoming)
        self.up_next_picture.setVisible(path is not None)
        if path is not None:
            self.up_next_picture.load(str(path))
        self.progress.setValue(self.index + 1)
        self._show_page(Page.REST)
        self._show_rest_left()

    def _show_rest_left(self) -> None:
        left = self.session.rest_left(self._now())
        self.rest_countdown.setText(clock_text(left))
        self.rest_progress.setValue(self.rest_progress.maximum() - left)

    def skip_rest(self) -> None:
        if self.page != Page.REST:
            return
        was = self._where()
        self.session.skip_rest(self._now())
        self._follow(was)

    # ---- time ----------------------------------------------------------------------------
    def _now(self) -> float:
        # Monotonic: a hold or a rest is real time, whatever happens to the wall clock.
        return self.coach.clock.monotonic()

    def _sync_ticker(self) -> None:
        if self.session.ticking:
            if not self._ticker.isActive():
                self._ticker.start()
        else:
            self._ticker.stop()

    @property
    def ticking(self) -> bool:
        return self._ticker.isActive()

    def tick(self) -> None:
        """Once a second while a hold or a rest runs (public: tests call it)."""
        was = self._where()
        self.session.tick(self._now())
        self._follow(was)

    # ---- the two kinds of pain -----------------------------------------------------------
    def good_ache(self) -> None:
        self.pain_feedback.setText(
            self.tr(
                "Good: that is the muscle working. Carry on slowly and with control; "
                "if it turns sharp, press “This hurts”."
            )
        )
        self.pain_feedback.show()

    def sharp(self) -> None:
        """Stop at once: recorded, one phase back for a week, then the warning signs."""
        exercise_id = self.session.sharp()
        if exercise_id is None:
            return
        exercise = self.exercise_by_id[exercise_id]
        before = self.phase.number
        self._sync_ticker()
        self.coach.report_sharp(exercise.id)
        self.stopped.emit()
        now = self.coach.status().phase
        after = programme.phase(now)
        self.check_heading.setText(self.tr("Session stopped"))
        if now < before:
            moved = self.tr(
                "The programme has gone back to phase {0}, {1}, for at least a week: the "
                "exercises of phase {2} are too much for your back right now."
            ).format(after.number, after.title, before)
        else:
            moved = self.tr(
                "You stay in phase {0}, {1}, for at least another week before moving on."
            ).format(after.number, after.title)
        self.check_explain.setText(
            self.tr(
                "You felt sharp pain during {0}. Sharp, stabbing or travelling pain means "
                "stop, not push through. {2} {1}"
            ).format(exercise.name, moved, programme.AFTER_SHARP)
        )
        self.check_advice.setText(
            self.tr(
                "Next time, try a smaller range of motion: in a squat, for example, go only "
                "halfway down. If even that hurts, leave the exercise out for now: your "
                "back is not ready for it yet."
            )
        )
        self.check_note.show()
        self._ask()

    # ---- finish --------------------------------------------------------------------------
    def done_in_full(self) -> list[str]:
        return self.session.done_in_full()

    def _show_finish(self) -> None:
        self.progress.setValue(len(self.steps))
        tally = self.session.tally()
        sets = sum(t.sets for t in tally)
        sets_done = sum(t.sets_done for t in tally)
        full = [t for t in tally if t.full]
        total = len(tally)
        if len(full) == total:
            self.summary.setText(
                self.tr("Well done: all {0} exercises, {1} sets.").format(total, sets)
            )
        else:
            self.summary.setText(
                self.tr("{0} of {1} exercises done in full, {2} of {3} sets.").format(
                    len(full), total, sets_done, sets
                )
            )
        rows = []
        for t in tally:
            name = self.exercise_by_id[t.exercise_id].name
            if t.full:
                rows.append(self.tr("✓  {0}: done in full").format(name))
            elif t.sets == 1:
                rows.append(self.tr("–  {0}: not finished").format(name))
            else:
                rows.append(
                    self.tr("–  {0}: {1} of {2} sets finished").format(name, t.sets_done, t.sets)
                )
        self.summary_list.setText("\n".join(rows))
        self._show_page(Page.FINISH)
        self._update_finish()

    def _update_finish(self) -> None:
        if self.page == Page.FINISH:
            saveable = self.session.phase is Phase.FINISHED  # not saved yet
            self.primary_button.setEnabled(self.after_rating.complete() and saveable)

    def save(self) -> None:
        """Records the pain after and the session (done = exercises done in full)."""
        if self.page != Page.FINISH or not self.primary_button.isEnabled():
            return
        rating, sensation = self.after_rating.rating(), self.after_rating.sensation()
        assert rating is not None and sensation is not None
        self.coach.log_pain(rating, sensation, PainWhen.AFTER)
        self.session.save(sensation)
        if self.coach.status().active:
            self.coach.finish_session(len(self.done_in_full()), len(self.exercise_ids))
            self.finished.emit()
        if self.session.asking:
            self._ask()
        else:
            self._end_saved(sensation)

    def _end_saved(self, sensation: Sensation) -> None:
        self.end_heading.setText(self.tr("Saved. Well done."))
        self.end_heading.setStyleSheet(f"color: {readable(GOOD_COLOUR)};")
        message = self.tr(
            "Your session is saved. Muscles get stronger on the rest days, so the next "
            "session waits at least a day."
        )
        if sensation is Sensation.ACHE:
            message += " " + self.tr("A dull ache after training is normal: it should ease.")
        self.end_message.setText(message)
        before, after = self.before_rating.rating(), self.after_rating.rating()
        self.end_record.setText(
            self.tr(
                "Recorded: {0} of {1} exercises done in full. Pain {2}/10 before, {3}/10 after."
            ).format(len(self.done_in_full()), len(self.exercise_ids), before, after)
        )
        upcoming = self.next_session_day()
        settings = self.coach.settings
        self.end_next.setText(
            self.tr("Next session: {0}, at {1}.").format(
                f"{upcoming:%A} {upcoming.day} {upcoming:%B}", f"{settings.programme_time:%H:%M}"
            )
            if upcoming is not None
            else ""
        )
        self.end_next.setVisible(upcoming is not None)
        self.end_card.show()
        self._show_page(Page.END)

    def next_session_day(self) -> date | None:
        """The first of the user's session days after the rest day(s) that follow today."""
        return next_session_day(self.coach.today(), self.coach.settings.programme_days)

    # ---- the warning signs -----------------------------------------------------------------
    def _ask(self) -> None:
        why = self.session.why
        if why is Why.BEFORE:
            self.check_heading.setText(self.tr("Not today"))
            self.check_explain.setText(
                self.tr(
                    "Sharp, stabbing or travelling pain before you start means today is not "
                    "a day for the routine. Skip it today; gentle walking is fine. Do not "
                    "push through the pain."
                )
            )
            self.check_note.hide()
        elif why is Why.AFTER:
            self.check_heading.setText(self.tr("Your session is saved"))
            self.check_explain.setText(
                self.tr(
                    "You describe the pain after the session as sharp or travelling, which "
                    "is not the good kind of ache."
                )
            )
            self.check_advice.setText(
                self.tr(
                    "Next time, work in a smaller range of motion: in a squat, for example, "
                    "go only halfway down. Stop at once if sharp pain comes back."
                )
            )
            self.check_note.show()
        self._show_page(Page.CHECK)

    def _screened(self, yes: list[str]) -> None:
        self.coach.screen(yes)  # any yes pauses; the clinician screen comes up by itself
        self.session.answer()
        if yes:
            self.end_heading.setText(self.tr("The programme is paused"))
            self.end_heading.setStyleSheet(f"color: {readable(WARNING_COLOUR)};")
            self.end_message.setText(
                self.tr(
                    "Please see a doctor or physiotherapist about the warning signs you "
                    "reported before you train again. Once they have cleared you, resume "
                    "the programme from its window."
                )
            )
            self.end_card.hide()
        else:
            self.end_heading.setStyleSheet("")
            if self.session.why is Why.BEFORE:
                self.end_heading.setText(self.tr("Skip the routine today"))
                self.end_message.setText(
                    self.tr(
                        "Thank you. Gentle walking is fine today; try the routine again on "
                        "your next session day. If sharp or travelling pain keeps coming back "
                        "or gets worse, see a doctor or physiotherapist."
                    )
                )
            else:
                phase = programme.phase(self.coach.status().phase)
                self.end_heading.setText(self.tr("Thank you"))
                self.end_message.setText(
                    self.tr(
                        "No more exercises today; gentle walking is fine. Your next "
                        "session is phase {0}, {1}. If sharp pain keeps coming back, see a "
                        "doctor or physiotherapist."
                    ).format(phase.number, phase.title)
                )
            self.end_card.hide()
        self._show_page(Page.END)

    # ---- stopping --------------------------------------------------------------------------
    def request_stop(self) -> None:
        """Esc / Stop: ask first when closing would throw a session (or questions) away."""
        if self.page == Page.FINISH:
            self.confirm_text.setText(
                self.tr("Close without saving? This session will not be recorded.")
            )
            self.abandon_button.setText(self.tr("Close without saving  (Esc)"))
            self.abandon_button.setAccessibleName(self.tr("Close without saving"))
        elif self.session.in_progress:
            self.confirm_text.setText(
                self.tr("Stop this session? Nothing will be recorded as done.")
            )
            self.abandon_button.setText(self.tr("Stop session  (Esc)"))
            self.abandon_button.setAccessibleName(self.tr("Stop session"))
        elif self.session.asking:
            self.confirm_text.setText(
                self.tr("Close without answering the warning-sign questions?")
            )
            self.abandon_button.setText(self.tr("Close  (Esc)"))
            self.abandon_button.setAccessibleName(self.tr("Close without answering"))
        else:
            self.abandon()
            return
        self.confirm_bar.show()
        self.setFocus()

    def keep_going(self) -> None:
        self.confirm_bar.hide()
        self.setFocus()

    def abandon(self) -> None:
        """Closes without recording anything as done."""
        in_progress = self.session.abandon()
        self._sync_ticker()
        self._closing = True
        if in_progress:
            self.abandoned.emit()
        self.close()

    def _primary(self) -> None:
        page = self.page
        if page == Page.BEFORE:
            self.begin()
        elif page == Page.STEP:
            self.next()
        elif page == Page.REST:
            self.skip_rest()
        elif page == Page.FINISH:
            self.save()
        elif page == Page.CHECK:
            self.form.confirm()
        else:
            self.close()

    def _rating_here(self) -> PainRating:
        return self.before_rating if self.page == Page.BEFORE else self.after_rating

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self.confirm_bar.isVisible() and key == Qt.Key.Key_Escape:
            self.abandon()
        elif self.confirm_bar.isVisible() and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.keep_going()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._primary()
        elif key == Qt.Key.Key_Space and self.page == Page.STEP:
            self.count()
        elif key == Qt.Key.Key_Escape:
            self.request_stop()
        elif self.page in (Page.BEFORE, Page.FINISH) and self._rating_here().take_digit(
            event.text()
        ):
            pass  # a digit rates the pain, wherever the focus is
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing and (self.session.in_progress or self.session.asking):
            event.ignore()  # the window manager's close asks first, like Esc
            self.request_stop()
            return
        self.session.abandon()
        self._sync_ticker()
        event.accept()

"""The red-flag questions and the "please see a clinician" screen of the back-care programme.

`ScreeningForm` asks each warning sign (coach.screening_questions()) as its own yes/no
question, none answered in advance; "None of these apply" ticks No everywhere, so each
answer stays visible before the user confirms. `ScreeningDialog` wraps it: at the start
of the programme it calls coach.start(yes), otherwise coach.screen(yes). Any yes pauses
the programme in core, and the coach emits `clinician_needed`.

`clinician_watch(coach)` hooks that signal (once per coach, however many windows ask)
to a `ClinicianDialog` naming the reasons in the warning signs' own words. Never a
diagnosis: it says the programme is paused and logged, and carries the disclaimer.

The small shared pieces of the programme's windows (framed notes, the disclaimer line,
named buttons) live here too, so the programme window, the session player and the pain
dialog read alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.model import RedFlag
from deskguard.services.programme import Coach
from deskguard.ui.widgets import (
    WARNING_COLOUR,
    bullet_html,
    disclaimer_label,
    fit_to_content,
    named_button,
    note_frame,
    readable,
    rich_label,
    text_label,
    vertical_scroll,
)

__all__ = [
    "CLINICIAN_TITLE",
    "SCREENING_TITLE",
    "ClinicianDialog",
    "ClinicianWatch",
    "ScreeningDialog",
    "ScreeningForm",
    "clinician_watch",
]

# Also how tests and the rig find the windows (untranslated, as they run).
SCREENING_TITLE = str(QT_TRANSLATE_NOOP("ScreeningDialog", "DeskGuard — Warning signs"))
CLINICIAN_TITLE = str(QT_TRANSLATE_NOOP("ClinicianDialog", "DeskGuard — Please see a clinician"))


# ---- the questions -----------------------------------------------------------------------


class ScreeningForm(QWidget):
    """Each warning sign with its own Yes and No; Continue once every one is answered."""

    answered = Signal(list)  # the ids answered yes (empty: none applies)

    def __init__(self, questions: Sequence[RedFlag], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.questions = list(questions)
        self.intro = text_label(
            self.tr(
                "Do any of these apply to you now? Answer each one. A yes does not mean "
                "something is wrong, only that someone qualified should look at it before "
                "you train on."
            )
        )
        self.groups: dict[str, QButtonGroup] = {}
        self.yes: dict[str, QRadioButton] = {}
        self.no: dict[str, QRadioButton] = {}
        rows = QVBoxLayout()
        rows.setSpacing(0)
        for number, flag in enumerate(self.questions, 1):
            rows.addWidget(self._row(number, flag))
        self.none_button = named_button(
            self.tr("&None of these apply"), self.tr("Answer no to every question")
        )
        self.none_button.clicked.connect(self.none_apply)
        self.confirm_button = named_button(self.tr("&Continue"), self.tr("Confirm my answers"))
        self.confirm_button.clicked.connect(self.confirm)
        self.missing = text_label(muted=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.none_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addLayout(rows)
        layout.addWidget(self.missing)
        layout.addLayout(buttons)
        self._update()

    def _row(self, number: int, flag: RedFlag) -> QWidget:
        row = QFrame()
        row.setObjectName(f"question_{flag.id}")
        row.setStyleSheet(
            f"QFrame#question_{flag.id} {{ border-bottom: 1px solid palette(midlight); }}"
        )
        text = text_label(f"{number}.  {flag.text}", selectable=False)
        text.setAccessibleName(self.tr("Question {0}").format(number))
        yes = QRadioButton(self.tr("Yes"))
        no = QRadioButton(self.tr("No"))
        yes.setAccessibleName(self.tr("Yes: {0}").format(flag.text))
        no.setAccessibleName(self.tr("No: {0}").format(flag.text))
        group = QButtonGroup(self)
        group.addButton(yes)
        group.addButton(no)
        group.buttonToggled.connect(self._update)
        self.groups[flag.id] = group
        self.yes[flag.id] = yes
        self.no[flag.id] = no
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 8, 0, 8)
        layout.setSpacing(14)
        layout.addWidget(text, 1)
        layout.addWidget(yes, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(no, 0, Qt.AlignmentFlag.AlignTop)
        return row

    # ---- answers ---------------------------------------------------------------------------
    def answer(self, flag_id: str) -> bool | None:
        if self.yes[flag_id].isChecked():
            return True
        if self.no[flag_id].isChecked():
            return False
        return None

    def set_answer(self, flag_id: str, yes: bool) -> None:
        (self.yes if yes else self.no)[flag_id].setChecked(True)

    def unanswered(self) -> list[str]:
        return [f.id for f in self.questions if self.answer(f.id) is None]

    def yes_ids(self) -> list[str]:
        return [f.id for f in self.questions if self.answer(f.id) is True]

    def complete(self) -> bool:
        return not self.unanswered()

    def none_apply(self) -> None:
        for flag in self.questions:
            self.set_answer(flag.id, False)

    def confirm(self) -> None:
        if self.complete():
            self.answered.emit(self.yes_ids())

    def _update(self) -> None:
        left = len(self.unanswered())
        self.confirm_button.setEnabled(left == 0)
        if left == 0:
            self.missing.setText(
                self.tr("Every question answered.")
                if not self.yes_ids()
                else self.tr("You answered yes to {0}. Continue to see what that means.").format(
                    len(self.yes_ids())
                )
            )
        elif left == 1:
            self.missing.setText(self.tr("1 question still needs an answer."))
        else:
            self.missing.setText(self.tr("{0} questions still need an answer.").format(left))


class ScreeningDialog(QDialog):
    """The questions in a window: the answers go to the coach (start, or a screening)."""

    answered = Signal(list)

    def __init__(
        self, coach: Coach, *, starting: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.coach = coach
        self.starting = starting
        self.watch = clinician_watch(coach)  # a yes brings up the clinician screen
        self.setWindowTitle(self.tr(SCREENING_TITLE))
        self.setObjectName("screeningDialog")
        self.setAccessibleName(self.tr("Warning signs"))
        heading = (
            self.tr("Before you start: a few warning signs")
            if starting
            else self.tr("A few questions about warning signs")
        )
        self.heading = text_label(heading, scale=1.5, bold=True)
        lead = (
            self.tr(
                "Exercise helps ordinary back pain. Some signs need a doctor or "
                "physiotherapist first, so the programme asks about them before it begins."
            )
            if starting
            else self.tr(
                "You reported sharp or travelling pain. Please check these warning signs "
                "before you carry on."
            )
        )
        self.lead = text_label(lead)
        self.form = ScreeningForm(coach.screening_questions())
        self.form.answered.connect(self._answered)
        self._scroll, self._content = vertical_scroll(self.form)
        self.disclaimer = disclaimer_label(coach.disclaimer)
        self.cancel_button = named_button(
            self.tr("Not now") if starting else self.tr("Close"),
            self.tr("Close without answering"),
        )
        self.cancel_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.disclaimer, 1)
        bottom.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.lead)
        layout.addWidget(self._scroll, 1)
        layout.addLayout(bottom)
        self.setMinimumSize(560, 420)
        self._fitted = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # word-wrapped labels know their height only once shown
            self._fitted = True
            fit_to_content(self, self._scroll, self._content, 700)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.form.confirm()  # only once every question has an answer
            event.accept()
            return
        super().keyPressEvent(event)

    def _answered(self, yes: list[str]) -> None:
        if self.starting:
            self.coach.start(yes)
        else:
            self.coach.screen(yes)
        self.answered.emit(yes)
        self.accept()


# ---- the clinician screen -------------------------------------------------------------


class ClinicianView(QWidget):
    """Why the user should see a clinician, that the programme is paused, the disclaimer."""

    def __init__(self, coach: Coach, flags: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = text_label(self.tr("Please see a clinician"), scale=1.6, bold=True)
        self.heading.setStyleSheet(f"color: {readable(WARNING_COLOUR)};")
        self.lead = text_label(self.tr("You told DeskGuard:"))
        self.reasons = rich_label()
        self.reasons.setAccessibleName(self.tr("Reasons"))
        self.explain = text_label(
            self.tr(
                "These are warning signs that a doctor or physiotherapist should look at "
                "before you go on with the exercises. DeskGuard cannot tell what causes "
                "them, and nothing here is a diagnosis."
            )
        )
        box, inner = note_frame(WARNING_COLOUR, "pausedNote")
        self.paused = text_label(
            self.tr(
                "The back-care programme is paused, and your answers are saved in its log. "
                "Once a clinician has cleared you, you can resume it from the programme "
                "window."
            )
        )
        inner.addWidget(self.paused)
        self.disclaimer = disclaimer_label(coach.disclaimer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.lead)
        layout.addWidget(self.reasons)
        layout.addWidget(self.explain)
        layout.addWidget(box)
        layout.addWidget(self.disclaimer)
        self.show_flags(coach, flags)

    def show_flags(self, coach: Coach, flags: Sequence[str]) -> None:
        texts = coach.flag_texts(flags)
        if not texts:
            texts = [self.tr("You reported a warning sign.")]
        self.reason_texts = texts
        self.reasons.setText(bullet_html(texts))


class ClinicianDialog(QDialog):
    def __init__(self, coach: Coach, flags: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr(CLINICIAN_TITLE))
        self.setObjectName("clinicianDialog")
        self.setAccessibleName(self.tr("Please see a clinician"))
        self.view = ClinicianView(coach, flags)
        self._scroll, self._content = vertical_scroll(self.view)
        self.close_button = named_button(self.tr("&Close"), self.tr("Close"))
        self.close_button.setDefault(True)
        self.close_button.setAutoDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(self._scroll, 1)
        layout.addLayout(buttons)
        self.setMinimumSize(480, 300)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_to_content(self, self._scroll, self._content, max(self.width(), 600))

    def show_flags(self, coach: Coach, flags: Sequence[str]) -> None:
        self.view.show_flags(coach, flags)


class ClinicianWatch(QObject):
    """Shows the clinician screen whenever the coach asks for it; one per coach."""

    def __init__(self, coach: Coach) -> None:
        super().__init__(coach)
        self.setObjectName("clinicianWatch")
        self.coach = coach
        self.dialog: ClinicianDialog | None = None
        coach.clinician_needed.connect(self.show_screen)

    def show_screen(self, flags: list[str]) -> None:
        if self.dialog is None:
            self.dialog = ClinicianDialog(self.coach, flags)
        else:
            self.dialog.show_flags(self.coach, flags)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()


def clinician_watch(coach: Coach) -> ClinicianWatch:
    """The coach's clinician-screen hook, made on first use: safe to call from every window."""
    watch = coach.findChild(ClinicianWatch)
    if isinstance(watch, ClinicianWatch):
        return watch
    return ClinicianWatch(coach)

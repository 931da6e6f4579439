"""The programme's pain log: a 0–10 rating and what the pain feels like.

`PainRating` is the widget (eleven buttons, 0 "no pain" to 10 "worst imaginable", and
four sensations as the articles tell them apart: none, a dull ache or muscle tiredness,
sharp or stabbing, travelling down a leg). The session player embeds it before and after
a session; `PainDialog` wraps it for the weekly check-in (or any one rating) and records
it through the coach. A sharp or travelling pain then brings up the red-flag questions.

Keys: the digits 0–9 pick a rating, Left/Right move it, Tab reaches every choice.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.programme import PainWhen, Sensation
from deskguard.services.programme import Coach
from deskguard.ui.screening import ScreeningDialog
from deskguard.ui.widgets import (
    INFO_COLOUR,
    WARNING_COLOUR,
    disclaimer_label,
    named_button,
    readable,
    text_label,
)

__all__ = ["CHECKIN_TITLE", "PainDialog", "PainRating"]

SCALE_MAX = 10

SENSATIONS: tuple[tuple[Sensation, str], ...] = (
    (Sensation.NONE, str(QT_TRANSLATE_NOOP("PainRating", "None of these"))),
    (Sensation.ACHE, str(QT_TRANSLATE_NOOP("PainRating", "A dull ache or muscle tiredness"))),
    (Sensation.SHARP, str(QT_TRANSLATE_NOOP("PainRating", "Sharp or stabbing"))),
    (Sensation.RADIATING, str(QT_TRANSLATE_NOOP("PainRating", "It travels down a leg"))),
)

CHECKIN_TITLE = str(QT_TRANSLATE_NOOP("PainDialog", "DeskGuard — Weekly check-in"))
RATING_TITLE = str(QT_TRANSLATE_NOOP("PainDialog", "DeskGuard — Pain rating"))

_SCALE_CSS = (
    "QPushButton { border: 1px solid palette(mid); border-radius: 4px;"
    " background: palette(base); padding: 4px 0; }"
    "QPushButton:hover { border-color: palette(highlight); }"
    "QPushButton:focus { border: 2px solid palette(highlight); }"
    f"QPushButton:checked {{ background: {INFO_COLOUR}; color: white;"
    f" border-color: {INFO_COLOUR}; font-weight: bold; }}"
)


TEN_WITHIN_S = 1.2  # "1" then "0" typed this close together is a 10


class PainRating(QWidget):
    """A 0–10 rating plus the sensation; `complete()` once both are chosen."""

    changed = Signal()

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._one_at: float | None = None  # when a "1" was typed: a "0" soon after is 10
        self.question = text_label(question, bold=True)
        self.scale_group = QButtonGroup(self)
        self.scale_group.setExclusive(True)
        self.scale_buttons: list[QPushButton] = []
        scale = QHBoxLayout()
        scale.setSpacing(4)
        for value in range(SCALE_MAX + 1):
            button = QPushButton(str(value))
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setMinimumSize(34, 34)
            button.setStyleSheet(_SCALE_CSS)
            if value == 0:
                name = self.tr("Pain 0 of 10, no pain")
            elif value == SCALE_MAX:
                name = self.tr("Pain 10 of 10, the worst imaginable")
            else:
                name = self.tr("Pain {0} of 10").format(value)
            button.setAccessibleName(name)
            self.scale_group.addButton(button, value)
            self.scale_buttons.append(button)
            scale.addWidget(button, 1)
        self.scale_group.idToggled.connect(self._rating_toggled)
        low = text_label(self.tr("0 = no pain"), muted=True)
        high = text_label(self.tr("10 = the worst imaginable"), muted=True)
        for anchor in (low, high):
            anchor.setWordWrap(False)
        anchors = QHBoxLayout()
        anchors.addWidget(low)
        anchors.addStretch(1)
        anchors.addWidget(high)

        self.feel = text_label(self.tr("What does it feel like?"), bold=True)
        self.sensation_group = QButtonGroup(self)
        self.sensation_buttons: dict[Sensation, QRadioButton] = {}
        feel = QVBoxLayout()
        feel.setSpacing(4)
        for sensation, text in SENSATIONS:
            radio = QRadioButton(self.tr(text))
            radio.setAccessibleName(self.tr("Feels like: {0}").format(self.tr(text)))
            self.sensation_group.addButton(radio)
            self.sensation_buttons[sensation] = radio
            feel.addWidget(radio)
        self.sensation_group.buttonToggled.connect(self._sensation_toggled)
        self.warning = text_label(
            self.tr(
                "Sharp, stabbing or travelling pain is the kind to take seriously. "
                "DeskGuard will ask a few warning-sign questions next."
            )
        )
        self.warning.setStyleSheet(f"color: {readable(WARNING_COLOUR)};")
        self.warning.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.question)
        layout.addLayout(scale)
        layout.addLayout(anchors)
        layout.addSpacing(4)
        layout.addWidget(self.feel)
        layout.addLayout(feel)
        layout.addWidget(self.warning)

    # ---- values --------------------------------------------------------------------------
    def rating(self) -> int | None:
        value = self.scale_group.checkedId()
        return value if value >= 0 else None

    def sensation(self) -> Sensation | None:
        for sensation, radio in self.sensation_buttons.items():
            if radio.isChecked():
                return sensation
        return None

    def complete(self) -> bool:
        return self.rating() is not None and self.sensation() is not None

    def is_bad(self) -> bool:
        sensation = self.sensation()
        return sensation is not None and sensation.is_bad

    def set_rating(self, value: int) -> None:
        if not 0 <= value <= SCALE_MAX:
            raise ValueError(f"pain rating must be 0 to {SCALE_MAX}, got {value}")
        self.scale_buttons[value].setChecked(True)

    def set_sensation(self, sensation: Sensation) -> None:
        self.sensation_buttons[sensation].setChecked(True)

    def clear(self) -> None:
        for group in (self.scale_group, self.sensation_group):
            group.setExclusive(False)
            for button in group.buttons():
                button.setChecked(False)
            group.setExclusive(True)
        self.warning.hide()
        self.changed.emit()

    # ---- internals -----------------------------------------------------------------------
    def _rating_toggled(self, value: int, checked: bool) -> None:
        if not checked:
            return
        if value == 0 and self.sensation() is None:
            self.set_sensation(Sensation.NONE)  # 0 is no pain: one click less
        self.changed.emit()

    def _sensation_toggled(self) -> None:
        self.warning.setVisible(self.is_bad())
        self.changed.emit()

    def take_digit(self, text: str) -> bool:
        """A typed digit sets the rating ("1" then "0" within a moment makes 10);
        False when `text` is no single digit. The window forwards digits here, so a
        rating can be typed wherever the focus is."""
        if not (len(text) == 1 and text.isdigit()):
            return False
        now = time.monotonic()
        if text == "0" and self._one_at is not None and now - self._one_at < TEN_WITHIN_S:
            self.set_rating(10)
            self._one_at = None
        else:
            self.set_rating(int(text))
            self._one_at = now if text == "1" else None
        rating = self.rating()
        if rating is not None:
            self.scale_buttons[rating].setFocus()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.take_digit(event.text()):
            event.accept()
            return
        current = self.rating()
        if event.key() == Qt.Key.Key_Right:
            self.set_rating(min(SCALE_MAX, (current if current is not None else -1) + 1))
        elif event.key() == Qt.Key.Key_Left:
            self.set_rating(max(0, (current if current is not None else 1) - 1))
        else:
            super().keyPressEvent(event)
            return
        rating = self.rating()
        if rating is not None:
            self.scale_buttons[rating].setFocus()
        event.accept()


class PainDialog(QDialog):
    """One rating recorded through the coach; a bad sensation asks the red-flag questions."""

    saved = Signal(int, object)  # rating, Sensation

    def __init__(
        self, coach: Coach, when: PainWhen = PainWhen.CHECKIN, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.coach = coach
        self.when = when
        self.screening: ScreeningDialog | None = None
        checkin = when is PainWhen.CHECKIN
        self.setWindowTitle(self.tr(CHECKIN_TITLE) if checkin else self.tr(RATING_TITLE))
        self.setObjectName("painDialog")
        if checkin:
            heading = self.tr("Weekly check-in")
            lead = self.tr(
                "One rating a week shows whether the programme is helping. After four weeks "
                "DeskGuard compares your ratings with your first week's."
            )
            question = self.tr("How has your lower back felt this week, on a typical day?")
        elif when is PainWhen.BEFORE:
            heading = self.tr("Before the session")
            lead = self.tr("A rating before you start, to compare with the one after.")
            question = self.tr("How does your lower back feel right now?")
        else:
            heading = self.tr("After the session")
            lead = self.tr("A dull ache in the muscles you worked is normal after a session.")
            question = self.tr("How does your lower back feel now?")
        self.setAccessibleName(heading)
        self.heading = text_label(heading, scale=1.5, bold=True)
        self.lead = text_label(lead, muted=True)
        self.rating = PainRating(question)
        self.rating.changed.connect(self._update)
        self.disclaimer = disclaimer_label(coach.disclaimer)
        self.cancel_button = named_button(self.tr("Cancel"), self.tr("Close without saving"))
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = named_button(self.tr("&Save"), self.tr("Save the rating"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.lead)
        layout.addSpacing(4)
        layout.addWidget(self.rating)
        layout.addStretch(1)
        layout.addWidget(self.disclaimer)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)
        self._update()

    def _update(self) -> None:
        self.save_button.setEnabled(self.rating.complete())

    def save(self) -> None:
        rating, sensation = self.rating.rating(), self.rating.sensation()
        if rating is None or sensation is None:
            return
        self.coach.log_pain(rating, sensation, self.when)
        self.saved.emit(rating, sensation)
        self.accept()
        if sensation.is_bad:
            self.screening = ScreeningDialog(self.coach, parent=self.parentWidget())
            self.screening.open()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            event.accept()
            return
        if self.rating.take_digit(event.text()):  # digits rate wherever the focus is
            event.accept()
            return
        super().keyPressEvent(event)

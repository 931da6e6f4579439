"""The workstation checklist: tick what is true, see why each item matters, save with a score.

Plain data in (a Checklist, the last saved result, a `now` callable), a signal out:
`saved(ChecklistResult)` when the user presses Save. The dialog never touches the store.
`ChecklistForm` is the same list without buttons, for the first-run welcome to embed.

Keys: Tab/Shift+Tab move between items, Space ticks, Ctrl+S or Return saves, Esc closes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.checklist import ChecklistResult, Score, next_due, score
from deskguard.core.model import Checklist, ChecklistItem
from deskguard.ui.widgets import local_date, text_label

__all__ = ["ChecklistDialog", "ChecklistForm", "long_date"]


def long_date(day: date) -> str:
    """e.g. "23 November 2026", in the user's locale."""
    return local_date(day, "d MMMM yyyy")


def _label(
    text: str = "", *, scale: float = 1.0, bold: bool = False, muted: bool = False
) -> QLabel:
    return text_label(text, scale=scale, bold=bold, muted=muted, selectable=False)


class _ItemRow(QWidget):
    """A tick box, the question beside it and the reason under it; a click anywhere ticks."""

    def __init__(self, item: ChecklistItem, ticked: bool) -> None:
        super().__init__()
        self.item = item
        self.box = QCheckBox()
        self.box.setChecked(ticked)
        self.box.setAccessibleName(item.text)
        self.box.setAccessibleDescription(item.reason)
        self.question = _label(item.text)
        self.reason = _label(item.reason, scale=0.92, muted=True)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.question)
        text.addWidget(self.reason)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 6, 4, 6)
        row.setSpacing(10)
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.box.toggle()
            self.box.setFocus(Qt.FocusReason.MouseFocusReason)
            event.accept()
            return
        super().mouseReleaseEvent(event)


class ChecklistForm(QWidget):
    """The items of one checklist with a live score; no buttons."""

    changed = Signal(object)  # Score

    def __init__(
        self,
        checklist: Checklist,
        answers: Mapping[str, bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.checklist = checklist
        previous = dict(answers or {})
        self.rows = [_ItemRow(item, previous.get(item.id, False)) for item in checklist.items]
        content = QWidget()
        self._content = content
        items = QVBoxLayout(content)
        items.setContentsMargins(0, 0, 8, 0)
        items.setSpacing(0)
        for index, row in enumerate(self.rows):
            if index:
                line = QFrame()
                line.setFrameShape(QFrame.Shape.HLine)
                line.setFrameShadow(QFrame.Shadow.Plain)
                line.setStyleSheet("color: palette(mid);")
                items.addWidget(line)
            items.addWidget(row)
            row.box.toggled.connect(self._on_toggled)
        items.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)
        self.score_label = _label(bold=True)
        self.score_label.setAccessibleName(self.tr("Score"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.score_label)
        for first, second in zip(self.rows, self.rows[1:], strict=False):
            QWidget.setTabOrder(first.box, second.box)
        self._on_toggled()

    def content_height(self, width: int) -> int:
        """Height the items need at `width` without scrolling (word-wrapped labels)."""
        layout = self._content.layout()
        if layout is not None and layout.hasHeightForWidth():
            return int(layout.heightForWidth(width))
        return int(self._content.sizeHint().height())

    def answers(self) -> dict[str, bool]:
        return {row.item.id: row.box.isChecked() for row in self.rows}

    def score(self) -> Score:
        return score(self.answers(), self.checklist)

    def result(self, taken_at: datetime) -> ChecklistResult:
        return ChecklistResult(self.checklist.id, taken_at, self.answers(), self.score())

    def set_ticked(self, item_id: str, ticked: bool) -> None:
        for row in self.rows:
            if row.item.id == item_id:
                row.box.setChecked(ticked)
                return
        raise KeyError(item_id)

    def _on_toggled(self, _checked: bool = False) -> None:
        result = self.score()
        self.score_label.setText(self.tr("{0} of {1} in place").format(result.ticked, result.total))
        self.changed.emit(result)


class ChecklistDialog(QDialog):
    """One checklist to tick and save; shows when it was last saved."""

    saved = Signal(object)  # ChecklistResult

    def __init__(
        self,
        checklist: Checklist,
        now: Callable[[], datetime],
        last: ChecklistResult | None = None,
        icon: QIcon | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = now
        self.setWindowTitle(self.tr("DeskGuard — {0} check").format(checklist.title))
        self.setObjectName("checklistDialog")
        self.setAccessibleName(checklist.title)
        if icon is not None:
            self.setWindowIcon(icon)
        self.heading = _label(checklist.title, scale=1.5, bold=True)
        self.intro = _label(
            self.tr(
                "Tick each item that is true for you today. "
                "The note under each one says why it matters."
            )
        )
        self.last_label = _label(muted=True)
        self.last_label.setAccessibleName(self.tr("Last check"))
        self.form = ChecklistForm(checklist, last.answers if last is not None else None)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setToolTip(self.tr("Save (Ctrl+S)"))
        save.setAccessibleName(self.tr("Save the checklist"))
        save.setDefault(True)
        self.save_button = save
        for button in self.buttons.buttons():
            button.setIcon(QIcon())  # words only: a style's stock icons look foreign
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.last_label)
        layout.addSpacing(4)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.buttons)
        self.show_last(last)
        self.setMinimumSize(460, 380)
        self._fit(width=600, max_height=680)

    def _fit(self, width: int, max_height: int) -> None:
        """As tall as the items need, up to `max_height`; longer lists scroll."""
        self.resize(width, 400)
        layout = self.layout()
        assert layout is not None
        layout.activate()
        chrome = self.height() - self.form.scroll_area.height()
        wanted = chrome + self.form.content_height(self.form.scroll_area.viewport().width()) + 4
        self.resize(width, max(self.minimumHeight(), min(wanted, max_height)))

    def show_last(self, last: ChecklistResult | None) -> None:
        today = self._now().date()
        if last is None:
            self.last_label.setText(self.tr("Not checked before."))
            return
        taken = last.taken_at.astimezone(self._now().tzinfo).date()
        text = self.tr("Last checked on {0}: {1} of {2} in place.").format(
            long_date(taken), last.score.ticked, last.score.total
        )
        due = next_due(taken, today)
        if due > today:
            text += " " + self.tr("Next check due {0}.").format(long_date(due))
        self.last_label.setText(text)

    def save(self) -> None:
        self.saved.emit(self.form.result(self._now()))
        self.accept()

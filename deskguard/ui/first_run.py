"""The first-run welcome: what DeskGuard does, when to see a professional, your working
hours and break interval, and the workstation checklist. Four short pages.

Plain data in (current Settings, red flags + disclaimer, the workstation Checklist, a
`now` callable); one signal out when the user finishes:
`completed(Settings, ChecklistResult | None)`: the settings with the chosen interval,
hours and days, and the checklist answers (None when the user chose "Later"). Closing
the dialog (Esc) emits nothing and saves nothing.

Keys: Return goes on (Next, then Finish), Alt+B goes back, Esc closes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime, time

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.model import WEEKDAY_NAMES, Checklist, RedFlag, Settings
from deskguard.ui.checklist import ChecklistForm
from deskguard.ui.red_flags import RedFlagsView
from deskguard.ui.widgets import text_label, vertical_scroll

__all__ = ["INTERVAL_RANGE", "FirstRunDialog"]

INTERVAL_RANGE = (5, 120)  # minutes, as config.py accepts


def _label(
    text: str = "", *, scale: float = 1.0, bold: bool = False, muted: bool = False
) -> QLabel:
    return text_label(text, scale=scale, bold=bold, muted=muted, selectable=False)


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


def _time(value: QTime) -> time:
    return time(value.hour(), value.minute())


class FirstRunDialog(QDialog):
    completed = Signal(object, object, bool)  # Settings, ChecklistResult | None, autostart
    # Finished with "Add DeskGuard to the applications menu" offered and ticked.
    menu_entry_requested = Signal()

    def __init__(
        self,
        settings: Settings,
        red_flags: Sequence[RedFlag],
        disclaimer: str,
        workstation: Checklist,
        now: Callable[[], datetime],
        icon: QIcon | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._now = now
        self.setWindowTitle(self.tr("DeskGuard — Welcome"))
        self.setObjectName("firstRunDialog")
        self.setAccessibleName(self.tr("Welcome to DeskGuard"))
        if icon is not None:
            self.setWindowIcon(icon)

        self.titles = [
            self.tr("Welcome to DeskGuard"),
            self.tr("When to see a professional"),
            self.tr("Your working hours"),
            self.tr("Check your workstation"),
        ]
        self.pages = QStackedWidget()
        self.pages.addWidget(self._welcome_page(icon))
        self.pages.addWidget(self._red_flags_page(red_flags, disclaimer))
        self.pages.addWidget(self._hours_page(settings))
        self.pages.addWidget(self._checklist_page(workstation))

        self.heading = _label(scale=1.5, bold=True)
        self.step = _label(muted=True)
        self.step.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.step.setWordWrap(False)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.step)

        self.back_button = QPushButton(self.tr("&Back"))
        self.back_button.setAccessibleName(self.tr("Back"))
        self.later_button = QPushButton(self.tr("&Later"))
        self.later_button.setAccessibleName(self.tr("Finish without the checklist"))
        self.later_button.setToolTip(self.tr("Finish now; the checklist is in the tray menu."))
        self.next_button = QPushButton(self.tr("&Next"))
        self.next_button.setAccessibleName(self.tr("Next"))
        self.next_button.setDefault(True)
        self.next_button.setAutoDefault(True)
        self.back_button.setAutoDefault(False)
        self.later_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back)
        self.later_button.clicked.connect(self.later)
        self.next_button.clicked.connect(self.next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.next_button)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addWidget(line)
        layout.addLayout(buttons)
        self.resize(660, 560)
        self.setMinimumSize(520, 460)
        self.go_to(0)

    # ---- pages --------------------------------------------------------------------
    def _welcome_page(self, icon: QIcon | None) -> QWidget:
        page = QWidget()
        points = [
            self.tr(
                "Every 30–60 minutes it reminds you to stand up and move for 2–3 minutes. "
                "Long, unbroken sitting is hard on the lower back; short, regular breaks help."
            ),
            self.tr(
                "Each break suggests one simple stretch or movement you can do at your desk, "
                "with a picture, the steps and a timer."
            ),
            self.tr(
                "Halfway between breaks, an optional quiet notification asks one quick "
                "posture question."
            ),
            self.tr(
                "It keeps a record of your breaks so you can see your week. The record stays "
                "on this computer: nothing is sent anywhere."
            ),
        ]
        self.welcome_points = [_label("•  " + p) for p in points]
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        intro = _label(
            self.tr("DeskGuard is a small helper in your system tray that gets you moving.")
        )
        row = QHBoxLayout()
        if icon is not None:
            picture = QLabel()
            picture.setPixmap(icon.pixmap(64, 64))
            picture.setAccessibleName(self.tr("DeskGuard icon"))
            row.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
            row.addSpacing(8)
        row.addWidget(intro, 1)
        layout.addLayout(row)
        for point in self.welcome_points:
            layout.addWidget(point)
        layout.addSpacing(6)
        layout.addWidget(
            _label(self.tr("The next three short steps set it up for you."), muted=True)
        )
        layout.addStretch(1)
        return page

    def _red_flags_page(self, red_flags: Sequence[RedFlag], disclaimer: str) -> QWidget:
        self.red_flags = RedFlagsView(red_flags, disclaimer)
        scroll, _content = vertical_scroll(self.red_flags)
        return scroll

    def _hours_page(self, settings: Settings) -> QWidget:
        page = QWidget()
        self.interval = QSpinBox()
        self.interval.setRange(*INTERVAL_RANGE)
        self.interval.setSingleStep(5)
        self.interval.setValue(settings.interval_minutes)
        self.interval.setSuffix(self.tr(" minutes"))
        self.interval.setAccessibleName(self.tr("Minutes between breaks"))
        self.start_time = QTimeEdit(_qtime(settings.work_start))
        self.start_time.setDisplayFormat("HH:mm")
        self.start_time.setAccessibleName(self.tr("Working day starts at"))
        self.end_time = QTimeEdit(_qtime(settings.work_end))
        self.end_time.setDisplayFormat("HH:mm")
        self.end_time.setAccessibleName(self.tr("Working day ends at"))
        day_names = [
            self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"),
            self.tr("Fri"), self.tr("Sat"), self.tr("Sun"),
        ]  # fmt: skip
        full_names = [
            self.tr("Monday"), self.tr("Tuesday"), self.tr("Wednesday"), self.tr("Thursday"),
            self.tr("Friday"), self.tr("Saturday"), self.tr("Sunday"),
        ]  # fmt: skip
        self.day_boxes: list[QCheckBox] = []
        days = QHBoxLayout()
        days.setSpacing(10)
        for index, (short, full) in enumerate(zip(day_names, full_names, strict=True)):
            box = QCheckBox(short)
            box.setAccessibleName(full)
            box.setObjectName(f"day_{WEEKDAY_NAMES[index]}")
            box.setChecked(index in settings.working_days)
            box.toggled.connect(self._validate_hours)
            self.day_boxes.append(box)
            days.addWidget(box)
        days.addStretch(1)
        self.start_time.timeChanged.connect(self._validate_hours)
        self.end_time.timeChanged.connect(self._validate_hours)
        self.interval.valueChanged.connect(self._validate_hours)
        hours = QHBoxLayout()
        hours.setSpacing(8)
        hours.addWidget(self.start_time)
        hours.addWidget(QLabel(self.tr("to")))
        hours.addWidget(self.end_time)
        hours.addStretch(1)
        interval = QHBoxLayout()
        interval.addWidget(self.interval)
        interval.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(14)
        form.setHorizontalSpacing(16)
        interval_label = QLabel(self.tr("Break e&very"))
        interval_label.setBuddy(self.interval)
        hours_label = QLabel(self.tr("&Working hours"))
        hours_label.setBuddy(self.start_time)
        days_label = QLabel(self.tr("Working days"))
        form.addRow(interval_label, interval)
        form.addRow(hours_label, hours)
        form.addRow(days_label, days)
        self.autostart_box = QCheckBox(self.tr("&Start DeskGuard when I log in"))
        self.autostart_box.setChecked(True)
        self.autostart_box.setAccessibleName(self.tr("Start DeskGuard when I log in"))
        form.addRow("", self.autostart_box)
        # Shown only when the app finds DeskGuard missing from the menu (offer_menu_entry).
        self.menu_entry_box = QCheckBox(self.tr("Add DeskGuard to the applications &menu"))
        self.menu_entry_box.setChecked(True)
        self.menu_entry_box.setAccessibleName(self.tr("Add DeskGuard to the applications menu"))
        self.menu_entry_box.setToolTip(
            self.tr("The same as the command: deskguard desktop-entry install")
        )
        form.addRow("", self.menu_entry_box)
        form.setRowVisible(self.menu_entry_box, False)
        self._hours_form = form

        self.hours_hint = _label(muted=True)
        self.hours_error = _label()
        self.hours_error.setAccessibleName(self.tr("Problem with these settings"))
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        error_color = "#ff8a80" if dark else "#b71c1c"  # readable on either theme
        self.hours_error.setStyleSheet(f"color: {error_color}; font-weight: bold;")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(
            _label(
                self.tr(
                    "DeskGuard prompts only on your working days and within your working "
                    "hours. You can change all of this later in Settings, from the tray."
                )
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.hours_hint)
        layout.addWidget(self.hours_error)
        layout.addStretch(1)
        QWidget.setTabOrder(self.interval, self.start_time)
        QWidget.setTabOrder(self.start_time, self.end_time)
        QWidget.setTabOrder(self.end_time, self.day_boxes[0])
        for first, second in zip(self.day_boxes, self.day_boxes[1:], strict=False):
            QWidget.setTabOrder(first, second)
        QWidget.setTabOrder(self.day_boxes[-1], self.autostart_box)
        QWidget.setTabOrder(self.autostart_box, self.menu_entry_box)
        return page

    def _checklist_page(self, workstation: Checklist) -> QWidget:
        page = QWidget()
        self.checklist = ChecklistForm(workstation)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(
            _label(
                self.tr(
                    "A quick look at your set-up: tick what is already true. Finish saves "
                    "your answers; DeskGuard offers this check again every 30 days. Choose "
                    "Later to skip it for now."
                )
            )
        )
        layout.addWidget(self.checklist, 1)
        return page

    # ---- navigation ------------------------------------------------------------------
    @property
    def page(self) -> int:
        return self.pages.currentIndex()

    def go_to(self, index: int) -> None:
        index = max(0, min(index, self.pages.count() - 1))
        self.pages.setCurrentIndex(index)
        self.heading.setText(self.titles[index])
        self.step.setText(self.tr("Step {0} of {1}").format(index + 1, self.pages.count()))
        last = index == self.pages.count() - 1
        self.back_button.setEnabled(index > 0)
        self.later_button.setVisible(last)
        self.next_button.setText(self.tr("&Finish") if last else self.tr("&Next"))
        self.next_button.setAccessibleName(self.tr("Finish") if last else self.tr("Next"))
        self._validate_hours()
        page = self.pages.currentWidget()
        if page is not None:
            page.setFocus(Qt.FocusReason.OtherFocusReason)
        self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def next(self) -> None:
        if not self.next_button.isEnabled():
            return
        if self.page == self.pages.count() - 1:
            self.finish(with_checklist=True)
        else:
            self.go_to(self.page + 1)

    def later(self) -> None:
        """Finish without saving the checklist."""
        self.finish(with_checklist=False)

    def back(self) -> None:
        self.go_to(self.page - 1)

    # ---- results -----------------------------------------------------------------------
    def hours_problem(self) -> str:
        """Why the hours page cannot be accepted, or "" when it can."""
        start = self.start_time.time()
        end = self.end_time.time()
        if not start < end:
            return self.tr("The working day must end after it starts.")
        if not any(box.isChecked() for box in self.day_boxes):
            return self.tr("Choose at least one working day.")
        return ""

    def _validate_hours(self, *_: object) -> None:
        problem = self.hours_problem()
        self.hours_error.setText(problem)
        self.hours_error.setVisible(bool(problem))
        minutes = self.interval.value()
        if 30 <= minutes <= 60:
            hint = self.tr("Every {0} minutes is within the 30–60 minutes the advice suggests.")
        else:
            hint = self.tr(
                "The advice is to get up every 30–60 minutes; {0} minutes is outside that, "
                "but it is your call."
            )
        self.hours_hint.setText(hint.format(minutes))
        on_hours_page = self.page == 2
        self.next_button.setEnabled(not (on_hours_page and problem))

    def chosen_settings(self) -> Settings:
        return dataclasses.replace(
            self._settings,
            interval_minutes=self.interval.value(),
            work_start=_time(self.start_time.time()),
            work_end=_time(self.end_time.time()),
            working_days=frozenset(i for i, box in enumerate(self.day_boxes) if box.isChecked()),
        )

    def finish(self, with_checklist: bool) -> None:
        if self.hours_problem():
            self.go_to(2)
            return
        result = self.checklist.result(self._now()) if with_checklist else None
        self.completed.emit(self.chosen_settings(), result, self.autostart_box.isChecked())
        if self.menu_entry_offered and self.menu_entry_box.isChecked():
            self.menu_entry_requested.emit()
        self.accept()

    @property
    def menu_entry_offered(self) -> bool:
        return not self.menu_entry_box.isHidden()

    def offer_menu_entry(self) -> None:
        """Show "Add DeskGuard to the applications menu", ticked, next to autostart: the
        app asks for it when no menu entry names DeskGuard (a pip or pipx install)."""
        self._hours_form.setRowVisible(self.menu_entry_box, True)

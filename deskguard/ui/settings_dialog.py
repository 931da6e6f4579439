"""The Settings window: every setting in six groups, checked as you type.

Plain data in, one signal out. It takes the current Settings, whether autostart is on,
the folders to show, the allowed ranges and a per-field validator (both from
adapters/config.py, handed in by app.py so the UI never imports an adapter), and emits
``applied(Settings, bool)`` (the new settings and the autostart choice) on Apply and on
OK. Saving, updating the planner and switching autostart are the receiver's job; if that
fails it can call ``show_error``. "Open folder" buttons emit ``open_folder_requested``
with the folder's path.

Changes take effect when you press OK or Apply (Cancel leaves everything as it was).
The groups follow how people think of them: Schedule, Breaks, Goals, Programme, Privacy
& data, Startup & look. The window opens at the size of its largest group.

Keys: Ctrl+Tab / Ctrl+Shift+Tab switch tabs, Alt+<underlined letter> jumps to a field,
Return is OK, Esc is Cancel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTime, Signal
from PySide6.QtGui import QFontMetrics, QGuiApplication, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.model import WEEKDAY_NAMES, Settings
from deskguard.core.programme import check_days

__all__ = ["Folders", "SettingsDialog", "Validator"]

# (field name, value, the whole candidate Settings) -> None or what is wrong
Validator = Callable[[str, object, Settings], str | None]


@dataclass(frozen=True)
class Folders:
    data: Path
    config: Path
    log: Path


def _muted(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class PathLabel(QLabel):
    """A long path elided in the middle to the space it has; the whole one in its tooltip
    (and its Copy button). Selectable, so it can still be read out or copied by hand."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.setToolTip(path)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setMinimumWidth(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        wanted = QFontMetrics(self.font()).horizontalAdvance(self.path) + 8
        return QSize(min(wanted, 420), hint.height())

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        self.setText(
            metrics.elidedText(self.path, Qt.TextElideMode.ElideMiddle, max(40, self.width()))
        )


def _qtime(t: time) -> QTime:
    return QTime(t.hour, t.minute)


def _pytime(t: QTime) -> time:
    return time(t.hour(), t.minute())


class SettingsDialog(QDialog):
    applied = Signal(object, bool)  # Settings, autostart on
    open_folder_requested = Signal(str)

    def __init__(
        self,
        settings: Settings,
        *,
        autostart: bool,
        folders: Folders,
        ranges: Mapping[str, tuple[int, int]],
        validate: Validator,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._validate = validate
        self._ranges = ranges
        self._saved = settings
        self._saved_autostart = autostart
        self._loading = False
        self._sized = False
        self.setWindowTitle(self.tr("DeskGuard — Settings"))
        self.setAccessibleName(self.tr("DeskGuard settings"))
        self.setObjectName("settingsDialog")

        # field name -> the widget that edits it; field name -> its message label
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        self.tabs.addTab(self._schedule_tab(), self.tr("&Schedule"))
        self.tabs.addTab(self._breaks_tab(), self.tr("&Breaks"))
        self.tabs.addTab(self._goals_tab(), self.tr("&Goals"))
        self.tabs.addTab(self._programme_tab(), self.tr("Pr&ogramme"))
        self.tabs.addTab(self._data_tab(folders), self.tr("Pri&vacy && data"))
        self.tabs.addTab(self._startup_tab(), self.tr("S&tartup && look"))
        self.tabs.currentChanged.connect(self._fit)  # pages wrap to different heights

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName(self.tr("Problems"))
        self.status.hide()

        # Plain buttons: a style's stock icons (a floppy disk, a red cross) look foreign.
        self.buttons = QDialogButtonBox()
        R = QDialogButtonBox.ButtonRole
        self.ok_button = self._button(self.tr("OK"), R.AcceptRole)
        self.apply_button = self._button(self.tr("&Apply"), R.ApplyRole)
        self.cancel_button = self._button(self.tr("Cancel"), R.RejectRole)
        self.defaults_button = self._button(self.tr("Restore defa&ults"), R.ResetRole)
        self.defaults_button.setToolTip(
            self.tr("Put every setting back to DeskGuard's default. Nothing is saved until OK.")
        )
        self.ok_button.setToolTip(self.tr("Save and use these settings, and close"))
        self.apply_button.setToolTip(self.tr("Save and use these settings now"))
        self.ok_button.clicked.connect(self._ok)
        self.apply_button.clicked.connect(self._apply)
        self.cancel_button.clicked.connect(self.reject)
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.ok_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.set_values(settings, autostart)

    # ---- building ------------------------------------------------------------------
    def _button(self, text: str, role: QDialogButtonBox.ButtonRole) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", ""))
        button.setAutoDefault(False)
        self.buttons.addButton(button, role)
        return button

    def _spin(self, name: str, accessible: str, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        low, high = self._ranges.get(name, (0, 999))
        spin.setRange(low, high)
        spin.setSuffix(suffix)
        spin.setAccessibleName(accessible)
        spin.setAccessibleDescription(self.tr("From {low} to {high}").format(low=low, high=high))
        spin.valueChanged.connect(self._changed)
        self.fields[name] = spin
        return spin

    def _error_label(self, *names: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setObjectName("fieldError")
        label.hide()
        for name in names:
            self.errors[name] = label
        return label

    def _row(
        self,
        form: QFormLayout,
        text: str,
        editor: QWidget,
        hint: str,
        names: tuple[str, ...],
        buddy: QWidget | None = None,
    ) -> None:
        label = QLabel(text)
        label.setBuddy(buddy or editor)
        cell = QVBoxLayout()
        cell.setSpacing(2)
        if isinstance(editor, QSpinBox):  # a number needs no full-width box
            line = QHBoxLayout()
            line.addWidget(editor)
            line.addStretch(1)
            cell.addLayout(line)
        else:
            cell.addWidget(editor)
        if hint:
            cell.addWidget(_muted(QLabel(hint)))
        cell.addWidget(self._error_label(*names))
        form.addRow(label, cell)

    def _form(self, intro: str) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        outer = QVBoxLayout(page)
        if intro:
            outer.addWidget(_muted(QLabel(intro)))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        outer.addLayout(form)
        outer.addStretch(1)
        return page, form

    def _range_hint(self, name: str, unit: str) -> str:
        low, high = self._ranges.get(name, (0, 0))
        return self.tr("{low}–{high} {unit}").format(low=low, high=high, unit=unit)

    def _day_boxes(self, name: str, accessible: str) -> tuple[QWidget, list[QCheckBox]]:
        """A row of seven weekday check boxes, Monday first, editing the field `name`."""
        short = (
            self.tr("Mon"),
            self.tr("Tue"),
            self.tr("Wed"),
            self.tr("Thu"),
            self.tr("Fri"),
            self.tr("Sat"),
            self.tr("Sun"),
        )
        full = (
            self.tr("Monday"),
            self.tr("Tuesday"),
            self.tr("Wednesday"),
            self.tr("Thursday"),
            self.tr("Friday"),
            self.tr("Saturday"),
            self.tr("Sunday"),
        )
        days = QWidget()
        days.setAccessibleName(accessible)
        row = QHBoxLayout(days)
        row.setContentsMargins(0, 0, 0, 0)
        boxes: list[QCheckBox] = []
        for i, _ in enumerate(WEEKDAY_NAMES):
            box = QCheckBox(short[i])
            box.setAccessibleName(full[i])
            box.toggled.connect(self._changed)
            row.addWidget(box)
            boxes.append(box)
        row.addStretch(1)
        self.fields[name] = days
        return days, boxes

    def _schedule_tab(self) -> QWidget:
        page, form = self._form(self.tr("When DeskGuard asks you to stand up and move."))
        days, self.day_boxes = self._day_boxes("working_days", self.tr("Working days"))
        self._row(form, self.tr("Working da&ys:"), days, "", ("working_days",), self.day_boxes[0])

        hours = QWidget()
        line = QHBoxLayout(hours)
        line.setContentsMargins(0, 0, 0, 0)
        self.start_edit = QTimeEdit()
        self.end_edit = QTimeEdit()
        for edit, name, accessible in (
            (self.start_edit, "work_start", self.tr("Working day starts at")),
            (self.end_edit, "work_end", self.tr("Working day ends at")),
        ):
            edit.setDisplayFormat("HH:mm")
            edit.setAccessibleName(accessible)
            edit.timeChanged.connect(self._changed)
            self.fields[name] = edit
        to = QLabel(self.tr("to"))
        to.setBuddy(self.end_edit)
        line.addWidget(self.start_edit)
        line.addWidget(to)
        line.addWidget(self.end_edit)
        line.addStretch(1)
        self._row(
            form,
            self.tr("Working &hours:"),
            hours,
            self.tr("Prompts come only between these times (24-hour)."),
            ("work_start", "work_end"),
            self.start_edit,
        )

        interval = self._spin(
            "interval_minutes", self.tr("Minutes between breaks"), self.tr(" min")
        )
        low, high = self._ranges.get("interval_minutes", (0, 0))
        self._row(
            form,
            self.tr("Break &every:"),
            interval,
            self.tr("30–60 minutes is what the evidence recommends; {low}–{high} allowed.").format(
                low=low, high=high
            ),
            ("interval_minutes",),
        )
        return page

    def _breaks_tab(self) -> QWidget:
        page, form = self._form(self.tr("What a break looks like."))
        self._row(
            form,
            self.tr("Break &length:"),
            self._spin("break_minutes", self.tr("Break length in minutes"), self.tr(" min")),
            self._range_hint("break_minutes", self.tr("minutes")),
            ("break_minutes",),
        )
        self._row(
            form,
            self.tr("Snoo&ze for:"),
            self._spin("snooze_minutes", self.tr("Snooze length in minutes"), self.tr(" min")),
            self._range_hint("snooze_minutes", self.tr("minutes")),
            ("snooze_minutes",),
        )
        limit = self._spin("snooze_limit", self.tr("Snoozes allowed per break"), "")
        limit.setSpecialValueText(self.tr("No snoozing"))
        self._row(
            form,
            self.tr("Snoozes per brea&k:"),
            limit,
            self._range_hint("snooze_limit", self.tr("snoozes")),
            ("snooze_limit",),
        )
        self._row(
            form,
            self.tr("Count as &missed after:"),
            self._spin(
                "response_window_minutes",
                self.tr("Minutes without an answer before a prompt counts as missed"),
                self.tr(" min"),
            ),
            self.tr("A prompt you do not answer by then counts as missed."),
            ("response_window_minutes",),
        )
        self._row(
            form,
            self.tr("Hold during &presentations:"),
            self._spin(
                "defer_cap_minutes",
                self.tr("Longest wait for a prompt held back by a presentation, in minutes"),
                self.tr(" min"),
            ),
            self.tr(
                "While a full-screen app or presentation runs, a due prompt waits at most "
                "this long, then counts as missed."
            ),
            ("defer_cap_minutes",),
        )
        if "posture_checks" in Settings.__dataclass_fields__:
            posture = QCheckBox(self.tr("Posture reminders bet&ween breaks"))
            posture.setAccessibleName(self.tr("Posture reminders between breaks"))
            posture.toggled.connect(self._changed)
            self.fields["posture_checks"] = posture
            form.addRow(posture)
            form.addRow(
                _muted(
                    QLabel(
                        self.tr("A short, quiet check of how you sit, halfway between two breaks.")
                    )
                )
            )
            form.addRow(self._error_label("posture_checks"))

        return page

    def _goals_tab(self) -> QWidget:
        page, form = self._form(self.tr("What counts as a good day."))
        goal = self._spin("adherence_goal", self.tr("Daily goal in percent"), self.tr(" %"))
        self._row(
            form,
            self.tr("Dai&ly goal:"),
            goal,
            self.tr(
                "The share of your breaks you want to get up for. A day at or above it is "
                "ticked in This week and adds to your streak."
            ),
            ("adherence_goal",),
        )
        return page

    def _programme_tab(self) -> QWidget:
        page, form = self._form(
            self.tr("The back-care programme: which days you do a session, and a reminder.")
        )
        days, self.programme_day_boxes = self._day_boxes("programme_days", self.tr("Session days"))
        self._row(
            form,
            self.tr("Sessio&n days:"),
            days,
            self.tr(
                "3 or 4 days a week, with a rest day between two sessions: muscles grow "
                "stronger on the rest days."
            ),
            ("programme_days",),
            self.programme_day_boxes[0],
        )
        self.programme_reminders_box = QCheckBox(self.tr("Remind me on session da&ys"))
        self.programme_reminders_box.setAccessibleName(self.tr("Remind me on session days"))
        self.programme_reminders_box.toggled.connect(self._changed)
        self.fields["programme_reminders"] = self.programme_reminders_box
        form.addRow(self.programme_reminders_box)
        form.addRow(self._error_label("programme_reminders"))
        self.programme_time_edit = QTimeEdit()
        self.programme_time_edit.setDisplayFormat("HH:mm")
        self.programme_time_edit.setAccessibleName(self.tr("Session reminder time"))
        self.programme_time_edit.timeChanged.connect(self._changed)
        self.fields["programme_time"] = self.programme_time_edit
        line = QWidget()
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.programme_time_edit)
        row.addStretch(1)
        self._row(
            form,
            self.tr("Reminder ti&me:"),
            line,
            self.tr(
                "One reminder on a session day (24-hour). Started later the same day, "
                "DeskGuard still reminds you once; a missed session is not brought up again."
            ),
            ("programme_time",),
            self.programme_time_edit,
        )
        return page

    def _data_tab(self, folders: Folders) -> QWidget:
        page, form = self._form(
            self.tr(
                "Everything DeskGuard records stays on this computer, in the folders below; "
                "nothing is sent anywhere."
            )
        )
        self.folder_edits: dict[str, PathLabel] = {}
        self.folder_buttons: dict[str, QPushButton] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        for key, text, path, mnemonic in (
            ("data", self.tr("Your record:"), folders.data, self.tr("Ope&n")),
            ("config", self.tr("Settings:"), folders.config, self.tr("O&pen")),
            ("log", self.tr("Log:"), folders.log, self.tr("Op&en")),
        ):
            shown = PathLabel(str(path))
            shown.setAccessibleName(text.rstrip(":"))
            button = QPushButton(mnemonic)
            button.setAccessibleName(self.tr("Open {0} folder").format(text.rstrip(":").lower()))
            button.setToolTip(self.tr("Open this folder in your file manager"))
            button.clicked.connect(lambda _=False, p=path: self.open_folder_requested.emit(str(p)))
            copy = QPushButton(self.tr("Copy"))
            copy.setAccessibleName(self.tr("Copy the {0} folder's path").format(text.rstrip(":")))
            copy.setToolTip(self.tr("Copy the full path"))
            copy.clicked.connect(lambda _=False, p=path: self._copy_path(p))
            line = QHBoxLayout()
            line.addWidget(shown, 1)
            line.addWidget(button)
            line.addWidget(copy)
            label = QLabel(text)
            label.setBuddy(button)
            form.addRow(label, line)
            self.folder_edits[key] = shown
            self.folder_buttons[key] = button
            self.copy_buttons[key] = copy
        return page

    def _copy_path(self, path: Path) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(str(path))
        self.status.setText(self.tr("Copied {0}").format(path))
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.show()

    def _startup_tab(self) -> QWidget:
        page, form = self._form("")
        self.autostart_box = QCheckBox(self.tr("Start DeskGuard when I log &in"))
        self.autostart_box.setAccessibleName(self.tr("Start DeskGuard when I log in"))
        self.autostart_box.toggled.connect(self._changed)
        form.addRow(self.autostart_box)
        form.addRow(
            _muted(
                QLabel(
                    self.tr(
                        "DeskGuard adds itself to your desktop's start-up programs. Turning "
                        "this off removes exactly that entry and nothing else."
                    )
                )
            )
        )
        self.theme_box = QComboBox()
        for value, text in (
            ("system", self.tr("Like my desktop")),
            ("light", self.tr("Light")),
            ("dark", self.tr("Dark")),
        ):
            self.theme_box.addItem(text, value)
        self.theme_box.setAccessibleName(self.tr("Colours"))
        self.theme_box.currentIndexChanged.connect(self._changed)
        self.fields["theme"] = self.theme_box
        self._row(
            form,
            self.tr("&Colours:"),
            self.theme_box,
            self.tr("Light or dark windows, or whatever your desktop uses."),
            ("theme",),
        )
        return page

    # ---- values --------------------------------------------------------------------
    def set_values(self, settings: Settings, autostart: bool | None = None) -> None:
        """Show `settings` (and the autostart choice) in the form."""
        self._loading = True
        try:
            for name, widget in self.fields.items():
                if isinstance(widget, QSpinBox):
                    widget.setValue(getattr(settings, name))
                elif isinstance(widget, QCheckBox):
                    widget.setChecked(bool(getattr(settings, name)))
                elif isinstance(widget, QComboBox):
                    index = widget.findData(getattr(settings, name))
                    widget.setCurrentIndex(max(0, index))
            for i, box in enumerate(self.day_boxes):
                box.setChecked(i in settings.working_days)
            self.start_edit.setTime(_qtime(settings.work_start))
            self.end_edit.setTime(_qtime(settings.work_end))
            for i, box in enumerate(self.programme_day_boxes):
                box.setChecked(i in settings.programme_days)
            self.programme_time_edit.setTime(_qtime(settings.programme_time))
            if autostart is not None:
                self.autostart_box.setChecked(autostart)
        finally:
            self._loading = False
        self._changed()

    def settings(self) -> Settings:
        """What the form says now (possibly not allowed: see problems())."""
        values: dict[str, object] = {}
        for name, widget in self.fields.items():
            if isinstance(widget, QSpinBox):
                values[name] = widget.value()
            elif isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                values[name] = widget.currentData()
        return dataclasses.replace(
            self._saved,
            **values,  # type: ignore[arg-type]
            working_days=frozenset(i for i, b in enumerate(self.day_boxes) if b.isChecked()),
            work_start=_pytime(self.start_edit.time()),
            work_end=_pytime(self.end_edit.time()),
            programme_days=frozenset(
                i for i, b in enumerate(self.programme_day_boxes) if b.isChecked()
            ),
            programme_time=_pytime(self.programme_time_edit.time()),
        )

    def autostart(self) -> bool:
        return self.autostart_box.isChecked()

    def problems(self) -> dict[str, str]:
        """Field name -> what is wrong with it, for every field that is not allowed."""
        candidate = self.settings()
        found: dict[str, str] = {}
        for name in self.fields:
            message = self._validate(name, getattr(candidate, name), candidate)
            if message and name == "programme_days":
                # Boxes, not a file: say what is wrong with the ticks, not the TOML line.
                reason = check_days(candidate.programme_days) or message
                message = reason[0].upper() + reason[1:] + "."
            if message:
                found[name] = message
        return found

    def restore_defaults(self) -> None:
        """Every setting back to its default in the form; saved only by Apply or OK."""
        self.set_values(Settings())

    def show_error(self, text: str) -> None:
        """For the receiver of `applied`: saving or autostart failed."""
        self.status.setText(text)
        self._paint_error(self.status)
        self.status.show()
        self._fit()

    def mark_saved(self, settings: Settings, autostart: bool) -> None:
        """What is on disk now, so Apply knows whether there is anything left to apply."""
        self._saved = settings
        self._saved_autostart = autostart
        self._changed()

    # ---- behaviour -----------------------------------------------------------------
    def _paint_error(self, label: QLabel) -> None:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        label.setStyleSheet(f"color: {'#ff8a80' if dark else '#b00020'};")

    def _changed(self, *_: object) -> None:
        if self._loading:
            return
        # The time only matters for the reminder: greyed out while reminders are off.
        self.programme_time_edit.setEnabled(self.programme_reminders_box.isChecked())
        problems = self.problems()
        shown: dict[int, list[str]] = {}
        for name, label in self.errors.items():
            if name in problems and problems[name] not in shown.setdefault(id(label), []):
                shown[id(label)].append(problems[name])
        for label in set(self.errors.values()):
            messages = shown.get(id(label), [])
            label.setText("\n".join(messages))
            label.setAccessibleName(" ".join(messages))
            self._paint_error(label)
            label.setVisible(bool(messages))
        valid = not problems
        dirty = self.settings() != self._saved or self.autostart() != self._saved_autostart
        self.ok_button.setEnabled(valid)
        self.apply_button.setEnabled(valid and dirty)
        if valid:
            self.status.hide()
        else:
            tabs = sorted({self._tab_of(name) for name in problems})
            names = ", ".join(self.tabs.tabText(i).replace("&", "") for i in tabs)
            self.status.setText(
                self.tr("Fix the marked setting before saving ({tabs}).").format(tabs=names)
            )
            self._paint_error(self.status)
            self.status.show()
        self._fit()

    def _fit(self, *_: object) -> None:
        """Grow to show a wrapped message whole: top-level windows ignore height-for-width."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        need = layout.totalHeightForWidth(self.width())
        if need > self.height():
            self.resize(self.width(), need)

    def _tab_of(self, name: str) -> int:
        widget: QWidget | None = self.fields[name]
        while widget is not None:
            index = self.tabs.indexOf(widget)
            if index >= 0:
                return index
            widget = widget.parentWidget()
        return 0

    def _apply(self) -> bool:
        if self.problems():
            return False
        settings, autostart = self.settings(), self.autostart()
        self.status.hide()
        self.applied.emit(settings, autostart)
        if not self.status.isVisible():  # the receiver did not report a failure
            self.mark_saved(settings, autostart)
            return True
        return False

    def _ok(self) -> None:
        dirty = self.settings() != self._saved or self.autostart() != self._saved_autostart
        if not dirty or self._apply():
            self.accept()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self._size_to_content()
        self._fit()

    def _size_to_content(self) -> None:
        """As large as the largest group needs (a tab widget's size hint already counts
        its tallest page), at a width where the hints wrap to a line or two."""
        width = max(620, self.sizeHint().width())
        layout = self.layout()
        height = self.sizeHint().height()
        if layout is not None and layout.hasHeightForWidth():
            height = layout.totalHeightForWidth(width)
        self.resize(width, max(height, self.minimumSizeHint().height()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()  # narrower means more wrapped lines: grow taller rather than clip

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "status"):
            self._changed()  # the message colour follows a light/dark switch

    # For tests and assistive checks: every control a user can reach.
    def controls(self) -> list[QWidget]:
        kinds = (QAbstractButton, QAbstractSpinBox, QLineEdit)
        return [
            w
            for w in self.findChildren(QWidget)
            if isinstance(w, kinds) and not isinstance(w.parentWidget(), QAbstractSpinBox)
        ]

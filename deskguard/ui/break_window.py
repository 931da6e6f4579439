"""The prompt and the break in one window: Start / Snooze / Skip, then a stretch with a countdown.

On X11 (and Windows, macOS) it appears on the screen under the pointer, above other
windows, and does not take keyboard focus from whatever the user is typing in; once
they click it, Return starts or finishes the break, S snoozes and Esc skips (DESIGN §3).
On Wayland there is no placement, no stay-on-top and no global pointer position, and
the compositor focuses new windows: the break service shows a scheduled prompt there as
a notification instead, and this window only when the user asks for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QCursor, QGuiApplication, QIcon, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.break_plan import Part, finish_text, part_at, parts
from deskguard.core.model import Exercise
from deskguard.core.rotation import break_safeguards
from deskguard.ui.deferred_break_window import on_wayland

# Texts outside BreakWindow's own methods are looked up in the context "BreakWindow",
# each written out as QCoreApplication.translate("BreakWindow", "...") (or
# QT_TRANSLATE_NOOP for data): lupdate only extracts literal calls, and files a call
# through a helper such as tr(text) under no context, where it would never be found.

# Also how tests and the e2e rig find the window (untranslated, as they run).
TITLE = str(QT_TRANSLATE_NOOP("BreakWindow", "DeskGuard — Break"))
FINISH_MS = 3500  # how long the "well done" moment stays before the window goes
SAFETY = str(
    QT_TRANSLATE_NOOP(
        "BreakWindow",
        "Stop if you feel sharp, shooting or radiating pain. General guidance, not medical advice.",
    )
)


def dose_text(exercise: Exercise) -> str:
    d = exercise.dose
    parts: list[str] = []
    if d.hold_seconds:
        parts.append(QCoreApplication.translate("BreakWindow", "Hold {0} s").format(d.hold_seconds))
    if d.duration_seconds:
        parts.append(QCoreApplication.translate("BreakWindow", "{0} s").format(d.duration_seconds))
    if d.reps:
        parts.append(
            (
                QCoreApplication.translate("BreakWindow", "{0} rep")
                if d.reps.high == 1
                else QCoreApplication.translate("BreakWindow", "{0} reps")
            ).format(d.reps)
        )
    if d.sets:
        parts.append(
            (
                QCoreApplication.translate("BreakWindow", "{0} set")
                if d.sets.high == 1
                else QCoreApplication.translate("BreakWindow", "{0} sets")
            ).format(d.sets)
        )
    text = ", ".join(parts)
    if d.per_side:
        text += QCoreApplication.translate("BreakWindow", ", each side")
    return text


def _label(text: str = "", *, size: float = 0, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if size or bold:
        font = label.font()
        if size:
            font.setPointSizeF(font.pointSizeF() * size)
        font.setBold(bold)
        label.setFont(font)
    return label


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window, not a button
    button.setMinimumHeight(34)
    return button


class ExerciseCard(QWidget):
    """Pictogram beside name, dose and why-it-helps."""

    def __init__(self, picture_size: int) -> None:
        super().__init__()
        from PySide6.QtSvgWidgets import QSvgWidget  # loads with the window, not at start

        self.picture = QSvgWidget()
        self.picture.setFixedSize(QSize(picture_size, picture_size))
        self.picture.setAccessibleName(
            QCoreApplication.translate("BreakWindow", "Exercise picture")
        )
        self.name = _label(size=1.25, bold=True)
        self.dose = _label()
        self.why = _label()
        self.why.setStyleSheet("color: palette(placeholder-text);")
        text = QVBoxLayout()
        text.addWidget(self.name)
        text.addWidget(self.dose)
        text.addWidget(self.why)
        text.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)

    def show_exercise(self, exercise: Exercise | None, picture: Path | None) -> None:
        self.picture.setVisible(picture is not None)
        if picture is not None:
            self.picture.load(str(picture))
        if exercise is None:
            self.name.setText(QCoreApplication.translate("BreakWindow", "Stand up and walk"))
            self.dose.setText(
                QCoreApplication.translate("BreakWindow", "Two or three minutes on your feet")
            )
            self.why.setText(
                QCoreApplication.translate(
                    "BreakWindow",
                    "Moving every 30–60 minutes eases the load sitting puts on your back.",
                )
            )
            return
        self.name.setText(exercise.name)
        self.dose.setText(dose_text(exercise))
        self.why.setText(exercise.why)


class PageStack(QWidget):
    """Pages of which only the current one is shown and laid out.

    Not a QStackedWidget: that one is as tall as its tallest page, and its height for a
    width counts every page, so a prompt after a break kept the break page's height.
    """

    def __init__(self) -> None:
        super().__init__()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._pages: list[QWidget] = []
        self._current = 0

    def addWidget(self, page: QWidget) -> None:
        self._layout.addWidget(page)
        page.setVisible(not self._pages)
        self._pages.append(page)

    def count(self) -> int:
        return len(self._pages)

    def widget(self, index: int) -> QWidget | None:
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def currentIndex(self) -> int:
        return self._current

    def setCurrentIndex(self, index: int) -> None:
        self._current = index
        for i, page in enumerate(self._pages):  # hide first: never two pages at once
            if i != index:
                page.hide()
        self._pages[index].show()
        self.updateGeometry()


class BreakWindow(QWidget):
    start_requested = Signal()
    snooze_requested = Signal()
    skip_requested = Signal()
    done_requested = Signal()
    warning_signs_requested = Signal()

    def __init__(
        self,
        now: Callable[[], datetime],
        icon: QIcon | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        flags = Qt.WindowType.Window
        if not on_wayland():  # Wayland keeps nothing on top for a client: not asked
            flags |= Qt.WindowType.WindowStaysOnTopHint
        super().__init__(None, flags)
        self._plan: list[Part] = []
        self._now = now
        self._monotonic = monotonic
        # The countdown's end on the monotonic clock: setting the wall clock mid-break
        # neither stretches nor cuts it.
        self._ends_mono: float | None = None
        self._total_s = 120
        self.setWindowTitle(self.tr(TITLE))
        self.setObjectName("breakWindow")
        self.setAccessibleName(self.tr("DeskGuard break"))
        if icon is not None:
            self.setWindowIcon(icon)
        # Shown without activation: the user's typing stays where it was.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setMinimumWidth(520)

        self.pages = PageStack()
        self.pages.addWidget(self._build_prompt_page())
        self.pages.addWidget(self._build_break_page())
        self.pages.addWidget(self._build_finish_page())
        self._finish_timer = QTimer(self)
        self._finish_timer.setSingleShot(True)
        self._finish_timer.setInterval(FINISH_MS)
        self._finish_timer.timeout.connect(self.dismiss)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.addWidget(self.pages)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._update_countdown)

    # ---- pages -------------------------------------------------------------
    def _build_prompt_page(self) -> QWidget:
        page = QWidget()
        self.heading = _label(self.tr("Time to stand and move"), size=1.5, bold=True)
        self.subline = _label()
        self.prompt_card = ExerciseCard(96)
        self.gentle_note = _label()
        self.gentle_note.setObjectName("gentleNote")
        self.gentle_note.hide()
        self.snooze_note = _label()
        self.snooze_note.setStyleSheet("color: palette(placeholder-text);")
        self.start_button = _button(self.tr("Start break  ⏎"), self.tr("Start break"))
        self.start_button.setDefault(True)
        self.snooze_button = _button(self.tr("Snooze  (S)"), self.tr("Snooze"))
        self.skip_button = _button(self.tr("Skip  (Esc)"), self.tr("Skip"))
        self.start_button.clicked.connect(self.start_requested)
        self.snooze_button.clicked.connect(self.snooze_requested)
        self.skip_button.clicked.connect(self.skip_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.snooze_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.subline)
        layout.addSpacing(6)
        layout.addWidget(self.prompt_card)
        layout.addWidget(self.gentle_note)
        layout.addWidget(self.snooze_note)
        layout.addLayout(buttons)
        return page

    def _build_break_page(self) -> QWidget:
        page = QWidget()
        self.break_card = ExerciseCard(128)
        self.steps = _label()
        self.cue = _label()
        self.caution = _label()
        self.caution.setObjectName("caution")
        self.more_cautions = QPushButton(self.tr("More"))
        self.more_cautions.setFlat(True)
        self.more_cautions.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.more_cautions.setAccessibleName(self.tr("Show every caution"))
        self.more_cautions.clicked.connect(self._toggle_cautions)
        self._cautions: tuple[str, ...] = ()
        caution_row = QHBoxLayout()
        caution_row.addWidget(self.caution, 1)
        caution_row.addWidget(self.more_cautions, 0, Qt.AlignmentFlag.AlignTop)
        self.safety = QLabel()
        self.safety.setWordWrap(True)
        self.safety.setTextFormat(Qt.TextFormat.RichText)
        self.safety.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.safety.setText(
            f"{self.tr(SAFETY)} <a href='warning-signs'>{self.tr('When to see a professional')}</a>"
        )
        self.safety.setStyleSheet("color: palette(placeholder-text);")
        self.safety.linkActivated.connect(lambda _link: self.warning_signs_requested.emit())
        self.part = _label(size=1.15, bold=True)
        self.part.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.part.setAccessibleName(self.tr("Which side or set"))
        self.countdown = _label("2:00", size=2.4, bold=True, wrap=False)
        self.countdown.setAccessibleName(self.tr("Time left"))
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Break progress"))
        self.done_button = _button(self.tr("Done  ⏎"), self.tr("Done"))
        self.done_button.setDefault(True)
        self.stop_button = _button(self.tr("Stop  (Esc)"), self.tr("Stop break"))
        self.done_button.clicked.connect(self.done_requested)
        self.stop_button.clicked.connect(self.skip_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.break_card)
        layout.addWidget(self.steps)
        layout.addWidget(self.cue)
        layout.addLayout(caution_row)
        layout.addWidget(self.part)
        layout.addWidget(self.countdown)
        layout.addWidget(self.progress)
        layout.addWidget(self.safety)
        layout.addLayout(buttons)
        return page

    def _build_finish_page(self) -> QWidget:
        page = QWidget()
        self.finish_heading = _label(self.tr("Well done"), size=1.8, bold=True)
        self.finish_heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.finish_line = _label()
        self.finish_line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.finish_heading)
        layout.addWidget(self.finish_line)
        return page

    # ---- what the app tells it -----------------------------------------------
    def show_prompt(
        self,
        exercise: Exercise | None,
        picture: Path | None,
        sat_minutes: int | None,
        snoozes_left: int,
        snooze_minutes: int,
        note: str = "",
    ) -> None:
        """`sat_minutes` None means the user asked for this break themselves; `note`
        says in one line why only gentle movement is offered (or is "")."""
        self._finish_timer.stop()
        self._ticker.stop()
        self._ends_mono = None
        if sat_minutes is None:
            lead = self.tr("Good call.")
        elif sat_minutes < 90:
            lead = (
                self.tr("You have been sitting for about a minute.")
                if sat_minutes == 1
                else self.tr("You have been sitting for about {0} minutes.").format(sat_minutes)
            )
        else:
            hours = f"{sat_minutes / 60:.1f}"
            lead = self.tr("You have been sitting for about {0} hours.").format(hours)
        self.subline.setText(
            self.tr("{0} A couple of minutes on your feet now is kind to your lower back.").format(
                lead
            )
        )
        self.prompt_card.show_exercise(exercise, picture)
        self.gentle_note.setText(note)
        self.gentle_note.setVisible(bool(note))
        self.snooze_button.setEnabled(snoozes_left > 0)
        self.snooze_button.setText(self.tr("Snooze {0} min  (S)").format(snooze_minutes))
        if snoozes_left == 1:
            note = self.tr("1 snooze left for this break.")
        elif snoozes_left:
            note = self.tr("{0} snoozes left for this break.").format(snoozes_left)
        else:
            note = self.tr("No snoozes left for this break.")
        self.snooze_note.setText(note)
        self._show_page(0)

    def show_break(
        self,
        exercise: Exercise | None,
        picture: Path | None,
        ends_at: datetime,
        total_s: int,
        note: str = "",
    ) -> None:
        self._finish_timer.stop()
        self.break_card.show_exercise(exercise, picture)
        # The reason for gentle movement first, then the exercise's own cautions.
        self._cautions = tuple(break_safeguards(exercise, note or None))
        self._show_cautions(expanded=False)
        self._plan = parts(exercise.dose if exercise is not None else None, max(1, total_s))
        if exercise is not None:
            self.steps.setText("\n".join(f"{i}. {s}" for i, s in enumerate(exercise.steps, 1)))
            self.cue.setText(self.tr("Form: {0}").format(" ".join(exercise.cues)))
        else:
            self.steps.setText(
                self.tr("Stand up, walk around the room or down the corridor, and breathe.")
            )
            self.cue.setText(self.tr("Form: relaxed shoulders, easy pace."))
        self._ends_mono = self._monotonic() + (ends_at - self._now()).total_seconds()
        self._total_s = max(1, total_s)
        self.progress.setRange(0, self._total_s)
        self._update_countdown()
        self._ticker.start()
        self._show_page(1)

    def show_finish(self, moved_s: int, breaks_today: int) -> None:
        """A short "well done" before the window goes (any key or click ends it sooner)."""
        self._ticker.stop()
        self._ends_mono = None
        if not self.isVisible():
            return  # nothing on screen to close well
        self.finish_line.setText(finish_text(moved_s, breaks_today))
        self._show_page(2)
        self._finish_timer.start()

    def dismiss(self) -> None:
        self._finish_timer.stop()
        self._ticker.stop()
        self._ends_mono = None
        self.hide()

    @property
    def on_break_page(self) -> bool:
        return self.pages.currentIndex() == 1

    @property
    def on_finish_page(self) -> bool:
        return self.pages.currentIndex() == 2

    def _show_cautions(self, expanded: bool) -> None:
        cautions = self._cautions
        self.caution.setVisible(bool(cautions))
        self.more_cautions.setVisible(len(cautions) > 1)
        if not cautions:
            return
        shown = cautions if expanded else cautions[:1]
        self.caution.setText("\n".join(f"⚠ {c}" for c in shown))
        self.more_cautions.setText(self.tr("Less") if expanded else self.tr("More"))
        self.more_cautions.setProperty("expanded", expanded)

    def _toggle_cautions(self) -> None:
        self._show_cautions(not bool(self.more_cautions.property("expanded")))
        self._present()

    # ---- internals ------------------------------------------------------------
    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self._present()

    @property
    def shows_without_focus(self) -> bool:
        return not on_wayland()

    def _present(self) -> None:
        self._fit()
        # Wayland has no global pointer position and ignores move(): the compositor
        # places the window (sway tiles it, GNOME centres it on the active screen).
        screen = None
        if not on_wayland():
            screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            frame = self.frameGeometry()
            frame.moveCenter(area.center())
            self.move(frame.topLeft())
        self.show()
        self._fit()  # again: a window never shown before measures its text differently
        self.raise_()

    def _fit(self) -> None:
        """Size to the page on show: its width, and the height its wrapped text needs at
        that width (a wrapped label's plain size hint guesses a narrower, taller one)."""
        self.ensurePolished()
        # Every nested layout brought up to date, innermost first: a child widget's layout
        # is not reached through the window's (a picture hidden since keeps its height).
        for child in reversed(self.findChildren(QWidget)):
            child_layout = child.layout()
            if child_layout is not None:
                child_layout.invalidate()
                child_layout.activate()
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()
        width = max(self.minimumWidth(), self.sizeHint().width())
        height = self.sizeHint().height()
        if layout is not None and layout.hasHeightForWidth():
            height = layout.totalHeightForWidth(width)
        self.resize(width, height)

    def bring_forward(self) -> None:
        """The user asked for this break (break-now, the tray): take the focus, so the
        window also comes up over a fullscreen window, which a window manager stacks
        above every merely 'stay on top' one."""
        self.activateWindow()
        self.raise_()

    def _update_countdown(self) -> None:
        if self._ends_mono is None:
            return
        left = max(0, round(self._ends_mono - self._monotonic()))
        self.countdown.setText(f"{left // 60}:{left % 60:02d}")
        part = part_at(self._plan, self._total_s - left)
        self.part.setVisible(part is not None)
        if part is not None:
            self.part.setText(part.label)
        self.progress.setValue(self._total_s - min(left, self._total_s))
        if left == 0:
            self._ticker.stop()
            self.countdown.setText(self.tr("Well done"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if event.isAutoRepeat():
            # A held key is one press: holding Return must not start and finish a break.
            event.accept()
            return
        if self.on_finish_page:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Space):
                self.dismiss()
                event.accept()
                return
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            (self.done_requested if self.on_break_page else self.start_requested).emit()
        elif key == Qt.Key.Key_S and not self.on_break_page:
            if self.snooze_button.isEnabled():
                self.snooze_requested.emit()
        elif key == Qt.Key.Key_Escape:
            self.skip_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.on_finish_page:
            self.dismiss()
        super().mousePressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing the window is an answer too: skipped, not left to go missed. (Quitting
        # the app sends no close events: see app.quit_app.) The finish page answers nothing.
        if self.isVisible() and not self.on_finish_page:
            self.skip_requested.emit()
        self._finish_timer.stop()
        event.accept()

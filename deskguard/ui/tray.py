"""The tray icon and its menu, or a small window with the same controls where no tray exists."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QObject, QTime, Signal
from PySide6.QtGui import QAction, QCloseEvent, QCursor, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.model import State, TrayStatus
from deskguard.ui.tray_icons import Look, StateIcons, Style, look_of

log = logging.getLogger("deskguard")

# Module-level texts are looked up in the context "Tray", each written out as
# QCoreApplication.translate("Tray", "...") (or QT_TRANSLATE_NOOP for data): lupdate
# only extracts literal calls, and files a call through a helper such as tr(text)
# under no context at all, so its translation would never be found.

PAUSE_CHOICES: tuple[tuple[str, int | None], ...] = (
    (str(QT_TRANSLATE_NOOP("Tray", "For 30 minutes")), 30),
    (str(QT_TRANSLATE_NOOP("Tray", "For 1 hour")), 60),
    (str(QT_TRANSLATE_NOOP("Tray", "Until tomorrow")), None),
)


def _clock(when: datetime, now: datetime) -> str:
    """The time in the user's locale's short form; with the day when it is not today."""
    local, today = when.astimezone(), now.astimezone()
    locale = QLocale()
    text = str(locale.toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat))
    if local.date() != today.date():
        day = str(locale.dayName(local.isoweekday(), QLocale.FormatType.ShortFormat))
        text = f"{day} {text}"
    return text


def _minutes_until(when: datetime, now: datetime) -> str:
    minutes = max(0, round((when - now).total_seconds() / 60))
    if minutes < 1:
        return QCoreApplication.translate("Tray", "less than a minute")
    if minutes < 60:
        return QCoreApplication.translate("Tray", "{0} min").format(minutes)
    return QCoreApplication.translate("Tray", "{0} h {1:02d} min").format(
        minutes // 60, minutes % 60
    )


def describe(status: TrayStatus) -> str:
    """The one line the menu and tooltip lead with."""
    now = status.now
    if status.state is State.ON_BREAK:
        return QCoreApplication.translate("Tray", "On a break — enjoy it")
    if status.state is State.PROMPTING:
        return QCoreApplication.translate("Tray", "A break is waiting for you")
    if status.held:
        return QCoreApplication.translate("Tray", "Break held: {0}").format(status.held)
    if status.state is State.PAUSED and status.paused_until is not None:
        return QCoreApplication.translate("Tray", "Paused until {0}").format(
            _clock(status.paused_until, now)
        )
    if status.next_break_at is None:
        return QCoreApplication.translate("Tray", "No breaks scheduled")
    when = status.next_break_at
    if status.state is State.OUTSIDE_HOURS:
        return QCoreApplication.translate("Tray", "Outside working hours — next break {0}").format(
            _clock(when, now)
        )
    return QCoreApplication.translate("Tray", "Next break at {0} (in {1})").format(
        _clock(when, now), _minutes_until(when, now)
    )


def progress_today(status: TrayStatus) -> str:
    """ "3 of 4 breaks today" once a prompt has had an outcome today, else ""."""
    if status.prompts_today == 0:
        return ""
    if status.prompts_today == 1:
        return QCoreApplication.translate("Tray", "{0} of 1 break today").format(status.taken_today)
    return QCoreApplication.translate("Tray", "{0} of {1} breaks today").format(
        status.taken_today, status.prompts_today
    )


def headline(status: TrayStatus) -> str:
    """The menu's first line and the tooltip's: the state, and today's progress."""
    progress = progress_today(status)
    return describe(status) + (f" · {progress}" if progress else "")


def quit_app() -> None:
    """Leave the event loop without asking windows to close.

    QGuiApplication.quit() first sends every window a close event and gives up if one
    refuses: the no-tray control window does (closing it only minimises it), and a
    close event on the break window means "skip". exit() just ends the loop.
    """
    QApplication.exit(0)


class TrayActions(QObject):
    """The menu's actions, shared by the tray menu and the fallback window."""

    break_now = Signal()
    snooze = Signal()
    pause = Signal(object)  # minutes, or None for "until tomorrow"
    resume = Signal()
    show_summary = Signal()
    show_library = Signal()
    show_checklist = Signal()
    show_red_flags = Signal()
    show_programme = Signal()
    show_progress = Signal()
    show_settings = Signal()
    open_data_folder = Signal()
    open_log = Signal()
    show_about = Signal()
    quit = Signal()
    gnome_reminders = Signal()  # "GNOME's break reminders are on too…" chosen

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.next_line = QAction(self.tr("Next break"), self)
        self.next_line.setEnabled(False)
        self.take_break = QAction(self.tr("Take a break now"), self)
        self.take_break.triggered.connect(self.break_now)
        self.snooze_action = QAction(self.tr("Snooze 5 min"), self)
        self.snooze_action.triggered.connect(self.snooze)
        self.pause_menu = QMenu(self.tr("Pause"))
        self.pause_actions: list[QAction] = []
        for label, minutes in PAUSE_CHOICES:
            action = QAction(QCoreApplication.translate("Tray", label), self)
            action.triggered.connect(lambda _=False, m=minutes: self.pause.emit(m))
            self.pause_menu.addAction(action)
            self.pause_actions.append(action)
        self.resume_action = QAction(self.tr("Resume"), self)
        self.resume_action.triggered.connect(self.resume)
        self.summary_action = QAction(self.tr("This week…"), self)
        self.summary_action.triggered.connect(self.show_summary)
        self.library_action = self._action(self.tr("Exercise library…"), self.show_library)
        self.checklist_action = self._action(self.tr("Workstation check…"), self.show_checklist)
        self.red_flags_action = self._action(
            self.tr("When to see a professional…"), self.show_red_flags
        )
        self.programme_action = self._action(self.tr("Back-care programme…"), self.show_programme)
        self.progress_action = self._action(self.tr("Progress…"), self.show_progress)
        self.settings_action = self._action(self.tr("Settings…"), self.show_settings)
        self.help_menu = QMenu(self.tr("Help"))
        self.help_menu.addAction(self._action(self.tr("Open data folder"), self.open_data_folder))
        self.help_menu.addAction(self._action(self.tr("Open log"), self.open_log))
        self.help_menu.addSeparator()
        self.help_menu.addAction(self._action(self.tr("About DeskGuard"), self.show_about))
        self.quit_action = QAction(self.tr("Quit DeskGuard"), self)
        self.quit_action.triggered.connect(self.quit)
        # Shown only while GNOME's own movement reminders are on (issue #16).
        self.gnome_reminders_action = self._action(
            self.tr("GNOME's break reminders are on too…"), self.gnome_reminders
        )
        self.gnome_reminders_action.setVisible(False)

    def _action(self, text: str, signal: Any) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(signal)
        return action

    def build_menu(self) -> QMenu:
        menu = QMenu()
        menu.addAction(self.next_line)
        menu.addAction(self.gnome_reminders_action)
        menu.addSeparator()
        menu.addAction(self.take_break)
        menu.addAction(self.snooze_action)
        menu.addMenu(self.pause_menu)
        menu.addAction(self.resume_action)
        menu.addSeparator()
        menu.addAction(self.summary_action)
        menu.addAction(self.library_action)
        menu.addAction(self.checklist_action)
        menu.addAction(self.red_flags_action)
        menu.addSeparator()
        menu.addAction(self.programme_action)
        menu.addAction(self.progress_action)
        menu.addSeparator()
        menu.addAction(self.settings_action)
        menu.addMenu(self.help_menu)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        return menu

    def show_status(self, status: TrayStatus) -> None:
        self.next_line.setText(headline(status))
        self.snooze_action.setEnabled(status.can_snooze)
        self.snooze_action.setText(self.tr("Snooze {0} min").format(status.snooze_minutes))
        paused = status.state is State.PAUSED
        self.pause_menu.setEnabled(not paused)
        self.resume_action.setEnabled(paused)
        # While a prompt waits this is the way back to it (on Wayland the only one in the
        # tray: the waiting prompt is a notification, its window opens when asked for).
        self.take_break.setEnabled(status.state is not State.ON_BREAK)


def pointer_is_known() -> bool:
    """Whether Qt knows where the pointer is on the screen: not on Wayland, where a
    client only sees it over its own windows (and a menu with no window of ours to
    hang from is never shown)."""
    from PySide6.QtGui import QGuiApplication

    return not QGuiApplication.platformName().startswith("wayland")


class Tray(QObject):
    kind = "system tray"
    # A left click where no menu can be placed (Wayland): the window, which the
    # compositor places, has the same controls.
    open_window = Signal()

    def __init__(
        self,
        actions: TrayActions,
        icon: QIcon,
        parent: QObject | None = None,
        *,
        style: Style = Style.COLOUR,
        protocol: str = "xembed",
    ) -> None:
        super().__init__(parent)
        self.tray_actions = actions
        # "sni" (StatusNotifierItem over D-Bus), "xembed" (an X11 tray window) or
        # "native" (Windows, macOS): for `status --json`.
        self.protocol = protocol
        self.menu = actions.build_menu()
        self.looks = StateIcons(icon, style)
        self.look = Look.WORKING
        self.icon = QSystemTrayIcon(self.looks.icon(self.look), self)
        self.icon.setContextMenu(self.menu)
        self.icon.setToolTip("DeskGuard")
        self.icon.activated.connect(self._activated)

    def set_style(self, style: Style) -> None:
        """Another icon set (the desktop's colour scheme changed): repaint the current look."""
        if style is not self.looks.style:
            self.looks = StateIcons(self.looks.base, style)
            self.icon.setIcon(self.looks.icon(self.look))

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def show_status(self, status: TrayStatus) -> None:
        self.tray_actions.show_status(status)
        look = look_of(status.state, status.held is not None)
        if look is not self.look:  # only on a change: the tray host repaints the icon
            self.look = look
            self.icon.setIcon(self.looks.icon(look))
        tip = self.tr("DeskGuard — {0}").format(headline(status))
        if status.watching:
            tip += "\n" + status.watching
        if status.note:
            tip += "\n" + status.note
        if tip != self.icon.toolTip():  # unchanged text: spare the tray host a repaint
            self.icon.setToolTip(tip)

    def balloon(self, title: str, body: str, timeout_s: int) -> bool:
        if not QSystemTrayIcon.supportsMessages() or not self.icon.isVisible():
            return False
        self.icon.showMessage(
            title, body, QSystemTrayIcon.MessageIcon.Information, timeout_s * 1000
        )
        return True

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A left click shows the menu too: many panels only send Trigger. At the pointer,
        # which is on the icon that was clicked: a StatusNotifier item has no geometry
        # (Qt's is empty, so the menu went to the screen's corner), and Qt drops the
        # position the host sends with Activate(x, y).
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            if pointer_is_known():
                self.menu.popup(QCursor.pos())
            else:
                self.open_window.emit()


class ControlWindow(QWidget):
    """Stands in for the tray when the desktop has none (DESIGN §4)."""

    kind = "window"
    protocol = "window"

    def __init__(self, actions: TrayActions, icon: QIcon, reason: str) -> None:
        super().__init__()
        self.tray_actions = actions
        self.setWindowTitle("DeskGuard")
        self.setWindowIcon(icon)
        self.stand_in = True
        self.why = QLabel(reason)
        self.why.setWordWrap(True)
        self.next_line = QLabel()
        self.next_line.setWordWrap(True)  # "Outside working hours — next break …" is long
        font = self.next_line.font()
        font.setBold(True)
        self.next_line.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.next_line)
        # A tool button does not hide with its action, as a menu entry does.
        self.gnome_button = self._tool(actions.gnome_reminders_action)
        actions.gnome_reminders_action.visibleChanged.connect(self._follow_gnome_action)
        self._follow_gnome_action()
        layout.addWidget(self.gnome_button)
        layout.addWidget(self._tool(actions.take_break))
        layout.addWidget(self._tool(actions.snooze_action))
        layout.addWidget(self._menu_button(self.tr("Pause"), actions.pause_menu))
        for action in (
            actions.resume_action,
            actions.summary_action,
            actions.library_action,
            actions.checklist_action,
            actions.red_flags_action,
            actions.programme_action,
            actions.progress_action,
            actions.settings_action,
        ):
            layout.addWidget(self._tool(action))
        layout.addWidget(self._menu_button(self.tr("Help"), actions.help_menu))
        layout.addWidget(self._tool(actions.quit_action))
        layout.addWidget(self.why)
        self.setMinimumWidth(320)

    def _follow_gnome_action(self) -> None:
        self.gnome_button.setVisible(self.tray_actions.gnome_reminders_action.isVisible())

    def _menu_button(self, text: str, menu: QMenu) -> QToolButton:
        # Qt's namespace enums are built on first import (~25 ms, 1 MB): not before the icon.
        from PySide6.QtCore import Qt

        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(text)
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    def _tool(self, action: QAction) -> QToolButton:
        from PySide6.QtCore import Qt

        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    def show_status(self, status: TrayStatus) -> None:
        self.tray_actions.show_status(status)
        self.next_line.setText(headline(status))

    def balloon(self, title: str, body: str, timeout_s: int) -> bool:
        return False

    def set_stand_in(self, stand_in: bool) -> None:
        """True: it stands in for a missing tray (says why, closing only minimises);
        False: opened from the tray icon, closing hides it."""
        self.stand_in = stand_in
        self.why.setVisible(stand_in)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.stand_in:
            return  # opened from the tray: the icon is the way back
        # Closing only minimises: the breaks go on; Quit is the explicit way out.
        event.ignore()
        self.showMinimized()


# ---- the tray while there is one, the window while there is none -------------------------


def usable_protocol(sni: bool, xembed: bool, qt_sni: bool | None) -> str:
    """The tray protocol Qt's icon can use now, or "window".

    `sni` / `xembed`: a StatusNotifier host / an XEmbed tray is there now. `qt_sni`: what
    Qt chose for this process at its first tray icon (None: no icon made yet). Qt makes
    that choice once — a StatusNotifierItem if a StatusNotifier host was registered then,
    else an XEmbed window — so an icon made for one protocol never shows in the other.
    """
    if qt_sni is None:
        return "sni" if sni else "xembed" if xembed else "window"
    if qt_sni:
        return "sni" if sni else "window"
    return "xembed" if xembed else "window"


class TrayHost(QObject):
    """What DeskGuard shows: its tray icon while a tray host is there, the control window
    while there is none, moving between them as hosts come and go (a panel that starts
    after us at login, restarts, or is removed). One StatusView for the break service."""

    def __init__(
        self,
        actions: TrayActions,
        icon: QIcon,
        reason: str,
        parent: QObject | None = None,
        *,
        style: Style = Style.COLOUR,
    ) -> None:
        super().__init__(parent)
        self.tray_actions = actions
        self._icon = icon
        self._reason = reason
        self._style = style
        self.tray: Tray | None = None
        self.window: ControlWindow | None = None
        self.qt_sni: bool | None = None  # fixed by Qt at the first tray icon
        self.protocol = "window"
        self.kind = "window"  # for `status`: "system tray" or "window"
        self._shown = False
        self._status: TrayStatus | None = None

    def follow_hosts(self, sni: bool, xembed: bool) -> None:
        """The tray hosts there are now (adapters/tray_host.py): use one, or the window."""
        self.use(usable_protocol(sni, xembed, self.qt_sni))

    def use(self, protocol: str) -> None:
        """Show the tray icon by `protocol` ("sni", "xembed", or "native" on Windows and
        macOS), or the control window ("window")."""
        if protocol != "window":
            if self.tray is None:
                self.qt_sni = protocol == "sni"  # Qt decides now, for good
                self.tray = Tray(
                    self.tray_actions, self._icon, self, style=self._style, protocol=protocol
                )
                self.tray.open_window.connect(self.open_window)
            self.tray.protocol = protocol
        changed = protocol != self.protocol
        if changed:
            log.info("tray: %s -> %s", self.protocol, protocol)
        self.protocol = protocol
        self.kind = "window" if protocol == "window" else "system tray"
        if self._shown and changed:
            self._apply()

    def set_style(self, style: Style) -> None:
        self._style = style
        if self.tray is not None:
            self.tray.set_style(style)

    def show(self) -> None:
        self._shown = True
        self._apply()

    def hide(self) -> None:
        self._shown = False
        if self.tray is not None:
            self.tray.hide()
        if self.window is not None:
            self.window.hide()

    def open_window(self) -> None:
        """The control window beside the tray icon, asked for by a click on it."""
        self._show_window(stand_in=False)
        if self.window is not None:
            self.window.raise_()
            self.window.activateWindow()

    def _apply(self) -> None:
        if self.protocol == "window":
            if self.tray is not None:
                self.tray.hide()
            self._show_window(stand_in=True)
        else:
            assert self.tray is not None
            if self._status is not None:
                self.tray.show_status(self._status)
            self.tray.show()
            if self.window is not None:
                self.window.hide()

    def _show_window(self, stand_in: bool) -> None:
        if self.window is None:
            self.window = ControlWindow(self.tray_actions, self._icon, self._reason)
        self.window.set_stand_in(stand_in)
        if self._status is not None:
            self.window.show_status(self._status)
        self.window.showNormal()  # un-minimised: it is asked for, or stands in again

    def show_status(self, status: TrayStatus) -> None:
        self._status = status
        if self.window is not None and self.window.isVisible():
            self.window.show_status(status)
        if self.protocol != "window" and self.tray is not None:
            self.tray.show_status(status)

    def balloon(self, title: str, body: str, timeout_s: int) -> bool:
        if self.protocol == "window" or self.tray is None:
            return False
        return self.tray.balloon(title, body, timeout_s)


# ---- GNOME's own break reminders (GNOME 48+) ---------------------------------------------


def gnome_reminders_notice() -> tuple[str, str]:
    """What DeskGuard says, once, when it finds GNOME's movement reminders on."""
    return (
        QCoreApplication.translate("Tray", "GNOME's break reminders are on too"),
        QCoreApplication.translate(
            "Tray",
            "With both, you may be reminded twice for one break. DeskGuard's menu has an "
            "entry to turn GNOME's off or to pause DeskGuard's.",
        ),
    )


class GnomeRemindersNote(QMessageBox):
    """Offers the two ways to one reminder per break: GNOME's off (its Settings, where
    that can be opened) or DeskGuard's paused. `chosen`: "open", "pause" or "keep"."""

    chosen = Signal(str)

    def __init__(self, can_open_settings: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("DeskGuard — GNOME's break reminders"))
        self.setIcon(QMessageBox.Icon.Information)
        self.setText(self.tr("GNOME's own movement break reminders are on."))
        self.setInformativeText(
            self.tr(
                "With DeskGuard's as well, you may be reminded twice for one break. You "
                "can turn GNOME's off in its Settings, under Wellbeing, or pause "
                "DeskGuard's breaks until tomorrow."
            )
        )
        self._choices: dict[object, str] = {}
        if can_open_settings:
            button = self.addButton(
                self.tr("Open GNOME Settings"), QMessageBox.ButtonRole.AcceptRole
            )
            self._choices[button] = "open"
        pause = self.addButton(
            self.tr("Pause DeskGuard until tomorrow"), QMessageBox.ButtonRole.ActionRole
        )
        self._choices[pause] = "pause"
        keep = self.addButton(self.tr("Keep both"), QMessageBox.ButtonRole.RejectRole)
        self._choices[keep] = "keep"
        self.setEscapeButton(keep)
        self.buttonClicked.connect(self._clicked)

    def _clicked(self, button: object) -> None:
        self.chosen.emit(self._choices.get(button, "keep"))

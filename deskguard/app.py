"""Composition root: the only module that knows every layer. It wires signals, nothing more."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import socket
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget

from deskguard import __version__
from deskguard.adapters.content import resources_dir
from deskguard.adapters.instance import CommandServer, InstanceLock, NotRunning, send_command
from deskguard.adapters.paths import Paths, default_paths, ensure_private_dir
from deskguard.core.checklist import WORKSTATION, ChecklistResult, checklist_due
from deskguard.core.model import Settings
from deskguard.ui.tray import ControlWindow, Tray, TrayActions, quit_app

if TYPE_CHECKING:  # imported at run time only once the tray icon is up (start_services)
    from deskguard.adapters.content import Library
    from deskguard.adapters.session_reminder import SessionReminder
    from deskguard.controller import Controller

log = logging.getLogger("deskguard")

NO_TRAY_REASON = (
    "No system tray was found on this desktop, so DeskGuard shows this small window "
    "instead. Closing it only minimises it; breaks go on until you choose Quit."
)


# ---- start-up ------------------------------------------------------------------------


def setup_logging(paths: Paths, verbose: bool) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stream = logging.StreamHandler()
    stream.setFormatter(fmt)
    stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.addHandler(stream)
    try:
        ensure_private_dir(paths.log_dir)
        handler = logging.handlers.RotatingFileHandler(
            paths.log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as err:
        log.warning("no log file: %s", err)
        return
    handler.setFormatter(fmt)
    root.addHandler(handler)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / "icons" / "deskguard.svg"))


def _quit_on_signals(qapp: QApplication) -> QSocketNotifier | None:
    """SIGTERM/SIGINT end the Qt loop through a socket, so quitting runs our clean-up."""
    if sys.platform == "win32":
        return None
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    reader.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, qapp)

    def on_signal() -> None:
        reader.recv(64)
        quit_app()

    notifier.activated.connect(on_signal)
    _keep_alive.extend([reader, writer])  # a collected socket would close the wakeup fd
    return notifier


_keep_alive: list[socket.socket] = []


class Windows(QObject):
    """The windows the tray opens, each built on first use and kept."""

    def __init__(
        self,
        controller: Controller,
        paths: Paths,
        icon: QIcon,
        first_run: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.paths = paths
        self.icon = icon
        self.first_run = first_run
        self._open: dict[str, QWidget] = {}
        actions = controller.actions
        actions.show_library.connect(self.show_library)
        actions.show_checklist.connect(self.show_checklist)
        actions.show_red_flags.connect(self.show_red_flags)
        actions.open_data_folder.connect(self.open_data_folder)
        actions.open_log.connect(self.open_log)
        actions.show_about.connect(self.show_about)
        actions.show_settings.connect(self.show_settings)
        actions.show_programme.connect(self.show_programme)
        actions.show_progress.connect(self.show_progress)
        from deskguard.adapters.autostart import Autostart

        self.autostart = Autostart()

    @property
    def library(self) -> Library:
        return self.controller.library

    def _present(self, name: str, make: Callable[[], QWidget]) -> QWidget:
        widget = self._open.get(name)
        if widget is None:
            widget = self._open[name] = make()
        widget.show()
        widget.raise_()
        widget.activateWindow()
        return widget

    def show_library(self) -> None:
        from deskguard.ui.library import LibraryWindow

        def make() -> QWidget:
            window = LibraryWindow(
                self.library.exercises,
                self.library.avoid,
                {e.id: self.library.picture_path(e) for e in self.library.exercises},
                self.controller.excluded,
                self.controller.clock.now,
                self.icon,
            )
            window.exclusion_changed.connect(self.controller.set_excluded)
            return window

        window = self._present("library", make)
        assert isinstance(window, LibraryWindow)
        window.set_excluded(self.controller.excluded)

    def show_checklist(self) -> None:
        from deskguard.ui.checklist import ChecklistDialog

        store = self.controller.store
        last = self.controller._read(lambda: store.last_checklist_result(WORKSTATION), None)
        self._open.pop("checklist", None)  # always start from the last saved answers
        dialog = ChecklistDialog(
            self.library.checklist(WORKSTATION), self.controller.clock.now, last, self.icon
        )
        dialog.saved.connect(self.save_checklist)
        self._present("checklist", lambda: dialog)

    def save_checklist(self, result: ChecklistResult) -> None:
        self.controller._record(lambda: self.controller.store.add_checklist_result(result))

    def show_red_flags(self) -> None:
        from deskguard.ui.red_flags import RedFlagsDialog

        self._present(
            "red_flags",
            lambda: RedFlagsDialog(self.library.red_flags, self.library.disclaimer, self.icon),
        )

    # ---- the back-care programme (its windows load only when first asked for) ----

    def show_programme(self) -> None:
        from deskguard.ui.program_window import ProgramWindow

        coach = self.controller.coach
        if coach is None:
            self._programme_off()
            return

        def make() -> QWidget:
            window = ProgramWindow(coach, open_progress=self.show_progress)
            window.setWindowIcon(self.icon)
            return window

        self._present("programme", make)

    def show_progress(self) -> None:
        from deskguard.core.stats import WeekSource
        from deskguard.ui.progress import ProgressWindow

        coach = self.controller.coach
        if coach is None:
            self._programme_off()
            return
        controller = self.controller

        def make() -> QWidget:
            breaks = WeekSource(
                controller.store,
                controller.planner.settings,
                today=lambda: controller.clock.now().astimezone(controller.tz).date(),
            )
            window = ProgressWindow(coach, breaks=breaks, weeks=12)
            window.setWindowIcon(self.icon)
            return window

        window = self._open.get("progress")
        if isinstance(window, ProgressWindow):
            window.breaks.settings = controller.planner.settings  # the goal may have changed
        self._present("progress", make)

    def _programme_off(self) -> None:
        self.controller._notify(
            self.tr("The back-care programme is not available"), self.controller.programme_problem
        )

    def show_clinician(self, flags: list[str]) -> None:
        """The coach asks for the clinician screen (a red flag was answered yes)."""
        from deskguard.ui.screening import ClinicianWatch, clinician_watch

        coach = self.controller.coach
        if coach is None:
            return
        # The watch (made by the programme window, or here on first need) shows the
        # screen on every later request by itself; only its first request comes here.
        if coach.findChild(ClinicianWatch) is None:
            clinician_watch(coach).show_screen(flags)

    def show_welcome_or_checklist(self) -> None:
        """First run: the welcome. Later: the workstation check every 30 days."""
        if self.first_run:
            from deskguard.ui.first_run import FirstRunDialog

            dialog = FirstRunDialog(
                self.controller.planner.settings,
                self.library.red_flags,
                self.library.disclaimer,
                self.library.checklist(WORKSTATION),
                self.controller.clock.now,
                self.icon,
            )
            dialog.completed.connect(self.finish_welcome)
            self._present("welcome", lambda: dialog)
            return
        store = self.controller.store
        last = self.controller._read(lambda: store.last_checklist_result(WORKSTATION), None)
        today = self.controller.clock.now().astimezone(self.controller.tz).date()
        last_day = last.taken_at.astimezone(self.controller.tz).date() if last else None
        if checklist_due(last_day, today):
            self.show_checklist()

    def finish_welcome(
        self, settings: Settings, result: ChecklistResult | None, autostart: bool
    ) -> None:
        from deskguard.adapters.autostart import AutostartError
        from deskguard.adapters.config import save_settings

        try:
            save_settings(self.paths.config_file, settings)
        except OSError as err:
            log.error("could not save settings: %s", err)
            self.controller._notify(self.tr("DeskGuard could not save your settings"), str(err))
        self.controller.apply_settings(settings)
        if result is not None:
            self.save_checklist(result)
        try:
            self.autostart.set(autostart)
        except AutostartError as err:
            log.error("could not change autostart: %s", err)
            self.controller._notify(self.tr("DeskGuard could not change autostart"), str(err))

    def show_settings(self) -> None:
        from deskguard.adapters.config import int_ranges, validate_setting
        from deskguard.ui.settings_dialog import Folders, SettingsDialog

        dialog = self._open.get("settings")
        if isinstance(dialog, SettingsDialog):
            dialog.set_values(self.controller.planner.settings, self.autostart.enabled())
        else:
            dialog = SettingsDialog(
                self.controller.planner.settings,
                autostart=self.autostart.enabled(),
                folders=Folders(self.paths.data_dir, self.paths.config_dir, self.paths.log_dir),
                ranges=int_ranges(),
                validate=validate_setting,
            )
            dialog.setWindowIcon(self.icon)
            dialog.applied.connect(self.apply_settings)
            dialog.open_folder_requested.connect(self.open_folder)
        self._present("settings", lambda: dialog)

    def apply_settings(self, settings: Settings, autostart: bool) -> None:
        """Save keeping the user's comments, switch autostart, and take effect at once."""
        from deskguard.adapters.autostart import AutostartError
        from deskguard.adapters.config import save_settings

        dialog = self._open.get("settings")
        try:
            save_settings(self.paths.config_file, settings)
            self.autostart.set(autostart)
        except (OSError, AutostartError) as err:
            log.error("could not apply settings: %s", err)
            if dialog is not None and hasattr(dialog, "show_error"):
                dialog.show_error(f"Could not save: {err}")
            return
        self.controller.apply_settings(settings)
        if dialog is not None and hasattr(dialog, "mark_saved"):
            dialog.mark_saved(settings, autostart)

    def open_folder(self, folder: str) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(folder))

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.data_dir)))

    def open_log(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.log_file)))

    def show_about(self) -> None:
        QMessageBox.about(
            None,
            "About DeskGuard",
            f"<b>DeskGuard {__version__}</b><p>Stand-and-move prompts, desk stretches and a "
            "weekly record of your breaks.</p><p>Licence: GPL-3.0-or-later.</p>"
            f"<p>{self.library.disclaimer}</p>"
            f"<p>Your record stays on this computer, in<br><code>{self.paths.data_dir}</code>"
            "</p>",
        )


def start_programme(controller: Controller, windows: Windows) -> SessionReminder | None:
    """The back-care programme: its coach on the store's log, the session-day reminder in
    the alarm's scheduler, its notifications through the controller's notifier chain.

    A programme log this DeskGuard cannot read leaves the programme off (breaks go on),
    says why, and changes nothing in the database.
    """
    from deskguard.adapters.session_reminder import SessionReminder
    from deskguard.adapters.store import StoreError
    from deskguard.coach import Coach

    settings = controller.planner.settings
    try:
        coach = Coach(
            log=controller.store,
            clock=controller.clock,
            settings=settings,
            library=controller.library,
        )
    except StoreError as err:
        log.error("the back-care programme is off: %s", err)
        controller.programme_problem = f"The back-care programme is off: {err}"
        controller.notes.append(controller.programme_problem)
        controller._notify("DeskGuard cannot open the back-care programme", str(err))
        return None
    reminder = SessionReminder(
        controller.alarm.scheduler, coach.session_day_reached, zone=controller.tz
    )
    coach.reminder.connect(controller._notify)
    coach.clinician_needed.connect(windows.show_clinician)
    controller.settings_applied.connect(coach.apply_settings)
    controller.settings_applied.connect(reminder.schedule)
    controller.attach_programme(coach, lambda: reminder.next_run_time)
    reminder.schedule(settings, controller.clock.now(), catch_up=True)
    return reminder


def watch_for_tray(
    controller: Controller, window: ControlWindow, icon: QIcon, qapp: QApplication
) -> None:
    """At login the panel often starts after us: move into the tray once it appears."""
    timer = QTimer(qapp)
    timer.setInterval(2000)
    checks = {"left": 30}  # one minute, then the window stays for good

    def check() -> None:
        checks["left"] -= 1
        if QSystemTrayIcon.isSystemTrayAvailable():
            tray = Tray(window.tray_actions, icon, qapp)
            tray.show()
            controller.set_host(tray)
            window.hide()
            log.info("a system tray appeared: moved into it")
        elif checks["left"] > 0:
            return
        timer.stop()
        timer.deleteLater()

    timer.timeout.connect(check)
    timer.start()


def run(verbose: bool = False) -> int:
    paths = default_paths()
    setup_logging(paths, verbose)
    lock = InstanceLock(paths.lock_file)
    if not lock.acquire():
        try:
            status = send_command(paths.socket_name, "status", timeout_ms=2000)
            when = status.get("next_break_at")
            extra = f" Next break: {when}." if when else ""
        except NotRunning:
            extra = " (It is still starting or not answering.)"
        print(f"DeskGuard is already running.{extra}")
        return 0

    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    # argv[0] names the X window class: under `python -m` it would be "__main__.py".
    qapp = QApplication.instance() or QApplication(["deskguard"])
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("DeskGuard")
    # No applicationDisplayName: Qt would append it to every title ("… — DeskGuard").
    qapp.setDesktopFileName("deskguard")
    qapp.setApplicationVersion(__version__)
    qapp.setQuitOnLastWindowClosed(False)
    icon = app_icon()
    qapp.setWindowIcon(icon)

    # The icon goes up first; the scheduler, database and content load right after,
    # once the event loop runs, so the user sees DeskGuard as early as possible.
    actions = TrayActions(qapp)
    actions.quit.connect(quit_app)
    host: Tray | ControlWindow
    if QSystemTrayIcon.isSystemTrayAvailable():
        host = Tray(actions, icon, qapp)
    else:
        log.warning("no system tray available: showing the control window instead")
        host = ControlWindow(actions, icon, NO_TRAY_REASON)
    host.show()
    keep = _quit_on_signals(qapp)
    started: dict[str, Any] = {}
    QTimer.singleShot(0, lambda: started.update(start_services(paths, qapp, actions, host, icon)))
    code = qapp.exec()
    del keep
    controller = started.get("controller")
    if controller is not None:
        controller.stop()
        started["server"].close()
        started["store"].close()
    lock.release()
    return int(code) if started else 1


DEV_INTERVAL_ENV = "DESKGUARD_DEV_INTERVAL_SECONDS"


def developer_interval() -> timedelta | None:
    """A developer setting for end-to-end tests: prompts every N seconds, not minutes."""
    text = os.environ.get(DEV_INTERVAL_ENV, "")
    if not text:
        return None
    try:
        seconds = int(text)
        if not 1 <= seconds <= 7200:
            raise ValueError
    except ValueError:
        log.warning(
            "%s=%r is not a whole number of seconds from 1 to 7200; ignored", DEV_INTERVAL_ENV, text
        )
        return None
    log.warning("developer setting: a break every %d s (%s)", seconds, DEV_INTERVAL_ENV)
    return timedelta(seconds=seconds)


def start_services(
    paths: Paths,
    qapp: QApplication,
    actions: TrayActions,
    host: Tray | ControlWindow,
    icon: QIcon,
) -> dict[str, Any]:
    """Everything behind the icon. Returns what `run` must close at the end."""
    from deskguard.adapters.alarm import Alarm
    from deskguard.adapters.config import load_settings
    from deskguard.adapters.content import load_library
    from deskguard.adapters.hold import choose_holds
    from deskguard.adapters.idle import choose_idle_monitor
    from deskguard.adapters.notify import default_chain
    from deskguard.adapters.sleep import SleepWatcher
    from deskguard.adapters.store import Store, StoreError
    from deskguard.controller import Controller
    from deskguard.core.clock import SystemClock
    from deskguard.footprint import drop_source_cache, release_freed_heap
    from deskguard.ui.deferred_break_window import DeferredBreakWindow

    first_run = not paths.config_file.exists()
    settings, notes = load_settings(paths.config_file)
    try:
        store, store_notes = Store.open(paths.database)
    except StoreError as err:
        print(f"DeskGuard cannot start: {err}", file=sys.stderr)
        QMessageBox.critical(None, "DeskGuard cannot start", str(err))
        QApplication.exit(1)
        return {}
    notes += store_notes
    for note in notes:
        log.warning("%s", note)

    clock = SystemClock()
    window = DeferredBreakWindow(clock.now, icon, qapp, clock.monotonic)  # built at first prompt
    controller = Controller(
        clock=clock,
        settings=settings,
        store=store,
        library=load_library(),
        notifier=default_chain(resources_dir() / "icons" / "deskguard.svg"),
        alarm=Alarm(parent=qapp, now=clock.now),
        actions=actions,
        window=window,
        notes=notes,
        idle=choose_idle_monitor(),
        holds=choose_holds(),
        interval_override=developer_interval(),
    )
    sleep = SleepWatcher(qapp)
    sleep.woke.connect(controller.tick)
    if sys.platform.startswith("linux"):
        sleep.start()
    server = CommandServer(paths.socket_name, controller.handle, qapp)
    server.listen()
    controller.start(host)
    if isinstance(host, ControlWindow):
        watch_for_tray(controller, host, icon, qapp)
    windows = Windows(controller, paths, icon, first_run, qapp)
    start_programme(controller, windows)
    QTimer.singleShot(500, windows.show_welcome_or_checklist)
    for note in notes:
        controller._notify("DeskGuard", note)
    qapp.aboutToQuit.connect(controller.stop)
    drop_source_cache()  # what PySide6's import hook read since the last module loaded
    release_freed_heap()
    log.info("DeskGuard %s started; data in %s", __version__, paths.database)
    return {"controller": controller, "server": server, "store": store, "windows": windows}

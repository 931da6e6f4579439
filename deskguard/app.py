"""Composition root: the only module that knows every layer. It wires signals, nothing more."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import socket
import sys

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from deskguard import __version__
from deskguard.adapters.alarm import Alarm
from deskguard.adapters.config import load_settings
from deskguard.adapters.content import load_library, resources_dir
from deskguard.adapters.hold import choose_holds
from deskguard.adapters.idle import choose_idle_monitor
from deskguard.adapters.instance import CommandServer, InstanceLock, NotRunning, send_command
from deskguard.adapters.notify import default_chain
from deskguard.adapters.paths import Paths, default_paths, ensure_private_dir
from deskguard.adapters.sleep import SleepWatcher
from deskguard.adapters.store import Store, StoreError
from deskguard.controller import Controller, quit_app
from deskguard.core.clock import SystemClock
from deskguard.ui.break_window import BreakWindow
from deskguard.ui.tray import ControlWindow, Tray, TrayActions

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
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("DeskGuard")
    qapp.setApplicationDisplayName("DeskGuard")
    qapp.setDesktopFileName("deskguard")
    qapp.setApplicationVersion(__version__)
    qapp.setQuitOnLastWindowClosed(False)
    icon = app_icon()
    qapp.setWindowIcon(icon)

    settings, notes = load_settings(paths.config_file)
    try:
        store, store_notes = Store.open(paths.database)
    except StoreError as err:
        print(f"DeskGuard cannot start: {err}", file=sys.stderr)
        lock.release()
        return 1
    notes += store_notes
    for note in notes:
        log.warning("%s", note)
    library = load_library()

    clock = SystemClock()
    alarm = Alarm(parent=qapp)
    actions = TrayActions(qapp)
    window = BreakWindow(clock.now, icon)
    controller = Controller(
        clock=clock,
        settings=settings,
        store=store,
        library=library,
        notifier=default_chain(resources_dir() / "icons" / "deskguard.svg"),
        alarm=alarm,
        actions=actions,
        window=window,
        notes=notes,
        idle=choose_idle_monitor(),
        holds=choose_holds(),
    )
    sleep = SleepWatcher(qapp)
    sleep.woke.connect(controller.tick)
    if sys.platform.startswith("linux"):
        sleep.start()
    server = CommandServer(paths.socket_name, controller.handle, qapp)
    server.listen()
    actions.quit.connect(quit_app)

    host: Tray | ControlWindow
    if QSystemTrayIcon.isSystemTrayAvailable():
        host = Tray(actions, icon, qapp)
        host.show()
    else:
        log.warning("no system tray available: showing the control window instead")
        host = ControlWindow(actions, icon, NO_TRAY_REASON)
        host.show()
        watch_for_tray(controller, host, icon, qapp)
    controller.start(host)
    for note in notes:
        controller._notify("DeskGuard", note)
    log.info("DeskGuard %s started; data in %s", __version__, paths.database)

    keep = _quit_on_signals(qapp)
    qapp.aboutToQuit.connect(controller.stop)
    code = qapp.exec()
    del keep
    controller.stop()
    server.close()
    store.close()
    lock.release()
    return int(code)

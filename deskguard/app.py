"""Composition root: the only module that knows every layer. It builds and wires."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from deskguard import __version__
from deskguard.adapters.content import resources_dir
from deskguard.adapters.errorhook import ErrorHook, describe, where
from deskguard.adapters.instance import CommandServer, InstanceLock, NotRunning, send_command
from deskguard.adapters.logfile import BriefFormatter, PrivateRotatingFileHandler
from deskguard.adapters.paths import Paths, default_paths, ensure_private_dir
from deskguard.core.model import Settings
from deskguard.ui.tray import TrayActions, TrayHost, quit_app
from deskguard.ui.tray_icons import tray_style

if TYPE_CHECKING:  # imported at run time only once the tray icon is up (start_services)
    from deskguard.adapters.alarm import Alarm
    from deskguard.adapters.dbus_notify import DBusNotifier
    from deskguard.adapters.instance import CommandServer
    from deskguard.adapters.notify import NotifierChain
    from deskguard.adapters.session_reminder import SessionReminder
    from deskguard.adapters.store import Store
    from deskguard.services.breaks import Breaks
    from deskguard.services.commands import Commands
    from deskguard.ui.break_window import BreakWindow
    from deskguard.ui.deferred_break_window import DeferredBreakWindow
    from deskguard.ui.windows import Windows

log = logging.getLogger("deskguard")
# = adapters.autostart.APP_ID (tests/test_packaging.py), written out here so that no
# adapter is imported before the tray icon is up.
APP_ID = "io.github.deskguard.DeskGuard"

NO_TRAY_REASON = (
    "No system tray was found on this desktop, so DeskGuard shows this small window "
    "instead. Closing it only minimises it; breaks go on until you choose Quit."
)


# ---- start-up ------------------------------------------------------------------------


def setup_logging(paths: Paths, verbose: bool) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    line = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    fmt = logging.Formatter(line)
    stream = logging.StreamHandler()
    # The terminal gets sentences; tracebacks go to the log file (all of it when verbose).
    stream.setFormatter(fmt if verbose else BriefFormatter(line))
    stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.addHandler(stream)
    try:
        ensure_private_dir(paths.log_dir)
        # 0600, never through a link, never a FIFO (adapters/logfile.py).
        handler = PrivateRotatingFileHandler(
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
        with contextlib.suppress(OSError):
            reader.recv(64)
        # A clean-up that hangs (a locked database, a stuck desktop service) must not
        # keep a terminated app alive: it ends by force QUIT_GRACE_S later.
        watchdog = threading.Timer(QUIT_GRACE_S, os._exit, (EXIT_AFTER_SIGNAL,))
        watchdog.daemon = True
        watchdog.start()
        quit_app()

    notifier.activated.connect(on_signal)
    _keep_alive.extend([reader, writer])  # a collected socket would close the wakeup fd
    return notifier


_keep_alive: list[socket.socket] = []
QUIT_GRACE_S = 10.0  # after SIGTERM/SIGINT, then the process ends by force
EXIT_AFTER_SIGNAL = 143  # 128 + SIGTERM, what a shell reports for a terminated job


def start_programme(
    breaks: Breaks, commands: Commands, windows: Windows, store: Store, alarm: Alarm
) -> SessionReminder | None:
    """The back-care programme: its coach on the store's log, the session-day reminder in
    the alarm's scheduler, its notifications through the break service's notifier.

    A programme log this DeskGuard cannot read leaves the programme off (breaks go on),
    says why, and changes nothing in the database.
    """
    from deskguard.adapters.session_reminder import SessionReminder
    from deskguard.adapters.store import StoreError
    from deskguard.services.programme import Coach

    settings = breaks.planner.settings
    try:
        coach = Coach(log=store, clock=breaks.clock, settings=settings, library=breaks.library)
    except StoreError as err:
        log.error("the back-care programme is off: %s", err)
        commands.programme_problem = f"The back-care programme is off: {err}"
        breaks.notes.append(commands.programme_problem)
        breaks.notify("DeskGuard cannot open the back-care programme", str(err))
        return None
    # A warning-sign pause or a fresh sharp-pain stop keeps prompts to gentle movement.
    breaks.follow_programme(coach.events)
    reminder = SessionReminder(alarm.scheduler, coach.session_day_reached, zone=breaks.tz)
    coach.reminder.connect(breaks.notify)
    coach.clinician_needed.connect(windows.show_clinician)
    breaks.settings_applied.connect(coach.apply_settings)
    breaks.settings_applied.connect(reminder.schedule)
    commands.attach_programme(coach, lambda: reminder.next_run_time)
    reminder.schedule(settings, breaks.clock.now(), catch_up=True)
    return reminder


def tell_unreadable(breaks: Breaks, message: str) -> None:
    """Rows of the record this version cannot read, said once: in the log, and in the
    tray, `status` and a notification right after the read that found them (not inside
    it: naming a problem refreshes the tray, which reads the record again)."""
    log.warning("%s", message)
    QTimer.singleShot(0, partial(breaks.add_problem, message, "unreadable rows"))


def use_host(wiring: Wiring, host: TrayHost) -> None:
    """Status to `host`, and its balloon into the notifier chain (before the log)."""
    from deskguard.adapters.notify import CallbackNotifier

    chain = [n for n in wiring.notifier.notifiers if n.name != "tray balloon"]
    chain.insert(-1, CallbackNotifier("tray balloon", host.balloon))
    wiring.notifier.notifiers = chain
    wiring.breaks.set_host(host)


def follow_tray_hosts(qapp: QApplication, host: TrayHost) -> QObject | None:
    """The tray icon while a tray host is there, the control window while none is: at
    login the panel often starts after us, and it may restart or go (DESIGN §4). On Linux
    DeskGuard watches the hosts itself (adapters/tray_host.py says why); elsewhere Qt's
    tray is always there."""
    if not sys.platform.startswith("linux") and "bsd" not in sys.platform:
        host.use("native" if QSystemTrayIcon.isSystemTrayAvailable() else "window")
        return None
    from deskguard.adapters.tray_host import TrayHosts

    hosts = TrayHosts(x11=qapp.platformName() == "xcb", parent=qapp)
    hosts.changed.connect(partial(_follow_hosts, hosts, host))
    _follow_hosts(hosts, host)
    return hosts


def _follow_hosts(hosts: Any, host: TrayHost) -> None:
    facts = hosts.facts()
    host.follow_hosts(facts.sni, facts.xembed)


def follow_desktop_look(host: TrayHost) -> None:
    """On KDE the panel's colour follows the colour scheme, and the symbolic icon with it
    (read from the Settings portal's org.freedesktop.appearance color-scheme: 1 dark)."""
    desktop = os.environ.get("XDG_CURRENT_DESKTOP", "")
    if "kde" not in desktop.lower():
        return
    from deskguard.adapters.desktop_settings import DesktopSetting

    scheme = DesktopSetting("org.freedesktop.appearance", "color-scheme", gsettings=None)
    scheme.setParent(host)
    scheme.changed.connect(partial(_follow_scheme, host, desktop))
    scheme.refresh()


def _follow_scheme(host: TrayHost, desktop: str, value: object) -> None:
    host.set_style(tray_style(desktop, None if value is None else value == 1))


def watch_gnome_reminders(wiring: Wiring, actions: TrayActions, paths: Paths) -> None:
    """GNOME 48+'s own movement reminders: told once, in `status`, and offered to turn off
    (GNOME's Settings) or DeskGuard's to pause, from the tray menu (issue #16)."""
    from deskguard.adapters.gnome_reminders import GnomeBreakReminders, on_gnome
    from deskguard.ui.tray import gnome_reminders_notice

    if not on_gnome(os.environ):
        return
    reminders = GnomeBreakReminders(
        paths.data_dir / "told-gnome-break-reminders", parent=wiring.breaks
    )
    reminders.changed.connect(partial(_gnome_reminders_changed, wiring, actions))
    reminders.first_seen.connect(partial(wiring.breaks.notify, *gnome_reminders_notice()))
    actions.gnome_reminders.connect(partial(ask_about_gnome_reminders, wiring, reminders))
    wiring.alarm.fired.connect(reminders.refresh)  # at least once a minute, no timer more
    reminders.refresh()


def _gnome_reminders_changed(wiring: Wiring, actions: TrayActions, state: bool | None) -> None:
    wiring.commands.gnome_break_reminders = state
    actions.gnome_reminders_action.setVisible(state is True)


def ask_about_gnome_reminders(wiring: Wiring, reminders: Any) -> None:
    from deskguard.ui.tray import GnomeRemindersNote

    note = GnomeRemindersNote(reminders.can_open_settings())
    note.chosen.connect(partial(_gnome_reminders_chosen, wiring, reminders))
    reminders.note = note  # kept while open
    note.show()


def _gnome_reminders_chosen(wiring: Wiring, reminders: Any, choice: str) -> None:
    if choice == "open":
        reminders.open_settings()
    elif choice == "pause":
        wiring.breaks.pause(None)


def display_problem(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why Qt would abort for want of a display ("Reinstalling the application may fix
    this", SIGABRT), in words; None when there is a display or a platform that needs none."""
    if not platform.startswith("linux") and "bsd" not in platform:
        return None  # Windows and macOS always have their own
    wanted = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0]
    if wanted and wanted not in ("xcb", "wayland", "wayland-egl"):
        return None  # offscreen, minimal, eglfs, vnc ...: no desktop session needed
    x11, wayland = env.get("DISPLAY"), env.get("WAYLAND_DISPLAY")
    if (wanted == "xcb" and x11) or (wanted.startswith("wayland") and wayland):
        return None
    if not wanted and (x11 or wayland):
        return None
    unset = " and ".join(n for n, v in (("DISPLAY", x11), ("WAYLAND_DISPLAY", wayland)) if not v)
    verb = "are" if " and " in unset else "is"
    return f"DeskGuard needs a desktop session: no display found — {unset} {verb} unset"


def run(verbose: bool = False) -> int:
    problem = display_problem(os.environ)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    try:
        paths = default_paths()
        setup_logging(paths, verbose)
        lock = InstanceLock(paths.lock_file)
    except OSError as err:  # e.g. a runtime folder that is a link or another user's
        print(f"DeskGuard cannot start: {err}", file=sys.stderr)
        return 1
    if not lock.acquire():
        try:
            from datetime import datetime

            from deskguard.cli import clock_text, in_text

            status = send_command(paths.socket_names, "status", timeout_ms=2000)
            text = status.get("next_break_at")
            now = datetime.now().astimezone()
            when = datetime.fromisoformat(text) if isinstance(text, str) else None
            extra = (
                f" Next break at {clock_text(when, now)} ({in_text(when, now)})." if when else ""
            )
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
    # The app ID names the desktop file, icons and metainfo: Wayland's app_id and the
    # portals match windows to the menu entry by it.
    qapp.setDesktopFileName(APP_ID)
    qapp.setApplicationVersion(__version__)
    qapp.setQuitOnLastWindowClosed(False)
    icon = app_icon()
    qapp.setWindowIcon(icon)

    # The icon goes up first; the scheduler, database and content load right after,
    # once the event loop runs, so the user sees DeskGuard as early as possible.
    actions = TrayActions(qapp)
    actions.quit.connect(quit_app)
    # A symbolic icon where the panel draws its own in one colour (GNOME, KDE).
    style = tray_style(os.environ.get("XDG_CURRENT_DESKTOP", ""))
    host = TrayHost(actions, icon, NO_TRAY_REASON, qapp, style=style)
    follow_tray_hosts(qapp, host)
    if host.protocol == "window":
        log.warning("no system tray available: showing the control window instead")
    host.show()
    keep = _quit_on_signals(qapp)
    hook = ErrorHook(paths.log_file)  # from here on an error in a slot is logged and named
    hook.install()
    started: dict[str, Any] = {}
    QTimer.singleShot(
        0, lambda: started.update(start_or_explain(paths, qapp, actions, host, icon, hook))
    )
    code = qapp.exec()
    hook.uninstall()
    del keep
    wiring = started.get("wiring")
    if wiring is not None:
        wiring.breaks.stop()
        wiring.server.close()
        wiring.store.close()
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


def start_or_explain(
    paths: Paths,
    qapp: QApplication,
    actions: TrayActions,
    host: TrayHost,
    icon: QIcon,
    hook: ErrorHook,
) -> dict[str, Any]:
    """start_services, or a clear message and exit: the icon never stays up with nothing
    behind it (issue #18). From then on `hook` names later errors in the tray and status."""
    try:
        started = start_services(paths, qapp, actions, host, icon)
    except Exception as err:
        log.exception("DeskGuard could not start")
        reason = str(err) if isinstance(err, OSError) else describe_start_error(err)
        message = f"{reason}\n\nDetails are in the log: {paths.log_file}"
        print(f"DeskGuard cannot start: {reason}", file=sys.stderr)
        host.hide()
        QMessageBox.critical(None, "DeskGuard cannot start", message)
        QApplication.exit(1)
        return {}
    wiring = started.get("wiring")
    if wiring is not None:
        hook.report = wiring.breaks.add_problem
    return started


def describe_start_error(err: Exception) -> str:
    return f"an unexpected error ({type(err).__name__} in {where(err.__traceback__)}) stopped it"


@dataclass
class Wiring:
    """What start_services built, for the programme's wiring and for `run` to close."""

    breaks: Breaks
    commands: Commands
    windows: Windows
    store: Store
    alarm: Alarm
    notifier: NotifierChain
    server: CommandServer


def start_services(
    paths: Paths,
    qapp: QApplication,
    actions: TrayActions,
    host: TrayHost,
    icon: QIcon,
) -> dict[str, Any]:
    """Everything behind the icon. Returns what `run` must close at the end."""
    from deskguard.adapters.alarm import Alarm
    from deskguard.adapters.autostart import in_flatpak
    from deskguard.adapters.config import load_settings
    from deskguard.adapters.content import load_library
    from deskguard.adapters.hold import choose_holds
    from deskguard.adapters.idle import choose_idle
    from deskguard.adapters.notify import default_chain
    from deskguard.adapters.sleep import SleepWatcher
    from deskguard.adapters.store import Store, StoreError
    from deskguard.core.clock import SystemClock
    from deskguard.footprint import drop_source_cache, release_freed_heap
    from deskguard.services.breaks import Breaks
    from deskguard.services.commands import Commands
    from deskguard.ui.deferred_break_window import DeferredBreakWindow

    first_run = not paths.config_file.exists()
    settings, notes = load_settings(paths.config_file)
    if settings.theme != "system":  # before any window is built: they take its colours
        from deskguard.ui.theme import apply_theme

        apply_theme(qapp, settings.theme)
    try:
        store, store_notes = Store.open(paths.database)
    except StoreError as err:
        print(f"DeskGuard cannot start: {err}", file=sys.stderr)
        QMessageBox.critical(None, "DeskGuard cannot start", str(err))
        QApplication.exit(1)
        return {}
    notes += store_notes
    try:  # before anything new is written: close the prompts a crash left open
        closed = store.close_interrupted(settings)
    except StoreError as err:
        notes.append(str(err))
    else:
        if closed:
            log.info("closed %d prompt(s) left open when DeskGuard last stopped", len(closed))
    store.mark_alive()
    for note in notes:
        log.warning("%s", note)

    clock = SystemClock()
    window = DeferredBreakWindow(clock.now, icon, qapp, clock.monotonic)  # built at first prompt
    notifier = default_chain(resources_dir() / "icons" / "deskguard.svg")
    prompt_notice: DBusNotifier | None = None
    if in_flatpak():  # the sandbox's own way to notifications, ahead of the rest
        from deskguard.adapters.portal import PortalNotifier

        notifier.notifiers.insert(0, PortalNotifier(parent=qapp))
    elif sys.platform.startswith("linux"):
        # Straight to the notification daemon, ahead of notify-send: buttons on the
        # prompt, withdrawn once answered, the desktop-entry hint (adapters/dbus_notify.py).
        from deskguard.adapters.dbus_notify import DBusNotifier

        prompt_notice = DBusNotifier(resources_dir() / "icons" / "deskguard.svg", parent=qapp)
        notifier.notifiers.insert(0, prompt_notice)
    idle = choose_idle()
    alarm = Alarm(parent=qapp, now=clock.now)
    breaks = Breaks(
        clock=clock,
        settings=settings,
        store=store,
        library=load_library(),
        notifier=notifier,
        alarm=alarm,
        window=window,
        notes=notes,
        idle=idle.monitor,
        holds=choose_holds(),
        interval_override=developer_interval(),
        prompt_notice=prompt_notice,
    )
    if prompt_notice is not None:  # a button pressed on the prompt's notification
        prompt_notice.action_invoked.connect(breaks.notification_action)
    wire_break_signals(breaks, actions, window, alarm)
    alarm.fired.connect(store.mark_alive)  # at least once a minute; it writes at most that
    store.tell_unreadable(partial(tell_unreadable, breaks))
    commands = Commands(breaks, request_quit=lambda: QTimer.singleShot(0, quit_app))
    commands.idle_backends = [t.as_dict() for t in idle.tried]
    sleep = SleepWatcher(qapp)
    sleep.woke.connect(breaks.tick)
    if sys.platform.startswith("linux"):
        sleep.start()
    server = CommandServer(paths.socket_names, commands.handle, qapp)
    server.listen()

    windows = make_windows(breaks, commands, actions, paths, icon, first_run, qapp)
    wiring = Wiring(breaks, commands, windows, store, alarm, notifier, server)
    use_host(wiring, host)
    breaks.start(host)
    follow_desktop_look(host)
    watch_gnome_reminders(wiring, actions, paths)
    try:  # optional: breaks go on without it, and the problem is named
        start_programme(breaks, commands, windows, store, alarm)
    except Exception as err:
        log.exception("the back-care programme could not start")
        why = describe(err, err.__traceback__, paths.log_file)
        commands.programme_problem = f"The back-care programme is off: {why}"
        breaks.add_problem(commands.programme_problem)
    QTimer.singleShot(500, partial(show_welcome, windows, breaks, first_run))
    for note in notes:
        breaks.notify("DeskGuard", note)
    qapp.aboutToQuit.connect(breaks.stop)
    drop_source_cache()  # what PySide6's import hook read since the last module loaded
    release_freed_heap()
    log.info("DeskGuard %s started; data in %s", __version__, paths.database)
    return {"wiring": wiring}


def show_welcome(windows: Windows, breaks: Breaks, first_run: bool) -> None:
    """The welcome (later: the workstation check). At first run the welcome also offers
    the applications menu entry when DeskGuard is not in the menu (pip, pipx: #17)."""
    windows.show_welcome_or_checklist()
    if first_run:
        offer_menu_entry(breaks)


def offer_menu_entry(breaks: Breaks) -> None:
    from deskguard.adapters.desktop_entry import in_menu, supported
    from deskguard.adapters.paths import HOME_ENV
    from deskguard.ui.first_run import FirstRunDialog

    # DESKGUARD_HOME keeps DeskGuard's files in one folder (portable use, tests): then it
    # does not offer to write into the desktop's menu folders either.
    if not supported() or os.environ.get(HOME_ENV) or in_menu():
        return
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, FirstRunDialog) and widget.isVisible():
            widget.offer_menu_entry()
            widget.menu_entry_requested.connect(partial(add_menu_entry, breaks))


def add_menu_entry(breaks: Breaks) -> None:
    from deskguard.adapters.desktop_entry import DesktopEntry

    try:
        DesktopEntry().install()
    except OSError as err:
        log.warning("could not add the menu entry: %s", err)
        breaks.notify("DeskGuard could not add itself to the applications menu", str(err))


def make_windows(
    breaks: Breaks,
    commands: Commands,
    actions: TrayActions,
    paths: Paths,
    icon: QIcon,
    first_run: bool,
    parent: QObject | None = None,
) -> Windows:
    """The windows, with the one path that applies settings (file, autostart, breaks)."""
    from deskguard.adapters.autostart import Autostart
    from deskguard.adapters.config import SettingsFile, int_ranges
    from deskguard.services.settings import SettingsService
    from deskguard.ui.windows import Places, Windows

    settings = SettingsService(breaks, SettingsFile(paths.config_file), Autostart(), parent)
    return Windows(
        breaks=breaks,
        commands=commands,
        settings=settings,
        actions=actions,
        places=Places(paths.data_dir, paths.config_dir, paths.log_dir, paths.log_file),
        icon=icon,
        first_run=first_run,
        ranges=int_ranges(),
        validate=validate_setting_text,
        parent=parent,
    )


def validate_setting_text(key: str, value: object, settings: Settings) -> str | None:
    from deskguard.adapters.config import validate_setting

    return validate_setting(key, value, settings)


def wire_break_signals(
    breaks: Breaks, actions: TrayActions, window: DeferredBreakWindow | BreakWindow, alarm: Alarm
) -> None:
    """The tray's actions, the break window's keys and the alarm, to the break service.

    Bound methods, not lambdas: a lambda holding an object can outlive its C++ side.
    """
    actions.break_now.connect(breaks.break_now)
    actions.snooze.connect(breaks.snooze)
    actions.pause.connect(breaks.pause)
    actions.resume.connect(breaks.resume)
    window.start_requested.connect(breaks.start_break)
    window.snooze_requested.connect(breaks.snooze)
    window.skip_requested.connect(breaks.skip)
    window.done_requested.connect(breaks.complete_break)
    window.warning_signs_requested.connect(actions.show_red_flags)
    alarm.fired.connect(breaks.tick)

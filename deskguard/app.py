"""Composition root: the only module that knows every layer. It wires signals, nothing more."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import socket
import sys
from datetime import datetime, timedelta, tzinfo
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from deskguard import __version__
from deskguard.adapters.alarm import Alarm
from deskguard.adapters.config import load_settings
from deskguard.adapters.content import Library, load_library, resources_dir
from deskguard.adapters.hold import Holds, choose_holds
from deskguard.adapters.idle import IdleMonitor, NullIdle, choose_idle_monitor
from deskguard.adapters.instance import CommandServer, InstanceLock, NotRunning, send_command
from deskguard.adapters.notify import CallbackNotifier, NotifierChain, default_chain
from deskguard.adapters.paths import Paths, default_paths, ensure_private_dir
from deskguard.adapters.sleep import SleepWatcher
from deskguard.adapters.store import Store, StoreError
from deskguard.core.clock import Clock, SystemClock
from deskguard.core.model import FINAL_KINDS, Event, EventKind, Exercise, Settings, State
from deskguard.core.planner import NO_ACTIVITY, Activity, Effect, NewPrompt, Planner
from deskguard.core.rotation import pick_exercise
from deskguard.core.stats import query_range, week_report
from deskguard.ui.break_window import BreakWindow
from deskguard.ui.tray import ControlWindow, Tray, TrayActions, TrayStatus

log = logging.getLogger("deskguard")

NO_TRAY_REASON = (
    "No system tray was found on this desktop, so DeskGuard shows this small window "
    "instead. Closing it only minimises it; breaks go on until you choose Quit."
)
MAX_PAUSE_MINUTES = 24 * 60
POLL_MS = 5000


def iso(when: datetime | None, tz: tzinfo | None = None) -> str | None:
    return None if when is None else when.astimezone(tz).isoformat(timespec="seconds")


class Controller(QObject):
    """Carries out what the planner decides and reports the user's answers back to it."""

    def __init__(
        self,
        *,
        clock: Clock,
        settings: Settings,
        store: Store,
        library: Library,
        notifier: NotifierChain,
        alarm: Alarm,
        actions: TrayActions,
        window: BreakWindow,
        notes: list[str] | None = None,
        tz: tzinfo | None = None,
        idle: IdleMonitor | None = None,
        holds: Holds | None = None,
    ) -> None:
        super().__init__()
        self.idle = idle or NullIdle()
        self.holds = holds or Holds([])
        # Idle and fullscreen checks every 5 s, and only while a prompt could come due.
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.tick)
        self.clock = clock
        self.store = store
        self.library = library
        self.notifier = notifier
        self.alarm = alarm
        self.actions = actions
        self.window = window
        self.notes = list(notes or [])
        self.tz = tz
        self.host: Tray | ControlWindow | None = None
        self.last_notifier = ""
        self._summary: Any = None
        self._stopped = False
        now = clock.now()
        self._recent = self._exercises_shown_today(now)
        self.planner = Planner(settings, now, tz=tz, pick_exercise=self._pick)

        actions.break_now.connect(self.break_now)
        actions.snooze.connect(lambda: self._apply(self.planner.snooze(self.clock.now())))
        actions.pause.connect(self.pause)
        actions.resume.connect(lambda: self._apply(self.planner.resume(self.clock.now())))
        actions.show_summary.connect(self.show_summary)
        window.start_requested.connect(
            lambda: self._apply(self.planner.start_break(self.clock.now()))
        )
        window.snooze_requested.connect(lambda: self._apply(self.planner.snooze(self.clock.now())))
        window.skip_requested.connect(lambda: self._apply(self.planner.skip(self.clock.now())))
        window.done_requested.connect(lambda: self._apply(self.planner.finish(self.clock.now())))
        alarm.fired.connect(self.tick)

    # ---- lifecycle -----------------------------------------------------------------
    def start(self, host: Tray | ControlWindow) -> None:
        self.set_host(host)
        self.alarm.start()
        self._refresh()

    def set_host(self, host: Tray | ControlWindow) -> None:
        self.host = host
        chain = [n for n in self.notifier.notifiers if n.name != "tray balloon"]
        chain.insert(-1, CallbackNotifier("tray balloon", host.balloon))
        self.notifier.notifiers = chain
        self._refresh()

    def stop(self) -> None:
        """Quit cleanly: an open prompt is recorded as missed, nothing is left running."""
        if self._stopped:
            return
        self._stopped = True
        self._apply(self.planner.shutdown(self.clock.now()), refresh=False)
        self.alarm.stop()
        self._poll.stop()
        self.window.finish()

    def tick(self) -> None:
        now = self.clock.now()
        self._apply(self.planner.tick(now, self._activity(now)))

    def _watching(self, now: datetime) -> bool:
        state = self.planner.state(now)
        return state in (State.WORKING, State.PROMPTING) and self.planner.in_hours(now)

    def _activity(self, now: datetime) -> Activity:
        if not self._watching(now):
            return NO_ACTIVITY
        return Activity(idle_seconds=self.idle.idle_seconds(), held=self.holds.reason())

    # ---- user requests ------------------------------------------------------------
    def break_now(self) -> None:
        effects = self.planner.break_now(self.clock.now())
        if effects:
            self._apply(effects)
        elif self.planner.active is not None:
            self._present_active()  # already open: bring it back to the front

    def pause(self, minutes: int | None) -> datetime:
        now = self.clock.now()
        if minutes is None:
            until = self.planner.pause_until_tomorrow(now)
        else:
            until = now + timedelta(minutes=minutes)
        self._apply(self.planner.pause(now, until))
        return until

    def show_summary(self) -> None:
        from deskguard.core.stats import WeekSource
        from deskguard.ui.weekly_chart import WeeklyChartWindow  # QtCharts loads only now

        if self._summary is None:
            source = WeekSource(
                self.store,
                self.planner.settings,
                today=lambda: self.clock.now().astimezone(self.tz).date(),
            )
            self._summary = WeeklyChartWindow(source)
        self._summary.source.settings = self.planner.settings  # the goal may have changed
        self._summary.this_week()  # read afresh from the database on every show
        self._summary.show()
        self._summary.raise_()
        self._summary.activateWindow()

    def week_report(self) -> Any:
        today = self.clock.now().astimezone(self.tz).date()
        monday = today - timedelta(days=today.weekday())
        start, end = query_range(monday)
        events = self.store.events_in_range(start, end)
        settings = self.planner.settings
        return week_report(events, monday, settings, history=self.store, today=today)

    # ---- IPC --------------------------------------------------------------------------
    def handle(self, cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        if cmd == "status":
            return self.status()
        if cmd == "break-now":
            self.break_now()
            return {"ok": True, "message": "Break prompt shown."}
        if cmd == "pause":
            return self._handle_pause(args)
        if cmd == "resume":
            if self.planner.paused_until is None:
                return {"ok": True, "message": "DeskGuard was not paused."}
            self._apply(self.planner.resume(self.clock.now()))
            return {"ok": True, "message": "Resumed.", **self.status()}
        if cmd == "quit":
            QTimer.singleShot(0, quit_app)
            return {"ok": True, "message": "DeskGuard is quitting."}
        log.warning("IPC: ignored unknown command %r", cmd)
        return {"ok": False, "error": f"unknown command {cmd!r}"}

    def _handle_pause(self, args: dict[str, Any]) -> dict[str, Any]:
        minutes = args.get("minutes")
        if args.get("until") == "tomorrow":
            until = self.pause(None)
        elif (
            isinstance(minutes, int)
            and not isinstance(minutes, bool)
            and (1 <= minutes <= MAX_PAUSE_MINUTES)
        ):
            until = self.pause(minutes)
        else:
            log.warning("IPC: ignored pause with bad arguments %r", args)
            return {
                "ok": False,
                "error": f"pause needs minutes from 1 to {MAX_PAUSE_MINUTES} or 'tomorrow'",
            }
        return {"ok": True, "message": f"Paused until {iso(until, self.tz)}.", **self.status()}

    def status(self) -> dict[str, Any]:
        now = self.clock.now()
        p = self.planner
        state = p.state(now)
        active = p.active
        return {
            "ok": True,
            "version": __version__,
            # A prompt on screen is still working time for the public `state` (DESIGN §3).
            "state": State.WORKING.value if state is State.PROMPTING else state.value,
            "prompting": state is State.PROMPTING,
            "next_break_at": iso(p.next_break_at(), self.tz),
            "paused_until": iso(p.paused_until, self.tz),
            "snoozes_left": p.snoozes_left(),
            "prompt": None
            if active is None
            else {
                "id": active.prompt.id,
                "source": active.prompt.source,
                "exercise": active.prompt.exercise_id,
                "shown_at": iso(active.shown_at, self.tz),
                "snoozed_until": iso(active.snoozed_until, self.tz),
                "break_ends_at": iso(p.break_ends_at(), self.tz),
            },
            "interval_minutes": p.settings.interval_minutes,
            "held": p.held_reason,
            "idle_backend": self.idle.name,
            "hold_detection": self.holds.name,
            "tray": "system tray" if isinstance(self.host, Tray) else "window",
            "notifier": self.last_notifier or None,
            "problems": self.notes,
            "database": str(self.store.path),
        }

    # ---- effects ------------------------------------------------------------------
    def _apply(self, effects: list[Effect], refresh: bool = True) -> None:
        for effect in effects:
            if isinstance(effect, NewPrompt):
                self._record(lambda e=effect: self.store.add_prompt(e.prompt))
                self._recent.append(effect.prompt.exercise_id or "")
                continue
            self._record(lambda e=effect: self.store.add_event(e))
            self._show(effect)
        if refresh:
            self._refresh()

    def _record(self, write: Any) -> None:
        try:
            write()
        except StoreError as err:
            # Keep the app running; the user is told once per kind of failure.
            log.error("could not record: %s", err)
            if str(err) not in self.notes:
                self.notes.append(str(err))
                self._notify("DeskGuard could not save", str(err))

    def _show(self, event: Event) -> None:
        if event.kind is EventKind.PROMPTED:
            exercise = self._current_exercise()
            what = exercise.name if exercise else "a short walk"
            self._notify(
                "Time to stand and move",
                f"Take {self.planner.settings.break_minutes} minutes on your feet: {what}.",
            )
            self._present_active()
        elif event.kind is EventKind.STARTED:
            self._present_active()
        elif event.kind is EventKind.SNOOZED or event.kind in FINAL_KINDS:
            self.window.finish()

    def _present_active(self) -> None:
        active = self.planner.active
        if active is None:
            return
        exercise = self._current_exercise()
        picture = self.library.picture_path(exercise) if exercise else None
        settings = self.planner.settings
        ends = self.planner.break_ends_at()
        if ends is not None:
            self.window.show_break(exercise, picture, ends, settings.break_minutes * 60)
            return
        if active.snoozed_until is not None:
            return
        sat: int | None = None
        if active.prompt.source != "manual":
            since = self.planner.sitting_since
            sat = max(1, round((self.clock.now() - since).total_seconds() / 60))
        self.window.show_prompt(
            exercise, picture, sat, self.planner.snoozes_left(), settings.snooze_minutes
        )

    def _notify(self, title: str, body: str) -> None:
        self.last_notifier = self.notifier.notify(title, body, timeout_s=30)

    def _refresh(self) -> None:
        now = self.clock.now()
        p = self.planner
        self.alarm.set_wake(p.wake_time())
        polling = not self._stopped and self._watching(now) and self._can_watch
        if polling and not self._poll.isActive():
            self._poll.start()
        elif not polling and self._poll.isActive():
            self._poll.stop()
        if self.host is not None:
            state = p.state(now)
            self.host.show_status(
                TrayStatus(
                    state=state,
                    now=now,
                    next_break_at=p.next_break_at(),
                    paused_until=p.paused_until,
                    can_snooze=state is State.PROMPTING and p.snoozes_left() > 0,
                    snooze_minutes=p.settings.snooze_minutes,
                    held=p.held_reason,
                    note="; ".join(self.notes[-1:]),
                )
            )

    @property
    def _can_watch(self) -> bool:
        return not isinstance(self.idle, NullIdle) or bool(self.holds.detectors)

    # ---- exercises --------------------------------------------------------------------
    def _pick(self, _now: datetime) -> str | None:
        chosen = pick_exercise(self.library.desk_friendly(), self._recent)
        return chosen.id if chosen else None

    def _current_exercise(self) -> Exercise | None:
        active = self.planner.active
        if active is None or active.prompt.exercise_id is None:
            return None
        try:
            return self.library.exercise(active.prompt.exercise_id)
        except KeyError:
            return None

    def _exercises_shown_today(self, now: datetime) -> list[str]:
        local = now.astimezone(self.tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            prompts = self.store.prompts_between(start, start + timedelta(days=1))
        except StoreError:
            return []
        return [p.exercise_id for p in prompts if p.exercise_id]


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


def quit_app() -> None:
    """Leave the event loop without asking windows to close.

    QGuiApplication.quit() first sends every window a close event and gives up if one
    refuses: the no-tray control window does (closing it only minimises it), and a
    close event on the break window means "skip". exit() just ends the loop.
    """
    QApplication.exit(0)


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

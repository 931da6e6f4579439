"""Native notifications through a fallback chain that ends in something that cannot fail.

Linux: `notify-send` first, because it passes an expiry to the notification daemon
(plyer's notify-send path does not, so its bubbles never expire, and QtDBus from
PySide6 cannot marshal Notify's `u` argument). Then plyer (Windows, macOS, Flatpak
portal), then the tray balloon the UI hands in, then the log.

`notify-send` runs as a QProcess, never waited for on the GUI thread: a slow or hung
notification daemon must not freeze the tray or a running break countdown. Its failure
is known only later, so the chain goes on to the next notifier from its `finished`.
plyer blocks (on Linux it runs notify-send and waits, 25 s when the daemon hangs), so
it runs on a worker thread of its own with the same time limit (`ThreadedNotifier`).
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QProcess, Qt, QTimer, Signal, Slot

log = logging.getLogger(__name__)


class NotifyError(Exception):
    pass


class Notifier(Protocol):
    name: str

    def notify(self, title: str, body: str, timeout_s: int) -> None:
        """Show a notification or raise NotifyError (or anything else) on failure."""
        ...


Result = Callable[["str | None"], None]  # None: shown; else why it failed


class AsyncNotifier(Protocol):
    """A notifier whose outcome is known later: `done` gets None or why it failed."""

    name: str

    def notify_async(self, title: str, body: str, timeout_s: int, done: Result) -> None: ...


AnyNotifier = Notifier | AsyncNotifier


class NotifySendNotifier:
    """`notify-send` in a QProcess; `notify_async` reports the outcome when it exits."""

    name = "notify-send"
    TIMEOUT_MS = 5000  # a daemon that has not answered by then counts as failed

    def __init__(
        self,
        icon: Path | None = None,
        command: str = "notify-send",
        parent: QObject | None = None,
    ) -> None:
        self._icon = icon
        self._command = command
        self._parent = parent
        self.running: list[QProcess] = []

    def _args(self, title: str, body: str, timeout_s: int) -> tuple[str, list[str]]:
        exe = shutil.which(self._command)
        if exe is None:
            raise NotifyError(f"{self._command} is not installed")
        args = ["--app-name=DeskGuard", f"--expire-time={timeout_s * 1000}"]
        args += ["--urgency=normal", "--category=presence"]
        # Names the app to the desktop (GNOME's and KDE's per-app notification settings).
        args.append("--hint=string:desktop-entry:io.github.deskguard.DeskGuard")
        if self._icon is not None:
            args.append(f"--icon={self._icon}")
        return exe, [*args, "--", title, body]

    def notify_async(self, title: str, body: str, timeout_s: int, done: Result) -> None:
        exe, args = self._args(title, body, timeout_s)
        process = QProcess(self._parent)
        watchdog = QTimer(process)
        watchdog.setSingleShot(True)
        self.running.append(process)
        reported = {"done": False}

        def finish(error: str | None) -> None:
            if reported["done"]:
                return
            reported["done"] = True
            watchdog.stop()
            if process in self.running:
                self.running.remove(process)
            reap()
            process.deleteLater()
            done(error)

        def expired() -> None:
            finish(f"{self._command} did not finish in {self.TIMEOUT_MS / 1000:g} s")

        def reap() -> None:  # after `finish`: a QProcess deleted while running warns
            if process.state() is not QProcess.ProcessState.NotRunning:
                process.kill()
                process.waitForFinished(1000)  # SIGKILL: at once

        process.finished.connect(
            lambda *_: None if reported["done"] else finish(self._failure(process))
        )
        process.errorOccurred.connect(
            lambda err: (
                finish(f"{self._command} failed to start: {process.errorString()}")
                if err is QProcess.ProcessError.FailedToStart and not reported["done"]
                else None
            )
        )
        watchdog.timeout.connect(expired)
        watchdog.start(self.TIMEOUT_MS)
        process.start(exe, args)

    @staticmethod
    def _failure(process: QProcess) -> str | None:
        if process.exitStatus() is QProcess.ExitStatus.NormalExit and process.exitCode() == 0:
            return None
        stderr = bytes(process.readAllStandardError().data()).decode(errors="replace").strip()
        return stderr or f"exit code {process.exitCode()}"


class PlyerNotifier:
    name = "plyer"

    def __init__(self, icon: Path | None = None) -> None:
        self._icon = icon

    def notify(self, title: str, body: str, timeout_s: int) -> None:
        from plyer import notification  # imported late: plyer probes backends on import

        notification.notify(
            title=title,
            message=body,
            app_name="DeskGuard",
            app_icon=str(self._icon) if self._icon else "",
            timeout=timeout_s,
        )


class _Relay(QObject):
    """Carries a worker thread's outcome to the GUI thread (a queued connection).

    It lives as long as its notifier: a worker that finishes late must never emit on
    an object the GUI thread has deleted meanwhile.
    """

    outcome = Signal(int, object)  # call number, None or why it failed

    def __init__(self, on_outcome: Callable[[int, str | None], None]) -> None:
        super().__init__()
        self._on_outcome = on_outcome
        self.outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(int, object)
    def _deliver(self, call: int, error: str | None) -> None:
        self._on_outcome(call, error)


class ThreadedNotifier:
    """A blocking notifier run on a worker thread, its outcome reported on the GUI thread.

    Past `TIMEOUT_MS` it counts as failed and the chain goes on; the stuck call is left
    to finish (or not) on its daemon thread, and while it is stuck the notifier refuses
    at once, so a hung daemon costs one thread, never one per notification.
    """

    TIMEOUT_MS = 5000

    def __init__(self, inner: Notifier) -> None:
        self.inner = inner
        self.name = inner.name
        self._busy = threading.Event()
        self._calls = 0
        self._waiting: dict[int, Result] = {}
        self._relay: _Relay | None = None  # made on the GUI thread, at the first call
        self._watchdog: QTimer | None = None

    def notify_async(self, title: str, body: str, timeout_s: int, done: Result) -> None:
        if self._busy.is_set():
            done(f"{self.name} is still stuck on an earlier notification")
            return
        if self._relay is None or self._watchdog is None:
            self._relay = _Relay(self._finish)
            self._watchdog = QTimer(self._relay)
            self._watchdog.setSingleShot(True)
            self._watchdog.timeout.connect(self._expired)
        self._calls += 1
        call = self._calls
        self._waiting = {call: done}  # an older call that timed out is already answered
        emit = self._relay.outcome.emit

        def work() -> None:
            error: str | None = None
            try:
                self.inner.notify(title, body, timeout_s)
            except Exception as err:  # any failure means: the chain tries the next one
                error = str(err) or type(err).__name__
            finally:
                self._busy.clear()
            emit(call, error)

        self._busy.set()
        self._watchdog.start(self.TIMEOUT_MS)
        threading.Thread(target=work, name=f"notify-{self.name}", daemon=True).start()

    def _finish(self, call: int, error: str | None) -> None:
        done = self._waiting.pop(call, None)
        if done is None:
            return  # it came after the time limit: already reported as failed
        if self._watchdog is not None:
            self._watchdog.stop()
        done(error)

    def _expired(self) -> None:
        for call in list(self._waiting):
            self._finish(call, f"{self.name} did not finish in {self.TIMEOUT_MS / 1000:g} s")


class CallbackNotifier:
    """Wraps a callable the UI provides (the tray balloon); False means it could not show."""

    def __init__(self, name: str, show: Callable[[str, str, int], bool]) -> None:
        self.name = name
        self._show = show

    def notify(self, title: str, body: str, timeout_s: int) -> None:
        if not self._show(title, body, timeout_s):
            raise NotifyError(f"{self.name} is not available")


class LogNotifier:
    """The end of the chain: it cannot fail (the prompt window is shown in any case)."""

    name = "log"

    def notify(self, title: str, body: str, timeout_s: int) -> None:
        log.info("notification: %s - %s", title, body)


class NotifierChain:
    def __init__(self, notifiers: Sequence[AnyNotifier]) -> None:
        self.notifiers = [*notifiers, LogNotifier()]

    def notify(
        self,
        title: str,
        body: str,
        timeout_s: int = 15,
        done: Callable[[str], None] | None = None,
    ) -> None:
        """Try each notifier in turn, never blocking; `done` gets the name of the one
        that worked (at once, or when an asynchronous one has finished)."""
        self._try(list(self.notifiers), title, body, timeout_s, done or (lambda _name: None))

    def _try(
        self,
        left: list[AnyNotifier],
        title: str,
        body: str,
        timeout_s: int,
        done: Callable[[str], None],
    ) -> None:
        while left:
            notifier = left.pop(0)
            name = notifier.name
            try:
                if hasattr(notifier, "notify_async"):

                    def result(error: str | None, name: str = name) -> None:
                        if error is None:
                            done(name)
                            return
                        log.warning("notifier %s failed: %s", name, error)
                        self._try(left, title, body, timeout_s, done)

                    notifier.notify_async(title, body, timeout_s, result)
                    return
                notifier.notify(title, body, timeout_s)
            except Exception as err:  # any failure means: try the next one
                log.warning("notifier %s failed: %s", name, err)
                continue
            done(name)
            return
        raise AssertionError("unreachable: LogNotifier cannot fail")


def default_chain(icon: Path | None, extra: Sequence[AnyNotifier] = ()) -> NotifierChain:
    notifiers: list[AnyNotifier] = []
    if sys.platform.startswith("linux"):
        notifiers.append(NotifySendNotifier(icon))
        # plyer runs notify-send (or dbus-python) and waits: on a worker thread here.
        notifiers.append(ThreadedNotifier(PlyerNotifier(icon)))
    else:
        # macOS's and Windows' plyer backends talk to the desktop from the calling
        # thread's run loop / window: they stay on the GUI thread.
        notifiers.append(PlyerNotifier(icon))
    notifiers.extend(extra)
    return NotifierChain(notifiers)

"""Native notifications through a fallback chain that ends in something that cannot fail.

Linux: `notify-send` first, because it passes an expiry to the notification daemon
(plyer's notify-send path does not, so its bubbles never expire, and QtDBus from
PySide6 cannot marshal Notify's `u` argument). Then plyer (Windows, macOS, Flatpak
portal), then the tray balloon the UI hands in, then the log.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class NotifyError(Exception):
    pass


class Notifier(Protocol):
    name: str

    def notify(self, title: str, body: str, timeout_s: int) -> None:
        """Show a notification or raise NotifyError (or anything else) on failure."""
        ...


class NotifySendNotifier:
    name = "notify-send"

    def __init__(self, icon: Path | None = None, command: str = "notify-send") -> None:
        self._icon = icon
        self._command = command

    def notify(self, title: str, body: str, timeout_s: int) -> None:
        exe = shutil.which(self._command)
        if exe is None:
            raise NotifyError(f"{self._command} is not installed")
        args = [exe, "--app-name=DeskGuard", f"--expire-time={timeout_s * 1000}"]
        args += ["--urgency=normal", "--category=presence"]
        if self._icon is not None:
            args.append(f"--icon={self._icon}")
        args += ["--", title, body]
        result = subprocess.run(args, capture_output=True, text=True, timeout=5, check=False)
        if result.returncode != 0:
            raise NotifyError(result.stderr.strip() or f"exit code {result.returncode}")


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
    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        self.notifiers = [*notifiers, LogNotifier()]

    def notify(self, title: str, body: str, timeout_s: int = 15) -> str:
        """Try each notifier in turn; return the name of the one that worked."""
        for notifier in self.notifiers:
            try:
                notifier.notify(title, body, timeout_s)
            except Exception as err:  # any failure means: try the next one
                log.warning("notifier %s failed: %s", notifier.name, err)
                continue
            return notifier.name
        raise AssertionError("unreachable: LogNotifier cannot fail")


def default_chain(icon: Path | None, extra: Sequence[Notifier] = ()) -> NotifierChain:
    notifiers: list[Notifier] = []
    if sys.platform.startswith("linux"):
        notifiers.append(NotifySendNotifier(icon))
    notifiers.append(PlyerNotifier(icon))
    notifiers.extend(extra)
    return NotifierChain(notifiers)

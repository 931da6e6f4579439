"""Start DeskGuard with the user's session, and stop doing so, touching only what we added.

- Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/io.github.deskguard.DeskGuard.desktop``
  (named by the app ID, as the Background portal names the one it writes; an entry an
  older DeskGuard wrote as ``deskguard.desktop`` is moved to that name).
- Inside Flatpak: the Background portal's ``RequestBackground`` (deskguard/adapters/portal.py),
  since a sandbox can neither write the host's autostart folder nor be let to.
- Windows: the per-user Run key (``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``).
- macOS: a LaunchAgent plist in ``~/Library/LaunchAgents``.

What DeskGuard writes is marked as its own (``X-DeskGuard-Managed=true`` in the desktop
entry and the plist; on Windows the command it wrote is remembered under
``HKCU\\Software\\DeskGuard``), and ``disable()`` refuses to remove anything else: a
start-up entry the user made themselves stays exactly as it is.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from deskguard.core.ports import SettingsError

APP_ID = "io.github.deskguard.DeskGuard"  # desktop file, icons, metainfo, autostart, Wayland
MARK = "X-DeskGuard-Managed"
FLATPAK_INFO = Path("/.flatpak-info")  # present in every Flatpak sandbox, nowhere else
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
MARK_KEY = r"Software\DeskGuard"
RUN_VALUE = "DeskGuard"


class AutostartError(SettingsError):
    """Autostart could not be changed; the message is a sentence for the user."""


def in_flatpak(info: Path = FLATPAK_INFO) -> bool:
    return info.exists()


def start_command(argv0: str | None = None) -> list[str]:
    """The command that starts the app, as an absolute path.

    The `deskguard` script running now when that is what started us (a menu entry or a
    pipx shim need not be on PATH at login), else the one on PATH, else this Python.
    The path is made absolute but symlinks are kept: pipx's ~/.local/bin/deskguard
    survives `pipx upgrade`, the venv path behind it may not.
    """
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is the app
        windowless = Path(sys.executable).with_name("deskguardw.exe")  # Windows, no console
        return [str(windowless if windowless.is_file() else Path(sys.executable))]
    running = Path(sys.argv[0] if argv0 is None else argv0)
    if running.name in ("deskguard", "deskguard.exe") and running.is_file():
        return [str(running.absolute())]
    script = shutil.which("deskguard")
    if script:
        return [str(Path(script).absolute())]
    return [sys.executable, "-m", "deskguard"]


# ---- the desktop entry's Exec line (Desktop Entry Specification, "The Exec key") ----

_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _exec_arg(arg: str) -> str:
    arg = arg.replace("%", "%%")  # field codes start with %
    if arg and not (_RESERVED & set(arg)):
        return arg
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{quoted}"'


def exec_line(argv: Sequence[str]) -> str:
    """argv as an Exec value, with the string-level escaping of backslashes applied too."""
    return " ".join(_exec_arg(a) for a in argv).replace("\\", "\\\\")


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (a temporary file renamed over it), mode 0644."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".deskguard-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # session managers read it; nothing secret in it
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class _Backend(Protocol):
    def enabled(self) -> bool: ...
    def enable(self) -> None: ...
    def disable(self) -> None: ...


def config_home(env: Mapping[str, str]) -> Path:
    """$XDG_CONFIG_HOME when it is an absolute path (the spec ignores others), else ~/.config."""
    config = env.get("XDG_CONFIG_HOME", "")
    if config and Path(config).is_absolute():
        return Path(config)
    return Path(env.get("HOME") or Path.home()) / ".config"


def _entry_keys(path: Path) -> dict[str, str] | None:
    """The [Desktop Entry] keys of the file at `path`, or None if there is none."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as e:
        raise AutostartError(f"{path} could not be read ({e.strerror or e}).") from e
    keys: dict[str, str] = {}
    group = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
        elif group == "Desktop Entry" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            keys.setdefault(key.strip(), value.strip())
    return keys


def _marked(entry: Mapping[str, str] | None) -> bool:
    return entry is not None and entry.get(MARK, "").lower() == "true"


def _starts(entry: Mapping[str, str] | None) -> bool:
    return entry is not None and not (
        entry.get("Hidden", "").lower() == "true"
        or entry.get("X-GNOME-Autostart-enabled", "").lower() == "false"
    )


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as e:
        raise AutostartError(f"{path} could not be removed ({e.strerror or e}).") from e


class XdgAutostart:
    """An XDG autostart desktop entry, named by the app ID."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str]) -> None:
        self.command = list(command)
        folder = config_home(env) / "autostart"
        self.path = folder / f"{APP_ID}.desktop"
        # What DeskGuard wrote before it used its app ID; moved or removed when marked.
        self.legacy = folder / "deskguard.desktop"

    def text(self) -> str:
        return "\n".join(
            [
                "[Desktop Entry]",
                "Type=Application",
                "Name=DeskGuard",
                "Comment=Reminds you to stand up and move during the working day",
                f"Exec={exec_line(self.command)}",
                f"Icon={APP_ID}",
                "Terminal=false",
                "X-GNOME-Autostart-enabled=true",
                f"{MARK}=true",
                "",
            ]
        )

    def ours(self) -> bool:
        return _marked(_entry_keys(self.path))

    def enabled(self) -> bool:
        entry = _entry_keys(self.path)
        if entry is not None:
            return _starts(entry)
        return _starts(_entry_keys(self.legacy))

    def enable(self) -> None:
        entry = _entry_keys(self.path)
        legacy = _entry_keys(self.legacy)
        if entry is not None and not _marked(entry):
            if _starts(entry):
                return  # the user's own entry already starts it; leave it be
            raise AutostartError(
                f"{self.path} was not written by DeskGuard and turns autostart off; "
                "DeskGuard left it alone. Remove or edit it yourself."
            )
        if entry is None and legacy is not None and not _marked(legacy) and _starts(legacy):
            return  # the user's own entry, under the old name, starts it
        try:
            write_atomically(self.path, self.text().encode("utf-8"))
        except OSError as e:
            raise AutostartError(f"{self.path} could not be written ({e.strerror or e}).") from e
        if _marked(legacy):
            _unlink(self.legacy)  # moved to the new name: never two entries

    def disable(self) -> None:
        """Remove what DeskGuard wrote (under either name); refuse to touch the user's own."""
        for path in (self.path, self.legacy):
            if _marked(_entry_keys(path)):
                _unlink(path)
        entry = _entry_keys(self.path)
        legacy = _entry_keys(self.legacy)
        for path, left in ((self.path, entry), (self.legacy, legacy if _starts(legacy) else None)):
            if left is not None:
                raise AutostartError(
                    f"{path} was not written by DeskGuard, so DeskGuard did not remove it. "
                    "Delete it yourself to stop DeskGuard starting with your session."
                )


class LaunchAgentAutostart:
    """A macOS LaunchAgent, loaded by launchd at the next login."""

    def __init__(self, command: Sequence[str], home: Path) -> None:
        self.command = list(command)
        self.path = home / "Library" / "LaunchAgents" / f"{APP_ID}.plist"

    def plist(self) -> dict[str, Any]:
        return {
            "Label": APP_ID,
            "ProgramArguments": self.command,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
            MARK: True,
        }

    def _read(self) -> dict[str, Any] | None:
        import plistlib  # macOS only: its XML parser costs ~1 MB in every tray session

        try:
            with self.path.open("rb") as f:
                data = plistlib.load(f)
        except FileNotFoundError:
            return None
        except (OSError, plistlib.InvalidFileException, ValueError) as e:
            raise AutostartError(f"{self.path} could not be read ({e}).") from e
        return data if isinstance(data, dict) else {}

    def ours(self) -> bool:
        data = self._read()
        return data is not None and data.get(MARK) is True

    def enabled(self) -> bool:
        data = self._read()
        return data is not None and not data.get("Disabled", False)

    def enable(self) -> None:
        if self._read() is not None and not self.ours():
            if self.enabled():
                return
            raise AutostartError(
                f"{self.path} was not written by DeskGuard and is disabled; "
                "DeskGuard left it alone."
            )
        import plistlib

        try:
            write_atomically(self.path, plistlib.dumps(self.plist()))
        except OSError as e:
            raise AutostartError(f"{self.path} could not be written ({e.strerror or e}).") from e

    def disable(self) -> None:
        if self._read() is None:
            return
        if not self.ours():
            raise AutostartError(
                f"{self.path} was not written by DeskGuard, so DeskGuard did not remove it."
            )
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class Registry(Protocol):
    """The few winreg calls used, so tests can hand in a fake."""

    HKEY_CURRENT_USER: Any
    KEY_READ: int
    KEY_SET_VALUE: int
    REG_SZ: int

    def OpenKey(self, key: Any, sub_key: str, reserved: int = 0, access: int = ...) -> Any: ...
    def CreateKey(self, key: Any, sub_key: str) -> Any: ...
    def QueryValueEx(self, key: Any, name: str) -> tuple[Any, int]: ...
    def SetValueEx(self, key: Any, name: str, reserved: int, type: int, value: Any) -> None: ...
    def DeleteValue(self, key: Any, name: str) -> None: ...
    def CloseKey(self, key: Any) -> None: ...


class RunKeyAutostart:
    """A value in the per-user Run key; what was written is remembered in MARK_KEY."""

    def __init__(self, command: Sequence[str], registry: Registry) -> None:
        self.command_line = subprocess.list2cmdline(list(command))
        self.reg = registry

    def _get(self, sub_key: str, name: str) -> str | None:
        try:
            key = self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, sub_key, 0, self.reg.KEY_READ)
        except OSError:
            return None
        try:
            value, _kind = self.reg.QueryValueEx(key, name)
        except OSError:
            return None
        finally:
            self.reg.CloseKey(key)
        return str(value)

    def _set(self, sub_key: str, name: str, value: str) -> None:
        key = self.reg.CreateKey(self.reg.HKEY_CURRENT_USER, sub_key)
        try:
            self.reg.SetValueEx(key, name, 0, self.reg.REG_SZ, value)
        finally:
            self.reg.CloseKey(key)

    def _delete(self, sub_key: str, name: str) -> None:
        try:
            key = self.reg.OpenKey(self.reg.HKEY_CURRENT_USER, sub_key, 0, self.reg.KEY_SET_VALUE)
        except OSError:
            return
        try:
            with contextlib.suppress(FileNotFoundError):
                self.reg.DeleteValue(key, name)
        finally:
            self.reg.CloseKey(key)

    def ours(self) -> bool:
        current = self._get(RUN_KEY, RUN_VALUE)
        return current is not None and current == self._get(MARK_KEY, "AutostartCommand")

    def enabled(self) -> bool:
        return self._get(RUN_KEY, RUN_VALUE) is not None

    def enable(self) -> None:
        if self.enabled() and not self.ours():
            return  # a Run value the user made: it already starts DeskGuard; leave it
        try:
            self._set(RUN_KEY, RUN_VALUE, self.command_line)
            self._set(MARK_KEY, "AutostartCommand", self.command_line)
        except OSError as e:
            raise AutostartError(f"the Run key could not be written ({e}).") from e

    def disable(self) -> None:
        if not self.enabled():
            return
        if not self.ours():
            raise AutostartError(
                f"The Run value {RUN_VALUE!r} was not written by DeskGuard, "
                "so DeskGuard did not remove it."
            )
        try:
            self._delete(RUN_KEY, RUN_VALUE)
            self._delete(MARK_KEY, "AutostartCommand")
        except OSError as e:
            raise AutostartError(f"the Run key could not be changed ({e}).") from e


class Autostart:
    """Whether DeskGuard starts with the user's session, on this platform."""

    def __init__(
        self,
        *,
        command: Sequence[str] | None = None,
        platform: str | None = None,
        env: Mapping[str, str] | None = None,
        home: Path | None = None,
        registry: Registry | None = None,
        flatpak: bool | None = None,
    ) -> None:
        command = list(command) if command is not None else start_command()
        platform = platform or sys.platform
        env = os.environ if env is None else env
        self.backend: _Backend
        if flatpak if flatpak is not None else in_flatpak():
            # QtDBus is loaded only here: outside Flatpak autostart is a plain file.
            from deskguard.adapters.portal import PortalAutostart

            self.backend = PortalAutostart(command, config_home(env) / "deskguard")
        elif platform == "win32":
            if registry is None:
                import winreg

                registry = winreg  # type: ignore[assignment]
            assert registry is not None
            self.backend = RunKeyAutostart(command, registry)
        elif platform == "darwin":
            self.backend = LaunchAgentAutostart(command, home or Path.home())
        else:
            self.backend = XdgAutostart(command, env)

    @property
    def location(self) -> str:
        where = getattr(self.backend, "location", None) or getattr(self.backend, "path", None)
        return str(where) if where is not None else f"HKEY_CURRENT_USER\\{RUN_KEY}\\{RUN_VALUE}"

    def enabled(self) -> bool:
        return self.backend.enabled()

    def enable(self) -> None:
        self.backend.enable()

    def disable(self) -> None:
        self.backend.disable()

    def set(self, on: bool) -> None:
        """enable() or disable(): what the settings window's checkbox calls."""
        if on:
            self.enable()
        else:
            self.disable()

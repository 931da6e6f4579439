"""DeskGuard in the applications menu for pip and pipx installs, and out of it again.

A wheel cannot put files under /usr/share, so nothing adds a pip or pipx install to the
menu. ``deskguard desktop-entry install`` copies the files that ship in the wheel
(deskguard/data/, all named by the app ID) into the user's XDG data folder::

    $XDG_DATA_HOME/applications/io.github.deskguard.DeskGuard.desktop      Exec: this install
    $XDG_DATA_HOME/metainfo/io.github.deskguard.DeskGuard.metainfo.xml
    $XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/io.github.deskguard.DeskGuard.png  (and scalable/)

``deskguard desktop-entry remove`` deletes them and DeskGuard's autostart entry, so that
``pipx uninstall deskguard`` afterwards leaves only the user's own record and settings.
The same table of files (`SHARE_FILES`) lays out the .deb (packaging/build_deb.py).

Standard library only: the CLI runs this without loading Qt.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import deskguard
from deskguard.adapters.autostart import (
    APP_ID,
    MARK,
    AutostartError,
    XdgAutostart,
    exec_line,
    in_flatpak,
    start_command,
    write_atomically,
)

log = logging.getLogger(__name__)

DESKTOP_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def data_dir() -> Path:
    """deskguard/data inside DeskGuard's own package (a checkout, a wheel, the bundle)."""
    return Path(deskguard.__file__).resolve().parent / "data"


def _share_files() -> tuple[tuple[str, PurePosixPath], ...]:
    files = [
        (DESKTOP_FILE, PurePosixPath("applications", DESKTOP_FILE)),
        (METAINFO_FILE, PurePosixPath("metainfo", METAINFO_FILE)),
        (f"{APP_ID}.svg", PurePosixPath("icons/hicolor/scalable/apps", f"{APP_ID}.svg")),
    ]
    files += [
        (f"{APP_ID}-{n}.png", PurePosixPath(f"icons/hicolor/{n}x{n}/apps", f"{APP_ID}.png"))
        for n in ICON_SIZES
    ]
    return tuple(files)


# (file in deskguard/data, where it goes under a share folder: ~/.local/share, /usr/share)
SHARE_FILES = _share_files()


def data_home(env: Mapping[str, str]) -> Path:
    """$XDG_DATA_HOME when absolute (the spec ignores relative ones), else ~/.local/share."""
    value = env.get("XDG_DATA_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / ".local" / "share"


def data_dirs(env: Mapping[str, str]) -> list[Path]:
    """$XDG_DATA_DIRS, where system packages put their menu entries."""
    value = env.get("XDG_DATA_DIRS", "") or "/usr/local/share:/usr/share"
    return [Path(p) for p in value.split(":") if p and Path(p).is_absolute()]


def in_menu(env: Mapping[str, str] | None = None, flatpak: bool | None = None) -> bool:
    """Whether a desktop file for DeskGuard is where menus look (or Flatpak exports one)."""
    env = os.environ if env is None else env
    if flatpak if flatpak is not None else in_flatpak():
        return True
    folders = [data_home(env), *data_dirs(env)]
    return any((folder / "applications" / DESKTOP_FILE).is_file() for folder in folders)


def desktop_text(shipped: str, command: Sequence[str]) -> str:
    """The shipped desktop file with Exec (quoted per the Desktop Entry spec) and TryExec
    naming this install, and DeskGuard's mark, so `remove` knows the file is its own.

    TryExec hides the entry if the program goes away (`pipx uninstall` before `remove`).
    """
    # TryExec is a plain string: of the Exec quoting only the backslash escape applies.
    ours = ["TryExec=" + command[0].replace("\\", "\\\\"), f"Exec={exec_line(command)}"]
    lines: list[str] = []
    for line in shipped.splitlines():
        if line.startswith("Exec="):
            lines += ours  # where the shipped file has its Exec
        elif not line.startswith(("TryExec=", f"{MARK}=")):
            lines.append(line)
    if ours[1] not in lines:
        lines[1:1] = ours  # a shipped file without Exec: right after [Desktop Entry]
    lines.append(f"{MARK}=true")
    return "\n".join(lines) + "\n"


def _marked(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.strip() == f"{MARK}=true" for line in text.splitlines())


@dataclass
class Outcome:
    """What install or remove did, in words for the terminal."""

    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class DesktopEntry:
    """The menu entry, metainfo and icons under one share folder (default: the user's)."""

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        command: Sequence[str] | None = None,
        share: Path | None = None,
        data: Path | None = None,
        run_tools: bool = True,
    ) -> None:
        self.env = os.environ if env is None else env
        self.command = list(command) if command is not None else start_command()
        self.share = share if share is not None else data_home(self.env)
        self.data = data if data is not None else data_dir()
        self.run_tools = run_tools

    def target(self, relative: PurePosixPath) -> Path:
        return self.share.joinpath(*relative.parts)

    @property
    def desktop_path(self) -> Path:
        return self.target(SHARE_FILES[0][1])

    def install(self) -> Outcome:
        """Write every file (atomically, replacing an older install's) and refresh caches."""
        done = Outcome()
        for source, relative in SHARE_FILES:
            path = self.target(relative)
            data = (self.data / source).read_bytes()
            if source == DESKTOP_FILE:
                if path.exists() and not _marked(path):
                    done.notes.append(
                        f"{path} was not written by DeskGuard; it was replaced by DeskGuard's."
                    )
                data = desktop_text(data.decode("utf-8"), self.command).encode("utf-8")
            write_atomically(path, data)
            done.written.append(path)
        self._refresh()
        return done

    def remove(self, autostart: bool = True) -> Outcome:
        """Delete what `install` wrote and, with `autostart`, DeskGuard's autostart entry.

        A desktop file DeskGuard did not write (the user's own override) stays. Folders
        stay too: ~/.local/share/applications and the icon theme are shared with others.
        """
        done = Outcome()
        for _source, relative in SHARE_FILES:
            path = self.target(relative)
            if not path.exists():
                continue
            if path == self.desktop_path and not _marked(path):
                done.notes.append(f"{path} was not written by DeskGuard, so it was left alone.")
                continue
            path.unlink()
            done.removed.append(path)
        if autostart:
            entry = XdgAutostart(self.command, self.env)
            present = [p for p in (entry.path, entry.legacy) if p.exists()]
            try:
                entry.disable()
            except AutostartError as err:
                done.notes.append(str(err))
            done.removed += [p for p in present if not p.exists()]
        self._refresh()
        return done

    def _refresh(self) -> None:
        """Tell menus and icon caches, where the tools exist; neither is required."""
        if not self.run_tools:
            return
        applications = self.desktop_path.parent
        if applications.is_dir() and shutil.which("update-desktop-database"):
            self._run(["update-desktop-database", "-q", str(applications)])
        hicolor = self.share / "icons" / "hicolor"
        if hicolor.is_dir():
            os.utime(hicolor)  # what xdg-icon-resource does: a changed theme folder is re-read
            # Like xdg-icon-resource: refresh a cache that exists, never create one (a
            # user cache that later goes stale would hide other apps' new icons).
            if (hicolor / "icon-theme.cache").exists() and shutil.which("gtk-update-icon-cache"):
                self._run(["gtk-update-icon-cache", "-q", "-t", "-f", str(hicolor)])

    @staticmethod
    def _run(argv: list[str]) -> None:
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError) as err:
            log.warning("%s failed: %s", argv[0], err)
            return
        if result.returncode != 0:
            log.warning("%s failed: %s", argv[0], result.stderr.strip())


def supported(platform: str | None = None) -> bool:
    """Desktop entries are the freedesktop way: Linux and the BSDs, not Windows or macOS."""
    platform = platform or sys.platform
    return not (platform.startswith("win") or platform == "darwin")

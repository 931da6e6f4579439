"""Where DeskGuard keeps its files: platformdirs locations, or everything under DESKGUARD_HOME."""

from __future__ import annotations

import getpass
import logging
import os
import stat
import sys
import tempfile
import warnings
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "deskguard"
HOME_ENV = "DESKGUARD_HOME"

# AF_UNIX allows 108 bytes including the NUL (104 on macOS); keep a margin.
_MAX_SOCKET_PATH = 100


def _is_windows() -> bool:
    return sys.platform == "win32"


def _user_tag() -> str:
    """The uid on POSIX, the user name on Windows: keeps per-user names apart."""
    if hasattr(os, "getuid"):
        return str(os.getuid())
    return getpass.getuser()


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    runtime_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "deskguard.db"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "deskguard.log"

    @property
    def lock_file(self) -> Path:
        return self.runtime_dir / "deskguard.lock"

    @property
    def socket_name(self) -> str:
        """Name for QLocalServer/QLocalSocket: a socket path on POSIX, a pipe name on Windows."""
        return socket_name_for(self.runtime_dir, windows=_is_windows())

    @property
    def socket_names(self) -> list[str]:
        """Every place the instance may listen, in order (see `socket_names_for`)."""
        return socket_names_for(self.runtime_dir, windows=_is_windows())


def socket_name_for(runtime_dir: Path, *, windows: bool) -> str:
    """The first place to look for the running instance (see `socket_names_for`)."""
    return socket_names_for(runtime_dir, windows=windows)[0]


def socket_names_for(runtime_dir: Path, *, windows: bool) -> list[str]:
    """Where the instance listens, in the order the CLI tries them.

    The runtime folder's socket when its path fits in sun_path. A deep runtime folder
    (a long DESKGUARD_HOME) does not fit; then never a name in the shared temporary
    folder, which another user could bind first: on Linux an abstract socket name (no
    file at all; both ends check the other's uid), then a socket in a folder of this
    user's own inside the temporary folder (created 0700, owner checked, never a link).
    The server listens on the first of them it can use safely; the CLI talks only to a
    listener of its own user.
    """
    if windows:
        return [f"{APP_NAME}-{getpass.getuser()}"]
    full = str(runtime_dir / f"{APP_NAME}.sock")
    if _fits(full):
        return [full]
    # crc32 keeps two portable homes apart; zlib: hashlib costs ~3 MB of memory.
    digest = f"{zlib.crc32(os.fsencode(str(runtime_dir))):08x}"
    names: list[str] = []
    if sys.platform.startswith("linux"):
        names.append(f"\0{APP_NAME}-{_user_tag()}-{digest}")
    private = f"{private_temp_dir_path()}/{digest}.sock"
    names.append(private if _fits(private) else f"/tmp/{APP_NAME}-{_user_tag()}/{digest}.sock")
    return names


def _fits(name: str) -> bool:
    return len(os.fsencode(name)) <= _MAX_SOCKET_PATH


def display_name(name: str) -> str:
    """A socket name for people: an abstract name is shown with a leading @."""
    return "@" + name[1:] if name.startswith("\0") else name


class PrivateDirError(PermissionError):
    """A folder DeskGuard would keep its files in is not safely its own; the message
    says why in words (str(err); strerror is None)."""


def ensure_private_dir(path: Path) -> Path:
    """Make `path` (and missing parents) a folder only this user can enter: 0700.

    Never through a link: a symbolic link at `path` is refused in words, as is a file
    or another user's folder. Folders it creates are 0700 whatever the umask. An
    existing folder open to others is tightened to 0700 through a descriptor opened
    with O_NOFOLLOW, except one the user made read-only (no write bit for the owner):
    that one is left as it is and the log says so.
    """
    if _is_windows():
        path.mkdir(parents=True, exist_ok=True)
        return path
    given, path = path, Path(os.path.abspath(path))
    missing: list[Path] = []
    probe = path
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    created: set[Path] = set()
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
            created.add(folder)
        except FileExistsError:
            pass  # made by another process meanwhile: checked like any existing folder
        except NotADirectoryError:
            raise PrivateDirError(
                f"{folder} cannot be created: {folder.parent} is a file, not a folder."
            ) from None
    for folder in sorted(created | {path}):  # outermost first
        _own_folder(folder, fresh=folder in created)
    return given


def _own_folder(path: Path, *, fresh: bool) -> None:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise PrivateDirError(
            f"{path} is a symbolic link. DeskGuard keeps its files only in a real folder "
            "and does not follow links there; replace the link with a folder, or set "
            f"{HOME_ENV} to another folder."
        )
    if not stat.S_ISDIR(info.st_mode):
        raise PrivateDirError(f"{path} is a file, not a folder; DeskGuard needs a folder there.")
    if info.st_uid != os.getuid():
        raise PrivateDirError(
            f"{path} belongs to another user (uid {info.st_uid}); DeskGuard keeps its files "
            "only in folders of its own user."
        )
    mode = stat.S_IMODE(info.st_mode)
    if not fresh and not mode & stat.S_IWUSR:
        # The user made it read-only on purpose: theirs to change, not ours (issue #18).
        log.warning(
            "%s is read-only (mode %04o): DeskGuard leaves it as you set it and cannot "
            "save there%s",
            path,
            mode,
            "; other users can read it" if mode & 0o044 else "",
        )
        return
    if not fresh and mode & 0o077 == 0:
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        if (os.fstat(fd).st_dev, os.fstat(fd).st_ino) != (info.st_dev, info.st_ino):
            raise PrivateDirError(f"{path} changed while DeskGuard was checking it.")
        os.fchmod(fd, 0o700)  # mkdir's mode went through the umask; never via a link
    finally:
        os.close(fd)


def unsafe_ancestor(path: Path) -> str | None:
    """Why a folder above `path` would let another user swap it, or None.

    Every folder above must belong to this user or to root, and one others may write
    to must be sticky (like /tmp), so nobody else can rename what is inside it.
    """
    if _is_windows():
        return None
    uid = os.getuid()
    for folder in Path(os.path.abspath(path)).parents:
        try:
            info = os.stat(folder)
        except OSError:
            continue  # not there yet: created 0700 by ensure_private_dir
        if info.st_uid not in (uid, 0):
            return f"{folder} belongs to another user (uid {info.st_uid})"
        if stat.S_IMODE(info.st_mode) & 0o022 and not info.st_mode & stat.S_ISVTX:
            return f"{folder} can be changed by other users"
    return None


def private_temp_dir_path() -> Path:
    return Path(tempfile.gettempdir()) / f"{APP_NAME}-{_user_tag()}"


def _private_temp_dir() -> Path:
    """A per-user folder in the shared temp folder, refusing one another user planted."""
    return ensure_private_dir(private_temp_dir_path())


def _runtime_dir(preferred: Path | None) -> Path:
    try:
        if preferred is None:
            with warnings.catch_warnings():
                # Without XDG_RUNTIME_DIR it warns and uses /tmp/runtime-<uid>: fine for us.
                warnings.simplefilter("ignore")
                preferred = Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False))
        problem = unsafe_ancestor(preferred)
        if problem is not None:
            log.warning("not using %s for the socket and lock: %s", preferred, problem)
            return _private_temp_dir()
        return ensure_private_dir(preferred)
    except OSError as err:
        # e.g. no /run/user/<uid> under su or in containers, a read-only home, or a
        # runtime folder that is a link (refused by ensure_private_dir).
        fallback = _private_temp_dir()
        if isinstance(err, PrivateDirError):  # the user's doing, not the system's: say so
            log.warning(
                "not using %s for the socket and lock: %s Using %s.", preferred, err, fallback
            )
        return fallback


def default_paths(env: Mapping[str, str] | None = None) -> Paths:
    """The app's folders. `env` is consulted for DESKGUARD_HOME (default: os.environ).

    platformdirs itself reads the XDG_* variables from the process environment, so tests
    isolate those with monkeypatch.setenv. Only the runtime dir is created here, because
    choosing it depends on whether it can be created; the others are made when first used.
    """
    env = os.environ if env is None else env
    home = env.get(HOME_ENV, "")
    if home:
        base = Path(home).expanduser().absolute()
        return Paths(
            config_dir=base / "config",
            data_dir=base / "data",
            log_dir=base / "log",
            runtime_dir=_runtime_dir(base / "run"),
        )
    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        runtime_dir=_runtime_dir(None),
    )

"""Where DeskGuard keeps its files: platformdirs locations, or everything under DESKGUARD_HOME."""

from __future__ import annotations

import getpass
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


def socket_name_for(runtime_dir: Path, *, windows: bool) -> str:
    if windows:
        return f"{APP_NAME}-{getpass.getuser()}"
    full = str(runtime_dir / f"{APP_NAME}.sock")
    if len(os.fsencode(full)) <= _MAX_SOCKET_PATH:
        return full
    # Deep runtime dirs (long DESKGUARD_HOME in tests) overflow sun_path; hash keeps them distinct.
    digest = f"{zlib.crc32(os.fsencode(str(runtime_dir))):08x}"  # zlib: hashlib costs ~3 MB
    return f"{tempfile.gettempdir()}/{APP_NAME}-{_user_tag()}-{digest}.sock"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) and make it readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not _is_windows():
        # mkdir's mode is filtered by umask and not applied to an existing dir.
        path.chmod(0o700)
    return path


def _private_temp_dir() -> Path:
    """A per-user dir in the shared temp folder, refusing one another user planted."""
    path = Path(tempfile.gettempdir()) / f"{APP_NAME}-{_user_tag()}"
    path.mkdir(exist_ok=True, mode=0o700)
    if not _is_windows():
        # Check before chmod: chmod would follow a planted symlink.
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise PermissionError(f"{path} is not a plain directory; refusing to use it")
        if info.st_uid != os.getuid():
            raise PermissionError(f"{path} belongs to uid {info.st_uid}; refusing to use it")
    return ensure_private_dir(path)


def _runtime_dir(preferred: Path | None) -> Path:
    try:
        if preferred is None:
            with warnings.catch_warnings():
                # Without XDG_RUNTIME_DIR it warns and uses /tmp/runtime-<uid>: fine for us.
                warnings.simplefilter("ignore")
                preferred = Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False))
        return ensure_private_dir(preferred)
    except OSError:
        # e.g. no /run/user/<uid> under su or in containers, or a read-only home.
        return _private_temp_dir()


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

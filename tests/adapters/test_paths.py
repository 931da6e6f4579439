from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

import platformdirs
import pytest

from deskguard.adapters.paths import Paths, default_paths, ensure_private_dir, socket_name_for

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and sockets")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_override_puts_everything_under_it(tmp_path: Path) -> None:
    home = tmp_path / "portable"
    p = default_paths({"DESKGUARD_HOME": str(home)})
    assert p == Paths(home / "config", home / "data", home / "log", home / "run")
    assert p.config_file == home / "config" / "settings.toml"
    assert p.database == home / "data" / "deskguard.db"
    assert p.log_file == home / "log" / "deskguard.log"
    assert p.lock_file == home / "run" / "deskguard.lock"
    assert p.runtime_dir.is_dir()


def test_home_override_read_from_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKGUARD_HOME", str(tmp_path))
    assert default_paths().data_dir == tmp_path / "data"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG layout is Linux's")
def test_xdg_variables_isolate_every_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "xdg-run"
    runtime.mkdir(mode=0o700)
    runtime.chmod(0o700)  # XDG requires it; platformdirs falls back otherwise
    monkeypatch.delenv("DESKGUARD_HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))

    p = default_paths()

    assert p.config_dir == tmp_path / "cfg" / "deskguard"
    assert p.data_dir == tmp_path / "share" / "deskguard"
    assert p.log_dir == tmp_path / "state" / "deskguard" / "log"
    assert p.runtime_dir == runtime / "deskguard"
    assert p.config_file == tmp_path / "cfg" / "deskguard" / "settings.toml"
    assert p.runtime_dir.is_dir()
    # Only the runtime dir is made eagerly; the rest appear when first used.
    assert not p.config_dir.exists()


@posix_only
def test_socket_is_in_the_runtime_dir_when_short(tmp_path: Path) -> None:
    p = Paths(tmp_path, tmp_path, tmp_path, Path("/run/user/1000/deskguard"))
    assert p.socket_name == "/run/user/1000/deskguard/deskguard.sock"


@posix_only
def test_socket_falls_back_to_temp_when_path_is_too_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    long_a = Path("/home/someone") / ("a" * 120) / "run"
    long_b = Path("/home/someone") / ("b" * 120) / "run"

    name_a = Paths(tmp_path, tmp_path, tmp_path, long_a).socket_name
    name_b = Paths(tmp_path, tmp_path, tmp_path, long_b).socket_name

    assert name_a.startswith(f"/tmp/deskguard-{os.getuid()}-")
    assert name_a.endswith(".sock")
    assert len(name_a.encode()) <= 100
    assert name_a != name_b  # two portable homes never share a socket
    assert name_a == Paths(tmp_path, tmp_path, tmp_path, long_a).socket_name  # stable


def test_socket_name_on_windows_is_a_per_user_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "alice")
    assert socket_name_for(Path("C:/whatever"), windows=True) == "deskguard-alice"


@posix_only
def test_ensure_private_dir_makes_parents_and_0700(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c"
    assert ensure_private_dir(target) == target
    assert target.is_dir()
    assert _mode(target) == 0o700


@posix_only
def test_ensure_private_dir_tightens_an_existing_dir(tmp_path: Path) -> None:
    target = tmp_path / "open"
    target.mkdir()
    target.chmod(0o755)
    ensure_private_dir(target)
    assert _mode(target) == 0o700


@posix_only
def test_runtime_dir_is_private(tmp_path: Path) -> None:
    p = default_paths({"DESKGUARD_HOME": str(tmp_path)})
    assert _mode(p.runtime_dir) == 0o700


@posix_only
def test_runtime_dir_falls_back_to_private_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A regular file where the runtime dir's parent should be: it can never be created.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(
        platformdirs, "user_runtime_dir", lambda *a, **k: str(blocker / "deskguard")
    )
    monkeypatch.delenv("DESKGUARD_HOME", raising=False)

    p = default_paths()

    assert p.runtime_dir == temp / f"deskguard-{os.getuid()}"
    assert p.runtime_dir.is_dir()
    assert _mode(p.runtime_dir) == 0o700


@posix_only
def test_runtime_fallback_refuses_a_planted_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    temp = tmp_path / "tmp"
    temp.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    elsewhere.chmod(0o755)
    (temp / f"deskguard-{os.getuid()}").symlink_to(elsewhere)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    with pytest.raises(PermissionError, match="not a plain directory"):
        default_paths({"DESKGUARD_HOME": str(blocker)})
    assert _mode(elsewhere) == 0o755  # the symlink's target was not touched

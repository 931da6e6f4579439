from __future__ import annotations

import logging
import os
import stat
import sys
import tempfile
from pathlib import Path

import platformdirs
import pytest

from deskguard.adapters.paths import (
    Paths,
    PrivateDirError,
    default_paths,
    display_name,
    ensure_private_dir,
    socket_name_for,
)

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
def test_a_too_long_runtime_path_never_puts_the_socket_in_the_shared_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    long_a = Path("/home/someone") / ("a" * 120) / "run"
    long_b = Path("/home/someone") / ("b" * 120) / "run"

    names_a = Paths(tmp_path, tmp_path, tmp_path, long_a).socket_names
    names_b = Paths(tmp_path, tmp_path, tmp_path, long_b).socket_names

    uid = os.getuid()
    private = [n for n in names_a if not n.startswith("\0")]
    # Before: /tmp/deskguard-<uid>-<crc>.sock, which another user could bind first.
    assert len(private) == 1
    assert private[0].startswith(f"/tmp/deskguard-{uid}/") and private[0].endswith(".sock")
    assert Path(private[0]).parent == Path(f"/tmp/deskguard-{uid}")
    assert all(len(os.fsencode(n)) <= 100 for n in names_a)
    if sys.platform.startswith("linux"):
        assert names_a[0].startswith(f"\0deskguard-{uid}-")  # abstract: no file at all
    assert set(names_a).isdisjoint(names_b)  # two portable homes never share a socket
    assert names_a == Paths(tmp_path, tmp_path, tmp_path, long_a).socket_names  # stable
    assert Paths(tmp_path, tmp_path, tmp_path, long_a).socket_name == names_a[0]
    assert display_name(names_a[0]).startswith("@") or not names_a[0].startswith("\0")


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

    with pytest.raises(PermissionError, match="is a symbolic link"):
        default_paths({"DESKGUARD_HOME": str(blocker)})
    assert _mode(elsewhere) == 0o755  # the symlink's target was not touched


root_only = pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to make another user's files"
)


@posix_only
def test_ensure_private_dir_creates_every_missing_folder_0700_whatever_the_umask(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)
    try:
        ensure_private_dir(tmp_path / "state" / "deskguard" / "log")
    finally:
        os.umask(old)
    # Before: only the last folder was 0700; "state" and "deskguard" were 0755.
    for folder in ("state", "state/deskguard", "state/deskguard/log"):
        assert _mode(tmp_path / folder) == 0o700, folder


@posix_only
def test_ensure_private_dir_refuses_a_symlink_and_leaves_its_target_alone(
    tmp_path: Path,
) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    target.chmod(0o755)
    link = tmp_path / "run"
    link.symlink_to(target)
    with pytest.raises(PrivateDirError, match="is a symbolic link") as err:
        ensure_private_dir(link)
    assert str(link) in str(err.value)
    assert _mode(target) == 0o755  # before: chmod followed the link (0755 -> 0700)


@posix_only
@pytest.mark.parametrize("mode", [0o500, 0o555])
def test_ensure_private_dir_leaves_a_read_only_folder_as_the_user_set_it(
    tmp_path: Path, mode: int, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(mode)
    try:
        with caplog.at_level(logging.WARNING):
            assert ensure_private_dir(folder) == folder
        assert _mode(folder) == mode  # before: made writable again (0500 -> 0700)
        assert "is read-only" in caplog.text and str(folder) in caplog.text
    finally:
        folder.chmod(0o700)


@posix_only
def test_ensure_private_dir_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("")
    with pytest.raises(PrivateDirError, match="is a file, not a folder"):
        ensure_private_dir(tmp_path / "data")
    with pytest.raises(PrivateDirError, match="is a file, not a folder"):
        ensure_private_dir(tmp_path / "data" / "below")


@posix_only
@root_only
def test_ensure_private_dir_refuses_another_users_folder(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o755)
    os.chown(folder, 65534, 65534)
    with pytest.raises(PrivateDirError, match="belongs to another user"):
        ensure_private_dir(folder)
    assert _mode(folder) == 0o755


@posix_only
def test_a_runtime_folder_below_one_others_can_change_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # world-writable and not sticky: anyone could swap our folder
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    p = default_paths({"DESKGUARD_HOME": str(shared / "home")})
    assert p.runtime_dir == temp / f"deskguard-{os.getuid()}"
    assert _mode(p.runtime_dir) == 0o700

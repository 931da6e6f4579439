"""adapters/files.py: only regular files are read; exports are written privately and whole."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path
from typing import IO

import pytest

from deskguard.adapters.files import (
    NotAFileError,
    TooLargeError,
    UnsafeTargetError,
    kind_of,
    not_a_file,
    read_regular,
    write_private,
)
from tests.hostile import make_fifo, unix_socket_at, within

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes, links, FIFOs")


def hello(handle: IO[str]) -> int:
    handle.write("a,b\r\n")
    return 1


# ---- reading ----------------------------------------------------------------------------------


def test_kinds_in_words() -> None:
    assert kind_of(stat.S_IFDIR) == "a folder"
    assert kind_of(stat.S_IFIFO) == "a named pipe (FIFO)"
    assert kind_of(stat.S_IFSOCK) == "a socket"
    assert kind_of(stat.S_IFCHR) == "a character device"
    assert kind_of(stat.S_IFBLK) == "a block device"
    assert kind_of(stat.S_IFREG) == "a regular file"


def test_not_a_file(tmp_path: Path) -> None:
    assert not_a_file(tmp_path / "missing") is None
    (tmp_path / "f").write_text("x")
    assert not_a_file(tmp_path / "f") is None
    assert not_a_file(tmp_path) == f"{tmp_path} is a folder, not a file"


@posix_only
def test_read_regular_refuses_pipes_sockets_and_devices_at_once(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "fifo")
    with pytest.raises(NotAFileError, match=r"is a named pipe \(FIFO\), not a file"):
        within(10, lambda: read_regular(fifo, 100), (fifo,))
    with unix_socket_at(tmp_path / "sock") as sock, pytest.raises(NotAFileError, match="socket"):
        read_regular(sock, 100)
    with pytest.raises(NotAFileError, match="character device"):
        within(10, lambda: read_regular(Path("/dev/zero"), 100))


def test_read_regular_has_a_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 2048)
    assert read_regular(path, 2048) == b"x" * 2048
    with pytest.raises(TooLargeError, match=f"{path} is larger than 2046 bytes"):
        read_regular(path, 2046)  # not a round size
    with pytest.raises(TooLargeError, match="larger than 1 KB"):
        read_regular(path, 1024)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing", 10)


# ---- writing ----------------------------------------------------------------------------------


@posix_only
def test_write_private_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    old = os.umask(0)
    try:
        assert write_private(target, hello) == 1
    finally:
        os.umask(old)
    assert target.read_bytes() == b"a,b\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_failing_writer_leaves_nothing(tmp_path: Path) -> None:
    def broken(handle: IO[str]) -> int:
        handle.write("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_private(tmp_path / "out.csv", broken)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "keep.csv").write_text("mine")
    with pytest.raises(RuntimeError):
        write_private(tmp_path / "keep.csv", broken, force=True)
    assert (tmp_path / "keep.csv").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"

    def racing(handle: IO[str]) -> int:
        target.write_text("someone else's")
        return hello(handle)

    with pytest.raises(UnsafeTargetError, match="already exists"):
        write_private(target, racing)
    assert target.read_text() == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_without_hard_links_it_still_places_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "out.csv"
    write_private(target, hello)
    assert target.read_bytes() == b"a,b\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_existing_folder_is_not_a_target(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(UnsafeTargetError, match="is a folder, not a file"):
        write_private(tmp_path / "dir.csv", hello, force=True)


def test_a_missing_folder_is_an_os_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(OSError) as info:
        write_private(tmp_path / "no" / "out.csv", hello)
    assert "out.csv" in str(info.value) or info.value.errno == errno.ENOENT


def test_protected_files_and_folders(tmp_path: Path) -> None:
    own = tmp_path / "data" / "deskguard.db"
    own.parent.mkdir()
    own.write_bytes(b"record")
    files, dirs = [own], [own.parent]
    with pytest.raises(UnsafeTargetError, match="DeskGuard's own file"):
        write_private(own, hello, force=True, protected_files=files, protected_dirs=dirs)
    with pytest.raises(UnsafeTargetError, match="inside DeskGuard's folder"):
        write_private(own.parent / "sub" / "x.csv", hello, protected_dirs=dirs)
    assert own.read_bytes() == b"record"
    write_private(tmp_path / "fine.csv", hello, protected_files=files, protected_dirs=dirs)

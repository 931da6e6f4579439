"""Files DeskGuard reads and writes for the user: only regular files, never through a link.

* `not_a_file` / `read_regular`: the database and the settings are opened only when they
  are regular files. A named pipe at their path would block the first `open` for good,
  a folder gives "disk I/O error", a device reads forever: each is refused at once, in words.
* `write_private`: what `deskguard export` writes. Never onto DeskGuard's own files or
  into their folders (compared by resolved path and by device and inode, so a hard link
  or a second path to the same place is caught), never over an existing file unless
  asked, never through a symbolic link; written 0600 to a temporary file in the same
  folder and renamed into place, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISLNK, "a symbolic link"),
)


class NotAFileError(OSError):
    """The path exists but is no regular file; the message says what it is, in words."""


class TooLargeError(OSError):
    """The file is larger than the reader allows; the message says so."""


class UnsafeTargetError(OSError):
    """`write_private` refused the target; the message says why and what to do."""


def kind_of(mode: int) -> str:
    """What a file of `mode` is, in words: "a folder", "a named pipe (FIFO)", ..."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def not_a_file(path: Path) -> str | None:
    """Why `path` (links followed) cannot be opened as a file; None when it is a regular
    file or does not exist (yet)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"{path} cannot be examined ({e.strerror or e})"
    if stat.S_ISREG(info.st_mode):
        return None
    return f"{path} is {kind_of(info.st_mode)}, not a file"


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`: NotAFileError for anything else, checked
    before a byte is read and without blocking on a pipe; TooLargeError above `limit`."""
    problem = not_a_file(path)
    if problem is not None:
        raise NotAFileError(errno.EINVAL, problem)
    # O_NONBLOCK: if a pipe replaced the file since the check, open returns at once.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFileError(errno.EINVAL, f"{path} is {kind_of(info.st_mode)}, not a file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLargeError(errno.EFBIG, f"{path} is larger than {_size_text(limit)}")
    return data


def _size_text(size: int) -> str:
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20} MB"
    if size >= 1 << 10 and size % (1 << 10) == 0:
        return f"{size >> 10} KB"
    return f"{size} bytes"


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _check_target(
    path: Path, protected_files: Iterable[Path], protected_dirs: Iterable[Path], force: bool
) -> None:
    """UnsafeTargetError when writing `path` could hurt something; see `write_private`."""
    try:
        info: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise UnsafeTargetError(e.errno, f"cannot write {path}: {e.strerror or e}") from e
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise UnsafeTargetError(
            errno.ELOOP,
            f"{path} is a symbolic link (to {os.readlink(path)}); DeskGuard does not write "
            "through links. Give the path of a new file.",
        )
    parent = path.parent
    parent_info = _stat_or_none(parent)
    real_parent = _resolve(parent)
    resolved = real_parent / path.name
    for own in protected_files:
        own_info = _stat_or_none(own)
        if resolved == _resolve(own) or (
            info is not None and own_info is not None and _same_file(info, own_info)
        ):
            raise UnsafeTargetError(
                errno.EEXIST,
                f"{path} is DeskGuard's own file {own}; writing there would destroy it. "
                "Choose another path.",
            )
    for folder in protected_dirs:
        folder_info = _stat_or_none(folder)
        real_folder = _resolve(folder)
        if resolved == real_folder or (
            info is not None and folder_info is not None and _same_file(info, folder_info)
        ):
            raise UnsafeTargetError(
                errno.EISDIR, f"{path} is DeskGuard's folder {folder}; choose a file elsewhere."
            )
        inside = real_folder == real_parent or real_folder in real_parent.parents
        if not inside and parent_info is not None and folder_info is not None:
            inside = _same_file(parent_info, folder_info)  # e.g. a bind mount of it
        if inside:
            raise UnsafeTargetError(
                errno.EEXIST,
                f"{path} is inside DeskGuard's folder {folder}, next to your record and "
                "settings; choose a path elsewhere.",
            )
    if info is None:
        return
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeTargetError(
            errno.EEXIST, f"{path} is {kind_of(info.st_mode)}, not a file; nothing was written."
        )
    if not force:
        raise UnsafeTargetError(
            errno.EEXIST,
            f"{path} already exists and was left as it is; add --force to replace it.",
        )


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of links: compare what was given
        return path.absolute()


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def write_private(
    path: Path,
    write: Callable[[IO[str]], T],
    *,
    force: bool = False,
    protected_files: Iterable[Path] = (),
    protected_dirs: Iterable[Path] = (),
) -> T:
    """Call `write` with a text handle (UTF-8, newline="") and put what it wrote at `path`,
    mode 0600; returns what `write` returned.

    Refused with UnsafeTargetError, before anything is written: `path` is one of
    `protected_files` (or the same file under another name), one of `protected_dirs` or
    inside one, a symbolic link, an existing non-file, or an existing file and `force`
    is false. OSError when the folder cannot be written; any exception of `write`
    passes through. Either way nothing is left behind.
    """
    protected_files, protected_dirs = list(protected_files), list(protected_dirs)
    _check_target(path, protected_files, protected_dirs, force)
    # mkstemp: O_EXCL and mode 0600, in the target's folder so the rename stays on one disk.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        _check_target(path, protected_files, protected_dirs, force)  # it may have appeared
        if force:
            os.replace(tmp, path)  # a rename replaces the name; it never follows a link
        else:
            _place_new(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return result


def _place_new(tmp: Path, path: Path) -> None:
    """Rename `tmp` to `path` only if `path` does not exist, atomically where links work."""
    try:
        os.link(tmp, path)  # fails with EEXIST rather than replace a file made meanwhile
    except FileExistsError:
        raise UnsafeTargetError(
            errno.EEXIST, f"{path} already exists and was left as it is; add --force to replace it."
        ) from None
    except OSError:
        # No hard links here (FAT, some network folders): checked a moment ago, so rename.
        os.rename(tmp, path)
        return
    tmp.unlink()

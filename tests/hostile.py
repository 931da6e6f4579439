"""Odd files at the paths DeskGuard opens, for the tests that check it refuses them."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets and devices")


def make_fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


@contextlib.contextmanager
def unix_socket_at(path: Path) -> Iterator[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        yield path
    finally:
        sock.close()


def within(seconds: float, action: Callable[[], T], fifos: tuple[Path, ...] = ()) -> T:
    """`action()`'s result, failing the test if it takes longer than `seconds`.

    A call blocked opening one of `fifos` is released (a writer opens it) so the test run
    itself does not hang.
    """
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["result"] = action()
        except BaseException as err:  # handed to the test's thread
            box["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in fifos:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"blocked for more than {seconds} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]

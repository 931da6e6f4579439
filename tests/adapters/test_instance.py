from __future__ import annotations

import json
import os
import socket
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from deskguard.adapters.instance import (
    MAX_MESSAGE,
    CommandServer,
    InstanceLock,
    NotRunning,
    ProtocolError,
    parse_request,
    send_command,
)


def in_thread(fn: Any) -> dict[str, Any]:
    """Run a blocking client call off the GUI thread so the server can answer."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except Exception as err:
            box["error"] = err

    thread = threading.Thread(target=target)
    thread.start()
    box["thread"] = thread
    return box


@pytest.fixture
def socket_name(tmp_path: Path) -> str:
    return str(tmp_path / "dg.sock")


def test_round_trip(qtbot: QtBot, socket_name: str) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def handler(cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        seen.append((cmd, args))
        return {"ok": True, "echo": cmd}

    server = CommandServer(socket_name, handler)
    server.listen()
    box = in_thread(lambda: send_command(socket_name, "pause", {"minutes": 30}))
    qtbot.waitUntil(lambda: not box["thread"].is_alive(), timeout=5000)
    assert box["value"] == {"ok": True, "echo": "pause"}
    assert seen == [("pause", {"minutes": 30})]
    server.close()


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b"hello\n", "not JSON"),
        (b"[1, 2]\n", "not a JSON object"),
        (b'{"args": {}}\n', "missing 'cmd'"),
        (b'{"cmd": "status", "args": 3}\n', "'args' is not an object"),
        (b"\xff\xfe\n", "not JSON"),
    ],
)
def test_malformed_messages_are_answered_and_ignored(
    qtbot: QtBot, socket_name: str, raw: bytes, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []
    server = CommandServer(socket_name, lambda cmd, args: calls.append(cmd) or {"ok": True})
    server.listen()

    def raw_client() -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(socket_name)
            s.sendall(raw)
            return json.loads(s.makefile("rb").readline())

    box = in_thread(raw_client)
    qtbot.waitUntil(lambda: not box["thread"].is_alive(), timeout=5000)
    assert box["value"]["ok"] is False and problem in box["value"]["error"]
    assert calls == []
    assert "malformed" in caplog.text
    # The server still works afterwards.
    box = in_thread(lambda: send_command(socket_name, "status"))
    qtbot.waitUntil(lambda: not box["thread"].is_alive(), timeout=5000)
    assert calls == ["status"]
    server.close()


def test_a_crashing_handler_does_not_kill_the_server(qtbot: QtBot, socket_name: str) -> None:
    def handler(cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("boom")

    server = CommandServer(socket_name, handler)
    server.listen()
    box = in_thread(lambda: send_command(socket_name, "status"))
    qtbot.waitUntil(lambda: not box["thread"].is_alive(), timeout=5000)
    assert box["value"]["ok"] is False and "internal error" in box["value"]["error"]
    server.close()


def test_stale_socket_file_is_replaced(qtbot: QtBot, socket_name: str) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(socket_name)  # left behind by a crashed instance: bound, nobody listening
    stale.close()
    assert Path(socket_name).exists()
    server = CommandServer(socket_name, lambda cmd, args: {"ok": True})
    server.listen()
    box = in_thread(lambda: send_command(socket_name, "status"))
    qtbot.waitUntil(lambda: not box["thread"].is_alive(), timeout=5000)
    assert box["value"] == {"ok": True}
    server.close()


def test_nobody_listening_raises_not_running(socket_name: str) -> None:
    with pytest.raises(NotRunning):
        send_command(socket_name, "status", timeout_ms=500)


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = InstanceLock(tmp_path / "x.lock"), InstanceLock(tmp_path / "x.lock")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_lock_left_by_a_dead_process_is_recovered(tmp_path: Path) -> None:
    # QLockFile's format: pid, app name, host name. PID 2**22+1 does not exist.
    lock_path = tmp_path / "x.lock"
    lock_path.write_text(f"{2**22 + 1}\ndeskguard\n{socket.gethostname()}\n")
    lock = InstanceLock(lock_path)
    assert lock.acquire()
    lock.release()


def test_parse_request_accepts_missing_args() -> None:
    assert parse_request(b'{"cmd": "status"}') == ("status", {})
    with pytest.raises(ProtocolError):
        parse_request(b'{"cmd": ""}')


@pytest.mark.skipif(os.name != "posix", reason="a Unix socket on POSIX only")
def test_socket_is_private_and_removed_on_close(socket_name: str) -> None:
    server = CommandServer(socket_name, lambda cmd, args: {"ok": True})
    server.listen()
    assert stat.S_IMODE(os.stat(socket_name).st_mode) == 0o600
    server.close()
    assert not Path(socket_name).exists()


def test_an_over_long_message_is_refused(qtbot: QtBot, socket_name: str) -> None:
    calls: list[str] = []
    server = CommandServer(socket_name, lambda cmd, args: calls.append(cmd) or {"ok": True})
    server.listen()

    def flood() -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(socket_name)
            s.sendall(b"x" * (MAX_MESSAGE + 10))
            return json.loads(s.makefile("rb").readline())

    box = in_thread(flood)
    qtbot.waitUntil(lambda: not box["thread"].is_alive(), timeout=5000)
    assert box["value"] == {"ok": False, "error": "message too long"}
    assert calls == []
    server.close()

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from deskguard.adapters.instance import (
    IDLE_TIMEOUT_S,
    MAX_CONNECTIONS,
    MAX_MESSAGE,
    CommandServer,
    InstanceLock,
    NoAnswer,
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


# ---- issue #18: nothing can wedge the socket, and no one else is served ---------------

REPO = Path(__file__).resolve().parents[2]
is_root = hasattr(os, "getuid") and os.getuid() == 0
root_only = pytest.mark.skipif(not is_root, reason="needs root to run a process as another user")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_PEERCRED")


def wait_thread(qtbot: QtBot, box: dict[str, Any], timeout: int = 10_000) -> Any:
    qtbot.waitUntil(lambda: not box["thread"].is_alive(), timeout=timeout)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def raw_exchange(name: str, data: bytes, timeout: float = 10) -> bytes:
    """Send `data` as it is and read until the server hangs up."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(name)
        with contextlib.suppress(OSError):  # the server may hang up on a flood
            s.sendall(data)
        received = b""
        with contextlib.suppress(OSError):
            while chunk := s.recv(65536):
                received += chunk
        return received


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b"[" * 60_000 + b"\n", "nested deeper than"),
        (b'{"cmd": "pause", "args": {"minutes": ' + b"9" * 5000 + b"}}\n", "5000 digits"),
        (b'{"cmd": "pause", "args": {"minutes": ' + b"9" * 30 + b"}}\n", "30 digits"),
        (b'{"cmd": "status", "args": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}\n", "deeper"),
    ],
)
def test_deep_json_and_huge_numbers_get_a_clear_reply_not_a_traceback(
    qtbot: QtBot, socket_name: str, raw: bytes, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Before: RecursionError / ValueError (Python's int-string limit) escaped the slot:
    # no reply, and a traceback.
    calls: list[str] = []
    server = CommandServer(socket_name, lambda cmd, args: calls.append(cmd) or {"ok": True})
    server.listen()
    box = in_thread(lambda: raw_exchange(socket_name, raw))
    reply = json.loads(wait_thread(qtbot, box).split(b"\n")[0])
    assert reply["ok"] is False and problem in reply["error"], reply
    assert calls == []
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
    server.close()


def test_parse_request_limits_do_not_mind_brackets_inside_strings() -> None:
    text = '{"cmd": "x", "args": {"s": "' + "[{" * 100 + '\\"]"}}'
    assert parse_request(text.encode()) == ("x", {"s": "[{" * 100 + '"]'})


def test_a_connection_that_sends_nothing_is_closed(qtbot: QtBot, socket_name: str) -> None:
    server = CommandServer(socket_name, lambda cmd, args: {"ok": True})
    server.listen()
    started = time.monotonic()
    # Nothing, and half a request (a slow client gets no longer than a silent one).
    boxes = [in_thread(lambda d=d: raw_exchange(socket_name, d)) for d in (b"", b'{"cmd": "st')]
    replies = [wait_thread(qtbot, box, timeout=int((IDLE_TIMEOUT_S + 5) * 1000)) for box in boxes]
    waited = time.monotonic() - started
    assert IDLE_TIMEOUT_S - 0.5 <= waited <= IDLE_TIMEOUT_S + 2, waited
    for reply in replies:
        assert json.loads(reply) == {"ok": False, "error": "no request in time"}
    assert server.open_connections == 0
    assert server.counts["timed_out"] == 2
    server.close()


def test_open_connections_are_capped_and_a_client_is_still_served(
    qtbot: QtBot, socket_name: str
) -> None:
    server = CommandServer(socket_name, lambda cmd, args: {"ok": True, "cmd": cmd})
    server.listen()
    idle: list[socket.socket] = []
    most = {"open": 0}

    def flood() -> None:
        for _ in range(300):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            while True:
                try:
                    s.connect(socket_name)
                    break
                except BlockingIOError:  # the backlog is full for a moment
                    time.sleep(0.001)
            idle.append(s)

    try:
        box = in_thread(flood)
        while box["thread"].is_alive():
            qtbot.wait(5)  # the server runs on this thread's event loop
            most["open"] = max(most["open"], server.open_connections)
        wait_thread(qtbot, box)
        started = time.monotonic()
        asked = in_thread(lambda: send_command(socket_name, "status"))
        assert wait_thread(qtbot, asked) == {"ok": True, "cmd": "status"}
        assert time.monotonic() - started < 1.0
        # Before: every one stayed open for good (1,015 of them wedged the app).
        assert most["open"] <= MAX_CONNECTIONS
        assert server.counts["evicted"] >= 300 - MAX_CONNECTIONS
    finally:
        for s in idle:
            s.close()
        server.close()


def test_a_busy_backlog_makes_clients_wait_not_fail(qtbot: QtBot, socket_name: str) -> None:
    """80 clients at once at a server that takes 20 ms per command: every one answered.

    Before: a backlog of 8 and a non-blocking connect, so a full backlog failed at once
    with EAGAIN and the CLI said "not running"."""

    def slow(cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        time.sleep(0.02)
        return {"ok": True}

    server = CommandServer(socket_name, slow)
    server.listen()
    boxes = [
        in_thread(lambda: send_command(socket_name, "status", timeout_ms=10_000)) for _ in range(80)
    ]
    results = [wait_thread(qtbot, box, timeout=20_000) for box in boxes]
    assert results == [{"ok": True}] * 80
    server.close()


def test_a_50_mb_message_is_cut_and_others_are_served_meanwhile(
    qtbot: QtBot, socket_name: str
) -> None:
    server = CommandServer(socket_name, lambda cmd, args: {"ok": True})
    server.listen()
    flood = in_thread(lambda: raw_exchange(socket_name, b"x" * 50_000_000, timeout=30))
    qtbot.wait(50)
    started = time.monotonic()
    asked = in_thread(lambda: send_command(socket_name, "status"))
    assert wait_thread(qtbot, asked) == {"ok": True}
    assert time.monotonic() - started < 1.0
    reply = wait_thread(qtbot, flood, timeout=30_000)
    assert reply == b"" or json.loads(reply) == {"ok": False, "error": "message too long"}
    assert server.counts["too_long"] == 1
    server.close()


def test_a_reply_over_the_limit_becomes_a_short_error(qtbot: QtBot, socket_name: str) -> None:
    # Before: the CLI read 64 KB of it, found no line end and said "not running".
    server = CommandServer(socket_name, lambda cmd, args: {"ok": True, "blob": "x" * 100_000})
    server.listen()
    box = in_thread(lambda: send_command(socket_name, "status"))
    reply = wait_thread(qtbot, box)
    assert reply["ok"] is False and "too long" in reply["error"]
    server.close()


@pytest.mark.skipif(os.name != "posix", reason="a Unix socket on POSIX only")
def test_the_socket_folder_must_be_private(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    server = CommandServer(str(shared / "dg.sock"), lambda cmd, args: {"ok": True})
    with pytest.raises(OSError, match="is open to other users"):
        server.listen()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # checked, never changed
    assert not (shared / "dg.sock").exists()


@pytest.mark.skipif(os.name != "posix", reason="a Unix socket on POSIX only")
def test_a_link_planted_at_the_socket_path_is_replaced_and_its_target_kept(
    qtbot: QtBot, socket_name: str, tmp_path: Path
) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    os.symlink(target, socket_name)
    server = CommandServer(socket_name, lambda cmd, args: {"ok": True})
    server.listen()
    assert stat.S_ISSOCK(os.lstat(socket_name).st_mode)
    assert target.read_text() == "keep me"
    assert wait_thread(qtbot, in_thread(lambda: send_command(socket_name, "status"))) == {
        "ok": True
    }
    server.close()


@pytest.mark.skipif(os.name != "posix", reason="a Unix socket on POSIX only")
def test_a_file_in_the_way_of_the_socket_is_left_alone(socket_name: str) -> None:
    Path(socket_name).write_text("not ours to delete")
    server = CommandServer(socket_name, lambda cmd, args: {"ok": True})
    with pytest.raises(OSError, match="is in the way and is not a socket"):
        server.listen()
    assert Path(socket_name).read_text() == "not ours to delete"


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_the_lock_file_is_0600_in_a_0700_folder(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        lock = InstanceLock(tmp_path / "run" / "deskguard.lock")
        assert lock.acquire()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "run").stat().st_mode) == 0o700
    # Before: 0644, in a folder made with the umask's mode.
    assert stat.S_IMODE((tmp_path / "run" / "deskguard.lock").stat().st_mode) == 0o600
    lock.release()


def start_server_process(*argv: str, user: int | None = None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.adapters.instance_server", *argv],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        user=user,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ready "):
        proc.kill()
        raise AssertionError(f"server did not start: {line!r} {proc.communicate()[1]}")
    return proc, line.split(" ", 1)[1].strip()


def stop_server_process(proc: subprocess.Popen[str]) -> tuple[dict[str, int], str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    return json.loads(out.strip().splitlines()[-1]), err


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@linux_only
def test_out_of_file_descriptors_no_busy_loop_few_log_lines_and_it_recovers(
    tmp_path: Path,
) -> None:
    """accept() failing with EMFILE: the listener pauses instead of spinning, the log gets
    one line a minute with a count, and once the idle clients are gone it serves again.
    Before: 6,296 "accept failed" lines in seconds, a busy loop, wedged for good."""
    name = str(tmp_path / "dg.sock")
    proc, _ = start_server_process(name, "--spare-fds", "6")
    clients: list[socket.socket] = []
    try:
        for _ in range(60):  # 6 accepted, then EMFILE; the rest wait in the backlog
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(name)
            except BlockingIOError:
                s.close()
                break
            clients.append(s)
        before = cpu_seconds(proc.pid)
        time.sleep(3.0)
        busy = cpu_seconds(proc.pid) - before
        assert busy < 0.5, f"{busy:.2f} CPU-s in 3 s: a busy loop"
        for s in clients:
            s.close()
        clients.clear()
        assert send_command(name, "status", timeout_ms=10_000) == {"ok": True, "cmd": "status"}
    finally:
        for s in clients:
            s.close()
        counts, err = stop_server_process(proc)
    assert counts["accept_failed"] >= 1
    lines = [line for line in err.splitlines() if "accept failed" in line]
    assert 1 <= len(lines) <= 2, err[-2000:]


FOREIGN_LISTENER = """
import json, select, signal, socket, sys
got = []
def stop(*_):
    print(json.dumps(got), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1].replace("@", "\\0", 1))
s.listen(8)
print("ready", flush=True)
while True:
    if select.select([s], [], [], 0.1)[0]:
        c, _ = s.accept()
        c.settimeout(1)
        try:
            got.append(c.recv(65536).decode(errors="replace"))
        except OSError:
            got.append("")
        c.close()
"""

FOREIGN_CLIENT = """
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1].replace("@", "\\0", 1))
try:
    s.sendall(b'{"cmd": "quit"}\\n')
    print(repr(s.recv(100)))
except OSError:  # hung up on at once
    print("b''")
"""


def foreign_python() -> str:
    """An interpreter user 65534 may run (the venv's may sit in root's home)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate):
            done = subprocess.run([candidate, "-c", "pass"], user=65534, check=False)
            if done.returncode == 0:
                return candidate
    pytest.skip("no Python that user 65534 can run")


@root_only
@linux_only
def test_a_connection_from_another_user_is_dropped_unanswered(qtbot: QtBot) -> None:
    shown = f"@deskguard-test-{os.getpid()}-peer"
    name = "\0" + shown[1:]
    calls: list[str] = []
    server = CommandServer(name, lambda cmd, args: calls.append(cmd) or {"ok": True})
    server.listen()
    proc = subprocess.Popen(
        [foreign_python(), "-c", FOREIGN_CLIENT, shown],
        user=65534,
        stdout=subprocess.PIPE,
        text=True,
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10_000)
    out, _ = proc.communicate()
    assert out.strip() == "b''"
    assert calls == []  # before: no check at all on an abstract name
    assert server.counts["refused_peer"] == 1
    # Our own user is still served.
    assert wait_thread(qtbot, in_thread(lambda: send_command(name, "status"))) == {"ok": True}
    server.close()


@root_only
@linux_only
def test_the_cli_sends_nothing_to_another_users_listener_and_the_app_moves_on(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Another user binds the first fallback name (abstract) before DeskGuard starts:
    the CLI refuses to talk to it, and the server listens on the next name instead.
    Before: the fallback was a fixed file in /tmp, and the CLI told its commands (and
    the user's status requests) to whoever held it."""
    taken = f"@deskguard-test-{os.getpid()}-taken"
    theirs = subprocess.Popen(
        [foreign_python(), "-c", FOREIGN_LISTENER, taken],
        user=65534,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert theirs.stdout is not None and theirs.stdout.readline().strip() == "ready"
    abstract = "\0" + taken[1:]
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    ours = str(private / "dg.sock")
    try:
        with pytest.raises(NoAnswer, match="user 65534"):
            send_command([abstract], "status", timeout_ms=2000)
        server = CommandServer([abstract, ours], lambda cmd, args: {"ok": True, "by": "us"})
        server.listen()
        assert server.name == ours
        box = in_thread(lambda: send_command([abstract, ours], "status"))
        assert wait_thread(qtbot, box) == {"ok": True, "by": "us"}
        server.close()
    finally:
        theirs.send_signal(signal.SIGTERM)
        out, _ = theirs.communicate(timeout=10)
    received = json.loads(out.strip().splitlines()[-1])
    assert received and set(received) == {""}  # connected twice, sent not a byte

"""One running instance per user, and a local-socket command channel to it.

A QLockFile decides who is the instance (it recovers locks left by a crashed
process by checking the PID). Whoever holds the lock removes any socket file
left behind and listens. Messages are one JSON object per line each way:
{"cmd": "status", "args": {}} -> {"ok": true, ...}.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QByteArray, QLockFile, QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
Handler = Callable[[str, dict[str, Any]], dict[str, Any]]


class InstanceLock:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(path))
        self._lock.setStaleLockTime(0)  # only a dead owner makes it stale, never age

    def acquire(self) -> bool:
        return bool(self._lock.tryLock(200))

    def release(self) -> None:
        self._lock.unlock()


class ProtocolError(ValueError):
    pass


def parse_request(raw: bytes) -> tuple[str, dict[str, Any]]:
    """Decode one request line; ProtocolError says what is wrong with it."""
    try:
        message = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ProtocolError(f"not JSON: {err}") from None
    if not isinstance(message, dict):
        raise ProtocolError("not a JSON object")
    cmd = message.get("cmd")
    args = message.get("args", {})
    if not isinstance(cmd, str) or not cmd:
        raise ProtocolError("missing 'cmd' string")
    if not isinstance(args, dict):
        raise ProtocolError("'args' is not an object")
    return cmd, args


class CommandServer(QObject):
    def __init__(self, name: str, handler: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._handler = handler
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> None:
        """Call only while holding the InstanceLock: any existing socket is stale then."""
        QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            raise OSError(f"cannot listen on {self.name}: {self._server.errorString()}")

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._forget(s))
            if sock.bytesAvailable():  # data that came with the connection: no readyRead for it
                self._read(sock)

    def _forget(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        if shiboken6.isValid(sock):  # it may already be gone when the server closes
            sock.deleteLater()

    def _read(self, sock: QLocalSocket) -> None:
        if sock not in self._buffers:
            return
        data = self._buffers[sock] + bytes(sock.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                log.warning("IPC: ignored a message over %d bytes", MAX_MESSAGE)
                self._reply(sock, {"ok": False, "error": "message too long"})
            else:
                self._buffers[sock] = data
            return
        line = data.split(b"\n", 1)[0]
        try:
            cmd, args = parse_request(line)
        except ProtocolError as err:
            log.warning("IPC: ignored a malformed message (%s): %r", err, line[:200])
            self._reply(sock, {"ok": False, "error": f"malformed message: {err}"})
            return
        try:
            reply = self._handler(cmd, args)
        except Exception:  # a bug in one command must not take the app down
            log.exception("IPC: command %r failed", cmd)
            reply = {"ok": False, "error": f"internal error running {cmd!r}; see the log"}
        self._reply(sock, reply)

    def _reply(self, sock: QLocalSocket, reply: dict[str, Any]) -> None:
        # One request per connection. The client hangs up after reading the reply;
        # disconnecting here could drop the reply before it is written.
        self._buffers.pop(sock, None)
        sock.write(QByteArray(json.dumps(reply).encode("utf-8") + b"\n"))
        sock.flush()


class NotRunning(Exception):
    pass


def send_command(
    name: str, cmd: str, args: dict[str, Any] | None = None, timeout_ms: int = 5000
) -> dict[str, Any]:
    """Ask the running instance; NotRunning when nobody listens or answers."""
    payload = json.dumps({"cmd": cmd, "args": args or {}}).encode("utf-8") + b"\n"
    if os.name == "posix":
        data = _ask_unix(name, payload, timeout_ms / 1000)
    else:
        data = _ask_qt(name, payload, timeout_ms)
    if not data:
        raise NotRunning("the running DeskGuard did not answer")
    try:
        reply = json.loads(data.split(b"\n", 1)[0].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        reply = None
    if not isinstance(reply, dict):
        raise NotRunning("the running DeskGuard sent something unexpected")
    return reply


def _ask_unix(path: str, payload: bytes, timeout_s: float) -> bytes:
    # QLocalServer is a plain Unix socket here: the CLI needs no Qt to talk to it.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect(path)
            sock.sendall(payload)
            data = b""
            while b"\n" not in data and len(data) <= MAX_MESSAGE:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError as err:  # refused, missing, timed out
            raise NotRunning(str(err)) from None
    return data


def _ask_qt(name: str, payload: bytes, timeout_ms: int) -> bytes:
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(timeout_ms):
        raise NotRunning(sock.errorString())
    sock.write(QByteArray(payload))
    sock.waitForBytesWritten(timeout_ms)
    data = b""
    while b"\n" not in data and sock.waitForReadyRead(timeout_ms):
        data += bytes(sock.readAll().data())
    sock.disconnectFromServer()
    return data

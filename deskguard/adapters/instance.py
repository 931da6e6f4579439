"""One running instance per user, and a local-socket command channel to it.

A QLockFile decides who is the instance (it recovers locks left by a crashed
process by checking the PID). Whoever holds the lock removes any socket file
left behind and listens. Messages are one JSON object per line each way:
{"cmd": "status", "args": {}} -> {"ok": true, ...}.

The channel is a plain Unix socket on POSIX (server and CLI alike) and a QLocalServer
named pipe on Windows; QtNetwork is imported only there.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QLockFile, QObject, QSocketNotifier

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
REPLY_TIMEOUT_S = 2.0
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
    """Answers one request per connection on the local socket, on the GUI thread.

    On POSIX it is a plain Unix socket watched by QSocketNotifiers (QtNetwork would
    cost a few MB of memory for the whole session); on Windows a QLocalServer pipe.
    """

    def __init__(self, name: str, handler: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._handler = handler
        self._buffers: dict[Any, bytes] = {}  # per connection, until it is answered
        self._listener: socket.socket | None = None
        self._notifiers: dict[socket.socket, QSocketNotifier] = {}
        self._retired: list[QSocketNotifier] = []
        self._bound: tuple[int, int] | None = None  # the socket file we created
        self._server: Any = None  # QLocalServer (Windows)

    def listen(self) -> None:
        """Call only while holding the InstanceLock: any existing socket is stale then."""
        if os.name == "posix":
            self._listen_unix()
        else:
            self._listen_qt()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for sock in list(self._notifiers):
            self._drop(sock)
        self._delete_retired()
        self._buffers.clear()

    # ---- the request and its reply, whatever the transport -------------------------
    def _take(self, conn: Any, chunk: bytes) -> dict[str, Any] | None:
        """Add `chunk` to what `conn` sent; the reply once a whole line has come."""
        if conn not in self._buffers:
            return None  # already answered: one request per connection
        data = self._buffers[conn] + chunk
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                log.warning("IPC: ignored a message over %d bytes", MAX_MESSAGE)
                del self._buffers[conn]
                return {"ok": False, "error": "message too long"}
            self._buffers[conn] = data
            return None
        del self._buffers[conn]
        line = data.split(b"\n", 1)[0]
        try:
            cmd, args = parse_request(line)
        except ProtocolError as err:
            log.warning("IPC: ignored a malformed message (%s): %r", err, line[:200])
            return {"ok": False, "error": f"malformed message: {err}"}
        try:
            return self._handler(cmd, args)
        except Exception:  # a bug in one command must not take the app down
            log.exception("IPC: command %r failed", cmd)
            return {"ok": False, "error": f"internal error running {cmd!r}; see the log"}

    @staticmethod
    def _encode(reply: dict[str, Any]) -> bytes:
        return json.dumps(reply).encode("utf-8") + b"\n"

    # ---- POSIX: a Unix socket ------------------------------------------------------
    def _listen_unix(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.name)  # stale: left by a crashed instance
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.name)
            os.chmod(self.name, stat.S_IRUSR | stat.S_IWUSR)  # this user only
            self._bound = _file_id(self.name)
            listener.listen(8)
        except OSError as err:
            listener.close()
            raise OSError(f"cannot listen on {self.name}: {err}") from err
        listener.setblocking(False)
        self._listener = listener
        self._watch(listener, self._accept_unix)

    def _watch(self, sock: socket.socket, on_ready: Callable[[socket.socket], None]) -> None:
        notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        notifier.activated.connect(lambda *_: on_ready(sock))
        self._notifiers[sock] = notifier

    def _drop(self, sock: socket.socket) -> None:
        """Stop watching `sock` and close it. Safe inside its own notifier's signal."""
        notifier = self._notifiers.pop(sock, None)
        if notifier is not None:
            notifier.setEnabled(False)  # before the fd closes: Qt must not poll a dead fd
            # Deleted at the next accept or at close(), never inside its own signal.
            # Not deleteLater: a parent deleted before the event loop runs again
            # (the app quitting) deletes it directly, which crashed PySide 6.12 in testing.
            self._retired.append(notifier)
        self._buffers.pop(sock, None)
        if sock is self._listener:
            self._listener = None
            with contextlib.suppress(OSError):
                if _file_id(self.name) == self._bound:  # still ours, not a newer instance's
                    os.unlink(self.name)
        sock.close()

    def _delete_retired(self) -> None:
        while self._retired:
            shiboken6.delete(self._retired.pop())

    def _accept_unix(self, listener: socket.socket) -> None:
        self._delete_retired()
        while True:
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:
                log.warning("IPC: accept failed: %s", err)
                return
            conn.setblocking(False)
            self._buffers[conn] = b""
            self._watch(conn, self._read_unix)

    def _read_unix(self, conn: socket.socket) -> None:
        try:
            chunk = conn.recv(MAX_MESSAGE + 1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:  # the client hung up
            self._drop(conn)
            return
        reply = self._take(conn, chunk)
        if reply is None:
            return
        # One request per connection; the client hangs up once it has read the reply.
        try:
            conn.settimeout(REPLY_TIMEOUT_S)
            conn.sendall(self._encode(reply))
            conn.setblocking(False)
        except OSError as err:
            log.warning("IPC: could not send a reply: %s", err)
            self._drop(conn)

    # ---- Windows: a QLocalServer named pipe ------------------------------------------
    def _listen_qt(self) -> None:
        from PySide6.QtNetwork import QLocalServer

        self._server = server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._accept_qt)
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            raise OSError(f"cannot listen on {self.name}: {server.errorString()}")

    def _accept_qt(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read_qt(s))

            def forget(s: Any = sock) -> None:
                self._buffers.pop(s, None)
                if shiboken6.isValid(s):  # it may already be gone when the server closes
                    s.deleteLater()

            sock.disconnected.connect(forget)
            if sock.bytesAvailable():  # data that came with the connection: no readyRead for it
                self._read_qt(sock)

    def _read_qt(self, sock: Any) -> None:
        from PySide6.QtCore import QByteArray

        reply = self._take(sock, bytes(sock.readAll().data()))
        if reply is not None:
            # The client hangs up after reading the reply; disconnecting here could drop it.
            sock.write(QByteArray(self._encode(reply)))
            sock.flush()


def _file_id(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


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
    # The server is a plain Unix socket here: the CLI needs no Qt to talk to it.
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
    from PySide6.QtCore import QByteArray
    from PySide6.QtNetwork import QLocalSocket

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

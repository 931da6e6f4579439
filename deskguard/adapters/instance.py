"""One running instance per user, and a local-socket command channel to it.

A QLockFile decides who is the instance (it recovers locks left by a crashed
process by checking the PID). Whoever holds the lock removes any socket file
left behind and listens. Messages are one JSON object per line each way:
{"cmd": "status", "args": {}} -> {"ok": true, ...}.

The channel is a plain Unix socket on POSIX (server and CLI alike) and a QLocalServer
named pipe on Windows; QtNetwork is imported only there.

Hostile or broken clients cannot wedge it (issue #18): only this user's processes are
served (the peer's uid, SO_PEERCRED, on every connection; the CLI checks the
listener's uid before it sends anything); a connection has `IDLE_TIMEOUT_S` to send a
whole request; at most `MAX_CONNECTIONS` are open at once (the oldest goes when
another comes), far below the file limit; a failing accept() pauses the listener
instead of spinning, and recurring problems are logged once a minute with a count.
Requests and replies are at most `MAX_MESSAGE` bytes, JSON at most `MAX_DEPTH` deep.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import socket
import stat
import struct
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QLockFile, QObject, QSocketNotifier, QTimer

from deskguard.adapters.logfile import Throttle
from deskguard.adapters.paths import display_name, ensure_private_dir

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024
MAX_DEPTH = 16  # our requests are two levels deep; json.loads recurses per level
MAX_NUMBER_DIGITS = 20  # Python refuses ints over 4,300 digits with a ValueError anyway
MAX_CONNECTIONS = 64  # open at once; the usual file limit is 1,024
BACKLOG = 64
ACCEPTS_PER_WAKE = 16  # then reads and timers run before more are taken
IDLE_TIMEOUT_S = 3.0  # to send a whole request; the CLI sends it at once
ACCEPT_PAUSE_MS = 500  # after accept() failed (EMFILE): no busy loop on a readable fd
REPLY_TIMEOUT_S = 2.0
Handler = Callable[[str, dict[str, Any]], dict[str, Any]]


class InstanceLock:
    def __init__(self, path: Path) -> None:
        ensure_private_dir(path.parent)
        self._path = path
        self._lock = QLockFile(str(path))
        self._lock.setStaleLockTime(0)  # only a dead owner makes it stale, never age

    def acquire(self) -> bool:
        # QLockFile creates the file 0666 & ~umask: make it 0600 from the start. Start-up
        # runs no other thread yet, so the process-wide umask changes nothing else.
        old = os.umask(0o077) if os.name == "posix" else None
        try:
            return bool(self._lock.tryLock(200))
        finally:
            if old is not None:
                os.umask(old)

    def release(self) -> None:
        self._lock.unlock()


class ProtocolError(ValueError):
    pass


def _number(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ProtocolError(f"a number of {len(text)} digits; at most {MAX_NUMBER_DIGITS}")
    return int(text)


def json_depth_over(text: str, limit: int) -> bool:
    """True when `text` nests arrays/objects deeper than `limit` (strings skipped).

    Checked before json.loads, which recurses once per level: 60,000 levels would
    end in a RecursionError deep inside the parser.
    """
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def parse_request(raw: bytes) -> tuple[str, dict[str, Any]]:
    """Decode one request line; ProtocolError says what is wrong with it."""
    if len(raw) > MAX_MESSAGE:
        raise ProtocolError(f"over {MAX_MESSAGE} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(f"not JSON: {err}") from None
    if json_depth_over(text, MAX_DEPTH):
        raise ProtocolError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        message = json.loads(text, parse_int=_number)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as err:  # JSONDecodeError is a ValueError
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


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket, or None if unknown.

    For an accepted connection: the client's; for a connected client socket: the
    listener's (as it was when it called listen()).
    """
    try:
        if hasattr(socket, "SO_PEERCRED"):  # Linux: struct ucred {pid, uid, gid}
            raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            return int(struct.unpack("3i", raw)[1])
        if sys.platform == "darwin" or "bsd" in sys.platform:
            # LOCAL_PEERCRED (1) at level SOL_LOCAL (0): struct xucred {version, uid, ...}
            raw = sock.getsockopt(0, 1, 76)
            return int(struct.unpack_from("=2I", raw)[1])
    except OSError:
        return None
    return None


def _is_abstract(name: str) -> bool:
    return name.startswith("\0")


def _check_socket_dir(folder: Path) -> None:
    """The socket's folder must be this user's alone: the socket file's own 0600 is not
    enough on every system, and a folder others can write to lets them swap the file.
    Only a missing folder is created (0700); an existing one is checked, never changed.
    """
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o700)
    info = os.lstat(folder)
    why = None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        why = "is not a real folder"
    elif info.st_uid != os.getuid():
        why = f"belongs to another user (uid {info.st_uid})"
    elif stat.S_IMODE(info.st_mode) & 0o077:
        why = f"is open to other users (mode {stat.S_IMODE(info.st_mode):04o})"
    if why is not None:
        raise OSError(f"{folder} {why}; DeskGuard does not listen there")


class CommandServer(QObject):
    """Answers one request per connection on the local socket, on the GUI thread.

    On POSIX it is a plain Unix socket watched by QSocketNotifiers (QtNetwork would
    cost a few MB of memory for the whole session); on Windows a QLocalServer pipe.
    `names` are tried in order (see paths.socket_names_for); `name` is the one in use.
    """

    def __init__(
        self, names: str | Sequence[str], handler: Handler, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.names = [names] if isinstance(names, str) else list(names)
        self.name = self.names[0]
        self._handler = handler
        self._buffers: dict[Any, bytes] = {}  # per connection, until it is answered
        self._listener: socket.socket | None = None
        self._notifiers: dict[socket.socket, QSocketNotifier] = {}
        self._opened: dict[socket.socket, float] = {}  # connection -> when accepted
        self._retired: list[QSocketNotifier] = []
        self._bound: tuple[int, int] | None = None  # the socket file we created
        self._server: Any = None  # QLocalServer (Windows)
        self._uid = os.getuid() if hasattr(os, "getuid") else -1
        self.throttle = Throttle(log, every_s=60.0)
        self.counts = {"served": 0, "refused_peer": 0, "timed_out": 0, "evicted": 0}
        self.counts.update(accept_failed=0, malformed=0, too_long=0)
        # Closes connections that did not send a whole request in time; runs only while
        # some are open, so an idle app has no timer for it.
        self._sweeper = QTimer(self)
        self._sweeper.setInterval(500)
        self._sweeper.timeout.connect(self._sweep)
        self._resume = QTimer(self)
        self._resume.setSingleShot(True)
        self._resume.timeout.connect(self._resume_accepting)

    def listen(self) -> None:
        """Call only while holding the InstanceLock: any existing socket is stale then."""
        if os.name == "posix":
            self._listen_unix()
        else:
            self._listen_qt()

    def close(self) -> None:
        self._sweeper.stop()
        self._resume.stop()
        if self._server is not None:
            self._server.close()
        for sock in list(self._notifiers):
            self._drop(sock)
        self._delete_retired()
        self._buffers.clear()
        self.throttle.flush()

    @property
    def open_connections(self) -> int:
        return len(self._opened)

    # ---- the request and its reply, whatever the transport -------------------------
    def _take(self, conn: Any, chunk: bytes) -> dict[str, Any] | None:
        """Add `chunk` to what `conn` sent; the reply once a whole line has come."""
        if conn not in self._buffers:
            return None  # already answered: one request per connection
        data = self._buffers[conn] + chunk
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                self.counts["too_long"] += 1
                self.throttle.warning("long", "IPC: ignored a message over %d bytes", MAX_MESSAGE)
                del self._buffers[conn]
                return {"ok": False, "error": "message too long"}
            self._buffers[conn] = data
            return None
        del self._buffers[conn]
        line = data.split(b"\n", 1)[0]
        try:
            cmd, args = parse_request(line)
        except ProtocolError as err:
            self.counts["malformed"] += 1
            self.throttle.warning(
                "malformed", "IPC: ignored a malformed message (%s): %r", err, line[:200]
            )
            return {"ok": False, "error": f"malformed message: {err}"}
        try:
            reply = self._handler(cmd, args)
        except Exception:  # a bug in one command must not take the app down
            log.exception("IPC: command %r failed", cmd)
            return {"ok": False, "error": f"internal error running {cmd!r}; see the log"}
        self.counts["served"] += 1
        return reply

    def _encode(self, reply: dict[str, Any]) -> bytes:
        data = json.dumps(reply).encode("utf-8") + b"\n"
        if len(data) > MAX_MESSAGE:  # the CLI reads no more: say so rather than cut it
            log.error("IPC: a reply of %d bytes is over the %d-byte limit", len(data), MAX_MESSAGE)
            error = f"the reply was too long to send ({len(data)} bytes); see the log"
            data = json.dumps({"ok": False, "error": error}).encode("utf-8") + b"\n"
        return data

    # ---- POSIX: a Unix socket ------------------------------------------------------
    def _listen_unix(self) -> None:
        problems: list[str] = []
        for name in self.names:
            try:
                listener = self._bind(name)
            except OSError as err:
                problems.append(str(err))
                log.warning("IPC: %s", err)
                continue
            self.name = name
            listener.setblocking(False)
            self._listener = listener
            self._watch(listener, self._accept_unix)
            return
        raise OSError("cannot listen for commands: " + "; ".join(problems))

    def _bind(self, name: str) -> socket.socket:
        shown = display_name(name)
        if not _is_abstract(name):
            _check_socket_dir(Path(name).parent)
            with contextlib.suppress(FileNotFoundError):
                info = os.lstat(name)
                # Left by a crashed instance (we hold the lock), or a link someone put
                # there: unlinking a link never touches its target. Anything else stays.
                if not (stat.S_ISSOCK(info.st_mode) or stat.S_ISLNK(info.st_mode)):
                    raise OSError(f"{name} is in the way and is not a socket; not removing it")
                os.unlink(name)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o077)  # the socket file is 0600 from its first moment
        try:
            listener.bind(name)
            if not _is_abstract(name):
                os.chmod(name, stat.S_IRUSR | stat.S_IWUSR)  # this user only
                self._bound = _file_id(name)
            listener.listen(BACKLOG)
        except OSError as err:
            listener.close()
            if err.errno == errno.EADDRINUSE and _is_abstract(name):
                raise OSError(f"{shown} is taken by another program") from err
            raise OSError(f"cannot listen on {shown}: {err.strerror or err}") from err
        finally:
            os.umask(old_umask)
        return listener

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
        self._opened.pop(sock, None)
        if sock is self._listener:
            self._listener = None
            with contextlib.suppress(OSError):
                if not _is_abstract(self.name) and _file_id(self.name) == self._bound:
                    os.unlink(self.name)  # still ours, not a newer instance's
        sock.close()

    def _delete_retired(self) -> None:
        while self._retired:
            shiboken6.delete(self._retired.pop())

    def _accept_unix(self, listener: socket.socket) -> None:
        self._delete_retired()
        for _ in range(ACCEPTS_PER_WAKE):
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:
                self._accept_failed(err)
                return
            uid = peer_uid(conn)
            if uid != self._uid:
                self.counts["refused_peer"] += 1
                self.throttle.warning("peer", "IPC: refused a connection from uid %s", uid)
                conn.close()
                continue
            if len(self._opened) >= MAX_CONNECTIONS:
                # The oldest has had the longest to send its request: a client that is
                # asking now is served, and the file table never fills up.
                self.counts["evicted"] += 1
                self.throttle.warning(
                    "full", "IPC: %d connections open; closed the oldest", MAX_CONNECTIONS
                )
                self._drop(min(self._opened, key=self._opened.__getitem__))
            conn.setblocking(False)
            self._buffers[conn] = b""
            self._opened[conn] = time.monotonic()
            self._watch(conn, self._read_unix)
            if not self._sweeper.isActive():
                self._sweeper.start()

    def _accept_failed(self, err: OSError) -> None:
        """accept() failed (EMFILE: no file descriptor left). The listener stays readable,
        so it is paused for a moment instead of waking the loop again at once."""
        self.counts["accept_failed"] += 1
        self.throttle.warning("accept", "IPC: accept failed: %s", err)
        listener = self._listener
        if listener is not None and listener in self._notifiers:
            self._notifiers[listener].setEnabled(False)
            self._resume.start(ACCEPT_PAUSE_MS)
        if self._opened:  # a descriptor back for the next client
            self._drop(min(self._opened, key=self._opened.__getitem__))

    def _resume_accepting(self) -> None:
        listener = self._listener
        if listener is not None and listener in self._notifiers:
            self._notifiers[listener].setEnabled(True)

    def _sweep(self) -> None:
        now = time.monotonic()
        late = [c for c, opened in self._opened.items() if now - opened > IDLE_TIMEOUT_S]
        for conn in late:
            self.counts["timed_out"] += 1
            self.throttle.warning(
                "idle", "IPC: closed a connection that sent no request in %g s", IDLE_TIMEOUT_S
            )
            with contextlib.suppress(OSError):
                conn.send(self._encode({"ok": False, "error": "no request in time"}))
            self._drop(conn)
        if not self._opened:
            self._sweeper.stop()

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
        data = self._encode(reply)
        # One request per connection, and the reply fits the socket's buffer: sent
        # without waiting, then closed. On a Unix socket what was sent stays readable
        # by the client after we close; a client that does not read cannot block us.
        try:
            sent = conn.send(data)
            if sent < len(data):
                raise OSError(f"sent {sent} of {len(data)} bytes")
        except OSError as err:
            self.throttle.warning("send", "IPC: could not send a reply: %s", err)
        self._drop(conn)

    # ---- Windows: a QLocalServer named pipe ------------------------------------------
    def _listen_qt(self) -> None:
        from PySide6.QtNetwork import QLocalServer

        self._server = server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.setMaxPendingConnections(BACKLOG)
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
    """No DeskGuard of this user listens."""


class NoAnswer(NotRunning):
    """Something listens but gave no usable answer; the message says what, in words."""


class _Absent(Exception):
    """Nobody listens at this name: try the next one."""


def send_command(
    names: str | Sequence[str],
    cmd: str,
    args: dict[str, Any] | None = None,
    timeout_ms: int = 5000,
) -> dict[str, Any]:
    """Ask the running instance; NotRunning when nobody of ours listens, NoAnswer when
    it (or a listener of another user, which is sent nothing) does not answer usably."""
    payload = json.dumps({"cmd": cmd, "args": args or {}}).encode("utf-8") + b"\n"
    candidates = [names] if isinstance(names, str) else list(names)
    deadline = time.monotonic() + timeout_ms / 1000
    if os.name != "posix":
        return _decode_reply(_ask_qt(candidates[0], payload, timeout_ms))
    problems: list[str] = []
    for name in candidates:
        try:
            return _decode_reply(_ask_unix(name, payload, deadline))
        except _Absent:
            continue
        except NoAnswer as err:
            problems.append(str(err))
    if problems:
        raise NoAnswer("; ".join(problems))
    raise NotRunning("nobody listens")


def _decode_reply(data: bytes) -> dict[str, Any]:
    if not data:
        raise NoAnswer("DeskGuard closed the connection without an answer")
    if b"\n" not in data:
        raise NoAnswer(f"DeskGuard's answer was cut off after {len(data)} bytes")
    try:
        reply = json.loads(data.split(b"\n", 1)[0].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        reply = None
    if not isinstance(reply, dict):
        raise NoAnswer("DeskGuard sent something that is not an answer")
    return reply


def _set_timeout(sock: socket.socket, seconds: float) -> None:
    """SO_SNDTIMEO/SO_RCVTIMEO on a blocking socket: a blocking connect() to a Unix
    socket whose backlog is full waits (up to SO_SNDTIMEO) for room, where a
    non-blocking one fails at once with EAGAIN and looked like 'not running'."""
    seconds = max(seconds, 0.001)
    whole = int(seconds)
    timeval = struct.pack("@ll", whole, int((seconds - whole) * 1_000_000))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)


def _ask_unix(name: str, payload: bytes, deadline: float) -> bytes:
    # The server is a plain Unix socket here: the CLI needs no Qt to talk to it.
    shown = display_name(name)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.setblocking(True)
        while True:
            _set_timeout(sock, deadline - time.monotonic())
            try:
                sock.connect(name)
                break
            except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
                raise _Absent from None
            except (BlockingIOError, TimeoutError, InterruptedError):
                # The backlog stayed full for the whole wait (or a signal came).
                if time.monotonic() >= deadline:
                    raise NoAnswer(f"DeskGuard is too busy to take a command ({shown})") from None
            except OSError as err:
                raise NoAnswer(f"cannot reach {shown}: {err.strerror or err}") from None
        uid = peer_uid(sock)
        if uid != os.getuid():
            # Never send a command (or a word) to a listener we cannot vouch for.
            who = "a program whose user is unknown" if uid is None else f"user {uid}'s program"
            raise NoAnswer(f"{shown} is held by {who}, not by DeskGuard; sent it nothing")
        data = b""
        try:
            sock.sendall(payload)
            while b"\n" not in data and len(data) <= MAX_MESSAGE:
                _set_timeout(sock, deadline - time.monotonic())
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (BlockingIOError, TimeoutError):
            raise NoAnswer(f"DeskGuard did not answer in time ({shown})") from None
        except OSError as err:
            if not data:
                raise NoAnswer(f"the connection to {shown} failed: {err.strerror or err}") from None
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

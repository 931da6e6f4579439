"""A protocol-level stand-in for a Wayland compositor that offers ext-idle-notify-v1.

Written with pywayland's *server* API: it listens on a real Wayland socket, so the
client under test (adapters/wayland_idle.py) connects, lists the globals, binds
``wl_seat`` and ``ext_idle_notifier_v1`` and creates its idle notification exactly as
with KWin or a wlroots compositor. It then sends ``idled`` and ``resumed`` when told:

    XDG_RUNTIME_DIR=DIR python tests/adapters/fake_wayland_compositor.py --socket NAME

prints ``ready`` once the socket is up, then reads commands on stdin, one a line:
``idled``, ``resumed`` (to every idle notification made so far), ``kick`` (disconnect
every client, as a compositor that crashes), ``quit``. It prints ``notification
<request> <timeout_ms>`` when a client creates one, and ``sent <event> <count>``.
``--without-idle`` leaves the idle global out (as Mutter and sway 1.7 do);
``--version N`` offers that version of it (1: KWin 5.27; 2: input idle too).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from pywayland import lib
from pywayland.protocol.ext_idle_notify_v1 import (
    ExtIdleNotificationV1Resource,
    ExtIdleNotifierV1,
    ExtIdleNotifierV1Global,
)
from pywayland.protocol.wayland import WlSeatGlobal
from pywayland.server.display import Display
from pywayland.server.eventloop import EventLoop

REQUESTS = {1: "get_idle_notification", 2: "get_input_idle_notification"}


def _raw_arguments(c_args: Any) -> list[int]:
    # pywayland's server side cannot turn a new_id argument into a Python object (it
    # builds a client proxy), so these requests are read as plain numbers: id, timeout.
    return [int(c_args[0].n), int(c_args[1].u)]


def _dispatchable(resource: Any) -> Any:
    # pywayland 0.4 hands libwayland the resource's handle as user data but NULL as the
    # dispatcher's "implementation", which is what libwayland passes to the dispatcher:
    # requests would never reach Python. Set it again with the handle in both places.
    lib.wl_resource_set_dispatcher(
        resource._ptr,
        lib.dispatcher_func,
        resource._handle,
        resource._handle,
        lib.resource_destroy_func,
    )
    return resource


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", required=True)
    parser.add_argument("--without-idle", action="store_true")
    parser.add_argument("--version", type=int, default=1)
    args = parser.parse_args()

    display = Display()
    display.add_socket(args.socket)
    # Every global and resource is kept: pywayland frees the handle libwayland calls
    # back with when its Python object is collected, and the next call would crash.
    keep: list[Any] = []
    seat = WlSeatGlobal(display, 1)
    seat.bind_func = keep.append  # type: ignore[assignment]
    keep.append(seat)
    notifications: list[ExtIdleNotificationV1Resource] = []

    def make_handler(opcode: int) -> Any:
        def handler(resource: Any, new_id: int, timeout_ms: int) -> None:
            client = lib.wl_resource_get_client(resource._ptr)
            notification = _dispatchable(
                ExtIdleNotificationV1Resource(client, resource.version, new_id)
            )
            notification.dispatcher["destroy"] = lambda res: res.destroy()
            notifications.append(notification)
            print(f"notification {REQUESTS[opcode]} {timeout_ms}", flush=True)

        return handler

    def on_bind(resource: Any) -> None:
        keep.append(_dispatchable(resource))
        for opcode in REQUESTS:
            if opcode < len(resource.dispatcher.messages):
                resource.dispatcher[opcode] = make_handler(opcode)
        resource.dispatcher["destroy"] = lambda res: res.destroy()

    if not args.without_idle:
        for opcode in REQUESTS:
            if opcode < len(ExtIdleNotifierV1.requests):
                ExtIdleNotifierV1.requests[opcode].c_to_arguments = _raw_arguments  # type: ignore[method-assign]
        idle_global = ExtIdleNotifierV1Global(display, args.version)
        idle_global.bind_func = on_bind  # type: ignore[assignment]
        keep.append(idle_global)

    def on_command(fd: int, _mask: int, _data: Any) -> int:
        line = os.read(fd, 4096).decode()
        for command in line.split():
            if command == "quit" or not command:
                display.terminate()
            elif command in ("idled", "resumed"):
                live = [n for n in notifications if n._ptr is not None]
                for n in live:
                    (n.idled if command == "idled" else n.resumed)()
                print(f"sent {command} {len(live)}", flush=True)
            elif command == "kick":
                for n in notifications:
                    if n._ptr is not None:
                        lib.wl_client_destroy(lib.wl_resource_get_client(n._ptr))
                notifications.clear()
                print("kicked", flush=True)
        if not line:
            display.terminate()  # stdin closed: the test is over
        display.flush_clients()
        return 0

    loop: EventLoop = display.get_event_loop()
    loop.add_fd(sys.stdin.fileno(), on_command, EventLoop.FdMask.WL_EVENT_READABLE, None)
    print("ready", flush=True)
    display.run()
    display.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Pointer input into KWin through its org_kde_kwin_fake_input protocol (pywayland).

KWin offers the global to any client when KWIN_WAYLAND_NO_PERMISSION_CHECKS=1. Only the
two requests used here are declared (a client needs no more than the opcodes it sends):
``authenticate(s application, s reason)`` (0) and ``pointer_motion(fixed dx, fixed dy)``
(1). A pointer that moves is user input: it ends idleness (ext-idle-notify's `resumed`).
"""

from __future__ import annotations

from typing import Any

from pywayland.client.display import Display
from pywayland.protocol_core import Argument, ArgumentType, Interface, Proxy


class FakeInput(Interface):
    name = "org_kde_kwin_fake_input"
    version = 4


class FakeInputProxy(Proxy[FakeInput]):
    interface = FakeInput

    @FakeInput.request(Argument(ArgumentType.String), Argument(ArgumentType.String))
    def authenticate(self, application: str, reason: str) -> None:
        self._marshal(0, application, reason)

    @FakeInput.request(Argument(ArgumentType.Fixed), Argument(ArgumentType.Fixed))
    def pointer_motion(self, delta_x: float, delta_y: float) -> None:
        self._marshal(1, delta_x, delta_y)


FakeInput._gen_c()
FakeInput.proxy_class = FakeInputProxy


def move_pointer(socket: str, dx: float = 20.0, dy: float = 15.0) -> None:
    """Connect, move the pointer by (dx, dy), wait until KWin has it, disconnect."""
    display = Display(socket)
    display.connect()
    found: dict[str, int] = {}

    def on_global(_registry: Any, number: int, interface: str, _version: int) -> None:
        found.setdefault(interface, number)

    registry = display.get_registry()
    registry.dispatcher["global"] = on_global
    display.roundtrip()
    if FakeInput.name not in found:
        display.disconnect()
        raise RuntimeError(f"KWin offers no {FakeInput.name} (KWIN_WAYLAND_NO_PERMISSION_CHECKS?)")
    fake = registry.bind(found[FakeInput.name], FakeInput, 4)
    fake.authenticate("DeskGuard tests", "move the pointer to end idleness")
    fake.pointer_motion(dx, dy)
    display.roundtrip()
    for proxy in (fake, registry):
        proxy.destroy()
    display.disconnect()

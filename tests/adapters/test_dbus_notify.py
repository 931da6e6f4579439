"""The D-Bus notifier against notification daemons on a private session bus.

`fake_notifications.py` checks every call's signature the way GDBus daemons do (a `u`
sent as `i` is refused), records the calls, and presses buttons on request (its
`ActionInvoked` goes to the connection that made the notification, as dunst's does);
`fake_hung_notifications.py` owns the name and never answers. The notifier uses its own
connection to the bus it is given, so it runs in pytest's process (QtDBus's
process-global session bus is not involved). tests/e2e/test_wayland.py runs it with dunst.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

pytest.importorskip("jeepney", reason="jeepney is a dependency on Linux (pyproject.toml)")

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection

from deskguard.adapters.dbus_notify import APP_ID, DBusNotifier
from tests.adapters.test_dbus_backends import bus  # noqa: F401  (the private bus)

HERE = Path(__file__).parent
BUTTONS = [("default", "Show the break"), ("start", "Start break"), ("snooze", "Snooze 5 min")]


class Daemon:
    def __init__(self, address: str, script: str, *args: str) -> None:
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / script), *args],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"
        self.address = address

    def _control(
        self, member: str, signature: str | None = None, body: tuple[Any, ...] = ()
    ) -> Any:
        target = DBusAddress(
            "/control",
            bus_name="org.freedesktop.Notifications",
            interface="com.deskguard.FakeNotifications",
        )
        with open_dbus_connection(bus=self.address) as conn:
            reply = conn.send_and_get_reply(
                new_method_call(target, member, signature, body), timeout=5
            )
        return reply.body

    def calls(self, member: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(self._control("Calls")[0])
        return [c for c in found if member is None or c["member"] == member]

    def press(self, notification_id: int, key: str) -> None:
        self._control("Invoke", "us", (notification_id, key))

    def close(self) -> None:
        self.proc.send_signal(signal.SIGCONT)
        self.proc.kill()
        self.proc.communicate(timeout=10)


@pytest.fixture
def daemon(bus: str) -> Iterator[Callable[..., Daemon]]:  # noqa: F811
    started: list[Daemon] = []

    def start(script: str = "fake_notifications.py", *args: str) -> Daemon:
        started.append(Daemon(bus, script, *args))
        return started[-1]

    yield start
    for d in started:
        d.close()


def test_a_plain_notification_is_typed_right_and_names_the_app(
    qtbot: QtBot, daemon: Callable[..., Daemon]
) -> None:
    fake = daemon()
    notifier = DBusNotifier(icon=Path("/icons/dg.svg"), address=fake.address)
    results: list[str | None] = []
    notifier.notify_async("DeskGuard", "Paused for 1 hour", 30, results.append)
    qtbot.waitUntil(lambda: results == [None], timeout=5000)
    (call,) = fake.calls("Notify")
    assert call["signature"] == "susssasa{sv}i"  # the `u` a GDBus daemon insists on
    app, replaces, icon, title, body, actions, hints, expire = call["body"]
    assert (app, replaces, icon, title, body) == (
        "DeskGuard",
        0,
        "/icons/dg.svg",
        "DeskGuard",
        "Paused for 1 hour",
    )
    assert actions == [] and expire == 30_000
    assert hints["desktop-entry"] == APP_ID == "io.github.deskguard.DeskGuard"
    assert notifier.shown == [1]


def test_the_prompt_has_buttons_and_a_pressed_one_comes_back(
    qtbot: QtBot, daemon: Callable[..., Daemon]
) -> None:
    fake = daemon()
    notifier = DBusNotifier(address=fake.address)
    outcomes: list[str | None] = []
    notifier.show_prompt(
        "Time to stand and move", "Take 2 minutes", "plain", BUTTONS, 600, outcomes.append
    )
    qtbot.waitUntil(lambda: notifier.shown == [1], timeout=5000)
    assert [c["member"] for c in fake.calls()] == ["GetCapabilities", "Notify"]
    body = fake.calls("Notify")[0]["body"]
    assert body[4] == "Take 2 minutes"
    assert body[5] == [
        "default",
        "Show the break",
        "start",
        "Start break",
        "snooze",
        "Snooze 5 min",
    ]
    assert body[7] == 600_000
    with qtbot.waitSignal(notifier.action_invoked, timeout=5000) as pressed:
        fake.press(1, "snooze")
    assert pressed.args == ["snooze"]
    assert outcomes == [None]


def test_an_answered_prompt_is_withdrawn_with_its_id(
    qtbot: QtBot, daemon: Callable[..., Daemon]
) -> None:
    fake = daemon()
    notifier = DBusNotifier(address=fake.address)
    notifier.notify_async("Other", "note", 30, lambda _e: None)  # id 1: not the prompt
    notifier.show_prompt("Time to stand and move", "b", "p", BUTTONS, 600, lambda _w: None)
    qtbot.waitUntil(lambda: notifier.shown == [1, 2], timeout=5000)
    notifier.withdraw_prompt()
    qtbot.waitUntil(lambda: bool(fake.calls("CloseNotification")), timeout=5000)
    (close,) = fake.calls("CloseNotification")
    assert close["signature"] == "u" and close["body"] == [2]
    notifier.withdraw_prompt()  # twice: nothing more to close
    time.sleep(0.2)
    assert len(fake.calls("CloseNotification")) == 1


def test_a_prompt_answered_before_the_daemon_replied_is_withdrawn_when_it_does(
    qtbot: QtBot, daemon: Callable[..., Daemon]
) -> None:
    fake = daemon()
    notifier = DBusNotifier(address=fake.address)
    # Answered while the capabilities are still being asked: never shown at all.
    notifier.show_prompt("Time to stand and move", "b", "p", BUTTONS, 600, lambda _w: None)
    notifier.withdraw_prompt()
    qtbot.waitUntil(lambda: notifier.capabilities is not None, timeout=5000)
    assert fake.calls("Notify") == []
    # Answered after Notify went out but before its id came back: closed once it does.
    notifier.show_prompt("Time to stand and move", "b", "p", BUTTONS, 600, lambda _w: None)
    notifier.withdraw_prompt()
    qtbot.waitUntil(lambda: bool(fake.calls("CloseNotification")), timeout=5000)
    assert [c["body"] for c in fake.calls("CloseNotification")] == [[1]]
    assert notifier.shown == notifier.closed == [1]


def test_buttons_only_where_the_daemon_shows_them(
    qtbot: QtBot, daemon: Callable[..., Daemon]
) -> None:
    fake = daemon("fake_notifications.py", "--no-actions")
    notifier = DBusNotifier(address=fake.address)
    notifier.show_prompt(
        "Time to stand and move",
        "with buttons",
        "Start it from the tray",
        BUTTONS,
        600,
        lambda _w: None,
    )
    qtbot.waitUntil(lambda: notifier.shown == [1], timeout=5000)
    body = fake.calls("Notify")[0]["body"]
    assert body[4] == "Start it from the tray" and body[5] == []
    assert not notifier.supports_actions


def test_a_hung_daemon_never_freezes_the_app(qtbot: QtBot, daemon: Callable[..., Daemon]) -> None:
    from PySide6.QtCore import QTimer

    hung = daemon("fake_hung_notifications.py")
    notifier = DBusNotifier(address=hung.address)
    notifier.timeout_ms = 400
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    results: list[str | None] = []
    failures: list[str | None] = []
    started = time.monotonic()
    notifier.notify_async("DeskGuard", "note", 30, results.append)
    notifier.show_prompt("Time to stand and move", "b", "p", BUTTONS, 600, failures.append)
    assert time.monotonic() - started < 0.5  # both calls returned at once
    qtbot.waitUntil(lambda: bool(results and failures), timeout=5000)
    timer.stop()
    assert results == ["no answer in time"] and failures == ["no answer in time"]
    assert len(ticks) >= 6  # the event loop ran all along (~0.8 s: capabilities, then Notify)


def test_no_bus_fails_at_once_so_the_chain_goes_on(tmp_path: Path) -> None:
    notifier = DBusNotifier(address=f"unix:path={tmp_path}/no-bus")
    results: list[str | None] = []
    notifier.notify_async("DeskGuard", "note", 30, results.append)
    assert len(results) == 1 and results[0] is not None and "no session bus" in results[0]

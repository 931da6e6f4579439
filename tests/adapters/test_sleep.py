"""The logind sleep signal, against a private bus where the test plays logind."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from PySide6.QtDBus import QDBusConnection, QDBusMessage
from pytestqt.qtbot import QtBot

from deskguard.adapters.sleep import SleepWatcher


@pytest.fixture
def bus_address() -> Iterator[str]:
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    try:
        yield address
    finally:
        daemon.terminate()
        daemon.wait(5)
        daemon.stdout.close()


def test_wake_signal_from_logind_reaches_the_app(qtbot: QtBot, bus_address: str) -> None:
    watcher_bus = QDBusConnection.connectToBus(bus_address, "watcher")
    logind_bus = QDBusConnection.connectToBus(bus_address, "logind")
    try:
        assert logind_bus.registerService("org.freedesktop.login1")
        watcher = SleepWatcher()
        assert watcher.start(watcher_bus)

        def emit(sleeping: bool) -> None:
            signal = QDBusMessage.createSignal(
                "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep"
            )
            signal.setArguments([sleeping])
            assert logind_bus.send(signal)

        with qtbot.waitSignal(watcher.going_to_sleep, timeout=3000):
            emit(True)
        with qtbot.waitSignal(watcher.woke, timeout=3000):
            emit(False)
    finally:
        QDBusConnection.disconnectFromBus("watcher")
        QDBusConnection.disconnectFromBus("logind")


def test_no_bus_means_wall_clock_only(bus_address: str) -> None:
    dead = QDBusConnection.connectToBus("unix:path=/nonexistent/bus", "dead")
    try:
        assert SleepWatcher().start(dead) is False
    finally:
        QDBusConnection.disconnectFromBus("dead")

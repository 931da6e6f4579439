"""The tray under both protocols a Linux panel speaks: XEmbed (trayer) and StatusNotifier
(xfce4-panel's systray plugin), on the rig (DESIGN §5; tests/e2e/rig.py).

Each check is driven the way the user and the panel do it: xdotool clicks the icon where
the panel shows it and types into the menu that opens; under StatusNotifier a D-Bus
client plays the panel's part (tests/e2e/sni_client.py): it finds the registered item,
reads its tooltip and dbusmenu, clicks entries with ``Event`` and sends ``Activate(x,
y)``. The host is taken away and brought back while DeskGuard runs.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.rig import Rig, require_rig, wait_for
from tests.e2e.test_activity import ALL_HOURS
from tests.e2e.test_break_loop import (
    START_TIMEOUT,
    STEP_TIMEOUT,
    assert_clean_output,
    quit_app,
    status_where,
)

pytestmark = pytest.mark.e2e

HOSTS = {"xembed": "trayer", "sni": "xfce4-panel"}
PROTOCOLS = list(HOSTS)


@contextlib.contextmanager
def open_rig(tmp_path: Path, protocol: str, **kwargs: Any) -> Iterator[Rig]:
    require_rig(sni=protocol == "sni")
    with Rig(tmp_path / "rig", tray_host=HOSTS[protocol], **kwargs) as rig:
        try:
            yield rig
        finally:
            print(rig.logs())  # pytest shows it when the test failed


@pytest.fixture(params=PROTOCOLS)
def desktop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Rig, str]]:
    with open_rig(tmp_path, request.param) as rig:
        yield rig, request.param


def returning_user(rig: Rig) -> None:
    """Every hour a working hour, the workstation check done: no window opens at start."""
    from deskguard.adapters.store import Store
    from deskguard.core.checklist import ChecklistResult

    (rig.home / "config").mkdir(parents=True, exist_ok=True)
    (rig.home / "config" / "settings.toml").write_text(ALL_HOURS)
    store, _ = Store.open(rig.home / "data" / "deskguard.db")
    store.add_checklist_result(
        ChecklistResult("workstation", datetime.now().astimezone(), {"feet-flat": True})
    )
    store.close()


def start(rig: Rig, **env: str) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    app = rig.start_app(env=env)

    def answering() -> dict[str, Any] | None:
        if app.poll() is not None:
            pytest.fail(f"deskguard exited with {app.returncode}:\n{rig.output(app)}")
        return rig.status()

    return app, wait_for(answering, START_TIMEOUT, "deskguard status --json to answer")


def our_item(rig: Rig) -> str:
    """DeskGuard's StatusNotifierItem, as the watcher lists it (the rig's only item)."""
    items: list[str] = wait_for(rig.sni().items, STEP_TIMEOUT, "an item registered")
    assert len(items) == 1, items
    return items[0]


def in_tray(rig: Rig, protocol: str) -> None:
    if protocol == "sni":
        assert our_item(rig).endswith("/StatusNotifierItem")
    else:
        wait_for(rig.tray_icons, STEP_TIMEOUT, "DeskGuard's icon docked in trayer")


def pointer(rig: Rig) -> tuple[int, int]:
    out = rig._run(["xdotool", "getmouselocation", "--shell"]).stdout
    values = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return int(values["X"]), int(values["Y"])


def menus(rig: Rig) -> set[int]:
    """DeskGuard's popup windows on screen (a Qt menu's WM_CLASS is the app's name)."""
    return set(rig.popups("DeskGuard"))


def menu_opened(rig: Rig, before: set[int]) -> tuple[int, int, int, int]:
    new = wait_for(lambda: menus(rig) - before, STEP_TIMEOUT, "DeskGuard's menu to open")
    assert len(new) == 1, new
    return rig.popups("DeskGuard")[new.pop()]


def assert_at(menu: tuple[int, int, int, int], at: tuple[int, int]) -> None:
    """The menu opened at `at`: its top edge there (bottom, if it opened upwards) and
    `at` within its width (Qt keeps a menu on the screen, so it may start left of it)."""
    x, y, w, h = menu
    px, py = at
    assert x - 1 <= px <= x + w + 1, (menu, at)
    assert abs(y - py) <= 1 or abs(y + h - py) <= 1, (menu, at)


def close_menu(rig: Rig, before: set[int]) -> None:
    rig._run(["xdotool", "key", "Escape"])
    wait_for(lambda: not (menus(rig) - before), STEP_TIMEOUT, "the menu to close")


# ---- the tests ------------------------------------------------------------------------------


def test_the_icon_its_menu_and_tooltip(desktop: tuple[Rig, str], tmp_path: Path) -> None:
    rig, protocol = desktop
    returning_user(rig)
    app, status = start(rig)
    assert (status["tray"], status["tray_protocol"]) == ("system tray", protocol), status
    in_tray(rig, protocol)
    assert menus(rig) == set(), "no window at start: the icon is in the tray"

    if protocol == "sni":  # what the panel is told, and the menu clicked as the panel does
        sni, item = rig.sni(), our_item(rig)
        title, _text = sni.tooltip(item)
        assert title.startswith("DeskGuard — Next break at "), title
        assert "Away detection: x11" in title, title
        menu = sni.menu(item)
        assert menu.labels()[1:5] == ["Take a break now", "Snooze 5 min", "Pause", "Resume"]
        state = {e.label: e.enabled for e in menu.children}
        assert state["Take a break now"] and state["Pause"], state
        assert not state["Snooze 5 min"] and not state["Resume"], state
        assert not menu.labels()[0].startswith("GNOME")  # that entry only on GNOME
        pause = menu.find("Pause")
        assert pause is not None
        assert pause.labels() == ["For 30 minutes", "For 1 hour", "Until tomorrow"]
        half_hour = menu.find("For 30 minutes")
        assert half_hour is not None
        sni.click(item, half_hour)
        status_where(rig, "paused from the menu", lambda s: s["state"] == "paused")
        wait_for(
            lambda: sni.tooltip(item)[0].startswith("DeskGuard — Paused until "),
            STEP_TIMEOUT,
            "the tooltip to say paused",
        )
        paused = {e.label: e.enabled for e in sni.menu(item).children}
        assert paused["Resume"] and not paused["Pause"], paused
        resume = sni.menu(item).find("Resume")
        assert resume is not None
        sni.click(item, resume)
        status_where(rig, "resumed from the menu", lambda s: s["state"] == "working")

        # Activate(x, y), as a host sends for a left click: the menu opens at the pointer.
        rig._run(["xdotool", "mousemove", "700", "400"])
        before = menus(rig)
        sni.activate(item, 700, 400)
        assert_at(menu_opened(rig, before), (700, 400))
        close_menu(rig, before)

    # A left click on the icon where the panel shows it, then the menu by keyboard.
    x, y = rig.tray_icon_center()
    at = (x + 2, y + 3)  # off the icon's centre: the menu follows the pointer
    before = menus(rig)
    rig._run(["xdotool", "mousemove", str(at[0]), str(at[1]), "click", "1"])
    menu = menu_opened(rig, before)
    assert_at(menu, at)
    assert pointer(rig) == at
    shot = rig.screenshot(tmp_path / "screenshots" / f"{protocol}-menu.png")
    print(f"screenshot: {shot}")
    rig._run(["xdotool", "key", "Down", "Return"])  # the first entry one can choose
    status_where(rig, "the prompt from the tray menu", lambda s: s["prompting"] is True)
    wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the break window")
    if protocol == "sni":
        snooze = {e.label: e.enabled for e in rig.sni().menu(our_item(rig)).children}
        assert snooze["Snooze 5 min"], snooze  # the menu follows the prompt
    quit_app(rig, app)
    assert_clean_output(rig, app)


def test_take_a_break_now_clicked_over_dbus(tmp_path: Path) -> None:
    with open_rig(tmp_path, "sni") as rig:
        returning_user(rig)
        app, _ = start(rig)
        sni, item = rig.sni(), our_item(rig)
        entry = sni.menu(item).find("Take a break now")
        assert entry is not None and entry.enabled
        sni.click(item, entry)
        wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the break window")
        status = status_where(rig, "a prompt", lambda s: s["prompting"] is True)
        assert status["prompt"]["source"] == "manual", status
        quit_app(rig, app)


def test_the_window_stands_in_while_the_host_is_gone(desktop: tuple[Rig, str]) -> None:
    rig, protocol = desktop
    returning_user(rig)
    app, status = start(rig)
    assert status["tray_protocol"] == protocol, status
    in_tray(rig, protocol)

    gone_at = time.monotonic()
    rig.stop_tray_host()  # the panel crashed or was removed
    status = status_where(
        rig, "the control window", lambda s: s["tray_protocol"] == "window", timeout=15
    )
    assert status["tray"] == "window"
    windows = wait_for(lambda: rig.windows("^DeskGuard$"), STEP_TIMEOUT, "the control window")
    print(f"control window {time.monotonic() - gone_at:.1f} s after the host went")
    assert len(windows) == 1, windows

    rig.start_tray_host()  # the panel is back
    status = status_where(
        rig, "back in the tray", lambda s: s["tray_protocol"] == protocol, timeout=15
    )
    assert status["tray"] == "system tray"
    in_tray(rig, protocol)
    wait_for(lambda: rig.windows("^DeskGuard$") == [], STEP_TIMEOUT, "the window to go")
    assert rig.cli("break-now").returncode == 0  # and the app still works
    wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the break window")
    quit_app(rig, app)
    assert_clean_output(rig, app)


def test_a_statusnotifier_panel_that_starts_after_us_gets_our_item(tmp_path: Path) -> None:
    """At login the panel often starts after the app. Qt settles its tray protocol at its
    first tray call, so DeskGuard must not ask Qt before a host is there: then its icon
    becomes a StatusNotifierItem (not an XEmbed window in the same panel)."""
    with open_rig(tmp_path, "sni", tray=False) as rig:
        returning_user(rig)
        app, status = start(rig)
        assert (status["tray"], status["tray_protocol"]) == ("window", "window"), status
        wait_for(lambda: rig.windows("^DeskGuard$"), STEP_TIMEOUT, "the control window")
        rig.start_tray_host()
        status_where(rig, "the move into the tray", lambda s: s["tray_protocol"] == "sni")
        assert our_item(rig).endswith("/StatusNotifierItem")
        wait_for(lambda: rig.windows("^DeskGuard$") == [], STEP_TIMEOUT, "the window to go")
        quit_app(rig, app)
        assert_clean_output(rig, app)


@pytest.mark.parametrize("dark", [True, False], ids=["dark", "light"])
def test_screenshots_of_the_statusnotifier_panel_with_the_menu(tmp_path: Path, dark: bool) -> None:
    from PySide6.QtGui import QImage

    with open_rig(tmp_path, "sni", panel_dark=dark) as rig:
        returning_user(rig)
        app, _ = start(rig)
        our_item(rig)
        x, y = rig.tray_icon_center()
        bare = rig.screenshot(tmp_path / "panel.png")
        panel = QImage(str(bare))
        background = panel.pixelColor(600, 8).lightness()
        assert (background < 110) if dark else (background > 150), background
        icon = {panel.pixelColor(x + dx, y + dy).rgb() for dx in range(-8, 9) for dy in (-4, 0, 4)}
        assert len(icon) > 4, "DeskGuard's icon is drawn in the panel"
        before = menus(rig)
        rig._run(["xdotool", "mousemove", str(x + 2), str(y + 3), "click", "1"])
        assert_at(menu_opened(rig, before), (x + 2, y + 3))
        shot = rig.screenshot(tmp_path / f"sni-{'dark' if dark else 'light'}-menu.png")
        close_menu(rig, before)
        rig._run(["xdotool", "mousemove", str(x), str(y), "click", "3"])  # the panel's own
        time.sleep(1.0)  # GTK draws the dbusmenu itself: no window of ours to wait for
        host_menu = rig.screenshot(tmp_path / f"sni-{'dark' if dark else 'light'}-host-menu.png")
        print(f"screenshots: {bare} {shot} {host_menu}")
        rig._run(["xdotool", "key", "Escape"])
        quit_app(rig, app)

"""DeskGuard told it runs on GNOME (XDG_CURRENT_DESKTOP), on the rig with a StatusNotifier
panel and a stand-in Settings portal on the session bus (tests/adapters/
fake_desktop_state.py) whose do-not-disturb switch and break-reminder list are GNOME's:

* the tray icon is the symbolic one, in one colour, as the panel receives it;
* GNOME's do-not-disturb holds a due prompt, which comes when it is switched off;
* GNOME's own movement reminders are said once (a notification), reported by `status`,
  and the tray menu offers what to do about them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.e2e.rig import Rig, wait_for
from tests.e2e.test_break_loop import STEP_TIMEOUT, assert_clean_output, quit_app, status_where
from tests.e2e.test_tray import open_rig, our_item, returning_user, start

pytestmark = pytest.mark.e2e

FAKE = Path(__file__).resolve().parents[1] / "adapters" / "fake_desktop_state.py"
NOTICE = "GNOME's break reminders are on too"


def fake_portal(rig: Rig) -> None:
    values = ["--show-banners", "false", "--selected-breaks", "eyesight,movement"]
    rig.start_app([sys.executable, str(FAKE), "--own", "portal", *values], name="fake-portal")
    wait_for(
        lambda: rig._has_owner("org.freedesktop.portal.Desktop"), STEP_TIMEOUT, "the fake portal"
    )


def set_show_banners(rig: Rig, value: bool) -> None:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    target = DBusAddress(
        "/control",
        bus_name="com.deskguard.FakeDesktopState",
        interface="com.deskguard.FakeDesktopState",
    )
    with open_dbus_connection(bus=rig.bus_address) as conn:
        conn.send_and_get_reply(
            new_method_call(
                target, "SetBool", "ssb", ("org.gnome.desktop.notifications", "show-banners", value)
            ),
            timeout=5,
        )


def colours_of(pixmaps: list[tuple[int, int, bytes]]) -> set[tuple[int, int, int]]:
    """The colours of the icon's opaque pixels (IconPixmap: ARGB32 in network byte order)."""
    found = set()
    for _w, _h, data in pixmaps:
        for i in range(0, len(data), 4):
            a, r, g, b = data[i : i + 4]
            if a == 255:
                found.add((r, g, b))
    return found


def test_on_gnome_dnd_holds_the_prompt_and_gnome_reminders_are_told(tmp_path: Path) -> None:
    with open_rig(tmp_path, "sni") as rig:
        returning_user(rig)
        fake_portal(rig)
        app, status = start(rig, XDG_CURRENT_DESKTOP="GNOME", DESKGUARD_DEV_INTERVAL_SECONDS="6")
        assert status["tray_protocol"] == "sni", status
        assert "gnome-dnd" in status["hold_detection"], status

        held = status_where(
            rig, "the due prompt held", lambda s: s["held"] == "do not disturb", timeout=30
        )
        assert held["prompting"] is False and held["prompt"]["shown_at"] is None, held
        assert rig.windows("Break") == []
        sni, item = rig.sni(), our_item(rig)
        shot = rig.screenshot(tmp_path / "gnome-held.png")

        # The icon GNOME's top bar asks for: one colour, light on its dark bar.
        pixmaps = sni.item_property(item, "IconPixmap")
        assert {(w, h) for w, h, _ in pixmaps} >= {(22, 22), (32, 32)}
        colours = colours_of(pixmaps)
        assert colours and all(min(c) > 235 for c in colours), colours

        time.sleep(1)  # still held a moment later
        assert rig.windows("Break") == []
        set_show_banners(rig, True)  # do not disturb switched off
        wait_for(lambda: rig.windows("Break"), STEP_TIMEOUT, "the prompt once DND is off")
        shown = status_where(rig, "the prompt shown", lambda s: s["prompting"] is True)
        assert shown["held"] is None

        # GNOME's own movement reminders: told once, in status and the menu.
        assert status_where(rig, "status", lambda s: s["gnome_break_reminders"] is True)
        told = [n for n in rig.notifications() if n.summary == NOTICE]
        assert len(told) == 1, rig.notifications()
        assert "twice" in told[0].body
        menu = sni.menu(item)
        entry = menu.find("GNOME's break reminders are on too…")
        assert entry is not None and entry.visible and entry.enabled
        sni.click(item, entry)
        note = wait_for(
            lambda: rig.windows("GNOME's break reminders"), STEP_TIMEOUT, "the note about them"
        )
        note_shot = rig.screenshot(tmp_path / "gnome-reminders-note.png")
        print(f"screenshots: {shot} {note_shot}")
        rig.key("Escape", window=note[0])  # "Keep both": nothing changes
        wait_for(lambda: not rig.windows("GNOME's break reminders"), STEP_TIMEOUT, "it to close")
        assert rig.status()["state"] != "paused"  # type: ignore[index]
        quit_app(rig, app)
        assert_clean_output(rig, app)

        again, _ = start(rig, XDG_CURRENT_DESKTOP="GNOME")  # a new session: not told again
        status_where(rig, "status", lambda s: s["gnome_break_reminders"] is True)
        time.sleep(1)
        assert len([n for n in rig.notifications() if n.summary == NOTICE]) == 1
        quit_app(rig, again)

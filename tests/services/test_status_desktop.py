"""`status --json` says which tray protocol is in use and whether GNOME's own break
reminders are on (issue #16); both follow the app as they change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon

from deskguard.ui.tray import TrayHost

if TYPE_CHECKING:
    from tests.services.test_breaks import Rig


def test_status_names_the_tray_protocol_and_gnome_reminders(rig: Rig) -> None:
    status = rig.commands.status()
    assert (status["tray"], status["tray_protocol"]) == ("window", "window")
    assert status["gnome_break_reminders"] is None  # not GNOME, or not known

    host = TrayHost(rig.actions, QIcon(), "No tray here.")
    host.follow_hosts(sni=False, xembed=False)
    rig.controller.set_host(host)
    assert rig.commands.status()["tray_protocol"] == "window"
    host.follow_hosts(sni=True, xembed=False)  # a StatusNotifier panel appeared
    status = rig.commands.status()
    assert (status["tray"], status["tray_protocol"]) == ("system tray", "sni")
    host.follow_hosts(sni=False, xembed=False)
    assert rig.commands.status()["tray_protocol"] == "window"

    rig.commands.gnome_break_reminders = True  # what app.py sets from the adapter
    assert rig.commands.status()["gnome_break_reminders"] is True
    host.hide()
    if host.window is not None:
        host.window.deleteLater()
    rig.controller.set_host(rig.host)

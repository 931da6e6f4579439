from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QAction, QIcon, QImage
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

import deskguard.ui
from deskguard.core.model import State
from deskguard.ui.tray import (
    ControlWindow,
    GnomeRemindersNote,
    Tray,
    TrayActions,
    TrayHost,
    TrayStatus,
    describe,
    gnome_reminders_notice,
    usable_protocol,
)
from deskguard.ui.tray_icons import SYMBOLIC_COLOURS, Look, Style, look_of, render, tray_style

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def status(state: State, **kw: object) -> TrayStatus:
    fields: dict[str, object] = {
        "state": state,
        "now": NOW,
        "next_break_at": NOW + timedelta(minutes=23),
        "paused_until": None,
        "can_snooze": False,
    }
    fields.update(kw)
    return TrayStatus(**fields)  # type: ignore[arg-type]


def test_descriptions() -> None:
    assert describe(status(State.WORKING)).endswith("(in 23 min)")
    assert describe(status(State.ON_BREAK)) == "On a break — enjoy it"
    assert describe(status(State.PROMPTING)) == "A break is waiting for you"
    paused = status(State.PAUSED, paused_until=NOW + timedelta(hours=1), next_break_at=None)
    assert describe(paused).startswith("Paused until ")
    later = status(State.OUTSIDE_HOURS, next_break_at=NOW + timedelta(days=1))
    assert describe(later).startswith("Outside working hours — next break ")


def test_menu_has_every_control(qtbot: QtBot) -> None:
    actions = TrayActions()
    tray = Tray(actions, QIcon())
    tray.show_status(status(State.WORKING))
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator() and a.isVisible()]
    assert texts[1:] == [
        "Take a break now",
        "Snooze 5 min",
        "Pause",
        "Resume",
        "This week…",
        "Exercise library…",
        "Workstation check…",
        "When to see a professional…",
        "Back-care programme…",
        "Progress…",
        "Settings…",
        "Help",
        "Quit DeskGuard",
    ]
    assert [a.text() for a in actions.pause_menu.actions()] == [
        "For 30 minutes",
        "For 1 hour",
        "Until tomorrow",
    ]


def test_actions_emit_and_enable(qtbot: QtBot) -> None:
    actions = TrayActions()
    tray = Tray(actions, QIcon())
    tray.show_status(status(State.WORKING))
    assert not actions.snooze_action.isEnabled()
    assert not actions.resume_action.isEnabled()
    assert actions.pause_menu.isEnabled()
    assert "Next break at" in tray.icon.toolTip()
    with qtbot.waitSignal(actions.pause, timeout=1000) as blocker:
        actions.pause_actions[1].trigger()
    assert blocker.args == [60]
    with qtbot.waitSignal(actions.pause, timeout=1000) as blocker:
        actions.pause_actions[2].trigger()
    assert blocker.args == [None]
    with qtbot.waitSignal(actions.break_now, timeout=1000):
        actions.take_break.trigger()
    tray.show_status(status(State.PAUSED, paused_until=NOW + timedelta(minutes=30)))
    assert actions.resume_action.isEnabled() and not actions.pause_menu.isEnabled()
    with qtbot.waitSignal(actions.resume, timeout=1000):
        actions.resume_action.trigger()
    tray.show_status(status(State.PROMPTING, can_snooze=True))
    # A waiting prompt: "Take a break now" is the way back to it.
    assert actions.snooze_action.isEnabled() and actions.take_break.isEnabled()
    tray.show_status(status(State.ON_BREAK))
    assert not actions.take_break.isEnabled()


def test_programme_entries_emit_from_the_menu_and_the_control_window(qtbot: QtBot) -> None:
    actions = TrayActions()
    tray = Tray(actions, QIcon())
    window = ControlWindow(actions, QIcon(), "No tray here.")
    qtbot.addWidget(window)
    menu = {a.text(): a for a in tray.menu.actions()}
    with qtbot.waitSignal(actions.show_programme, timeout=1000):
        menu["Back-care programme…"].trigger()
    with qtbot.waitSignal(actions.show_progress, timeout=1000):
        menu["Progress…"].trigger()
    buttons = {b.text(): b for b in window.findChildren(QAbstractButton)}  # "…" is dropped
    with qtbot.waitSignal(actions.show_progress, timeout=1000):
        buttons["Progress"].click()
    with qtbot.waitSignal(actions.show_programme, timeout=1000):
        buttons["Back-care programme"].click()


def test_control_window_stands_in_for_the_tray(qtbot: QtBot) -> None:
    actions = TrayActions()
    window = ControlWindow(actions, QIcon(), "No tray here.")
    qtbot.addWidget(window)
    window.show()
    window.show_status(status(State.WORKING))
    assert "Next break at" in window.next_line.text()
    assert window.why.text() == "No tray here."
    window.close()  # only minimises
    assert window.isVisible()
    with qtbot.waitSignal(actions.quit, timeout=1000):
        actions.quit_action.trigger()


def test_every_control_has_an_accessible_name_or_text(qtbot: QtBot) -> None:
    from deskguard.ui.break_window import BreakWindow

    actions = TrayActions()
    window = ControlWindow(actions, QIcon(), "No tray here.")
    breaks = BreakWindow(lambda: NOW)
    for widget in (window, breaks):
        qtbot.addWidget(widget)
        buttons = widget.findChildren(QAbstractButton)
        assert buttons
        unnamed = [b for b in buttons if not (b.accessibleName() or b.text())]
        assert unnamed == []


class Marking(QTranslator):
    """Translates every text of the given contexts to «text», to see what goes through Qt."""

    def __init__(self, *contexts: str) -> None:
        super().__init__()
        self.contexts = contexts

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return f"«{source}»" if context in self.contexts else ""

    def isEmpty(self) -> bool:
        return False


@pytest.fixture
def marking() -> Iterator[Marking]:
    translator = Marking("Tray", "TrayActions", "ControlWindow", "BreakWindow")
    assert QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def test_tray_texts_go_through_qt_translation(qtbot: QtBot, marking: Marking) -> None:
    assert describe(status(State.ON_BREAK)) == "«On a break — enjoy it»"
    working = describe(status(State.WORKING))  # one template, its parts filled in after
    assert working.startswith("«Next break at ") and working.endswith(" (in «23 min»)»")
    actions = TrayActions()
    window = ControlWindow(actions, QIcon(), "No tray here.")
    qtbot.addWidget(window)
    window.show_status(status(State.WORKING))
    texts = [a.text() for a in (*actions.findChildren(QAction), *actions.pause_menu.actions())]
    texts += [b.text() for b in window.findChildren(QAbstractButton)]
    assert "«For 30 minutes»" in texts and "«Quit DeskGuard»" in texts
    assert all(t.startswith("«") for t in texts if t)


LUPDATE = shutil.which("pyside6-lupdate")


@pytest.mark.skipif(LUPDATE is None, reason="pyside6-lupdate is not installed")
def test_lupdate_files_texts_under_the_contexts_they_are_looked_up_in(tmp_path: Path) -> None:
    """A translation is found only under the context the code asks with: lupdate must see
    every text as a literal, and under that same context (not "", as a tr() helper gives)."""
    ui = Path(deskguard.ui.__file__).parent
    ts = tmp_path / "deskguard.ts"
    files = [str(ui / name) for name in ("tray.py", "break_window.py", "first_run.py")]
    subprocess.run([LUPDATE, *files, "-ts", str(ts)], check=True, capture_output=True)
    found = {
        (context.findtext("name"), message.findtext("source"))
        for context in ET.parse(ts).getroot().iter("context")
        for message in context.iter("message")
    }
    assert not [text for context, text in found if not context]
    for expected in [
        ("Tray", "For 30 minutes"),
        ("Tray", "Next break at {0} (in {1})"),
        ("TrayActions", "Quit DeskGuard"),
        ("BreakWindow", "DeskGuard — Break"),
        ("BreakWindow", "Hold {0} s"),
        ("BreakWindow", "Stand up and walk"),
        ("FirstRunDialog", "&Start DeskGuard when I log in"),
    ]:
        assert expected in found


# ---- the icon tells the state at a glance -------------------------------------------


def app_icon() -> QIcon:
    from deskguard.adapters.content import resources_dir

    return QIcon(str(resources_dir() / "icons" / "deskguard.svg"))


def differing_pixels(a: QImage, b: QImage) -> int:
    return sum(
        1 for y in range(a.height()) for x in range(a.width()) if a.pixel(x, y) != b.pixel(x, y)
    )


@pytest.mark.parametrize("size", [16, 22, 32, 64])
def test_every_state_has_its_own_icon(qtbot: QtBot, size: int) -> None:
    base = app_icon()
    images = {look: render(base, look, size) for look in Look}
    looks = list(Look)
    for i, a in enumerate(looks):
        for b in looks[i + 1 :]:
            # a visible share of the icon, not a stray pixel
            assert differing_pixels(images[a], images[b]) > size * size // 20, (a, b)


def test_badges_differ_by_shape_not_only_colour(qtbot: QtBot) -> None:
    """In greyscale (colour-blind users, a monochrome panel) the looks still differ."""
    base = app_icon()
    grey = {
        look: render(base, look, 32).convertToFormat(QImage.Format.Format_Grayscale8)
        for look in Look
    }
    looks = list(Look)
    for i, a in enumerate(looks):
        for b in looks[i + 1 :]:
            assert differing_pixels(grey[a], grey[b]) > 40, (a, b)


def test_the_tray_icon_follows_the_state(qtbot: QtBot) -> None:
    tray = Tray(TrayActions(), app_icon())
    assert tray.look is Look.WORKING
    tray.show_status(status(State.PAUSED, paused_until=NOW + timedelta(minutes=30)))
    assert tray.look is Look.PAUSED
    tray.show_status(status(State.WORKING, held="presentation"))
    assert tray.look is Look.WAITING
    tray.show_status(status(State.PROMPTING))
    assert tray.look is Look.WAITING
    tray.show_status(status(State.OUTSIDE_HOURS))
    assert tray.look is Look.OFF_HOURS
    tray.show_status(status(State.ON_BREAK))
    assert tray.look is Look.WORKING
    assert look_of(State.WORKING, held=False) is Look.WORKING


def test_todays_progress_leads_the_menu_and_tooltip(qtbot: QtBot) -> None:
    actions = TrayActions()
    tray = Tray(actions, app_icon())
    tray.show_status(status(State.WORKING, taken_today=3, prompts_today=4))
    assert actions.next_line.text().endswith(" · 3 of 4 breaks today")
    assert "3 of 4 breaks today" in tray.icon.toolTip()
    tray.show_status(status(State.WORKING))
    assert "breaks today" not in actions.next_line.text()  # nothing to count yet


# ---- StatusNotifier and XEmbed: the menu at the pointer, the host coming and going -----


def test_a_left_click_opens_the_menu_at_the_pointer(qtbot: QtBot) -> None:
    """Under StatusNotifier the icon has no geometry (Qt's is empty), so the menu went to
    the screen's corner; it opens where the click was, at the pointer."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QCursor
    from PySide6.QtWidgets import QSystemTrayIcon

    tray = Tray(TrayActions(), app_icon(), protocol="sni")
    tray.show_status(status(State.WORKING))
    assert tray.icon.geometry().isEmpty()  # what made the old popup land at the corner
    QCursor.setPos(QPoint(300, 200))
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    qtbot.waitUntil(tray.menu.isVisible, timeout=2000)
    try:
        assert tray.menu.geometry().topLeft() == QPoint(300, 200)
    finally:
        tray.menu.hide()
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Context)  # the host's menu
    assert not tray.menu.isVisible()


@pytest.mark.parametrize(
    ("sni", "xembed", "qt_sni", "expected"),
    [
        (False, False, None, "window"),
        (True, True, None, "sni"),  # Qt prefers StatusNotifier where a host is registered
        (False, True, None, "xembed"),
        (True, False, True, "sni"),
        (False, True, True, "window"),  # Qt's icon is a StatusNotifierItem for good
        (True, False, False, "window"),  # ... or an XEmbed window for good
        (True, True, False, "xembed"),
    ],
)
def test_usable_protocol(sni: bool, xembed: bool, qt_sni: bool | None, expected: str) -> None:
    assert usable_protocol(sni, xembed, qt_sni) == expected


def test_the_control_window_stands_in_while_no_tray_host_is_there(qtbot: QtBot) -> None:
    host = TrayHost(TrayActions(), app_icon(), "No tray here.")
    host.follow_hosts(sni=False, xembed=False)
    host.show()
    host.show_status(status(State.WORKING, taken_today=1, prompts_today=2))
    window = host.window
    assert window is not None
    qtbot.addWidget(window)
    assert (host.kind, host.protocol) == ("window", "window")
    assert window.isVisible() and host.tray is None
    assert "1 of 2 breaks today" in window.next_line.text()
    assert not host.balloon("t", "b", 5)

    host.follow_hosts(sni=True, xembed=False)  # a StatusNotifier panel started
    assert (host.kind, host.protocol, host.qt_sni) == ("system tray", "sni", True)
    assert host.tray is not None and host.tray.icon.isVisible()
    assert not window.isVisible()
    assert "1 of 2 breaks today" in host.tray.icon.toolTip()  # the last status carried over

    host.follow_hosts(sni=False, xembed=True)  # it went; only an XEmbed tray is left
    assert (host.kind, host.protocol) == ("window", "window")  # Qt's SNI icon cannot dock there
    assert window.isVisible() and not host.tray.icon.isVisible()
    host.show_status(status(State.PAUSED, paused_until=NOW + timedelta(minutes=30)))
    assert window.next_line.text().startswith("Paused until")

    host.follow_hosts(sni=True, xembed=True)
    assert host.protocol == "sni" and host.tray.icon.isVisible() and not window.isVisible()
    assert host.tray.icon.toolTip().startswith("DeskGuard — Paused until")
    host.hide()
    assert not host.tray.icon.isVisible() and not window.isVisible()


def test_an_xembed_tray_first_stays_xembed(qtbot: QtBot) -> None:
    host = TrayHost(TrayActions(), app_icon(), "No tray here.")
    host.follow_hosts(sni=False, xembed=True)  # as app.py does: hosts first, then show
    host.show()
    assert (host.protocol, host.qt_sni, host.window) == ("xembed", False, None)
    host.follow_hosts(sni=True, xembed=True)  # xfce4-panel: both protocols
    assert host.protocol == "xembed" and host.tray is not None
    assert host.tray.protocol == "xembed"
    host.hide()


# ---- a symbolic icon where the panel asks for one -------------------------------------------


@pytest.mark.parametrize(
    ("desktop", "dark", "expected"),
    [
        ("GNOME", None, Style.SYMBOLIC_LIGHT),  # the top bar is dark in both styles
        ("ubuntu:GNOME", False, Style.SYMBOLIC_LIGHT),
        ("GNOME-Classic:GNOME", None, Style.SYMBOLIC_DARK),
        ("KDE", None, Style.SYMBOLIC_DARK),  # Breeze's light panel
        ("KDE", True, Style.SYMBOLIC_LIGHT),
        ("XFCE", None, Style.COLOUR),
        ("sway", True, Style.COLOUR),
        ("", None, Style.COLOUR),
    ],
)
def test_tray_style_follows_the_desktop(desktop: str, dark: bool | None, expected: Style) -> None:
    assert tray_style(desktop, dark) is expected


def colours(image: QImage) -> set[tuple[int, int, int]]:
    """The colours of the pixels at least a quarter opaque, un-premultiplied (fainter
    antialiased edges lose their colour to the premultiplication's rounding)."""
    found = set()
    plain = image.convertToFormat(QImage.Format.Format_ARGB32)
    for y in range(plain.height()):
        for x in range(plain.width()):
            c = plain.pixelColor(x, y)
            if c.alpha() >= 64:
                found.add((c.red(), c.green(), c.blue()))
    return found


def near(found: set[tuple[int, int, int]], colour: str, tolerance: int = 6) -> bool:
    from PySide6.QtGui import QColor

    want = QColor(colour)
    return bool(found) and all(
        max(abs(r - want.red()), abs(g - want.green()), abs(b - want.blue())) <= tolerance
        for r, g, b in found
    )


@pytest.mark.parametrize("style", [Style.SYMBOLIC_LIGHT, Style.SYMBOLIC_DARK])
@pytest.mark.parametrize("size", [16, 22, 32])
def test_symbolic_icons_are_one_colour_and_differ_by_state(
    qtbot: QtBot, style: Style, size: int
) -> None:
    base = app_icon()
    images = {look: render(base, look, size, style) for look in Look}
    for look, image in images.items():
        assert near(colours(image), SYMBOLIC_COLOURS[style]), look  # one colour only
        assert differing_pixels(image, render(base, look, size)) > size * size // 4, look
    looks = list(Look)
    for i, a in enumerate(looks):
        for b in looks[i + 1 :]:
            # Shape, not colour: the alpha channel alone tells them apart.
            alpha_a = images[a].convertToFormat(QImage.Format.Format_Alpha8)
            alpha_b = images[b].convertToFormat(QImage.Format.Format_Alpha8)
            assert differing_pixels(alpha_a, alpha_b) > size * size // 20, (a, b)


def test_the_tray_shows_the_symbolic_set_and_follows_a_new_scheme(qtbot: QtBot) -> None:
    tray = Tray(TrayActions(), app_icon(), style=Style.SYMBOLIC_DARK)
    tray.show_status(status(State.PAUSED, paused_until=NOW + timedelta(minutes=30)))
    dark = tray.icon.icon().pixmap(32, 32).toImage()
    assert near(colours(dark), SYMBOLIC_COLOURS[Style.SYMBOLIC_DARK])
    tray.set_style(Style.SYMBOLIC_LIGHT)  # KDE switched to a dark colour scheme
    light = tray.icon.icon().pixmap(32, 32).toImage()
    assert near(colours(light), SYMBOLIC_COLOURS[Style.SYMBOLIC_LIGHT])
    assert differing_pixels(dark, light) > 100


# ---- GNOME's own break reminders ---------------------------------------------------------------


def test_the_gnome_reminders_entry_shows_only_while_they_are_on(qtbot: QtBot) -> None:
    actions = TrayActions()
    tray = Tray(actions, app_icon())
    window = ControlWindow(actions, app_icon(), "No tray here.")
    qtbot.addWidget(window)
    window.show()
    entry = actions.gnome_reminders_action
    assert entry in tray.menu.actions() and not entry.isVisible()
    assert not window.gnome_button.isVisible()
    entry.setVisible(True)
    assert window.gnome_button.isVisible()
    with qtbot.waitSignal(actions.gnome_reminders, timeout=1000):
        entry.trigger()
    entry.setVisible(False)
    assert not window.gnome_button.isVisible()


@pytest.mark.parametrize("can_open", [True, False])
def test_the_gnome_reminders_note_offers_both_ways(qtbot: QtBot, can_open: bool) -> None:
    title, body = gnome_reminders_notice()
    assert "GNOME" in title and "twice" in body
    note = GnomeRemindersNote(can_open)
    qtbot.addWidget(note)
    texts = {b.text(): b for b in note.buttons()}
    assert ("Open GNOME Settings" in texts) is can_open
    assert {"Pause DeskGuard until tomorrow", "Keep both"} <= set(texts)
    assert "twice for one break" in note.informativeText()
    with qtbot.waitSignal(note.chosen, timeout=1000) as chosen:
        texts["Pause DeskGuard until tomorrow"].click()
    assert chosen.args == ["pause"]
    if can_open:
        with qtbot.waitSignal(note.chosen, timeout=1000) as chosen:
            texts["Open GNOME Settings"].click()
        assert chosen.args == ["open"]


def test_on_wayland_a_left_click_opens_the_window_beside_the_icon(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No global pointer and no window to hang a menu from: a parentless popup is never
    shown on Wayland (seen in GNOME Shell 43), so the click opens the control window."""
    from PySide6.QtWidgets import QSystemTrayIcon

    import deskguard.ui.tray as tray_module

    monkeypatch.setattr(tray_module, "pointer_is_known", lambda: False)
    host = TrayHost(TrayActions(), app_icon(), "No tray here.")
    host.follow_hosts(sni=True, xembed=False)
    host.show()
    host.show_status(status(State.WORKING))
    assert host.tray is not None and host.window is None
    host.tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    window = host.window
    assert window is not None
    qtbot.addWidget(window)
    assert window.isVisible() and not host.tray.menu.isVisible()
    assert not window.why.isVisible()  # the tray is there: no "no tray found" note
    assert window.next_line.text().startswith("Next break at")
    window.close()  # opened from the icon: closing hides it
    assert not window.isVisible() and host.protocol == "sni"
    host.follow_hosts(sni=False, xembed=False)  # now it stands in for the tray
    assert window.isVisible() and window.why.isVisible()
    window.close()
    assert window.isVisible()  # standing in: closing only minimises
    host.hide()

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
from deskguard.ui.tray import ControlWindow, Tray, TrayActions, TrayStatus, describe
from deskguard.ui.tray_icons import Look, look_of, render

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
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
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

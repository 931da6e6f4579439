"""A scheduled prompt never takes the keyboard (issue #16.4), and its notification has
Start / Snooze buttons and goes once the prompt is answered (issue #14.5).

Where the break window cannot appear without the focus (Wayland), a scheduled prompt is
the notification and the tray's "waiting"; the window opens when the user acts. Where
it can (X11), the window appears unfocused beside the notification, and "Take a break
now" or the notification's body brings a waiting prompt back to the front. The window
is the real BreakWindow (offscreen); only whether it shows without focus is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from deskguard.adapters.alarm import Alarm
from deskguard.adapters.content import load_library
from deskguard.adapters.notify import NotifierChain
from deskguard.adapters.store import Store
from deskguard.core.clock import FakeClock
from deskguard.core.model import EventKind, Settings
from deskguard.services.breaks import Breaks
from deskguard.services.commands import Commands
from deskguard.ui.break_window import BreakWindow
from tests.fakes import RecordingNotifier

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
SHOW = ("default", "Show the break")  # the notification itself, clicked


class Window(BreakWindow):
    """The real window; `unfocused` says whether it can appear without the keyboard."""

    def __init__(self, now: Callable[[], datetime], unfocused: bool) -> None:
        super().__init__(now)
        self._unfocused = unfocused
        self.brought_forward = 0

    @property
    def shows_without_focus(self) -> bool:
        return self._unfocused

    def bring_forward(self) -> None:
        self.brought_forward += 1
        super().bring_forward()


class Notice:
    """A PromptNotice that records; `fail` makes the daemon refuse."""

    name = "d-bus"

    def __init__(self) -> None:
        self.fail: str | None = None
        self.shown: list[tuple[str, str, str, list[tuple[str, str]], int]] = []
        self.withdrawn = 0

    def show_prompt(
        self,
        title: str,
        body: str,
        plain_body: str,
        buttons: Sequence[tuple[str, str]],
        timeout_s: int,
        done: Callable[[str | None], None],
    ) -> None:
        self.shown.append((title, body, plain_body, list(buttons), timeout_s))
        done(self.fail)

    def withdraw_prompt(self) -> None:
        self.withdrawn += 1


class Setup:
    def __init__(self, qtbot: QtBot, tmp_path: Path, unfocused: bool) -> None:
        self.clock = FakeClock(MONDAY_9)
        self.store, _ = Store.open(tmp_path / "dg.db")
        self.chain = RecordingNotifier()
        self.notice = Notice()
        self.window = Window(self.clock.now, unfocused)
        qtbot.addWidget(self.window)
        self.breaks = Breaks(
            clock=self.clock,
            settings=Settings(posture_checks=False),  # its own notes: not here
            store=self.store,
            library=load_library(),
            notifier=NotifierChain([self.chain]),
            alarm=Alarm(),
            window=self.window,
            tz=BERLIN,
            prompt_notice=self.notice,
        )
        self.window.start_requested.connect(self.breaks.start_break)
        self.window.skip_requested.connect(self.breaks.skip)
        self.commands = Commands(self.breaks, request_quit=lambda: None)

    def advance(self, minutes: int) -> None:
        """Time passing as the running app sees it: a tick every minute (a longer gap
        would look like a suspend, which counts as a rest)."""
        for _ in range(minutes):
            self.clock.advance(minutes=1)
            self.breaks.tick()

    def due(self) -> None:
        self.advance(45)

    def kinds(self) -> list[EventKind]:
        return [e.kind for e in self.store.iter_events() if e.kind is not EventKind.POSTURE_CHECK]


@pytest.fixture
def make(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[[bool], Setup]]:
    made: list[Setup] = []

    def build(unfocused: bool) -> Setup:
        made.append(Setup(qtbot, tmp_path, unfocused))
        return made[-1]

    yield build
    for s in made:
        s.breaks.stop()
        s.store.close()


def test_on_wayland_a_scheduled_prompt_is_the_notification_only(
    make: Callable[[bool], Setup],
) -> None:
    s = make(False)
    s.due()
    assert s.kinds() == [EventKind.PROMPTED]
    assert not s.window.isVisible()  # nothing that could take the keyboard
    (title, body, plain, buttons, timeout_s) = s.notice.shown[0]
    assert title == "Time to stand and move" and body.startswith("Take 2 minutes")
    assert plain.endswith("Start it from DeskGuard's tray icon.")
    assert buttons == [SHOW, ("start", "Start break"), ("snooze", "Snooze 5 min")]
    assert timeout_s == 10 * 60  # as long as the prompt can be answered
    assert s.chain.shown == []
    status = s.commands.status()
    assert status["prompting"] and status["scheduled_prompt"] == "notification"
    assert status["notifier"] == "d-bus"


def test_start_from_the_notification_opens_the_break_and_withdraws_it(
    make: Callable[[bool], Setup],
) -> None:
    s = make(False)
    s.due()
    s.breaks.notification_action("start")
    assert s.kinds() == [EventKind.PROMPTED, EventKind.STARTED]
    assert s.window.isVisible() and s.window.on_break_page  # the user acted
    assert s.notice.withdrawn >= 1


def test_snooze_from_the_notification_and_the_next_one_comes_back(
    make: Callable[[bool], Setup],
) -> None:
    s = make(False)
    s.due()
    s.breaks.notification_action("snooze")
    assert s.kinds() == [EventKind.PROMPTED, EventKind.SNOOZED]
    assert not s.window.isVisible() and s.notice.withdrawn >= 1
    s.advance(5)
    assert len(s.notice.shown) == 2 and not s.window.isVisible()
    assert s.notice.shown[1][3] == [SHOW, ("start", "Start break"), ("snooze", "Snooze 5 min")]


def test_asking_for_the_waiting_prompt_opens_it_with_the_focus(
    make: Callable[[bool], Setup],
) -> None:
    s = make(False)
    s.due()
    s.breaks.notification_action("default")  # the notification's body was clicked
    assert s.window.isVisible() and not s.window.on_break_page
    assert s.window.brought_forward == 1
    assert s.kinds() == [EventKind.PROMPTED]  # shown, not answered
    s.commands.handle("break-now", {})  # the same from the CLI or the tray
    assert s.window.brought_forward == 2 and s.kinds() == [EventKind.PROMPTED]


def test_a_break_the_user_asks_for_may_take_the_focus(make: Callable[[bool], Setup]) -> None:
    s = make(False)
    s.commands.handle("break-now", {})
    assert s.window.isVisible() and s.window.brought_forward == 1
    assert s.notice.shown == []  # no buttons needed: the window is there
    assert s.chain.shown[0][0] == "Time to stand and move"


def test_when_the_notification_fails_the_chain_says_where_to_start(
    make: Callable[[bool], Setup],
) -> None:
    s = make(False)
    s.notice.fail = "no answer in time"
    s.due()
    assert not s.window.isVisible()
    assert s.chain.shown[0][1].endswith("Start it from DeskGuard's tray icon.")


def test_on_x11_the_window_appears_unfocused_beside_the_notification(
    make: Callable[[bool], Setup], qtbot: QtBot
) -> None:
    s = make(True)
    s.due()
    assert s.window.isVisible() and s.window.brought_forward == 0  # never takes the keys
    assert s.notice.shown[0][2] == s.notice.shown[0][1]  # no "from the tray" needed
    assert s.commands.status()["scheduled_prompt"] == "window"
    # Hidden behind other windows, it has a way back: break-now / the tray.
    s.breaks.break_now()
    assert s.window.brought_forward == 1 and s.kinds() == [EventKind.PROMPTED]
    withdrawn = s.notice.withdrawn
    s.window.skip_requested.emit()  # answered in the window: the notification goes
    assert s.kinds() == [EventKind.PROMPTED, EventKind.SKIPPED]
    assert s.notice.withdrawn > withdrawn


def test_no_snooze_button_once_the_snoozes_are_used(make: Callable[[bool], Setup]) -> None:
    s = make(False)
    s.due()
    for _ in range(2):  # Settings(): two snoozes
        s.breaks.notification_action("snooze")
        s.advance(5)
    assert s.notice.shown[-1][3] == [SHOW, ("start", "Start break")]

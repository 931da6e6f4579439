"""Start-up on a record a crash and a newer DeskGuard left behind: the break service runs,
the open prompt is closed once, the unreadable rows are told once (app.py's wiring)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from pytestqt.qtbot import QtBot

from deskguard.adapters.store import Store, _utc_text
from deskguard.app import tell_unreadable
from deskguard.core.model import Event, EventKind, Prompt, Settings
from deskguard.core.recovery import INTERRUPTED
from tests.services.test_breaks import BERLIN, Rig

K = EventKind
FRIDAY_4PM = datetime(2026, 11, 20, 16, 0, tzinfo=BERLIN)


def crashed_record(path: Path) -> None:
    """Friday: a row of a kind a newer DeskGuard wrote, then a break running when the app
    was killed, 80 s after the prompt came."""
    with Store.open(path)[0] as store:
        store.add_prompt(Prompt("fri", FRIDAY_4PM, "scheduled"))
        store.add_event(Event(K.PROMPTED, FRIDAY_4PM, "fri"))
        store.add_event(Event(K.STARTED, FRIDAY_4PM + timedelta(seconds=20), "fri"))
        store.mark_alive(FRIDAY_4PM + timedelta(seconds=80), force=True)
        store._conn.execute(
            "INSERT INTO events (kind, at_utc, utc_offset_min, detail) VALUES (?, ?, 60, '')",
            ("stretch_goal", _utc_text(FRIDAY_4PM - timedelta(minutes=30))),
        )


def start(qtbot: QtBot, tmp_path: Path) -> Rig:
    """What app.start_services does with the record, around the break service."""
    with Store.open(tmp_path / "dg.db")[0] as store:
        store.close_interrupted(Settings())
    rig = Rig(qtbot, tmp_path)
    rig.store.tell_unreadable(partial(tell_unreadable, rig.controller))
    return rig


def test_start_up_closes_the_crashed_break_and_tells_of_unreadable_rows_once(
    qtbot: QtBot, tmp_path: Path
) -> None:
    crashed_record(tmp_path / "dg.db")
    rig = start(qtbot, tmp_path)
    try:
        assert rig.commands.status()["state"] == "working"
        qtbot.waitUntil(lambda: any("cannot read" in body for _, body, _ in rig.notes.shown))
        [problem] = [p for p in rig.commands.status()["problems"] if "cannot read" in p]
        assert problem.startswith("1 entry in your record")
        rig.advance(minutes=46)  # the day goes on: a prompt comes, the tray refreshes
        assert rig.controller.planner.active is not None
        told = [body for _, body, _ in rig.notes.shown if "cannot read" in body]
        assert told == [problem]  # once, however often the record is read
        assert [p for p in rig.commands.status()["problems"] if "cannot read" in p] == [problem]
        friday = [e for e in rig.store.iter_events() if e.prompt_id == "fri"]
        assert friday[-1] == Event(K.MISSED, FRIDAY_4PM + timedelta(seconds=80), "fri", INTERRUPTED)
        assert rig.store._conn.execute(
            "SELECT count(*) FROM events WHERE kind = 'stretch_goal'"
        ).fetchone() == (1,)
    finally:
        rig.controller.stop()
        rig.store.close()


def test_a_second_start_closes_nothing_more(qtbot: QtBot, tmp_path: Path) -> None:
    crashed_record(tmp_path / "dg.db")
    start(qtbot, tmp_path).store.close()  # killed again before doing anything
    with Store.open(tmp_path / "dg.db")[0] as store:
        assert store.close_interrupted(Settings()) == []
        finals = [e for e in store.iter_events() if e.prompt_id == "fri" and e.kind is K.MISSED]
        assert len(finals) == 1

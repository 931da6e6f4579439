"""Calm under a full disk (issue #18): one notification per problem, in words a user
understands, a bounded problems list, and nothing lost once there is room again.

A full disk is the store's own StoreError for a real SQLITE_FULL (a database capped
with `PRAGMA max_page_count`), raised by every write while the "disk" is full.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import deque
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot

from deskguard.adapters.errorhook import ErrorHook
from deskguard.adapters.instance import MAX_MESSAGE
from deskguard.adapters.store import Store, StoreError
from deskguard.core.model import FINAL_KINDS, EventKind
from deskguard.services.breaks import MAX_PROBLEMS, ProblemList, saving_problem
from deskguard.ui.tray import Tray
from tests.services.test_breaks import Rig

SAVE_TITLE = "DeskGuard cannot save your breaks"
DEVELOPER_WORDS = ("never stored", "add the prompt first", "sqlite", "SQLITE", "Error", ".db")


class FullDisk:
    """The store as a full disk leaves it: every write fails with the very StoreError the
    real store raises for SQLite's SQLITE_FULL (made once on a database capped with
    `PRAGMA max_page_count`); reads still work."""

    def __init__(self, store: Store, error: StoreError) -> None:
        self._store = store
        self._error = error
        self.full = True
        self.failed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _write(self, name: str, *args: Any) -> Any:
        if self.full:
            self.failed += 1
            raise self._error
        return getattr(self._store, name)(*args)

    def add_prompt(self, *args: Any) -> Any:
        return self._write("add_prompt", *args)

    def add_event(self, *args: Any) -> Any:
        return self._write("add_event", *args)


@pytest.fixture
def disk(rig: Rig, tmp_path: Path) -> FullDisk:
    full = FullDisk(rig.store, real_sqlite_error("disk-full", tmp_path))
    rig.controller.store = full  # type: ignore[assignment]
    return full


def titles(rig: Rig) -> list[str]:
    return [title for title, _body, _timeout in rig.notes.shown]


def test_a_full_disk_is_told_once_in_words_and_nothing_is_lost_when_space_returns(
    rig: Rig, disk: FullDisk, caplog: pytest.LogCaptureFixture
) -> None:
    # A pad of rows fills the last free page: from here on every prompt fails to save.
    rig.advance(hours=4)
    prompts = titles(rig).count("Time to stand and move")
    assert prompts >= 4

    # Before: three notifications per failed prompt, two of them "...which was never
    # stored; add the prompt first".
    assert titles(rig).count(SAVE_TITLE) == 1
    (body,) = [b for t, b, _ in rig.notes.shown if t == SAVE_TITLE]
    assert "disk is full" in body
    assert not any(word in body for word in DEVELOPER_WORDS), body
    assert "never stored" not in caplog.text
    saving = [p for p in rig.controller.notes if "disk is full" in p]
    assert len(saving) == 1 and saving[0].endswith("times)"), rig.controller.notes

    # Space again: the next write saves everything that waited, in order.
    disk.full = False
    rig.advance(hours=1)
    assert titles(rig).count(SAVE_TITLE) == 1
    stored = rig.store.prompts_between(
        rig.clock.now() - timedelta(days=1), rig.clock.now() + timedelta(days=1)
    )
    assert len(stored) == titles(rig).count("Time to stand and move")
    events = list(rig.store.iter_events())
    finals = {e.prompt_id for e in events if e.kind in FINAL_KINDS}
    open_now = {rig.controller.planner.active.prompt.id} if rig.controller.planner.active else set()
    assert {p.id for p in stored} - open_now <= finals
    assert len([e for e in events if e.kind is EventKind.PROMPTED]) >= len(stored)


def test_the_same_problem_after_a_fix_is_told_again_only_after_a_while(
    rig: Rig, disk: FullDisk
) -> None:
    def write() -> None:  # a write that needs room on the disk
        if disk.full:
            raise disk._error

    written: list[bool] = []

    def saved() -> None:
        written.append(True)

    rig.controller.record(write)  # full: told
    for _ in range(5):
        rig.controller.record(write)
    assert titles(rig).count(SAVE_TITLE) == 1
    disk.full = False
    rig.controller.record(saved)  # room again: what waited is written, then this one
    assert written == [True] and rig.controller._unsaved == deque()
    rig.clock.advance(minutes=10)
    disk.full = True
    rig.controller.record(write)  # full again ten minutes after telling: not again
    assert titles(rig).count(SAVE_TITLE) == 1
    disk.full = False
    rig.controller._unsaved.clear()
    rig.controller.record(saved)
    rig.clock.advance(minutes=30)
    disk.full = True
    rig.controller.record(write)  # and again, long after: told again
    assert titles(rig).count(SAVE_TITLE) == 2


def test_another_kind_of_problem_is_told_as_it_comes(rig: Rig, tmp_path: Path) -> None:
    def read_only() -> None:
        raise StoreError("x.db: attempt to write a readonly database.")

    def full() -> None:
        raise StoreError("x.db: database or disk is full.")

    rig.controller.record(full)
    rig.controller.record(full)
    assert titles(rig).count(SAVE_TITLE) == 1
    rig.controller._unsaved.clear()
    rig.controller.record(read_only)
    bodies = [b for t, b, _ in rig.notes.shown if t == SAVE_TITLE]
    assert len(bodies) == 2 and "read-only" in bodies[1]


def real_sqlite_error(kind: str, tmp_path: Path) -> StoreError:
    """The StoreError the store raises for a real SQLite failure of `kind`."""
    path = tmp_path / f"{kind}.db"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE t (x)")
    setup.commit()
    conn = sqlite3.connect(
        f"file:{path}?mode=ro" if kind == "read-only" else str(path), uri=True, timeout=0
    )
    try:
        if kind == "locked":
            setup.execute("BEGIN EXCLUSIVE")
        if kind == "disk-full":
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")
            conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
        else:
            conn.execute("INSERT INTO t VALUES (1)")
        conn.commit()
    except sqlite3.Error as err:
        try:
            raise StoreError(f"{path}: could not store: {err}.") from err
        except StoreError as wrapped:
            return wrapped
    finally:
        conn.close()
        setup.close()
    raise AssertionError(f"no {kind} error")


@pytest.mark.parametrize("kind", ["disk-full", "read-only", "locked"])
def test_saving_problems_are_named_from_sqlites_own_error(kind: str, tmp_path: Path) -> None:
    found, text = saving_problem(real_sqlite_error(kind, tmp_path))
    assert found == kind
    assert not any(word in text for word in DEVELOPER_WORDS), text


def test_the_problems_list_is_bounded_and_counts_repeats() -> None:
    problems = ProblemList(["settings: bad key"])
    for n in range(1000):
        problems.append(f"problem number {n} " + "x" * 2000)
    problems.add("disk full", key="saving:disk-full")
    problems.add("disk full", key="saving:disk-full")
    assert len(problems) == MAX_PROBLEMS
    assert problems[-1] == "disk full (2 times)"
    assert problems.times("saving:disk-full") == 2
    assert all(len(p) <= 320 for p in problems)
    assert json.loads(json.dumps(problems)) == list(problems)


def test_a_status_reply_stays_far_below_the_message_limit(rig: Rig) -> None:
    for n in range(5000):
        rig.controller.notes.append(f"problem {n}: " + "é" * 5000)
    size = len(json.dumps(rig.commands.status()).encode())
    assert size < MAX_MESSAGE * 0.6, size  # non-ASCII: 6 bytes a letter in JSON


def test_an_error_in_a_slot_is_named_in_the_tray_and_status_once(
    rig: Rig, qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tray = Tray(rig.actions, QIcon())
    rig.controller.set_host(tray)
    hook = ErrorHook(tmp_path / "deskguard.log")
    hook.report = rig.controller.add_problem
    previous = sys.excepthook
    hook.install()
    try:

        def events_in_range() -> None:
            raise KeyError("a kind this version does not know")

        for _ in range(2):
            QTimer.singleShot(0, events_in_range)
            qtbot.waitUntil(lambda: hook.count > 0, timeout=2000)
        qtbot.waitUntil(lambda: hook.count == 2, timeout=2000)
    finally:
        hook.uninstall()
    assert sys.excepthook is previous
    problems = rig.commands.status()["problems"]
    assert len(problems) == 1
    assert "KeyError in events_in_range" in problems[0] and str(tmp_path) in problems[0]
    assert problems[0].endswith("(2 times)")
    assert [t for t in titles(rig) if t == "DeskGuard has a problem"] == ["DeskGuard has a problem"]
    assert "KeyError" in caplog.text and "Traceback" in caplog.text
    assert "KeyError in events_in_range" in tray.icon.toolTip()


def test_a_bug_in_a_write_is_raised_once_and_never_retried(rig: Rig) -> None:
    calls: list[str] = []

    def buggy() -> None:
        calls.append("buggy")
        raise KeyError("a bug, not the environment")

    with pytest.raises(KeyError):
        rig.controller.record(buggy)
    assert rig.controller.record(lambda: calls.append("next")) is True
    assert calls == ["buggy", "next"]
    assert titles(rig).count(SAVE_TITLE) == 0

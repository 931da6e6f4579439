"""Crash recovery on a real SQLite file: `kill -9` with a break running, then a start."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from deskguard.adapters import store as store_module
from deskguard.adapters.store import SCHEMA_VERSION, Store, StoreError
from deskguard.core.model import FINAL_KINDS, Event, EventKind, Prompt, Settings
from deskguard.core.recovery import GRACE, INTERRUPTED
from deskguard.core.stats import day_rows, query_range

K = EventKind
CET = timezone(timedelta(hours=1))
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=CET)  # a Monday
MONDAY = date(2026, 11, 23)
SETTINGS = Settings()
REPO = Path(__file__).resolve().parents[2]

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "deskguard.db"


def finals(store: Store) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {}
    for event in store.iter_events():
        if event.kind in FINAL_KINDS and event.prompt_id is not None:
            out.setdefault(event.prompt_id, []).append(event)
    return out


def stored_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


# The app's writes for `deskguard break-now` and a start on the break, its heartbeat
# 40 s into the break, then nothing: the parent kills it with SIGKILL.
CRASHING_APP = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timedelta
    from pathlib import Path
    from deskguard.adapters.store import Store
    from deskguard.core.model import Event, EventKind as K, Prompt

    path, t0 = Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2])
    pid = sys.argv[3]
    store, _ = Store.open(path)
    store.add_prompt(Prompt(pid, t0, "manual"))
    store.add_event(Event(K.PROMPTED, t0, pid, "manual"))
    store.add_event(Event(K.STARTED, t0 + timedelta(seconds=3), pid))
    store.mark_alive(t0 + timedelta(seconds=43), force=True)
    print("ready", flush=True)
    time.sleep(120)
    """
)


def run_and_kill(path: Path, t0: datetime, pid: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_APP, str(path), t0.isoformat(), pid],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


@posix_only
def test_break_now_kill_9_start_closes_the_break_once_counting_the_time_it_ran(
    db_path: Path,
) -> None:
    run_and_kill(db_path, T0, "m1")
    assert Path(f"{db_path}-wal").exists()  # killed: nothing was checkpointed or closed

    with Store.open(db_path)[0] as store:  # the next start
        [closed] = store.close_interrupted(SETTINGS)
        assert closed == Event(K.MISSED, T0 + timedelta(seconds=43), "m1", INTERRUPTED)
        events = store.events_in_range(*query_range(MONDAY))
        [row] = day_rows(events, MONDAY, MONDAY + timedelta(days=6), SETTINGS)[:1]
        assert row.movement_seconds == 40  # from the start to the last sign of life
        assert row.missed == 0 and row.self_started == 0  # break-now never counts against
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    with Store.open(db_path)[0] as store:  # started again: nothing more to close
        assert store.close_interrupted(SETTINGS) == []
        assert {pid: len(f) for pid, f in finals(store).items()} == {"m1": 1}


@posix_only
def test_repeated_crashes_close_each_prompt_exactly_once(db_path: Path) -> None:
    run_and_kill(db_path, T0, "m1")
    with Store.open(db_path)[0] as store:
        assert [e.prompt_id for e in store.close_interrupted(SETTINGS)] == ["m1"]
    run_and_kill(db_path, T0 + timedelta(hours=1), "m2")
    run_and_kill(db_path, T0 + timedelta(hours=2), "m3")  # killed again before a clean start
    with Store.open(db_path)[0] as store:
        closed = store.close_interrupted(SETTINGS)
        # m2's break ran until m3's start showed the app alive: capped at the break length.
        assert [(e.prompt_id, e.at) for e in closed] == [
            ("m2", T0 + timedelta(hours=1, minutes=2, seconds=3)),
            ("m3", T0 + timedelta(hours=2, seconds=43)),
        ]
        assert store.close_interrupted(SETTINGS) == []
        assert {pid: len(f) for pid, f in finals(store).items()} == {"m1": 1, "m2": 1, "m3": 1}


# ---- the heartbeat ------------------------------------------------------------------------


def test_mark_alive_writes_at_most_once_a_minute(db_path: Path) -> None:
    with Store.open(db_path)[0] as store:
        assert store.last_alive() is None
        assert store.mark_alive(T0) is True
        assert store.mark_alive(T0 + timedelta(seconds=30)) is False  # too soon: no write
        assert store.last_alive() == T0
        store._alive_written = (store._alive_written or 0) - 61  # a minute passes
        assert store.mark_alive(T0 + timedelta(seconds=61)) is True
        assert store.last_alive() == T0 + timedelta(seconds=61)
        assert store.last_alive().utcoffset() == timedelta(hours=1)  # type: ignore[union-attr]
        assert store._conn.execute("SELECT count(*) FROM meta").fetchone()[0] == 1


def test_mark_alive_never_raises_into_a_timer(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Store.open(db_path)[0] as store:
        store._conn.execute("DROP TABLE meta")
        assert store.mark_alive(T0) is False
        assert store.mark_alive(T0, force=True) is False
        assert sum("could not note" in r.getMessage() for r in caplog.records) == 1


def test_last_alive_is_the_newer_of_the_heartbeat_and_the_latest_event(db_path: Path) -> None:
    with Store.open(db_path)[0] as store:
        store.add_event(Event(K.PAUSED, T0 + timedelta(minutes=5)))
        store.mark_alive(T0, force=True)
        assert store.last_alive() == T0 + timedelta(minutes=5)
        store.mark_alive(T0 + timedelta(minutes=9), force=True)
        assert store.last_alive() == T0 + timedelta(minutes=9)
        # A row with a garbage time (which sorts after every real one) is passed over.
        store._conn.execute(
            "INSERT INTO events (kind, at_utc, utc_offset_min) VALUES ('paused', 'zzz', 0)"
        )
        store.mark_alive(T0, force=True)
        assert store.last_alive() == T0 + timedelta(minutes=5)


# ---- what start-up writes and what a reader only shows -------------------------------------


def open_prompt(store: Store, pid: str, at: datetime, *kinds: EventKind) -> None:
    store.add_prompt(Prompt(pid, at, "scheduled"))
    for n, kind in enumerate(kinds):
        store.add_event(Event(kind, at + timedelta(minutes=n), pid))


def test_recovery_is_one_transaction(db_path: Path) -> None:
    with Store.open(db_path)[0] as store:
        open_prompt(store, "a", T0, K.PROMPTED)
        open_prompt(store, "b", T0 + timedelta(hours=1), K.PROMPTED)
        store._conn.execute(
            "CREATE TEMP TRIGGER full BEFORE INSERT ON events WHEN NEW.prompt_id = 'b'"
            " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        with pytest.raises(StoreError, match=r"could not close the breaks left open.*disk is full"):
            store.close_interrupted(SETTINGS)
        assert finals(store) == {}  # not even a's
        assert store._checked_rowid() == 0
        store._conn.execute("DROP TRIGGER full")
        assert [e.prompt_id for e in store.close_interrupted(SETTINGS)] == ["a", "b"]
        assert store._checked_rowid() == 2


def test_start_up_looks_only_at_prompts_made_since_the_last_one(db_path: Path) -> None:
    with Store.open(db_path)[0] as store:
        open_prompt(store, "a", T0, K.PROMPTED)
        store.close_interrupted(SETTINGS)
        open_prompt(store, "b", T0 + timedelta(hours=1), K.PROMPTED)
        plan = " ".join(
            str(r[-1])
            for r in store._conn.execute(
                f"EXPLAIN QUERY PLAN {store_module._OPEN_PROMPTS_SQL}", (1,)
            ).fetchall()
        )
        assert "rowid>?" in plan.replace(" ", "")  # a range of the table, not a scan
        assert [e.prompt_id for e in store.close_interrupted(SETTINGS)] == ["b"]


def test_a_prompt_with_a_row_this_version_cannot_read_is_left_alone(db_path: Path) -> None:
    with Store.open(db_path)[0] as store:
        open_prompt(store, "p", T0, K.PROMPTED)
        store._conn.execute(
            "INSERT INTO events (prompt_id, kind, at_utc, utc_offset_min)"
            " VALUES ('p', 'abandoned', '2026-11-23T09:05:00.000000Z', 60)"
        )
        open_prompt(store, "q", T0 + timedelta(hours=1), K.PROMPTED)
        assert [e.prompt_id for e in store.close_interrupted(SETTINGS)] == ["q"]
        assert store.skipped_rows == 1


def test_a_reader_shows_the_outcomes_without_writing_them(db_path: Path) -> None:
    with Store.open(db_path)[0] as store:
        open_prompt(store, "old", T0, K.PROMPTED, K.STARTED)
        open_prompt(store, "now", T0 + timedelta(hours=3), K.PROMPTED)
        store.add_event(Event(K.PAUSED, T0 + timedelta(hours=4)))
        before = stored_count(db_path)
        now = T0 + timedelta(hours=3, minutes=10)  # "now" is still in its response window
        [shown] = store.include_interrupted(SETTINGS, now + GRACE - timedelta(minutes=1))
        assert shown == Event(K.MISSED, T0 + timedelta(minutes=3), "old", INTERRUPTED)
        assert stored_count(db_path) == before
        week = store.events_in_range(*query_range(MONDAY))
        assert [e.kind for e in week if e.prompt_id == "old"] == [K.PROMPTED, K.STARTED, K.MISSED]
        assert [e.at for e in week] == sorted(e.at for e in week)
        assert shown in list(store.iter_events())
        assert len(list(store.iter_events())) == before + 1
        # Outside the range asked for, it is not there.
        assert shown not in store.events_in_range(T0 + timedelta(hours=1), T0 + timedelta(days=1))
        # What the app writes at its next start is what the reader showed.
        assert store.close_interrupted(SETTINGS)[0] == shown
        assert stored_count(db_path) == before + 2


# ---- a database of the previous version -----------------------------------------------------


def _build_v5(path: Path) -> None:
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_module._MIGRATIONS[:5]:
        for statement in statements:
            conn.execute(statement)
    conn.executescript(
        """
        INSERT INTO prompts VALUES ('done', '2026-11-23T09:00:00.000000Z', 'scheduled', NULL, 60);
        INSERT INTO prompts VALUES ('open', '2026-11-23T10:00:00.000000Z', 'scheduled', 'x', 60);
        INSERT INTO events (prompt_id, kind, at_utc, detail, utc_offset_min) VALUES
            ('done', 'prompted', '2026-11-23T09:00:00.000000Z', '', 60),
            ('done', 'completed', '2026-11-23T09:02:00.000000Z', '', 60),
            ('open', 'prompted', '2026-11-23T10:00:00.000000Z', '', 60),
            ('open', 'snoozed', '2026-11-23T10:01:00.000000Z', '+5 min', 60),
            (NULL, 'posture_check', '2026-11-23T10:04:00.000000Z', 'screen', 60);
        INSERT INTO exclusions (exercise_id, excluded, changed_at_utc, changed_offset_min)
            VALUES ('x', 1, '2026-11-20T10:00:00.000000Z', 60);
        INSERT INTO checklist_results
            (checklist_id, taken_at_utc, taken_offset_min, answers, ticked, total)
            VALUES ('workstation', '2026-11-20T10:00:00.000000Z', 60, '{"a": true}', 1, 1);
        INSERT INTO program_log (kind, at_utc, utc_offset_min, phase)
            VALUES ('started', '2026-11-20T10:00:00.000000Z', 60, 1);
        PRAGMA user_version = 5;
        """
    )
    conn.close()


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = ("prompts", "events", "exclusions", "checklist_results", "program_log")
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
    finally:
        conn.close()


def test_a_version_5_database_keeps_every_row_and_its_open_prompts_are_closed(
    db_path: Path,
) -> None:
    _build_v5(db_path)
    before = _counts(db_path)
    with Store.open(db_path)[0] as store:
        assert store.schema_version() == SCHEMA_VERSION == 7
        assert _counts(db_path) == before  # the migration adds a table, nothing else
        assert store._conn.execute("SELECT * FROM meta").fetchall() == [(1, None, None, 0)]
        [closed] = store.close_interrupted(SETTINGS)
        # No heartbeat in an old record: the latest event (10:04 local) is its last sign.
        assert closed == Event(
            K.MISSED, datetime(2026, 11, 23, 11, 4, tzinfo=CET), "open", INTERRUPTED
        )
    assert _counts(db_path) == {**before, "events": before["events"] + 1}

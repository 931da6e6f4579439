from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from deskguard.adapters.store import EVENTS_IN_RANGE_SQL, SCHEMA_VERSION, Store, StoreError
from deskguard.core.model import Event, EventKind, Prompt
from tests.hostile import make_fifo, unix_socket_at, within

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")

UTC = timezone.utc
BERLIN = timezone(timedelta(hours=1))
NEW_YORK = timezone(timedelta(hours=-5))
T0 = datetime(2026, 11, 21, 16, 5, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "deskguard.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s, notices = Store.open(db_path)
    assert notices == []
    yield s
    s.close()


def _prompt(pid: str = "p1", at: datetime = T0, **kw: str) -> Prompt:
    return Prompt(
        id=pid, due_at=at, source=kw.get("source", "scheduled"), exercise_id=kw.get("exercise_id")
    )


# ---- a fresh database ----


def test_fresh_database_is_at_the_latest_version(store: Store, db_path: Path) -> None:
    assert SCHEMA_VERSION == 7
    assert store.schema_version() == SCHEMA_VERSION
    assert store.path == db_path
    assert db_path.is_file()


@posix_only
def test_fresh_database_files_are_private(store: Store, db_path: Path) -> None:
    store.add_event(Event(EventKind.PAUSED, T0))  # makes sure the WAL exists
    assert _mode(db_path.parent) == 0o700
    for name in ("deskguard.db", "deskguard.db-wal", "deskguard.db-shm"):
        assert _mode(db_path.parent / name) == 0o600, name


@posix_only
def test_existing_loose_files_are_tightened(db_path: Path) -> None:
    Store.open(db_path)[0].close()
    db_path.chmod(0o644)
    db_path.parent.chmod(0o755)
    s, _ = Store.open(db_path)
    s.close()
    assert _mode(db_path) == 0o600
    assert _mode(db_path.parent) == 0o700


def test_wal_foreign_keys_and_busy_timeout(store: Store) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_reopening_keeps_data(db_path: Path) -> None:
    with Store.open(db_path)[0] as s:
        s.add_event(Event(EventKind.PAUSED, T0))
    with Store.open(db_path)[0] as s:
        assert list(s.iter_events()) == [Event(EventKind.PAUSED, T0)]
        assert s.schema_version() == SCHEMA_VERSION


# ---- writing and reading ----


def test_round_trip_keeps_offsets_and_order(store: Store) -> None:
    store.add_prompt(_prompt("p1", T0.astimezone(BERLIN), exercise_id="wall-angels"))
    store.add_prompt(_prompt("p2", T0 + timedelta(hours=1), source="manual"))
    # Inserted out of time order, in three different zones.
    later = Event(EventKind.COMPLETED, (T0 + timedelta(minutes=3)).astimezone(NEW_YORK), "p1")
    first = Event(EventKind.PROMPTED, T0.astimezone(BERLIN), "p1", detail="tray")
    same_time = Event(EventKind.STARTED, T0, "p1")
    app_level = Event(EventKind.PAUSED, T0 - timedelta(hours=2))
    for e in (later, first, same_time, app_level):
        store.add_event(e)

    got = list(store.iter_events())

    assert got == [app_level, first, same_time, later]
    # Equal instants are not enough: each comes back in the offset it was written in.
    assert [e.at.utcoffset() for e in got] == [
        timedelta(0),
        timedelta(hours=1),
        timedelta(0),
        timedelta(hours=-5),
    ]
    assert got[1].at.hour == 17 and got[3].at.hour == 11
    assert got[1].detail == "tray"
    assert got[0].prompt_id is None
    assert all(isinstance(e.kind, EventKind) for e in got)

    prompts = store.prompts_between(T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert prompts == [
        Prompt("p1", T0, "scheduled", "wall-angels"),
        Prompt("p2", T0 + timedelta(hours=1), "manual", None),
    ]
    assert prompts[0].due_at.utcoffset() == timedelta(hours=1)


def test_microseconds_survive(store: Store) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=BERLIN)
    store.add_event(Event(EventKind.PAUSED, at))
    assert next(store.iter_events()).at == at


def test_utc_text_is_fixed_width(store: Store) -> None:
    store.add_event(Event(EventKind.PAUSED, datetime(2026, 11, 21, 17, 5, tzinfo=BERLIN)))
    row = store._conn.execute("SELECT at_utc, utc_offset_min FROM events").fetchone()
    assert row == ("2026-11-21T16:05:00.000000Z", 60)


def test_events_in_range_is_half_open(store: Store) -> None:
    times = [T0 + timedelta(minutes=m) for m in (0, 10, 20, 30)]
    for t in times:
        store.add_event(Event(EventKind.PAUSED, t))
    start, end = times[1], times[3]

    got = store.events_in_range(start, end)
    assert [e.at for e in got] == [times[1], times[2]]
    # Bounds in another zone mean the same instants.
    assert store.events_in_range(start.astimezone(NEW_YORK), end.astimezone(BERLIN)) == got
    # One microsecond either side moves the edges.
    assert len(store.events_in_range(start + timedelta(microseconds=1), end)) == 1
    assert len(store.events_in_range(start, end + timedelta(microseconds=1))) == 3
    assert store.events_in_range(end, start) == []


def test_prompts_between_is_half_open(store: Store) -> None:
    for i in range(3):
        store.add_prompt(_prompt(f"p{i}", T0 + timedelta(minutes=45 * i)))
    got = store.prompts_between(T0, T0 + timedelta(minutes=90))
    assert [p.id for p in got] == ["p0", "p1"]


def test_same_time_events_keep_insertion_order(store: Store) -> None:
    kinds = [EventKind.PROMPTED, EventKind.SNOOZED, EventKind.DEFERRED, EventKind.MISSED]
    store.add_prompt(_prompt())
    for k in kinds:
        store.add_event(Event(k, T0, "p1"))
    assert [e.kind for e in store.events_in_range(T0, T0 + timedelta(seconds=1))] == kinds


def test_naive_datetimes_are_rejected(store: Store) -> None:
    naive = datetime(2026, 11, 21, 16, 5)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add_event(Event(EventKind.PAUSED, naive))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add_prompt(_prompt(at=naive))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.events_in_range(naive, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.prompts_between(T0, naive)
    assert list(store.iter_events()) == []


def test_event_for_an_unknown_prompt_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="never stored") as info:
        store.add_event(Event(EventKind.COMPLETED, T0, "nope"))
    assert str(store.path) in str(info.value)


def test_adding_the_same_prompt_twice_is_harmless(store: Store) -> None:
    store.add_prompt(_prompt())
    store.add_prompt(_prompt())
    assert len(store.prompts_between(T0, T0 + timedelta(seconds=1))) == 1
    with pytest.raises(StoreError, match="already stored"):
        store.add_prompt(_prompt(source="manual"))


# ---- append-only ----


def test_events_cannot_be_updated_or_deleted(store: Store) -> None:
    store.add_event(Event(EventKind.PAUSED, T0))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._conn.execute("UPDATE events SET detail = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._conn.execute("DELETE FROM events")
    assert list(store.iter_events()) == [Event(EventKind.PAUSED, T0)]


# ---- migration ----


def _build_v1(path: Path) -> None:
    """The version 1 schema as it shipped, written by hand, with rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE prompts (id TEXT PRIMARY KEY, due_at TEXT, source TEXT);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            prompt_id TEXT NULL REFERENCES prompts(id),
            kind TEXT NOT NULL,
            at_utc TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '');
        INSERT INTO prompts VALUES ('old', '2026-03-02T10:00:00.000000Z', 'scheduled');
        INSERT INTO events (prompt_id, kind, at_utc, detail)
            VALUES ('old', 'prompted', '2026-03-02T10:00:00.000000Z', '');
        INSERT INTO events (prompt_id, kind, at_utc, detail)
            VALUES ('old', 'completed', '2026-03-02T10:02:30.000000Z', 'timer');
        INSERT INTO events (prompt_id, kind, at_utc)
            VALUES (NULL, 'paused', '2026-03-01T08:00:00.000000Z');
        PRAGMA user_version = 1;
        """
    )
    conn.close()


def test_migrates_a_version_1_database(db_path: Path) -> None:
    _build_v1(db_path)

    store, notices = Store.open(db_path)
    with store:
        assert notices == []
        assert store.schema_version() == SCHEMA_VERSION
        events = list(store.iter_events())
        assert [(e.kind, e.prompt_id, e.detail) for e in events] == [
            (EventKind.PAUSED, None, ""),
            (EventKind.PROMPTED, "old", ""),
            (EventKind.COMPLETED, "old", "timer"),
        ]
        assert events[2].at == datetime(2026, 3, 2, 10, 2, 30, tzinfo=UTC)
        assert all(e.at.utcoffset() == timedelta(0) for e in events)
        assert store.prompts_between(
            datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)
        ) == [Prompt("old", datetime(2026, 3, 2, 10, tzinfo=UTC), "scheduled", None)]

        indexes = {
            r[0] for r in store._conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
        assert {"events_at_utc", "events_prompt_id"} <= indexes
        triggers = {
            r[0]
            for r in store._conn.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='events'"
            )
        }
        assert triggers == {"events_no_update", "events_no_delete"}
        # Migrated rows are protected too, and new rows mix in.
        with pytest.raises(sqlite3.IntegrityError):
            store._conn.execute("DELETE FROM events")
        store.add_event(Event(EventKind.RESUMED, datetime(2026, 3, 3, 9, tzinfo=BERLIN)))
        assert len(list(store.iter_events())) == 4


def test_migration_failure_rolls_back_and_names_the_file(db_path: Path) -> None:
    _build_v1(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE INDEX events_at_utc ON events(kind)")  # collides with version 2
    conn.close()

    with pytest.raises(StoreError, match="from schema version 1 to 2") as info:
        Store.open(db_path)

    assert str(db_path) in str(info.value)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [r[1] for r in conn.execute("PRAGMA table_info(events)")]
    assert "utc_offset_min" not in columns  # the half-done step was undone
    conn.close()


def test_newer_database_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")  # even a read would leave -wal/-shm behind
    conn.execute("CREATE TABLE future (x)")
    conn.execute("PRAGMA user_version = 8")
    conn.close()
    before = db_path.read_bytes()
    listing = sorted(p.name for p in db_path.parent.iterdir())

    with pytest.raises(StoreError) as info:
        Store.open(db_path)

    msg = str(info.value)
    assert str(db_path) in msg
    assert "version 8" in msg and f"version {SCHEMA_VERSION}" in msg
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == listing


def test_newer_database_with_a_pending_wal_is_refused(db_path: Path) -> None:
    # A newer DeskGuard still running: its version sits in the WAL, not yet in the header.
    db_path.parent.mkdir(parents=True)
    newer = sqlite3.connect(db_path, isolation_level=None)
    newer.execute("PRAGMA journal_mode = WAL")
    newer.execute("PRAGMA wal_autocheckpoint = 0")
    newer.execute("CREATE TABLE future (x)")
    newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    try:
        before = db_path.read_bytes()
        with pytest.raises(StoreError, match=f"version {SCHEMA_VERSION + 1}"):
            Store.open(db_path)
        assert db_path.read_bytes() == before
    finally:
        newer.close()


# ---- damaged files ----


def test_garbage_file_is_moved_aside_and_a_fresh_one_started(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = b"this is not a database, just some bytes\n" * 100
    db_path.write_bytes(garbage)
    (db_path.parent / "deskguard.db-wal").write_bytes(b"old wal")

    store, notices = Store.open(db_path)

    with store:
        kept = sorted(db_path.parent.glob("deskguard.db.corrupt-*"))
        main = [p for p in kept if not p.name.endswith(("-wal", "-shm"))]
        assert len(main) == 1
        assert main[0].read_bytes() == garbage
        assert Path(f"{main[0]}-wal").read_bytes() == b"old wal"
        assert len(notices) == 1
        assert notices[0] == (
            f"The database {db_path} could not be read (file is not a database). "
            f"It was kept as {main[0]} and a new one was started."
        )
        assert store.schema_version() == SCHEMA_VERSION
        store.add_event(Event(EventKind.PAUSED, T0))
        assert len(list(store.iter_events())) == 1


def test_second_corrupt_copy_in_the_same_second_gets_a_counter(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    names: list[str] = []
    for n in range(3):
        db_path.write_bytes(f"garbage {n}".encode() * 50)
        s, notices = Store.open(db_path)
        s.close()
        assert len(notices) == 1
        names.append(notices[0].split("It was kept as ")[1].split(" and a new")[0])
    assert len(set(names)) == 3
    # Nothing was overwritten: each copy still has its own bytes.
    contents = {Path(n).read_bytes() for n in names}
    assert len(contents) == 3


def test_damaged_pages_fail_the_check_and_are_moved_aside(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    data = bytearray(db_path.read_bytes())
    data[8192:10192] = b"\xff" * 2000  # wreck a b-tree page, keep the header
    db_path.write_bytes(bytes(data))

    store, notices = Store.open(db_path)

    with store:
        assert len(notices) == 1
        assert "could not be read (" in notices[0]
        assert store.schema_version() == SCHEMA_VERSION
        kept = [
            p
            for p in db_path.parent.glob("deskguard.db.corrupt-*")
            if not p.name.endswith(("-wal", "-shm"))
        ]
        assert [p.read_bytes() for p in kept] == [bytes(data)]


def test_failed_quick_check_is_moved_aside(db_path: Path) -> None:
    # Readable, but breaks a NOT NULL rule: quick_check reports it instead of raising.
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (NULL)")
    conn.commit()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE TABLE t (x NOT NULL)' WHERE name = 't'")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()

    store, notices = Store.open(db_path)

    with store:
        assert len(notices) == 1
        assert "failed the integrity check: NULL value in t.x" in notices[0]
        kept = Path(notices[0].split("It was kept as ")[1].split(" and a new")[0])
        assert kept.read_bytes() == before
        assert store.schema_version() == SCHEMA_VERSION


def test_empty_file_is_a_new_database(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    store, notices = Store.open(db_path)
    with store:
        assert notices == []
        assert store.schema_version() == SCHEMA_VERSION


# ---- two connections ----


def test_writer_and_reader_work_concurrently(db_path: Path) -> None:
    writer, _ = Store.open(db_path)
    reader, _ = Store.open(db_path)  # the CLI's `report` while the app runs
    try:
        writer.add_prompt(_prompt())
        writer.add_event(Event(EventKind.PROMPTED, T0, "p1"))
        assert [e.kind for e in reader.iter_events()] == [EventKind.PROMPTED]

        # A reader in the middle of a long read does not block the writer (WAL).
        reading = iter(reader.iter_events())
        assert next(reading).kind == EventKind.PROMPTED
        writer.add_event(Event(EventKind.COMPLETED, T0 + timedelta(minutes=2), "p1"))
        assert list(reading) == []  # its snapshot predates the write

        assert [e.kind for e in reader.events_in_range(T0, T0 + timedelta(hours=1))] == [
            EventKind.PROMPTED,
            EventKind.COMPLETED,
        ]
        # And the reader's own writes are seen by the writer.
        reader.add_event(Event(EventKind.PAUSED, T0 + timedelta(hours=2)))
        assert len(list(writer.iter_events())) == 3
    finally:
        reader.close()
        writer.close()


def test_open_while_another_connection_holds_the_write_lock_waits(db_path: Path) -> None:
    Store.open(db_path)[0].close()
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("INSERT INTO prompts (id, due_at, source) VALUES ('b', 'x', 'manual')")
    try:
        # Already migrated, so opening only reads and must not be blocked or moved aside.
        s, notices = Store.open(db_path)
        with s:
            assert notices == []
            assert s.schema_version() == SCHEMA_VERSION
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


# ---- version 3: "not for me" exclusions and checklist results ----


def _build_v2(path: Path) -> None:
    """A database exactly as schema version 2 left it, with one event in it."""
    from deskguard.adapters import store as store_module

    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_module._MIGRATIONS[:2]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO events (kind, at_utc, utc_offset_min, detail)"
        " VALUES ('paused', '2026-03-01T08:00:00.000000Z', 60, '')"
    )
    conn.execute("PRAGMA user_version = 2")
    conn.close()


def test_migrates_a_version_2_database(db_path: Path) -> None:
    _build_v2(db_path)

    store, notices = Store.open(db_path)
    with store:
        assert notices == []
        assert store.schema_version() == SCHEMA_VERSION
        [event] = list(store.iter_events())
        assert event.kind is EventKind.PAUSED
        assert event.at == datetime(2026, 3, 1, 9, tzinfo=BERLIN)
        tables = {
            r[0] for r in store._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {"exclusions", "checklist_results"} <= tables
        assert store.excluded_exercises() == set()
        assert store.last_checklist_result("workstation") is None
        assert store.set_excluded("squat", True, T0)
        assert store.excluded_exercises() == {"squat"}


def test_exclusions_round_trip_and_keep_their_history(db_path: Path) -> None:
    with Store.open(db_path)[0] as store:
        assert store.set_excluded("squat", True, T0)
        assert store.set_excluded("leg-swings", True, T0 + timedelta(minutes=1))
        assert store.set_excluded("squat", False, T0 + timedelta(minutes=2))
        assert store.excluded_exercises() == {"leg-swings"}
        assert store.set_excluded("squat", True, T0 + timedelta(minutes=3))
        # Setting the state it already has writes nothing.
        assert not store.set_excluded("squat", True, T0 + timedelta(minutes=4))
        assert not store.set_excluded("never-excluded", False, T0)
    with Store.open(db_path)[0] as store:  # survives a restart
        assert store.excluded_exercises() == {"squat", "leg-swings"}
        rows = store._conn.execute(
            "SELECT exercise_id, excluded, changed_offset_min FROM exclusions ORDER BY id"
        ).fetchall()
        assert rows == [("squat", 1, 0), ("leg-swings", 1, 0), ("squat", 0, 0), ("squat", 1, 0)]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store._conn.execute("UPDATE exclusions SET excluded = 0")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store._conn.execute("DELETE FROM exclusions")


def test_exclusion_keeps_the_local_offset_and_refuses_naive_times(store: Store) -> None:
    store.set_excluded("squat", True, datetime(2026, 3, 1, 9, tzinfo=BERLIN))
    row = store._conn.execute(
        "SELECT changed_at_utc, changed_offset_min FROM exclusions"
    ).fetchone()
    assert row == ("2026-03-01T08:00:00.000000Z", 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.set_excluded("squat", False, datetime(2026, 3, 1, 9))
    with pytest.raises(ValueError):
        store.set_excluded("", True, T0)


def test_checklist_results_round_trip(db_path: Path) -> None:
    from deskguard.core.checklist import ChecklistResult, Score

    first = ChecklistResult(
        "workstation",
        datetime(2026, 3, 1, 9, 30, tzinfo=BERLIN),
        {"feet-flat": True, "monitor-at-eye-level": False},
        Score(1, 4),
    )
    second = ChecklistResult(
        "workstation", datetime(2026, 4, 2, 8, tzinfo=NEW_YORK), {"feet-flat": True}, Score(3, 4)
    )
    other = ChecklistResult("sleep", T0, {"not-on-stomach": True}, Score(1, 3))
    with Store.open(db_path)[0] as store:
        store.add_checklist_result(first)
        store.add_checklist_result(other)
        store.add_checklist_result(second)
    with Store.open(db_path)[0] as store:
        last = store.last_checklist_result("workstation")
        assert last == second
        assert last is not None and last.taken_at.utcoffset() == timedelta(hours=-5)
        assert store.checklist_results("workstation") == [first, second]
        assert store.last_checklist_result("sleep") == other
        assert store.last_checklist_result("lifting") is None
        assert dict(store.checklist_results("workstation")[0].answers) == {
            "feet-flat": True,
            "monitor-at-eye-level": False,
        }
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store._conn.execute("DELETE FROM checklist_results")


def test_checklist_result_needs_an_aware_time(store: Store) -> None:
    from deskguard.core.checklist import ChecklistResult

    with pytest.raises(ValueError, match="timezone-aware"):
        store.add_checklist_result(ChecklistResult("workstation", datetime(2026, 3, 1)))
    assert store.last_checklist_result("workstation") is None


def test_a_damaged_checklist_row_is_reported_with_the_file(store: Store, db_path: Path) -> None:
    store._conn.execute(
        "INSERT INTO checklist_results"
        " (checklist_id, taken_at_utc, taken_offset_min, answers, ticked, total)"
        " VALUES ('workstation', '2026-03-01T08:00:00.000000Z', 0, '{not json', 0, 4)"
    )
    with pytest.raises(StoreError, match="unreadable") as info:
        store.last_checklist_result("workstation")
    assert str(db_path) in str(info.value)
    # The weekly summary leaves it out and counts it, so the report still runs.
    assert store.checklist_results("workstation") == []
    assert store.skipped_rows == 1


def test_a_checklist_row_with_an_unreadable_time_is_a_store_error(store: Store) -> None:
    store._conn.execute(
        "INSERT INTO checklist_results"
        " (checklist_id, taken_at_utc, taken_offset_min, answers, ticked, total)"
        " VALUES ('workstation', 'last tuesday', 0, '{}', 0, 4)"
    )
    with pytest.raises(StoreError, match="unreadable"):
        store.last_checklist_result("workstation")
    assert store.checklist_results("workstation") == []


# ---- version 4: a covering index for the stats' range reads ----


def test_week_reads_use_the_covering_index(store: Store) -> None:
    plan = store._conn.execute(
        f"EXPLAIN QUERY PLAN {EVENTS_IN_RANGE_SQL}", ("2026-01-01", "2026-01-08")
    ).fetchall()
    detail = " ".join(str(row[-1]) for row in plan)
    assert "COVERING INDEX events_range" in detail
    assert "TEMP B-TREE" not in detail  # already in order: no sort step


def test_migrates_a_version_3_database_and_keeps_its_events(db_path: Path) -> None:
    from deskguard.adapters import store as store_module

    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    for statements in store_module._MIGRATIONS[:3]:
        for statement in statements:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO events (kind, at_utc, utc_offset_min, detail)"
        " VALUES ('paused', '2026-03-01T08:00:00.000000Z', 60, '')"
    )
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    with Store.open(db_path)[0] as store:
        assert store.schema_version() == SCHEMA_VERSION
        indexes = {
            r[0] for r in store._conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
        assert "events_range" in indexes
        start = datetime(2026, 3, 1, tzinfo=UTC)
        [event] = store.events_in_range(start, start + timedelta(days=1))
        assert event.at == datetime(2026, 3, 1, 9, tzinfo=BERLIN)


def test_first_event_at(store: Store) -> None:
    assert store.first_event_at() is None
    store.add_event(Event(EventKind.RESUMED, datetime(2026, 3, 3, 9, tzinfo=BERLIN)))
    store.add_event(Event(EventKind.PAUSED, datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)))
    first = store.first_event_at()
    assert first == datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)
    assert first is not None and first.utcoffset() == timedelta(hours=-5)  # its own offset


def test_events_in_range_reads_what_iter_events_reads(store: Store) -> None:
    zones = (UTC, BERLIN, NEW_YORK, timezone(timedelta(hours=5, minutes=45)))
    for n in range(40):
        at = (T0 + timedelta(minutes=37 * n, microseconds=n)).astimezone(zones[n % 4])
        store.add_event(Event(EventKind.PAUSED if n % 2 else EventKind.RESUMED, at, None, str(n)))
    start, end = T0 + timedelta(hours=2), T0 + timedelta(hours=20)
    fast = store.events_in_range(start, end)
    reference = [e for e in store.iter_events() if start <= e.at < end]  # the plain decoder
    assert fast == reference and len(fast) == 29
    assert [e.at.utcoffset() for e in fast] == [e.at.utcoffset() for e in reference]


# ---- rows this version cannot read: kept, skipped, counted, told once ----------------------

WEEK = (datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))


def _raw_event(
    store: Store, kind: str, at_utc: object, offset: object = 60, pid: object = None
) -> None:
    store._conn.execute(
        "INSERT INTO events (kind, at_utc, utc_offset_min, prompt_id) VALUES (?, ?, ?, ?)",
        (kind, at_utc, offset, pid),
    )


def _hostile_rows(store: Store) -> None:
    """Good events at T0 and T0 + 2 min with five unreadable rows in between."""
    store.add_prompt(_prompt())
    store.add_event(Event(EventKind.PROMPTED, T0, "p1"))
    _raw_event(store, "teleported", "2026-11-21T16:05:30.000000Z", pid="p1")  # a newer kind
    _raw_event(store, "paused", "2026-11-21T16:05:31.000000Z", offset=100_000)  # no such zone
    _raw_event(store, "paused", "2026-11-21T16:05:32.000000Z", offset="one hour")
    _raw_event(store, "paused", "2026-11-21T16:05:33.000000+99:99Z")  # sorts in, never parses
    _raw_event(store, "paused", b"\x00\x01")  # bytes where the time goes
    store.add_event(Event(EventKind.COMPLETED, T0 + timedelta(minutes=2), "p1"))


def test_rows_this_version_cannot_read_are_skipped_counted_and_kept(store: Store) -> None:
    _hostile_rows(store)
    before = store._conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    events = store.events_in_range(*WEEK)
    assert [e.kind for e in events] == [EventKind.PROMPTED, EventKind.COMPLETED]
    assert store.skipped_rows == 4  # bytes sort after every text: not in this range
    assert [e.kind for e in store.iter_events()] == [EventKind.PROMPTED, EventKind.COMPLETED]
    assert store.skipped_rows == 5
    store.events_in_range(*WEEK)  # read again: the same rows, counted once
    assert store.skipped_rows == 5
    message = store.unreadable_message()
    assert message is not None and message.startswith(f"5 entries in your record {store.path} ")
    assert "newer version, or damaged" in message and "kept in the record unchanged" in message
    assert store._conn.execute("SELECT * FROM events ORDER BY id").fetchall() == before


def test_the_first_unreadable_row_is_told_once(store: Store) -> None:
    told: list[str] = []
    store.tell_unreadable(told.append)
    assert told == [] and store.unreadable_message() is None
    _hostile_rows(store)
    store.events_in_range(*WEEK)
    list(store.iter_events())
    assert len(told) == 1 and told[0].startswith("1 entry in your record")
    later: list[str] = []
    store.tell_unreadable(later.append)  # already told: not again
    assert later == []


def test_told_at_once_when_a_read_before_found_rows(store: Store) -> None:
    _hostile_rows(store)
    store.events_in_range(*WEEK)
    told: list[str] = []
    store.tell_unreadable(told.append)
    assert told == [store.unreadable_message()]


def test_unreadable_prompts_are_skipped_too(store: Store) -> None:
    store.add_prompt(_prompt("good"))
    store._conn.execute(
        "INSERT INTO prompts (id, due_at, due_offset_min, source) VALUES"
        " ('bad', '2026-11-21T16:99:00.000000Z', 60, 'scheduled'),"
        " (x'07', '2026-11-21T16:06:00.000000Z', 60, 'scheduled')"  # bytes for an id
    )
    assert [p.id for p in store.prompts_between(*WEEK)] == ["good"]
    assert store.skipped_rows == 2


def test_first_event_at_passes_over_a_garbage_time_that_sorts_first(store: Store) -> None:
    _raw_event(store, "paused", "0000-00-00T00:00:00.000000Z")
    _raw_event(store, "paused", "")
    store.add_event(Event(EventKind.PAUSED, T0))
    assert store.first_event_at() == T0


# ---- only a regular file is opened as the database ------------------------------------------


def _refused(db_path: Path, kind: str, fifos: tuple[Path, ...] = ()) -> str:
    with pytest.raises(StoreError) as info:
        within(10, lambda: Store.open(db_path), fifos)
    text = str(info.value)
    assert f"{kind}, not a file" in text and "Nothing was changed" in text
    return text


@posix_only
def test_a_named_pipe_at_the_database_path_is_refused_at_once(db_path: Path) -> None:
    make_fifo(db_path)
    text = _refused(db_path, "a named pipe (FIFO)", (db_path,))
    assert text.startswith(f"Your record cannot be opened: {db_path} is a named pipe (FIFO)")
    assert stat.S_ISFIFO(os.lstat(db_path).st_mode)  # left where it is


def test_a_folder_at_the_database_path_is_named_a_folder(db_path: Path) -> None:
    (db_path / "inside").mkdir(parents=True)
    _refused(db_path, "is a folder")
    assert (db_path / "inside").is_dir()


@posix_only
def test_a_socket_or_a_device_at_the_database_path_is_refused(db_path: Path) -> None:
    with unix_socket_at(db_path):
        _refused(db_path, "a socket")
    db_path.unlink()
    db_path.symlink_to("/dev/zero")
    _refused(db_path, "a character device")
    assert db_path.is_symlink()


@posix_only
def test_a_named_pipe_beside_the_database_is_refused(db_path: Path) -> None:
    Store.open(db_path)[0].close()
    wal = make_fifo(Path(f"{db_path}-wal"))
    _refused(db_path, "a named pipe (FIFO)", (wal,))


def test_offers_are_noted_and_the_last_one_read_back(db_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    store, _ = Store.open(db_path)
    assert store.last_offer("workstation-check") is None
    cet = timezone(timedelta(hours=1))
    first = datetime(2026, 11, 2, 9, 0, tzinfo=cet)
    store.add_offer("workstation-check", first)
    store.add_offer("welcome-left", first + timedelta(minutes=1))
    store.add_offer("workstation-check", first + timedelta(days=30))
    assert store.last_offer("workstation-check") == first + timedelta(days=30)
    assert store.last_offer("welcome-left") == first + timedelta(minutes=1)
    store.close()
    again, _ = Store.open(db_path)  # kept across a restart
    assert again.last_offer("workstation-check") == first + timedelta(days=30)
    again.close()


def test_a_record_that_cannot_be_made_private_still_opens(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import errno
    import os

    store, _ = Store.open(db_path)
    store.close()

    def read_only(path: object, mode: int) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(os, "chmod", read_only)
    again, _ = Store.open(db_path)  # a read-only file system: no raw OSError
    again.close()
    assert "could not make" in caplog.text and "Read-only file system" in caplog.text

"""The back-care programme's log in SQLite (schema version 5): append-only, in insertion order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from deskguard.adapters import store as store_module
from deskguard.adapters.content import load_library
from deskguard.adapters.store import SCHEMA_VERSION, Store, StoreError
from deskguard.core.checklist import ChecklistResult, Score
from deskguard.core.clock import FakeClock
from deskguard.core.model import Event, EventKind, Prompt, Settings
from deskguard.core.ports import ProgrammeLog
from deskguard.core.programme import Kind, PainWhen, ProgrammeEvent, Sensation
from deskguard.services.programme import Coach

UTC = timezone.utc
BERLIN = timezone(timedelta(hours=1))
TOKYO = timezone(timedelta(hours=9))
KATHMANDU = timezone(timedelta(hours=5, minutes=45))
T0 = datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "deskguard.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s, notices = Store.open(db_path)
    assert notices == []
    yield s
    s.close()


def every_kind() -> list[ProgrammeEvent]:
    """One event of every kind, and every sensation and pain moment, across zones."""
    events = [
        ProgrammeEvent(Kind.SCREENED, T0, flags=("leg-weakness", "night-pain")),
        ProgrammeEvent(Kind.STARTED, T0, phase=1),
        ProgrammeEvent(Kind.SESSION_DONE, T0 + timedelta(days=2), phase=1, detail="5/5"),
        ProgrammeEvent(Kind.SESSION_STOPPED, T0 + timedelta(days=4), phase=2, detail="bird-dog"),
        ProgrammeEvent(Kind.ADVANCED, T0 + timedelta(days=8), phase=2),
        ProgrammeEvent(Kind.STEPPED_BACK, T0 + timedelta(days=9), phase=1),
        ProgrammeEvent(Kind.PAUSED, T0 + timedelta(days=10), flags=("user",)),
        ProgrammeEvent(Kind.RESUMED, (T0 + timedelta(days=11)).astimezone(TOKYO)),
        ProgrammeEvent(Kind.REMINDED, T0 + timedelta(days=12), detail="2026-12-05"),
    ]
    moments = list(PainWhen)
    for n, sensation in enumerate(Sensation):
        at = (T0 + timedelta(days=13, minutes=n, microseconds=7)).astimezone(KATHMANDU)
        events.append(
            ProgrammeEvent(
                Kind.PAIN, at, rating=(0, 3, 7, 10)[n], sensation=sensation, when=moments[n % 3]
            )
        )
    return events


def test_every_kind_sensation_and_moment_round_trips(db_path: Path) -> None:
    events = every_kind()
    assert {e.kind for e in events} == set(Kind)
    assert {e.sensation for e in events} - {None} == set(Sensation)
    assert {e.when for e in events} - {None} == set(PainWhen)
    with Store.open(db_path)[0] as store:
        store.add_programme_events(events)
    with Store.open(db_path)[0] as store:  # read back from the file, not a cache
        back = store.programme_events()
    assert back == events
    assert [e.at.utcoffset() for e in back] == [e.at.utcoffset() for e in events]
    assert [e.day for e in back] == [e.day for e in events]


def test_local_day_survives_a_zone_move(store: Store) -> None:
    # 23:30 in Berlin is already tomorrow in UTC: the programme day is the local one.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=BERLIN)
    store.add_programme_events([ProgrammeEvent(Kind.SESSION_DONE, late, phase=1, detail="5/5")])
    [back] = store.programme_events()
    assert back.at.tzinfo is not None and back.at.utcoffset() == timedelta(hours=1)
    assert back.day == late.date()
    row = store._conn.execute("SELECT at_utc, utc_offset_min FROM program_log").fetchone()
    assert row == ("2026-11-23T22:30:00.000000Z", 60)


def test_insertion_order_not_time_order(store: Store) -> None:
    later = ProgrammeEvent(Kind.STARTED, T0 + timedelta(days=1), phase=1)
    earlier = ProgrammeEvent(
        Kind.PAIN, T0, rating=4, sensation=Sensation.ACHE, when=PainWhen.BEFORE
    )
    store.add_programme_events([later])
    store.add_programme_events([earlier])
    store.add_programme_events([])  # nothing to do
    assert store.programme_events() == [later, earlier]


def test_a_batch_is_stored_whole_or_not_at_all(store: Store) -> None:
    first = ProgrammeEvent(Kind.SCREENED, T0, flags=("leg-weakness",))
    # The database refuses the second row: the first must not stay behind.
    store._conn.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON program_log WHEN NEW.kind = 'paused'"
        " BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
    )
    paused = ProgrammeEvent(Kind.PAUSED, T0, flags=("leg-weakness",))
    with pytest.raises(StoreError) as err:
        store.add_programme_events([first, paused])
    assert str(store.path) in str(err.value) and "disk says no" in str(err.value)
    assert "screened, paused" in str(err.value)
    assert store.programme_events() == []
    assert not store._conn.in_transaction
    store._conn.execute("DROP TRIGGER refuse")
    store.add_programme_events([first, paused])
    assert store.programme_events() == [first, paused]


@pytest.mark.parametrize(
    "bad, message",
    [
        (ProgrammeEvent(Kind.STARTED, datetime(2026, 11, 23, 18)), "timezone-aware"),
        (ProgrammeEvent(Kind.PAIN, T0, rating=11, sensation=Sensation.ACHE), "0 to 10, got 11"),
        (ProgrammeEvent(Kind.PAIN, T0, rating=-1, sensation=Sensation.ACHE), "0 to 10, got -1"),
    ],
)
def test_an_event_that_cannot_be_stored_writes_nothing(
    store: Store, bad: ProgrammeEvent, message: str
) -> None:
    good = ProgrammeEvent(Kind.STARTED, T0, phase=1)
    with pytest.raises(ValueError, match=message):
        store.add_programme_events([good, bad])
    assert store.programme_events() == []


def test_the_programme_log_is_append_only(store: Store) -> None:
    event = ProgrammeEvent(Kind.STARTED, T0, phase=1)
    store.add_programme_events([event])
    with pytest.raises(sqlite3.IntegrityError, match="append-only: UPDATE"):
        store._conn.execute("UPDATE program_log SET phase = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only: DELETE"):
        store._conn.execute("DELETE FROM program_log")
    assert store.programme_events() == [event]


def test_reads_use_the_index_in_insertion_order(store: Store) -> None:
    indexes = {
        r[0]
        for r in store._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'program_log'"
        )
    }
    assert "program_log_at_utc" in indexes


def _raw(store: Store, **values: object) -> None:
    row: dict[str, object] = {
        "kind": "pain",
        "at_utc": "2026-11-23T17:00:00.000000Z",
        "utc_offset_min": 60,
        "rating": 3,
        "sensation": "ache",
        "pain_when": "before",
        "flags": "[]",
    }
    row.update(values)
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    store._conn.execute(f"INSERT INTO program_log ({names}) VALUES ({marks})", tuple(row.values()))


@pytest.mark.parametrize(
    "values, message",
    [
        ({"kind": "teleported"}, "unknown kind 'teleported' (known: started, screened"),
        ({"sensation": "tingling"}, "unknown sensation 'tingling' (known: none, ache, sharp"),
        ({"pain_when": "during"}, "unknown pain moment 'during' (known: before, after, checkin)"),
        ({"flags": "not json"}, "unreadable flags 'not json'"),
        ({"flags": '{"a": 1}'}, "malformed flags"),
        ({"flags": "[1, 2]"}, "malformed flags"),
        ({"at_utc": "yesterday"}, "unreadable time 'yesterday'"),
    ],
)
def test_a_row_this_version_cannot_read_is_a_clear_error(
    store: Store, db_path: Path, values: dict[str, object], message: str
) -> None:
    store.add_programme_events([ProgrammeEvent(Kind.STARTED, T0, phase=1)])
    _raw(store, **values)
    with pytest.raises(StoreError) as err:
        store.programme_events()
    text = str(err.value)
    assert text.startswith(f"{db_path}: programme log row 2 has ")
    assert message in text
    # Nothing was changed: both rows are still there, as written.
    assert store._conn.execute("SELECT count(*) FROM program_log").fetchone()[0] == 2


def test_the_store_is_the_coach_log(db_path: Path) -> None:
    clock = FakeClock(T0)
    library = load_library()
    with Store.open(db_path)[0] as store:
        log: ProgrammeLog = store
        coach = Coach(log=log, clock=clock, settings=Settings(), library=library)
        coach.start([])
        coach.log_pain(4, Sensation.ACHE, PainWhen.BEFORE)
        coach.finish_session(5, 5)
    clock.advance(days=1)
    with Store.open(db_path)[0] as store:
        again = Coach(log=store, clock=clock, settings=Settings(), library=library)
        state = again.status()
    assert state.started == T0.date() and state.last_session == T0.date()
    assert not state.train_today.ok  # a rest day after yesterday's session


# ---- migration ----


def _build_v4(path: Path) -> None:
    """A version 4 database as it shipped, with rows in every table."""
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_module._MIGRATIONS[:4]:
        for statement in statements:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    old = Store(path, conn)  # the constructor does not migrate: rows written at version 4
    at = datetime(2026, 3, 2, 10, tzinfo=BERLIN)
    old.add_prompt(Prompt("old", at, "scheduled", "walking-break"))
    old.add_event(Event(EventKind.PROMPTED, at, "old"))
    old.add_event(Event(EventKind.COMPLETED, at + timedelta(minutes=2), "old", "timer"))
    old.add_event(Event(EventKind.PAUSED, at + timedelta(hours=1)))
    old.set_excluded("squat", True, at)
    old.add_checklist_result(ChecklistResult("workstation", at, {"chair": True}, Score(1, 1)))
    assert old.schema_version() == 4
    old.close()


def test_migrates_a_version_4_database_and_keeps_every_row(db_path: Path) -> None:
    _build_v4(db_path)
    with Store.open(db_path)[0] as store:
        assert store.schema_version() == SCHEMA_VERSION == 7
        at = datetime(2026, 3, 2, 10, tzinfo=BERLIN)
        assert [e.kind for e in store.iter_events()] == [
            EventKind.PROMPTED,
            EventKind.COMPLETED,
            EventKind.PAUSED,
        ]
        assert store.prompts_between(at, at + timedelta(days=1)) == [
            Prompt("old", at, "scheduled", "walking-break")
        ]
        assert store.excluded_exercises() == {"squat"}
        last = store.last_checklist_result("workstation")
        assert last is not None and last.answers == {"chair": True}
        assert store.programme_events() == []
        event = ProgrammeEvent(Kind.STARTED, T0, phase=1)
        store.add_programme_events([event])
    with Store.open(db_path)[0] as store:
        assert store.programme_events() == [event]
        assert len(list(store.iter_events())) == 3

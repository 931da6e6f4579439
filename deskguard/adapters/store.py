"""The event log in SQLite: append-only, versioned with PRAGMA user_version (DESIGN §2).

Times are stored as fixed-width UTC text (so text order is time order) plus the local UTC
offset in minutes, and come back as aware datetimes in that original offset: stats can then
put each event in the user's local day even after a time-zone move.

Rows this version cannot read (a kind a newer DeskGuard or another machine wrote, a time
that does not parse) are never changed or dropped: every read skips them, counts them in
`Store.skipped_rows`, and the first one found is told once (`Store.tell_unreadable`).

Crash recovery (core/recovery.py): the app refreshes a one-row `meta` table with the last
moment it was alive (`mark_alive`, at most once a minute) and, at start, closes every
prompt a crash left open (`close_interrupted`). `report` and `export` only show the same
outcomes (`include_interrupted`) without writing them.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

from deskguard.adapters.files import not_a_file
from deskguard.adapters.paths import ensure_private_dir
from deskguard.core.checklist import ChecklistResult, Score
from deskguard.core.model import FINAL_KINDS, Event, EventKind, Prompt, Settings
from deskguard.core.ports import RecordError
from deskguard.core.programme import Kind, PainWhen, ProgrammeEvent, Sensation
from deskguard.core.recovery import interrupted_outcomes

# One tuple of statements per version; migration N (1-based) lifts user_version N-1 to N.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE prompts (id TEXT PRIMARY KEY, due_at TEXT, source TEXT)",
        "CREATE TABLE events ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " prompt_id TEXT NULL REFERENCES prompts(id),"
        " kind TEXT NOT NULL,"
        " at_utc TEXT NOT NULL,"
        " detail TEXT NOT NULL DEFAULT '')",
    ),
    (
        # Version 1 rows had no offset: 0 reads them back as UTC.
        "ALTER TABLE events ADD COLUMN utc_offset_min INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE prompts ADD COLUMN exercise_id TEXT NULL",
        "ALTER TABLE prompts ADD COLUMN due_offset_min INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX events_at_utc ON events(at_utc)",
        "CREATE INDEX events_prompt_id ON events(prompt_id)",
        "CREATE INDEX prompts_due_at ON prompts(due_at)",
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
        " BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed'); END",
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
        " BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed'); END",
    ),
    (
        # "Not for me" history: append-only, the last row per exercise is the current state.
        "CREATE TABLE exclusions ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " exercise_id TEXT NOT NULL,"
        " excluded INTEGER NOT NULL CHECK (excluded IN (0, 1)),"
        " changed_at_utc TEXT NOT NULL,"
        " changed_offset_min INTEGER NOT NULL)",
        "CREATE INDEX exclusions_exercise ON exclusions(exercise_id, id)",
        "CREATE TRIGGER exclusions_no_update BEFORE UPDATE ON exclusions"
        " BEGIN SELECT RAISE(ABORT, 'exclusions are append-only: UPDATE is not allowed'); END",
        "CREATE TRIGGER exclusions_no_delete BEFORE DELETE ON exclusions"
        " BEGIN SELECT RAISE(ABORT, 'exclusions are append-only: DELETE is not allowed'); END",
        # One row per saved checklist; answers is a JSON object {item id: true/false}.
        "CREATE TABLE checklist_results ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " checklist_id TEXT NOT NULL,"
        " taken_at_utc TEXT NOT NULL,"
        " taken_offset_min INTEGER NOT NULL,"
        " answers TEXT NOT NULL,"
        " ticked INTEGER NOT NULL,"
        " total INTEGER NOT NULL)",
        "CREATE INDEX checklist_results_list ON checklist_results(checklist_id, id)",
        "CREATE TRIGGER checklist_results_no_update BEFORE UPDATE ON checklist_results"
        " BEGIN SELECT RAISE(ABORT, 'checklist results are append-only'); END",
        "CREATE TRIGGER checklist_results_no_delete BEFORE DELETE ON checklist_results"
        " BEGIN SELECT RAISE(ABORT, 'checklist results are append-only'); END",
    ),
    (
        # Stats read a week at a time: this covering index answers `events_in_range` from
        # the index alone, already in (at_utc, id) order, without visiting the table rows
        # (benchmarks/stats_bench.py measures it on ten years of events).
        "CREATE INDEX events_range ON events(at_utc, id, kind, utc_offset_min, prompt_id, detail)",
    ),
    (
        # The back-care programme's own log (core/programme.py): append-only like events,
        # read back whole in insertion order (id). `flags` is a JSON array of strings;
        # sensation and pain_when are NULL where the event has none.
        "CREATE TABLE program_log ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " kind TEXT NOT NULL,"
        " at_utc TEXT NOT NULL,"
        " utc_offset_min INTEGER NOT NULL,"
        " phase INTEGER NOT NULL DEFAULT 0,"
        " rating INTEGER NULL CHECK (rating IS NULL OR rating BETWEEN 0 AND 10),"
        " sensation TEXT NULL,"
        " pain_when TEXT NULL,"
        " flags TEXT NOT NULL DEFAULT '[]',"
        " detail TEXT NOT NULL DEFAULT '')",
        "CREATE INDEX program_log_at_utc ON program_log(at_utc, id)",
        "CREATE TRIGGER program_log_no_update BEFORE UPDATE ON program_log"
        " BEGIN SELECT RAISE(ABORT, 'the programme log is append-only: UPDATE is not allowed');"
        " END",
        "CREATE TRIGGER program_log_no_delete BEFORE DELETE ON program_log"
        " BEGIN SELECT RAISE(ABORT, 'the programme log is append-only: DELETE is not allowed');"
        " END",
    ),
    (
        # Crash recovery (core/recovery.py). One row: the last moment the app was alive
        # (refreshed at most once a minute), and the highest prompt rowid already checked
        # for a final outcome, so a start-up looks only at prompts made since the last one.
        "CREATE TABLE meta ("
        " id INTEGER PRIMARY KEY CHECK (id = 1),"
        " alive_at_utc TEXT NULL,"
        " alive_offset_min INTEGER NULL,"
        " checked_prompt_rowid INTEGER NOT NULL DEFAULT 0)",
        "INSERT INTO meta (id) VALUES (1)",
    ),
    (
        # What DeskGuard offered and when (append-only): the welcome left before its end,
        # the workstation check shown; so an offer comes once, then at its interval, and
        # never at every start.
        "CREATE TABLE offers ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " what TEXT NOT NULL,"
        " at_utc TEXT NOT NULL,"
        " utc_offset_min INTEGER NOT NULL)",
        "CREATE INDEX offers_what ON offers(what, id)",
    ),
    # The next version goes here: append a tuple; never edit one that has shipped.
)
SCHEMA_VERSION = len(_MIGRATIONS)

log = logging.getLogger("deskguard")
# "Until tomorrow" on a Friday evening ends on Monday: no pause outlasts a week.
MAX_PAUSE_LOOKBACK = timedelta(days=8)

_BUSY_TIMEOUT_MS = 5000  # the CLI reads while the app writes
_SIDE_FILES = ("-wal", "-shm", "-journal")
_SQLITE_MAGIC = b"SQLite format 3\x00"
# Errors that mean "this file is not a usable database", as opposed to busy, full or I/O.
_UNREADABLE = ("SQLITE_NOTADB", "SQLITE_CORRUPT", "SQLITE_CANTOPEN")

_EVENT_COLUMNS = "kind, at_utc, utc_offset_min, prompt_id, detail"
_PROMPT_COLUMNS = "id, due_at, due_offset_min, source, exercise_id"
_RESULT_COLUMNS = "checklist_id, taken_at_utc, taken_offset_min, answers, ticked, total"
_PROGRAM_COLUMNS = (
    "kind, at_utc, utc_offset_min, phase, rating, sensation, pain_when, flags, detail"
)
# The stats' range read, answered from the covering index events_range alone.
EVENTS_IN_RANGE_SQL = (
    f"SELECT id, {_EVENT_COLUMNS} FROM events WHERE at_utc >= ? AND at_utc < ? ORDER BY at_utc, id"
)
_KINDS = {k.value: k for k in EventKind}
_FINAL_SQL = ", ".join(f"'{k.value}'" for k in sorted(FINAL_KINDS))
# Prompts made since the last check that have no final outcome yet.
_OPEN_PROMPTS_SQL = (
    f"SELECT rowid, {_PROMPT_COLUMNS} FROM prompts AS p WHERE p.rowid > ?"
    " AND NOT EXISTS (SELECT 1 FROM events AS e WHERE e.prompt_id = p.id"
    f" AND e.kind IN ({_FINAL_SQL})) ORDER BY p.rowid"
)
_ALIVE_EVERY_S = 60.0  # the heartbeat is written at most this often
_CHUNK = 500  # ids per IN (...) query: well under SQLite's variable limit


class StoreError(RecordError):
    """The database cannot be used; the message names the file and what is wrong."""


# ---- time encoding ----


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")


def _utc_text(value: datetime) -> str:
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"  # e.g. 2026-11-21T16:05:00.000000Z


def _encode(value: datetime, what: str) -> tuple[str, int]:
    _require_aware(value, what)
    offset = value.utcoffset()
    assert offset is not None  # checked above
    return _utc_text(value), int(offset.total_seconds() // 60)


# What decoding a row this version cannot read raises (a str method on a number, a
# timezone of 25 hours, a time that does not parse, an unknown kind).
_ROW_ERRORS = (AttributeError, KeyError, OverflowError, TypeError, ValueError)
_ZONES: dict[Any, timezone] = {}


def _zone(offset_min: Any) -> timezone:
    tz = _ZONES.get(offset_min)
    if tz is None:
        tz = _ZONES[offset_min] = timezone(timedelta(minutes=offset_min))
    return tz


def _decode(utc_text: str, offset_min: int) -> datetime:
    """The aware time of a stored row; one of _ROW_ERRORS when it cannot be read."""
    utc = datetime.fromisoformat(utc_text.removesuffix("Z")).replace(tzinfo=timezone.utc)
    return utc.astimezone(_zone(offset_min))


def _text_or_none(value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise TypeError(f"expected text, got {value!r}")
    return value


def _prompt_from_row(row: tuple[Any, ...]) -> Prompt:
    pid, due_at, offset, source, exercise_id = row
    if type(pid) is not str or type(source) is not str:
        raise TypeError(f"a prompt's id and source are text, got {pid!r}, {source!r}")
    return Prompt(pid, _decode(due_at, offset), source, _text_or_none(exercise_id))


def _at(event: Event) -> datetime:
    return event.at


def _result_from_row(path: Path, row: tuple[Any, ...]) -> ChecklistResult:
    checklist_id, taken_at, offset, answers_json, ticked, total = row
    try:
        answers = json.loads(answers_json)
    except ValueError as e:
        raise StoreError(f"{path}: a saved {checklist_id!r} checklist is unreadable: {e}.") from e
    if not isinstance(answers, dict) or not all(isinstance(v, bool) for v in answers.values()):
        raise StoreError(f"{path}: a saved {checklist_id!r} checklist has malformed answers.")
    try:
        return ChecklistResult(
            checklist_id, _decode(taken_at, offset), answers, Score(int(ticked), int(total))
        )
    except _ROW_ERRORS as e:
        raise StoreError(f"{path}: a saved {checklist_id!r} checklist is unreadable: {e}.") from e


def _programme_row(event: ProgrammeEvent) -> tuple[Any, ...]:
    """The row for `event`; ValueError (naming what) for one that cannot be stored."""
    at_utc, offset = _encode(event.at, "ProgrammeEvent.at")
    kind = Kind(event.kind).value
    if event.rating is not None and not (isinstance(event.rating, int) and 0 <= event.rating <= 10):
        raise ValueError(f"a {kind} event's pain rating must be 0 to 10, got {event.rating!r}")
    if not all(isinstance(f, str) for f in event.flags):
        raise ValueError(f"a {kind} event's flags must be strings, got {event.flags!r}")
    return (
        kind,
        at_utc,
        offset,
        int(event.phase),
        event.rating,
        None if event.sensation is None else Sensation(event.sensation).value,
        None if event.when is None else PainWhen(event.when).value,
        json.dumps(list(event.flags)),
        event.detail,
    )


def _programme_event_from_row(path: Path, row_id: int, row: tuple[Any, ...]) -> ProgrammeEvent:
    kind, at_utc, offset, phase, rating, sensation, when, flags_json, detail = row
    where = f"{path}: programme log row {row_id}"

    def member(enum_type: Any, value: Any, what: str) -> Any:
        try:
            return enum_type(value)
        except ValueError:
            known = ", ".join(m.value for m in enum_type)
            raise StoreError(
                f"{where} has an unknown {what} {value!r} (known: {known}). It may have been "
                "written by a newer DeskGuard; the row was left as it is."
            ) from None

    try:
        flags = json.loads(flags_json)
    except (TypeError, ValueError) as e:
        raise StoreError(f"{where} has unreadable flags {flags_json!r}: {e}.") from e
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise StoreError(f"{where} has malformed flags {flags_json!r} (a list of names expected).")
    try:
        at = _decode(at_utc, offset)
    except _ROW_ERRORS as e:
        raise StoreError(f"{where} has an unreadable time {at_utc!r}: {e}.") from e
    try:
        phase_number = int(phase)
        rating_number = None if rating is None else int(rating)
    except (TypeError, ValueError) as e:
        raise StoreError(f"{where} has an unreadable phase or rating: {e}.") from e
    return ProgrammeEvent(
        kind=member(Kind, kind, "kind"),
        at=at,
        phase=phase_number,
        rating=rating_number,
        sensation=None if sensation is None else member(Sensation, sensation, "sensation"),
        when=None if when is None else member(PainWhen, when, "pain moment"),
        flags=tuple(flags),
        detail=str(detail),
    )


# ---- opening, checking, moving aside ----


def _error_name(err: sqlite3.Error) -> str:
    name: str = getattr(err, "sqlite_errorname", "")  # Python 3.11+
    if name:
        return name
    if type(err) is sqlite3.DatabaseError:  # NOTADB and CORRUPT on Python 3.10
        return "SQLITE_NOTADB"
    return "SQLITE_CANTOPEN" if "unable to open" in str(err) else "SQLITE_ERROR"


def _is_unreadable(err: sqlite3.Error) -> bool:
    name = _error_name(err)
    return any(name == base or name.startswith(base + "_") for base in _UNREADABLE)


def _too_new(path: Path, found: int) -> StoreError:
    return StoreError(
        f"The database {path} is at schema version {found}, but this DeskGuard only knows "
        f"up to version {SCHEMA_VERSION}. It was made by a newer DeskGuard; update DeskGuard "
        "to use it. The file was left untouched."
    )


def _header_version(path: Path) -> int | None:
    """user_version from the file header, without letting SQLite touch anything."""
    if Path(f"{path}-wal").exists():
        return None  # the header may be stale until the WAL is checkpointed
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return None
    return int.from_bytes(header[60:64], "big", signed=True)


def _probe(path: Path) -> str | None:
    """None when `path` is a usable database; otherwise why it is not (to move it aside)."""
    version = _header_version(path)
    if version is not None and version > SCHEMA_VERSION:
        raise _too_new(path, version)
    try:
        # Read-only, so a file we end up refusing is not written to.
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as e:
        return str(e) if _is_unreadable(e) else _raise_open_error(path, e)
    try:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise _too_new(path, version)
        result = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.Error as e:
        return str(e) if _is_unreadable(e) else _raise_open_error(path, e)
    finally:
        conn.close()
    if result != ["ok"]:
        return f"it failed the integrity check: {result[0]}"
    return None


def _raise_open_error(path: Path, err: sqlite3.Error) -> NoReturn:
    # Busy, disk full, I/O: the file may be fine, so never move it aside for these.
    raise StoreError(f"The database {path} could not be opened: {err}.") from err


def _aside_name(path: Path) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{path.name}.corrupt-{stamp}"
    counter = 0
    while True:
        name = base if counter == 0 else f"{base}-{counter}"
        taken = (path.with_name(name + s) for s in ("", *_SIDE_FILES))
        if not any(p.exists() or p.is_symlink() for p in taken):
            return name
        counter += 1


def _move_aside(path: Path, reason: str) -> Path:
    name = _aside_name(path)
    try:
        # Side files first: a stale -wal next to a fresh database would be replayed into it.
        for suffix in (*_SIDE_FILES, ""):
            src = path.with_name(path.name + suffix)
            if src.exists() or src.is_symlink():
                os.rename(src, path.with_name(name + suffix))
    except OSError as e:
        raise StoreError(
            f"The database {path} could not be read ({reason}) and could not be moved "
            f"aside to start a new one: {e.strerror or e}."
        ) from e
    return path.with_name(name)


def _make_private(path: Path) -> None:
    """0600 where it can be made so. A read-only file system (or a file that is not
    ours) cannot be changed: that is logged, and the record opens all the same (its
    writes then fail and are told in words, as for a full disk)."""
    if os.name == "nt":
        return
    for suffix in ("", "-wal", "-shm"):
        try:
            os.chmod(f"{path}{suffix}", 0o600)
        except FileNotFoundError:
            continue
        except OSError as err:
            log.warning("could not make %s%s private: %s", path, suffix, err.strerror or err)


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    while (current := _user_version(conn)) < SCHEMA_VERSION:
        target = current + 1
        try:
            # IMMEDIATE takes the write lock first, so the app and the CLI never both migrate.
            conn.execute("BEGIN IMMEDIATE")
            try:
                if _user_version(conn) == current:
                    for statement in _MIGRATIONS[current]:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {target}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise StoreError(
                f"The database {path} could not be upgraded from schema version {current} "
                f"to {target}: {e}."
            ) from e
    if current > SCHEMA_VERSION:  # another, newer DeskGuard got there in between
        raise _too_new(path, current)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        # isolation_level=None: each statement commits on its own; migrations BEGIN explicitly.
        conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as e:
        raise StoreError(f"The database {path} could not be opened: {e}.") from e
    try:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        _migrate(conn, path)
    except sqlite3.Error as e:
        conn.close()
        raise StoreError(f"The database {path} could not be prepared: {e}.") from e
    except BaseException:
        conn.close()
        raise
    return conn


# ---- the store ----


class Store:
    """One connection to the event log. Open with Store.open(path)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._unreadable: dict[str, set[int]] = {}  # table -> rowids skipped so far
        self._tell: Callable[[str], None] | None = None
        self._told = False
        self._virtual: list[Event] = []  # include_interrupted's outcomes, never stored
        self._alive_written: float | None = None  # monotonic time of the last mark
        self._alive_failed = False

    @classmethod
    def open(cls, path: Path) -> tuple[Store, list[str]]:
        """Open or create the database; returns notices for the user (normally none).

        Raises StoreError when the file is from a newer DeskGuard (left untouched) or
        cannot be used for a reason that moving it aside would not fix.
        """
        notices: list[str] = []
        try:
            ensure_private_dir(path.parent)
        except OSError as e:
            raise StoreError(
                f"The folder for the database {path} could not be created: {e.strerror or e}."
            ) from e
        for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
            # Before SQLite touches it: a named pipe would block the open for good.
            problem = not_a_file(candidate)
            if problem is not None:
                raise StoreError(
                    f"Your record cannot be opened: {problem}. Nothing was changed; move it "
                    "out of the way and try again."
                )
        # Everything SQLite creates (db, -wal, -shm) starts private; chmod below covers
        # files that already existed.
        old_umask = os.umask(0o077)
        try:
            if path.exists() or path.is_symlink():
                reason = _probe(path)
                if reason is not None:
                    kept = _move_aside(path, reason)
                    notices.append(
                        f"The database {path} could not be read ({reason}). It was kept as "
                        f"{kept} and a new one was started."
                    )
            conn = _connect(path)
        finally:
            os.umask(old_umask)
        _make_private(path)
        return cls(path, conn), notices

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def schema_version(self) -> int:
        return _user_version(self._conn)

    def add_prompt(self, prompt: Prompt) -> None:
        """Store a prompt. Adding the very same prompt again is a no-op (safe to retry)."""
        due_at, offset = _encode(prompt.due_at, "Prompt.due_at")
        row = (prompt.id, due_at, offset, prompt.source, prompt.exercise_id)
        try:
            self._conn.execute(
                f"INSERT INTO prompts ({_PROMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?)", row
            )
        except sqlite3.IntegrityError as e:
            existing = self._conn.execute(
                f"SELECT {_PROMPT_COLUMNS} FROM prompts WHERE id = ?", (prompt.id,)
            ).fetchone()
            if existing is not None and tuple(existing) == row:
                return
            raise StoreError(
                f"{self.path}: prompt {prompt.id!r} is already stored with other values."
            ) from e
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: could not store prompt {prompt.id!r}: {e}.") from e

    def add_event(self, event: Event) -> None:
        at_utc, offset = _encode(event.at, "Event.at")
        kind = EventKind(event.kind).value
        try:
            self._conn.execute(
                f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (kind, at_utc, offset, event.prompt_id, event.detail),
            )
        except sqlite3.IntegrityError as e:
            # The only constraint a well-formed Event can break is the prompt reference.
            raise StoreError(
                f"{self.path}: {kind} event refers to prompt {event.prompt_id!r}, "
                "which was never stored; add the prompt first."
            ) from e
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: could not store {kind} event: {e}.") from e

    def prompts_between(self, start: datetime, end: datetime) -> list[Prompt]:
        """Prompts with start <= due_at < end, by due time then insertion order."""
        lo, _ = _encode(start, "start")
        hi, _ = _encode(end, "end")
        rows = self._query(
            f"SELECT rowid, {_PROMPT_COLUMNS} FROM prompts WHERE due_at >= ? AND due_at < ?"
            " ORDER BY due_at, rowid",
            (lo, hi),
        )
        return self._prompts_from_rows(rows)

    def events_in_range(self, start: datetime, end: datetime) -> list[Event]:
        """Events with start <= at < end, by time then insertion order.

        A week on a busy ten-year log is thousands of rows: the covering index of schema
        version 4 reads them in order, and each offset's tzinfo is built once.
        """
        lo, _ = _encode(start, "start")
        hi, _ = _encode(end, "end")
        out = self._events_from_rows(self._query(EVENTS_IN_RANGE_SQL, (lo, hi)))
        extra = [e for e in self._virtual if start <= e.at < end]
        if extra:
            out = sorted(out + extra, key=_at)  # stable: a stored row first at the same time
        return out

    # ---- rows this version cannot read ----

    def _events_from_rows(
        self, rows: Iterable[tuple[Any, ...]], bad_prompts: set[str] | None = None
    ) -> list[Event]:
        """Events of (id, kind, at_utc, offset, prompt_id, detail) rows, in their order;
        a row this version cannot read is skipped and counted (its prompt into
        `bad_prompts`)."""
        kinds, zones = _KINDS, _ZONES
        out: list[Event] = []
        for row_id, kind, at_utc, offset, prompt_id, detail in rows:
            try:
                tz = zones.get(offset)
                if tz is None:
                    tz = _zone(offset)
                at = datetime.fromisoformat(at_utc.removesuffix("Z") + "+00:00").astimezone(tz)
                if type(detail) is not str or (
                    prompt_id is not None and type(prompt_id) is not str
                ):
                    raise TypeError("prompt id and detail are text")
                out.append(Event(kinds[kind], at, prompt_id, detail))
            except _ROW_ERRORS:
                self._skip("events", row_id)
                if bad_prompts is not None and prompt_id is not None:
                    bad_prompts.add(str(prompt_id))
        return out

    def _prompts_from_rows(self, rows: Iterable[tuple[Any, ...]]) -> list[Prompt]:
        out: list[Prompt] = []
        for row in rows:
            try:
                out.append(_prompt_from_row(tuple(row[1:])))
            except _ROW_ERRORS:
                self._skip("prompts", row[0])
        return out

    def _skip(self, table: str, row_id: int) -> None:
        seen = self._unreadable.setdefault(table, set())
        if row_id in seen:
            return
        seen.add(row_id)
        log.debug("%s: %s row %s cannot be read by this version; skipped", self.path, table, row_id)
        if self._tell is not None and not self._told:
            self._told = True
            self._tell(self.unreadable_message() or "")

    @property
    def skipped_rows(self) -> int:
        """How many different rows the reads so far skipped as unreadable."""
        return sum(len(ids) for ids in self._unreadable.values())

    def unreadable_message(self) -> str | None:
        """The skipped rows in plain words, or None when every row read was understood."""
        n = self.skipped_rows
        if n == 0:
            return None
        if n == 1:
            what, verb, them, was = "1 entry", "is", "it", "was"
        else:
            what, verb, them, was = f"{n} entries", "are", "they", "were"
        return (
            f"{what} in your record {self.path} {verb} in a form this version of DeskGuard "
            f"cannot read (written by a newer version, or damaged): {them} {was} left out, "
            "and kept in the record unchanged."
        )

    def tell_unreadable(self, tell: Callable[[str], None]) -> None:
        """Call `tell` once with `unreadable_message()`: now if a read already skipped a
        row, else when the first one does."""
        self._tell = tell
        if self.skipped_rows and not self._told:
            self._told = True
            tell(self.unreadable_message() or "")

    # ---- crash recovery (core/recovery.py) ----

    def mark_alive(self, at: datetime | None = None, *, force: bool = False) -> bool:
        """Note that the app is alive at `at` (default now), at most once a minute unless
        `force`; returns whether it wrote. A failure is logged once, never raised: the
        mark is a hint for recovery, and the record's own writes report a full disk."""
        now = time.monotonic()
        last = self._alive_written
        if not force and last is not None and now - last < _ALIVE_EVERY_S:
            return False
        at_utc, offset = _encode(at or datetime.now().astimezone(), "at")
        try:
            self._conn.execute(
                "INSERT INTO meta (id, alive_at_utc, alive_offset_min) VALUES (1, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET alive_at_utc = excluded.alive_at_utc,"
                " alive_offset_min = excluded.alive_offset_min",
                (at_utc, offset),
            )
        except sqlite3.Error as e:
            if not self._alive_failed:
                self._alive_failed = True
                log.warning("%s: could not note that DeskGuard is running: %s", self.path, e)
            return False
        self._alive_written = now
        return True

    def last_alive(self) -> datetime | None:
        """The last moment the record shows the app alive: the newer of its heartbeat and
        its latest readable event; None for an empty record."""
        seen: list[datetime] = []
        meta = self._query("SELECT alive_at_utc, alive_offset_min FROM meta WHERE id = 1", ())
        if meta and meta[0][0] is not None:
            with contextlib.suppress(*_ROW_ERRORS):
                seen.append(_decode(meta[0][0], meta[0][1]))
        rows = self._query(
            "SELECT at_utc, utc_offset_min FROM events ORDER BY at_utc DESC, id DESC LIMIT 50", ()
        )
        for at_utc, offset in rows:  # newest first; a garbage time sorts anywhere
            try:
                seen.append(_decode(at_utc, offset))
                break
            except _ROW_ERRORS:
                continue
        return max(seen) if seen else None

    def _checked_rowid(self) -> int:
        rows = self._query("SELECT checked_prompt_rowid FROM meta WHERE id = 1", ())
        return int(rows[0][0]) if rows else 0

    def _interrupted(self, settings: Settings, now: datetime | None) -> tuple[list[Event], int]:
        """The outcomes recovery would add, and the highest prompt rowid they cover."""
        top = int(self._query("SELECT coalesce(max(rowid), 0) FROM prompts", ())[0][0])
        prompts = self._prompts_from_rows(self._query(_OPEN_PROMPTS_SQL, (self._checked_rowid(),)))
        events: list[Event] = []
        bad: set[str] = set()
        ids = [p.id for p in prompts]
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(
                f"SELECT id, {_EVENT_COLUMNS} FROM events WHERE prompt_id IN ({marks})"
                " ORDER BY at_utc, id",
                tuple(chunk),
            )
            events += self._events_from_rows(rows, bad)
        found = interrupted_outcomes(
            prompts, events, self.last_alive(), settings, now=now, unreadable=bad
        )
        return found, top

    def close_interrupted(self, settings: Settings) -> list[Event]:
        """At start, before anything else writes: close every prompt a crash left open
        with one `missed` "interrupted" event (core/recovery.py); returns them.

        One transaction: all are stored or none. Idempotent (a closed prompt has its
        outcome), and cheap after the first run: only prompts made since the last call
        are looked at. StoreError when the database refuses.
        """
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                found, top = self._interrupted(settings, None)
                self._conn.executemany(
                    f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                    [(e.kind.value, *_encode(e.at, "at"), e.prompt_id, e.detail) for e in found],
                )
                self._conn.execute(
                    "INSERT INTO meta (id, checked_prompt_rowid) VALUES (1, ?) ON CONFLICT (id)"
                    " DO UPDATE SET checked_prompt_rowid ="
                    " max(checked_prompt_rowid, excluded.checked_prompt_rowid)",
                    (top,),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise StoreError(
                f"{self.path}: could not close the breaks left open when DeskGuard last "
                f"stopped: {e}."
            ) from e
        self._virtual = []
        return found

    def include_interrupted(self, settings: Settings, now: datetime) -> list[Event]:
        """For a reader that must not write (`report`, `export`, maybe while the app
        runs): the outcomes recovery would add for prompts that should have ended
        `GRACE` ago, merged into every later read of this Store but never stored."""
        self._virtual, _ = self._interrupted(settings, now)
        return list(self._virtual)

    def last_pause(self, now: datetime) -> datetime | None:
        """When the pause in force at `now` ends, if the last pause or resume on record
        (of the past week: no pause is longer) was a pause that has not ended yet."""
        lo, _ = _encode(now - MAX_PAUSE_LOOKBACK, "now")
        rows = self._query(
            "SELECT kind, detail FROM events WHERE at_utc >= ? AND kind IN (?, ?)"
            " ORDER BY id DESC LIMIT 1",
            (lo, EventKind.PAUSED.value, EventKind.RESUMED.value),
        )
        if not rows or rows[0][0] != EventKind.PAUSED.value:
            return None
        try:
            until = datetime.fromisoformat(rows[0][1])
        except (TypeError, ValueError):
            log.warning("%s: a pause with an unreadable end %r is ignored", self.path, rows[0][1])
            return None
        if until.tzinfo is None or until <= now:
            return None
        return until

    def first_event_at(self) -> datetime | None:
        """When the oldest readable event happened (in its own offset); None for an
        empty log."""
        rows = self._query(
            "SELECT at_utc, utc_offset_min FROM events ORDER BY at_utc, id LIMIT 50", ()
        )
        for at_utc, offset in rows:  # a garbage time can sort first
            with contextlib.suppress(*_ROW_ERRORS):
                return _decode(at_utc, offset)
        return None

    def iter_events(self) -> Iterator[Event]:
        """Every readable event, oldest first, read lazily (for export), with the
        outcomes of `include_interrupted` merged in.

        Consume it to the end: a half-read iterator holds its read snapshot open.
        """
        try:
            cursor = self._conn.execute(
                f"SELECT id, {_EVENT_COLUMNS} FROM events ORDER BY at_utc, id"
            )
            stored = (e for row in cursor for e in self._events_from_rows((row,)))
            yield from heapq.merge(stored, list(self._virtual), key=_at)
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: could not read events: {e}.") from e

    # ---- "not for me" exclusions ----

    def set_excluded(self, exercise_id: str, excluded: bool, at: datetime) -> bool:
        """Record that an exercise is (or is no longer) excluded from prompts.

        Appends a row only when the state changes; returns whether it did.
        """
        if not exercise_id:
            raise ValueError("exercise_id must not be empty")
        changed_at, offset = _encode(at, "at")
        try:
            row = self._conn.execute(
                "SELECT excluded FROM exclusions WHERE exercise_id = ? ORDER BY id DESC LIMIT 1",
                (exercise_id,),
            ).fetchone()
            current = bool(row[0]) if row is not None else False
            if current == excluded:
                return False
            self._conn.execute(
                "INSERT INTO exclusions (exercise_id, excluded, changed_at_utc,"
                " changed_offset_min) VALUES (?, ?, ?, ?)",
                (exercise_id, int(excluded), changed_at, offset),
            )
        except sqlite3.Error as e:
            raise StoreError(
                f"{self.path}: could not store the exclusion of {exercise_id!r}: {e}."
            ) from e
        return True

    def excluded_exercises(self) -> set[str]:
        """Ids of the exercises whose latest exclusion row says excluded."""
        rows = self._query(
            "SELECT exercise_id FROM exclusions AS e"
            " WHERE id = (SELECT MAX(id) FROM exclusions WHERE exercise_id = e.exercise_id)"
            " AND excluded = 1",
            (),
        )
        return {str(r[0]) for r in rows}

    # ---- checklist results ----

    def add_checklist_result(self, result: ChecklistResult) -> None:
        if not result.checklist_id:
            raise ValueError("checklist_id must not be empty")
        taken_at, offset = _encode(result.taken_at, "ChecklistResult.taken_at")
        answers = {str(k): bool(v) for k, v in result.answers.items()}
        try:
            self._conn.execute(
                f"INSERT INTO checklist_results ({_RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    result.checklist_id,
                    taken_at,
                    offset,
                    json.dumps(answers, sort_keys=True),
                    result.score.ticked,
                    result.score.total,
                ),
            )
        except sqlite3.Error as e:
            raise StoreError(
                f"{self.path}: could not store the {result.checklist_id!r} checklist: {e}."
            ) from e

    def add_offer(self, what: str, at: datetime) -> None:
        """Note that DeskGuard offered `what` (e.g. "workstation-check") at `at`."""
        if not what:
            raise ValueError("what must not be empty")
        at_utc, offset = _encode(at, "offer time")
        try:
            self._conn.execute(
                "INSERT INTO offers (what, at_utc, utc_offset_min) VALUES (?, ?, ?)",
                (what, at_utc, offset),
            )
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: could not note the {what!r} offer: {e}.") from e

    def last_offer(self, what: str) -> datetime | None:
        """When `what` was last offered, or None (an unreadable time counts as never)."""
        rows = self._query(
            "SELECT at_utc, utc_offset_min FROM offers WHERE what = ? ORDER BY id DESC LIMIT 1",
            (what,),
        )
        if not rows:
            return None
        try:
            return _decode(rows[0][0], rows[0][1])
        except (TypeError, ValueError):
            return None

    def last_checklist_result(self, checklist_id: str) -> ChecklistResult | None:
        """The most recently saved result of `checklist_id`, or None if never saved."""
        rows = self._query(
            f"SELECT {_RESULT_COLUMNS} FROM checklist_results WHERE checklist_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (checklist_id,),
        )
        return _result_from_row(self.path, rows[0]) if rows else None

    def checklist_results(self, checklist_id: str) -> list[ChecklistResult]:
        """Every readable saved result of `checklist_id`, oldest first (for the weekly
        summary); an unreadable one is skipped and counted, so the report still runs."""
        rows = self._query(
            f"SELECT id, {_RESULT_COLUMNS} FROM checklist_results WHERE checklist_id = ?"
            " ORDER BY id",
            (checklist_id,),
        )
        out: list[ChecklistResult] = []
        for row in rows:
            try:
                out.append(_result_from_row(self.path, tuple(row[1:])))
            except StoreError:
                self._skip("checklist_results", int(row[0]))
        return out

    # ---- the back-care programme's log ----

    def add_programme_events(self, events: Sequence[ProgrammeEvent]) -> None:
        """Append `events` in one transaction: all of them are stored, or none.

        ValueError for an event that cannot be stored (naive time, rating out of range),
        before anything is written; StoreError when the database refuses the write.
        """
        rows = [_programme_row(e) for e in events]
        if not rows:
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    f"INSERT INTO program_log ({_PROGRAM_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            kinds = ", ".join(str(r[0]) for r in rows)
            raise StoreError(
                f"{self.path}: could not store programme events ({kinds}): {e}."
            ) from e

    def programme_events(self, *, skip_unreadable: bool = False) -> list[ProgrammeEvent]:
        """The whole programme log in insertion order (the order core/programme.py replays).

        A row this DeskGuard cannot read (an unknown kind or sensation, malformed flags,
        an unreadable time) is a StoreError naming the row: the coach's phase and pain
        decisions are not made on part of the log. With `skip_unreadable` (the export),
        such rows are skipped and counted instead. Nothing is changed either way.
        """
        rows = self._query(f"SELECT id, {_PROGRAM_COLUMNS} FROM program_log ORDER BY id", ())
        out: list[ProgrammeEvent] = []
        for r in rows:
            try:
                out.append(_programme_event_from_row(self.path, int(r[0]), tuple(r[1:])))
            except StoreError:
                if not skip_unreadable:
                    raise
                self._skip("program_log", int(r[0]))
        return out

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return list(self._conn.execute(sql, params).fetchall())
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: could not read: {e}.") from e

"""Fault injection on the real app (issue #18): crashes, hostile files, IPC abuse, endurance.

Runs DeskGuard on the end-to-end rig (tests/e2e/rig.py: Xvfb, trayer, dunst in one
dbus-run-session) and prints figures for four parts; exits 1 on any loss or failure,
2 when the rig cannot run here.

(a) kills   N `kill -9` at random moments (a fifth of them during start-up) while a
            driver answers prompts every few seconds (break-now over IPC and the CLI,
            Return / S / Esc on the break window). After a final clean start and quit:
            committed rows lost or changed, prompts seen in `status` but never stored,
            prompts with more than one final outcome, prompts without one, and
            `PRAGMA integrity_check`.
(b) files   a matrix of hostile settings and database files; for each: how start-up
            ends (running / refused with a message / hung), the message, whether a
            traceback was printed, and whether the user's files are untouched (content
            hashes before and after; a file moved aside must keep its bytes).
(c) ipc     random bytes, a 50 MB message, 1,000 idle connections under a 1,024 file
            limit, deep JSON, a huge number, a symlink planted at the socket path,
            another user's listener at the fallback name, five instances at once, and
            SIGTERM under load; meanwhile `status` is timed and a scheduled prompt must
            come on time.
(d) soak    an endurance run with prompts every 3 s answered by a driver: RSS after
            the warm-up and at the end within a stated bound, and no warning in the log.

    python benchmarks/faults.py                  # everything, long: 100 kills, 15 minutes
    python benchmarks/faults.py --short          # a few minutes (tests/e2e/test_faults.py)
    python benchmarks/faults.py --parts a,c --kills 20 --minutes 2

Short intervals come from the developer setting DESKGUARD_DEV_INTERVAL_SECONDS and a
settings file with one-minute breaks, snoozes and response windows, all day, every day.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deskguard.adapters.instance import NotRunning, send_command  # noqa: E402
from deskguard.adapters.paths import default_paths  # noqa: E402
from tests.e2e.rig import Rig, RigUnavailable, wait_for  # noqa: E402

FINAL = ("completed", "skipped", "missed", "natural")
ALL_DAY = """[schedule]
working_days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
work_start = "00:00"
work_end = "23:59"

[breaks]
break_minutes = 1
snooze_minutes = 1
response_window_minutes = 1
"""
DEV_INTERVAL = "DESKGUARD_DEV_INTERVAL_SECONDS"
START_TIMEOUT = 30.0
CANNOT_START = "^DeskGuard cannot start$"


# ---- small helpers ---------------------------------------------------------------------


def say(text: str = "") -> None:
    print(text, flush=True)


@dataclass
class Verdict:
    """Figures and failures of one part."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.failures.append(text)
        say(f"  FAIL {text}")


def prepare_home(home: Path, settings: str = ALL_DAY) -> Path:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.toml").write_text(settings)
    return home


def names_of(home: Path) -> list[str]:
    """Where the CLI looks for the app of `home` (as `deskguard status` would)."""
    return default_paths({"DESKGUARD_HOME": str(home)}).socket_names


def ask(home: Path, cmd: str, timeout_ms: int = 5000) -> dict[str, Any] | None:
    """A command over IPC (what the CLI sends), None when nobody of ours answers."""
    try:
        return send_command(names_of(home), cmd, timeout_ms=timeout_ms)
    except NotRunning:
        return None


def database(home: Path) -> Path:
    return home / "data" / "deskguard.db"


def read_db(path: Path) -> sqlite3.Connection:
    """A read-only look that neither checkpoints nor recovers anything for the app."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    conn.execute("PRAGMA query_only = 1")
    return conn


def rows(path: Path) -> tuple[dict[str, tuple[Any, ...]], dict[int, tuple[Any, ...]]]:
    """(prompts by id, events by id), as stored."""
    conn = read_db(path)
    try:
        prompts = {r[0]: tuple(r) for r in conn.execute("SELECT * FROM prompts")}
        events = {r[0]: tuple(r) for r in conn.execute("SELECT * FROM events")}
    finally:
        conn.close()
    return prompts, events


def integrity(path: Path) -> str:
    conn = read_db(path)
    try:
        return ", ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def limited(nofile: int) -> list[str]:
    """The app's command under a file limit (soft and hard) of `nofile`."""
    code = (
        "import os, resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({nofile}, {nofile})); "
        "os.execv(sys.executable, [sys.executable, '-m', 'deskguard'])"
    )
    return [sys.executable, "-c", code]


def raise_own_file_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Driver:
    """Answers prompts like a user and a script would, until stopped.

    Keeps the user active (the mouse moves), asks `break-now` now and then (over IPC,
    and every fifth time through the CLI), and answers a prompt on the break window with
    Return (start, then Return again: done), S (snooze) or Esc (skip). Every prompt id
    seen in a status reply is kept: each must end up in the database.
    """

    def __init__(
        self,
        rig: Rig,
        home: Path,
        rng: random.Random,
        pace_s: float = 0.4,
        keys: Sequence[str] = ("Return", "Return", "s", "Escape"),
        finish_share: float = 0.7,
    ) -> None:
        self.rig = rig
        self.home = home
        self.rng = rng
        self.pace_s = pace_s
        self.keys = list(keys)  # drawn from for each answer
        self.finish_share = finish_share  # of started breaks, those ended at once (Done)
        self.seen_prompts: set[str] = set()
        self.started_prompts: set[str] = set()  # seen with a running break
        self.actions = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)

    def _status(self) -> dict[str, Any] | None:
        status = ask(self.home, "status", timeout_ms=1500)
        prompt = (status or {}).get("prompt")
        if isinstance(prompt, dict) and prompt.get("id"):
            self.seen_prompts.add(prompt["id"])
            if prompt.get("break_ends_at"):
                self.started_prompts.add(prompt["id"])
        return status

    def _run(self) -> None:
        x = 200
        while not self._stop.is_set():
            x = 200 + (x + 37) % 400
            with contextlib.suppress(Exception):
                self.rig._run(["xdotool", "mousemove", str(x), "300"], check=False, timeout=5)
            with contextlib.suppress(Exception):
                self.step()
            self._stop.wait(self.pace_s * self.rng.uniform(0.5, 1.5))

    def step(self) -> None:
        status = self._status()
        if status is None:
            return
        self.actions += 1
        if status.get("prompt") is None and self.rng.random() < 0.3:
            if self.rng.random() < 0.2:
                self.rig.cli("break-now", home=self.home, timeout=10)
            else:
                ask(self.home, "break-now", timeout_ms=1500)
            return
        if status.get("prompt") is None:
            return
        windows = self.rig.windows("Break")
        if not windows:
            return
        key = self.rng.choice(self.keys)
        self.rig.key(key, window=windows[0])
        if key == "Return" and self.rng.random() < self.finish_share:
            self._stop.wait(self.rng.uniform(0.1, 1.0))
            self._status()
            windows = self.rig.windows("Break")
            if windows:
                self.rig.key("Return", window=windows[0])  # done (or the finish page)


def start_app(
    rig: Rig,
    home: Path,
    interval_s: int | None,
    cmd: Sequence[str] | None = None,
    name: str = "app",
) -> subprocess.Popen[bytes]:
    env = {DEV_INTERVAL: str(interval_s)} if interval_s else {}
    return rig.start_app(cmd, home=home, env=env, name=name)


def outcome_of_start(
    rig: Rig, app: subprocess.Popen[bytes], home: Path, timeout: float = START_TIMEOUT
) -> str:
    """'running', 'dialog' (a "DeskGuard cannot start" window), 'exited' or 'hung'."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            return "exited"
        if rig.windows(CANNOT_START):
            return "dialog"
        if ask(home, "status", timeout_ms=1000) is not None:
            return "running"
        time.sleep(0.3)
    return "hung"


def stop_app(rig: Rig, app: subprocess.Popen[bytes], home: Path, timeout: float = 15) -> int | None:
    """Quit cleanly (dismissing a "cannot start" dialog), SIGKILL as the last resort."""
    if app.poll() is None:
        for window in rig.windows(CANNOT_START):
            with contextlib.suppress(Exception):
                rig.key("Return", window=window)
        ask(home, "quit", timeout_ms=2000)
        with contextlib.suppress(subprocess.TimeoutExpired):
            app.wait(timeout)
    if app.poll() is None:
        app.kill()
        app.wait(10)
        return None
    return app.returncode


# ---- (a) kill -9 at random moments -----------------------------------------------------


def part_kills(rig: Rig, base: Path, kills: int, rng: random.Random) -> Verdict:
    verdict = Verdict("kills")
    home = prepare_home(base / "kills")
    driver = Driver(rig, home, rng)
    committed_prompts: dict[str, tuple[Any, ...]] = {}
    committed_events: dict[int, tuple[Any, ...]] = {}
    during_start = answered_starts = 0
    started = time.monotonic()
    for n in range(kills):
        app = start_app(rig, home, interval_s=2, name="kill")
        if rng.random() < 0.2:  # during start-up (and the recovery it runs)
            during_start += 1
            time.sleep(rng.uniform(0.0, 1.5))
        else:

            def up(app: subprocess.Popen[bytes] = app) -> object:
                return app.poll() is not None or ask(home, "status", 1000)

            try:
                wait_for(up, START_TIMEOUT, "the app to answer")
            except AssertionError:
                verdict.fail(f"kill {n + 1}: the app did not answer within {START_TIMEOUT:g} s")
            answered_starts += 1
            driver.start()
            time.sleep(rng.uniform(0.5, 5.0))
        if app.poll() is not None:
            verdict.fail(f"kill {n + 1}: the app had exited with {app.returncode}")
        app.send_signal(signal.SIGKILL)
        app.wait(10)
        driver.stop()
        if database(home).exists():
            try:
                prompts, events = rows(database(home))
            except sqlite3.Error as err:
                verdict.fail(f"kill {n + 1}: the database could not be read: {err}")
                continue
            committed_prompts.update(prompts)
            committed_events.update(events)
        if (n + 1) % 10 == 0:
            say(f"  {n + 1} kills, {len(committed_prompts)} prompts on record")

    # The final clean start: recovery closes what the crashes left open.
    app = start_app(rig, home, interval_s=600, name="final")
    if outcome_of_start(rig, app, home) != "running":
        verdict.fail("the final clean start did not come up")
    time.sleep(1.0)
    code = stop_app(rig, app, home)
    if code != 0:
        verdict.fail(f"the final clean quit ended with {code}")
    output = rig.output(app)

    prompts, events = rows(database(home))
    lost = [k for k in committed_prompts if k not in prompts]
    lost += [f"event {k}" for k in committed_events if k not in events]
    changed = [k for k, v in committed_prompts.items() if k in prompts and prompts[k] != v]
    changed += [f"event {k}" for k, v in committed_events.items() if events.get(k, v) != v]
    never_stored = sorted(driver.seen_prompts - set(prompts))
    by_prompt: dict[str, list[tuple[str, str]]] = {}
    for row in events.values():
        _id, prompt_id, kind, _at, detail = row[:5]
        if prompt_id is not None:
            by_prompt.setdefault(prompt_id, []).append((kind, detail))
    finals = {p: [k for k, _ in evs if k in FINAL] for p, evs in by_prompt.items()}
    duplicated = sorted(p for p, f in finals.items() if len(f) > 1)
    unfinished = sorted(p for p in prompts if p in by_prompt and not finals.get(p))
    # Stored, then killed before its first event: never shown to the user.
    unshown = sorted(p for p in prompts if p not in by_prompt)
    unshown_scheduled = [p for p in unshown if prompts[p][2] != "manual"]
    started_but_no_event = [
        p
        for p in driver.started_prompts
        if p in by_prompt and "started" not in [k for k, _ in by_prompt[p]]
    ]
    interrupted = sum(1 for evs in by_prompt.values() for k, d in evs if d == "interrupted")
    check = integrity(database(home))
    kinds: dict[str, int] = {}
    for row in events.values():
        kinds[row[2]] = kinds.get(row[2], 0) + 1
    verdict.figures.update(
        kills=kills,
        kills_during_start=during_start,
        minutes=round((time.monotonic() - started) / 60, 1),
        prompts=len(prompts),
        events=len(events),
        driver_actions=driver.actions,
        prompts_seen_in_status=len(driver.seen_prompts),
        committed_rows_checked=len(committed_prompts) + len(committed_events),
        lost=len(lost),
        changed=len(changed),
        seen_but_never_stored=len(never_stored),
        started_without_started_event=len(started_but_no_event),
        duplicated=len(duplicated),
        unfinished=len(unfinished),
        stored_never_shown=len(unshown),
        stored_never_shown_scheduled=len(unshown_scheduled),
        closed_as_interrupted=interrupted,
        event_kinds=kinds,
        integrity_check=check,
    )
    for what, found in (
        ("committed rows lost", lost),
        ("committed rows changed", changed),
        ("prompts seen in status but never stored", never_stored),
        ("prompts seen running without a 'started' event", started_but_no_event),
        ("prompts with more than one final outcome", duplicated),
        ("prompts without a final outcome", unfinished),
        ("scheduled prompts stored but never closed", unshown_scheduled),
    ):
        if found:
            verdict.fail(f"{len(found)} {what}: {found[:5]}")
    if check != "ok":
        verdict.fail(f"integrity_check: {check}")
    if "Traceback" in output:
        verdict.fail("the final start printed a traceback")
    return verdict


# ---- (b) hostile settings and database files -------------------------------------------


def fingerprint(path: Path) -> dict[str, str]:
    """What is at and below `path`: a content hash per regular file, the kind of the rest."""
    found: dict[str, str] = {}
    if not os.path.lexists(path):
        return found
    for item in [path, *sorted(path.rglob("*"))] if path.is_dir() else [path]:
        info = os.lstat(item)
        if stat.S_ISLNK(info.st_mode):
            found[str(item)] = f"link -> {os.readlink(item)}"
        elif stat.S_ISREG(info.st_mode):
            found[str(item)] = hashlib.sha256(item.read_bytes()).hexdigest()
        elif stat.S_ISFIFO(info.st_mode):
            found[str(item)] = "fifo"
        elif stat.S_ISDIR(info.st_mode):
            found[str(item)] = "folder"
        else:
            found[str(item)] = "other"
    return found


SQLITE_SIDE = ("-wal", "-shm", "-journal")


def kept(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The user's things that are gone or changed: a file or link may move (aside) if it
    stays what it was. SQLite's own side files are left out: the database that opens
    them checkpoints (or, for a WAL that is not one, ignores) them as it should; the
    records themselves are compared row by row (`rows_kept`)."""
    missing = []
    contents = set(after.values())
    for path, what in before.items():
        if path.endswith(SQLITE_SIDE) or after.get(path) == what:
            continue
        if what in contents and what not in ("folder", "other"):  # moved aside, kept
            continue
        missing.append(f"{path} ({what[:20]})")
    return missing


def snapshot(db: Path) -> tuple[dict[str, tuple[Any, ...]], dict[int, tuple[Any, ...]]] | None:
    """The records of a database SQLite can read, or None."""
    if not db.is_file() or db.is_symlink():
        return None
    try:
        return rows(db)
    except sqlite3.Error:
        return None


def rows_kept(
    before: tuple[dict[str, tuple[Any, ...]], dict[int, tuple[Any, ...]]] | None, db: Path
) -> bool:
    """Every prompt and event of `before` is still in `db`, unchanged (new ones may come)."""
    if before is None:
        return True
    after = snapshot(db)
    if after is None:
        return False
    return all(after[0].get(k) == v for k, v in before[0].items()) and all(
        after[1].get(k) == v for k, v in before[1].items()
    )


def good_database(path: Path, events: int = 3) -> None:
    """A real DeskGuard database with a few prompts and outcomes (the current schema)."""
    from datetime import datetime, timedelta, timezone

    from deskguard.adapters.store import Store
    from deskguard.core.model import Event, EventKind, Prompt

    store, _ = Store.open(path)
    at = datetime.now(timezone.utc) - timedelta(hours=2)
    for n in range(events):
        prompt = Prompt(f"faults-{n}", at + timedelta(minutes=10 * n), "scheduled", None)
        store.add_prompt(prompt)
        store.add_event(Event(EventKind.PROMPTED, prompt.due_at, prompt.id, ""))
        store.add_event(Event(EventKind.SKIPPED, prompt.due_at, prompt.id, ""))
    store.close()


@dataclass
class Case:
    name: str
    setup: Callable[[Path], None]  # gets the home
    expect: str  # "message": a notice or a refusal in words; "clean": no notice needed
    watch: Sequence[str] = ()  # extra paths outside the home whose content must stay
    needs: str = ""  # "mount": needs root to mount a tmpfs
    after: Callable[[Path], None] | None = None  # undo what setup did outside the home


def _db(home: Path) -> Path:
    path = database(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _settings(home: Path) -> Path:
    path = home / "config" / "settings.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def case_truncated_db(home: Path) -> None:
    good_database(_db(home))
    data = database(home).read_bytes()
    database(home).write_bytes(data[: len(data) // 2 + 100])


def case_garbage_db(home: Path) -> None:
    _db(home).write_bytes(random.Random(1).randbytes(50_000))


def case_future_db(home: Path) -> None:
    good_database(_db(home))
    conn = sqlite3.connect(database(home))
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()


def case_unknown_rows(home: Path) -> None:
    """Rows a newer version (or another machine) wrote, dated now: start-up reads them."""
    from datetime import datetime, timezone

    good_database(_db(home))
    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    conn = sqlite3.connect(database(home))
    conn.execute(
        "INSERT INTO events (prompt_id, kind, at_utc, detail, utc_offset_min)"
        " VALUES (NULL, 'levitated', ?, '', 0)",
        (now + "Z",),
    )
    conn.execute(
        "INSERT INTO events (prompt_id, kind, at_utc, detail, utc_offset_min)"
        " VALUES (NULL, 'skipped', 'not a time', '', 0)"
    )
    conn.commit()
    conn.close()


def case_hot_wal(home: Path) -> None:
    """A database whose last transactions are still in its WAL (a crash before checkpoint)."""
    good_database(_db(home))
    scratch = Path(tempfile.mkdtemp(prefix="faults-wal-"))
    try:
        copy = scratch / "deskguard.db"
        shutil.copy(database(home), copy)
        conn = sqlite3.connect(copy)
        conn.execute("PRAGMA journal_mode = wal")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute(
            "INSERT INTO prompts (id, due_at, source, exercise_id, due_offset_min)"
            " VALUES ('in-the-wal', '2026-01-05T10:00:00.000000Z', 'scheduled', NULL, 0)"
        )
        conn.commit()
        for suffix in ("", "-wal", "-shm"):  # copied while the connection is open: hot
            shutil.copy(
                scratch / f"deskguard.db{suffix}", database(home).parent / f"deskguard.db{suffix}"
            )
        conn.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def case_garbage_wal(home: Path) -> None:
    good_database(_db(home))
    Path(f"{database(home)}-wal").write_bytes(random.Random(2).randbytes(40_000))


def case_fifo_db(home: Path) -> None:
    os.mkfifo(_db(home))


def case_folder_db(home: Path) -> None:
    _db(home).mkdir()


def case_db_link_to_system_file(home: Path) -> None:
    _db(home).symlink_to("/etc/passwd")


def case_db_link_dangling(home: Path) -> None:
    _db(home).symlink_to(home / "nowhere" / "deskguard.db")


def case_data_folder_link(home: Path) -> None:
    target = home / "elsewhere"
    target.mkdir(parents=True)
    target.chmod(0o755)
    (home / "data").symlink_to(target)


def case_settings_garbage(home: Path) -> None:
    _settings(home).write_bytes(b"\xff\xfe[schedule\x00\n" + random.Random(3).randbytes(2000))


def case_settings_truncated(home: Path) -> None:
    _settings(home).write_text(ALL_DAY[: ALL_DAY.index("work_end") + 12])


def case_settings_deep(home: Path) -> None:
    _settings(home).write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")


def case_settings_huge(home: Path) -> None:
    _settings(home).write_text("# " + "x" * 20_000_000 + "\n")


def case_settings_fifo(home: Path) -> None:
    os.mkfifo(_settings(home))


def case_settings_folder(home: Path) -> None:
    _settings(home).mkdir()


def case_settings_link_missing(home: Path) -> None:
    _settings(home).symlink_to(home / "nowhere.toml")


def case_runtime_link(home: Path) -> None:
    target = home / "other-run"
    target.mkdir(parents=True)
    target.chmod(0o755)
    (home / "run").symlink_to(target)


# Read-only files and folders, and a full disk: as root the permission bits do not
# apply, so these use a small tmpfs, remounted read-only where that is the point.
def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        check=True,
        capture_output=True,
    )


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def case_read_only_db_file(home: Path) -> None:
    good_database(_db(home))
    if os.getuid() == 0:  # a read-only bind mount of the file itself
        subprocess.run(["mount", "--bind", str(database(home)), str(database(home))], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(database(home))], check=True)
    else:
        database(home).chmod(0o400)


def undo_read_only_db_file(home: Path) -> None:
    if os.getuid() == 0:
        _umount(database(home))
    else:
        database(home).chmod(0o600)


def case_read_only_data_folder(home: Path) -> None:
    data = home / "data"
    if os.getuid() == 0:
        _mount_tmpfs(data, "1m")
        good_database(database(home))
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
    else:
        good_database(_db(home))
        data.chmod(0o500)


def undo_read_only_data_folder(home: Path) -> None:
    if os.getuid() == 0:
        _umount(home / "data")
    else:
        (home / "data").chmod(0o700)


def hostile_cases() -> list[Case]:
    return [
        Case("database truncated", case_truncated_db, "message"),
        Case("database garbage", case_garbage_db, "message"),
        Case("database from a future version", case_future_db, "message"),
        Case("database with unknown rows", case_unknown_rows, "message"),
        Case("database with a hot WAL", case_hot_wal, "clean"),
        Case("database with a garbage WAL", case_garbage_wal, "any"),
        Case("database is a FIFO", case_fifo_db, "message"),
        Case("database is a folder", case_folder_db, "message"),
        Case(
            "database links to /etc/passwd",
            case_db_link_to_system_file,
            "message",
            ("/etc/passwd",),
        ),
        Case("database links to nothing", case_db_link_dangling, "any"),
        Case("data folder is a link", case_data_folder_link, "message"),
        Case(
            "database file read-only",
            case_read_only_db_file,
            "message",
            (),
            "",
            undo_read_only_db_file,
        ),
        Case(
            "data folder read-only",
            case_read_only_data_folder,
            "message",
            (),
            "",
            undo_read_only_data_folder,
        ),
        Case("settings garbage", case_settings_garbage, "message"),
        Case("settings truncated", case_settings_truncated, "any"),
        Case("settings nested 5,000 deep", case_settings_deep, "message"),
        Case("settings of 20 MB", case_settings_huge, "message"),
        Case("settings is a FIFO", case_settings_fifo, "message"),
        Case("settings is a folder", case_settings_folder, "message"),
        Case("settings links to nothing", case_settings_link_missing, "message"),
        Case("runtime folder is a link", case_runtime_link, "message"),
    ]


LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ [A-Z]+ [\w.]+: ")


def messages_of(rig: Rig, app: subprocess.Popen[bytes], status: dict[str, Any] | None) -> list[str]:
    said = [LOG_PREFIX.sub("", line) for line in rig.output(app).splitlines() if line.strip()]
    said = [s for s in said if "developer setting" not in s]
    if status:
        said += [str(p) for p in status.get("problems", [])]
    return said


def part_files(rig: Rig, base: Path, full_disk: bool = True) -> Verdict:
    verdict = Verdict("files")
    table: list[tuple[str, str, str, str, str]] = []
    can_mount = os.getuid() == 0 and shutil.which("mount") is not None
    for number, case in enumerate(hostile_cases()):
        home = base / f"files-{number:02d}"
        prepare_home(home)
        if case.name.startswith("settings"):
            _settings(home).unlink()
        if "read-only" in case.name and os.getuid() == 0 and not can_mount:
            table.append((case.name, "skipped", "", "", "root without mount: not checkable"))
            continue
        try:
            case.setup(home)
        except (OSError, subprocess.CalledProcessError) as err:  # e.g. mount not allowed
            if case.after is not None:
                with contextlib.suppress(Exception):
                    case.after(home)
            table.append((case.name, "skipped", "", "", f"setup failed: {err}"))
            continue
        before = {**fingerprint(home / "config"), **fingerprint(home / "data")}
        before.update({p: fingerprint(Path(p)).get(p, "") for p in case.watch})
        records = snapshot(database(home))
        started = time.monotonic()
        app = start_app(rig, home, interval_s=None, name="files")
        how = outcome_of_start(rig, app, home, timeout=20)
        seconds = time.monotonic() - started
        status = ask(home, "status") if how == "running" else None
        if how == "dialog":
            time.sleep(0.5)  # the message is printed before the dialog shows
        code = stop_app(rig, app, home)
        said = messages_of(rig, app, status)
        after = {**fingerprint(home / "config"), **fingerprint(home / "data")}
        after.update({p: fingerprint(Path(p)).get(p, "") for p in case.watch})
        gone = kept(before, after)
        db_path = database(home)
        if records is not None and snapshot(db_path) is not None:
            # Still a database in place: it may have been written to; its rows must stay.
            gone = [g for g in gone if not g.startswith(str(db_path))]
            if not rows_kept(records, db_path):
                gone.append(f"{db_path}: rows lost or changed")
        if case.after is not None:
            case.after(home)
        traceback = "Traceback" in rig.output(app)
        message = next(
            (s for s in said if s.startswith("DeskGuard cannot start")),
            next((s for s in said if "Traceback" not in s), ""),
        )
        problems: list[str] = []
        if how == "hung":
            problems.append("hung")
        if traceback:
            problems.append("traceback")
        if gone:
            problems.append(f"changed {gone}")
        if case.expect == "message" and not message:
            problems.append("no message")
        if how == "exited" and code not in (0, 1):
            problems.append(f"exit {code}")
        if case.name == "database with a hot WAL" and how == "running":
            prompts, _ = rows(database(home))
            if "in-the-wal" not in prompts:
                problems.append("the WAL's committed prompt is gone")
        ending = {"running": "runs", "dialog": "refused (dialog)", "exited": f"exit {code}"}
        table.append(
            (
                case.name,
                ending.get(how, how),
                f"{seconds:.1f} s",
                "kept" if not gone else "CHANGED",
                (message[:110] + ("" if not problems else f"  <- {', '.join(problems)}")),
            )
        )
        for problem in problems:
            verdict.fail(f"{case.name}: {problem}")
    if full_disk:
        table.append(full_disk_case(rig, base, verdict, can_mount))
    say(f"  {'case':<34}{'start-up':<18}{'time':>7}  {'files':<8}message")
    for name, how, took, files, message in table:
        say(f"  {name:<34}{how:<18}{took:>7}  {files:<8}{message}")
    verdict.figures["cases"] = len(table)
    verdict.figures["skipped"] = sum(1 for row in table if row[1] == "skipped")
    return verdict


def full_disk_case(
    rig: Rig, base: Path, verdict: Verdict, can_mount: bool
) -> tuple[str, str, str, str, str]:
    """The data folder on a tiny tmpfs, filled up while prompts come: one notification in
    words, a short problems list, the app answering; space again: everything saved."""
    name = "full disk (tmpfs)"
    if not can_mount:
        return (name, "skipped", "", "", "needs root to mount a small tmpfs")
    home = prepare_home(base / "files-full")
    data = home / "data"
    try:
        _mount_tmpfs(data, "400k")
    except (OSError, subprocess.CalledProcessError) as err:  # e.g. no CAP_SYS_ADMIN
        return (name, "skipped", "", "", f"cannot mount a tmpfs here: {err}")
    try:
        app = start_app(rig, home, interval_s=3, name="full")
        if outcome_of_start(rig, app, home) != "running":
            verdict.fail(f"{name}: did not start")
            return (name, "did not start", "", "", rig.output(app)[-200:])
        filler = data / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as out:
            while True:
                out.write(b"\0" * 4096)
                out.flush()
        before = len(rig.notifications())
        rng = random.Random(4)
        driver = Driver(rig, home, rng, pace_s=0.3)
        driver.start()
        time.sleep(25)
        driver.stop()
        status = ask(home, "status")
        notes = rig.notifications()[before:]
        saving = [n for n in notes if "save" in n.summary.lower()]
        prompts_shown = [n for n in notes if n.summary == "Time to stand and move"]
        filler.unlink()
        time.sleep(8)  # the next writes save what waited
        code = stop_app(rig, app, home)
        prompts, _events = rows(database(home))
        problems = status.get("problems", []) if status else ["(no status)"]
        words = saving[0].body if saving else ""
        bad_words = [w for w in ("never stored", "add the prompt first", "sqlite") if w in words]
        figures = (
            f"{len(prompts_shown)} prompt bubbles, {len(saving)} 'cannot save' bubble(s), "
            f"{len(problems)} problem(s); after space returned {len(prompts)} prompts stored"
        )
        verdict.figures["full_disk"] = figures
        if status is None:
            verdict.fail(f"{name}: status did not answer")
        if len(saving) != 1:
            verdict.fail(f"{name}: {len(saving)} 'cannot save' notifications, not one")
        if bad_words:
            verdict.fail(f"{name}: developer wording {bad_words}")
        if len(problems) > 20:
            verdict.fail(f"{name}: {len(problems)} problems listed")
        if code != 0:
            verdict.fail(f"{name}: quit ended with {code}")
        missing = driver.seen_prompts - set(prompts)
        if missing:
            verdict.fail(f"{name}: {len(missing)} prompts seen but not saved after space returned")
        return (name, "runs", "", "", f"{words[:60]} | {figures}")
    finally:
        _umount(data)


# ---- (c) IPC abuse ------------------------------------------------------------------------


class Prober:
    """Times `status` every half second and keeps the user active meanwhile."""

    def __init__(self, rig: Rig, home: Path) -> None:
        self.rig = rig
        self.home = home
        self.times: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(15)

    def _run(self) -> None:
        x = 100
        while not self._stop.is_set():
            x = 100 + (x + 53) % 500
            with contextlib.suppress(Exception):
                self.rig._run(["xdotool", "mousemove", str(x), "200"], check=False, timeout=5)
            asked = time.monotonic()
            if ask(self.home, "status", timeout_ms=5000) is None:
                self.failures += 1
            else:
                self.times.append(time.monotonic() - asked)
            self._stop.wait(0.5)


def connect(name: str, timeout: float = 5) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(name)
    return s


def exchange(name: str, data: bytes, timeout: float = 10) -> bytes:
    with connect(name, timeout) as s:
        with contextlib.suppress(OSError):
            s.sendall(data)
        got = b""
        with contextlib.suppress(OSError):
            while chunk := s.recv(65536):
                got += chunk
        return got


def part_ipc(rig: Rig, base: Path, rounds: int, rng: random.Random) -> Verdict:
    verdict = Verdict("ipc")
    home = prepare_home(base / "ipc")
    name = names_of(home)[0]
    raise_own_file_limit(4096)

    # A symlink planted at the socket path before start: replaced, its target untouched.
    (home / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    bait = base / "ipc-bait.txt"
    bait.write_text("not a socket")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)
    os.symlink(bait, name)

    app = start_app(rig, home, interval_s=30, cmd=limited(1024), name="ipc")
    if outcome_of_start(rig, app, home) != "running":
        verdict.fail("the app did not start under a 1,024 file limit")
        return verdict
    if bait.read_text() != "not a socket" or not stat.S_ISSOCK(os.lstat(name).st_mode):
        verdict.fail("the symlink at the socket path was followed or kept")
    trials: list[tuple[str, str]] = []
    with Prober(rig, home) as prober:
        # Random bytes, with and without line ends.
        replies = 0
        for _ in range(200):
            data = rng.randbytes(rng.randint(1, 3000)) + (b"\n" if rng.random() < 0.7 else b"")
            with contextlib.suppress(OSError):
                replies += bool(exchange(name, data, timeout=5))
        trials.append(("200 random messages", f"{replies} answered"))
        # Deep JSON and a huge number: a clear error reply each.
        for label, data in (
            ("60,000-deep JSON", b"[" * 60_000 + b"\n"),
            (
                "5,000-digit number",
                b'{"cmd": "pause", "args": {"minutes": ' + b"9" * 5000 + b"}}\n",
            ),
        ):
            reply = exchange(name, data)
            text = reply.decode(errors="replace").strip()
            ok = text.startswith("{") and '"ok": false' in text
            trials.append((label, text[:70] if ok else f"NO CLEAR REPLY: {text[:60]!r}"))
            if not ok:
                verdict.fail(f"{label}: no clear error reply")
        # A 50 MB message while another client asks.
        flood = threading.Thread(target=lambda: exchange(name, b"x" * 50_000_000, timeout=30))
        flood.start()
        asked = time.monotonic()
        answered = ask(home, "status")
        took = time.monotonic() - asked
        flood.join(60)
        trials.append(("50 MB message", f"status meanwhile in {took * 1000:.0f} ms"))
        if answered is None:
            verdict.fail("status went unanswered during a 50 MB message")
        # 1,000 idle connections against the app's 1,024 file limit.
        idle: list[socket.socket] = []
        refused = 0
        for _ in range(1000):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            except OSError:  # our own file limit (a hard limit of 1,024 on this machine)
                refused += 1
                continue
            s.setblocking(False)
            give_up = time.monotonic() + 2
            while True:
                try:
                    s.connect(name)
                    idle.append(s)
                    break
                except BlockingIOError:  # the backlog is full for a moment: try again
                    if time.monotonic() > give_up:
                        s.close()
                        refused += 1
                        break
                    time.sleep(0.002)
                except OSError:
                    s.close()
                    refused += 1
                    break
        asked = time.monotonic()
        answered = ask(home, "status", timeout_ms=10_000)
        took = time.monotonic() - asked
        fds = len(os.listdir(f"/proc/{app.pid}/fd"))
        trials.append(
            (
                "1,000 idle connections",
                f"{len(idle)} connected, {refused} not in 2 s; status in "
                f"{took * 1000:.0f} ms; app holds {fds} descriptors",
            )
        )
        if answered is None:
            verdict.fail("status went unanswered with 1,000 idle connections open")
        if fds > 300:
            verdict.fail(f"the app holds {fds} descriptors with idle connections open")
        # A break window must still be buildable (it imports and opens files).
        shown = ask(home, "break-now", timeout_ms=10_000)
        window = wait_for(lambda: rig.windows("Break"), 15, "the break window", interval=0.3)
        trials.append(("break-now meanwhile", "window shown" if shown and window else "FAILED"))
        rig.key("Escape", window=window[0])
        # A break of one's own restarts the interval: the scheduled prompt is due then.
        due = wait_for(
            lambda: (
                (ask(home, "status") or {}).get("prompt") is None
                and (ask(home, "status") or {}).get("next_break_at")
            ),
            10,
            "the prompt to close",
        )
        time.sleep(max(0.0, 4.0 - (time.monotonic() - asked)))  # idle ones time out
        for s in idle:
            s.close()
        # Five instances at once, `rounds` times: exactly one runs each time.
        single = 0
        for _ in range(rounds):
            others = [start_app(rig, home, None, name="extra") for _ in range(5)]
            codes = [p.wait(60) for p in others]
            texts = [rig.output(p) for p in others]
            if codes == [0] * 5 and all("already running" in t for t in texts):
                single += 1
        trials.append(("five instances at once", f"one running in {single} of {rounds} rounds"))
        if single != rounds:
            verdict.fail(f"five instances at once: {rounds - single} rounds went wrong")
        # The scheduled prompt (30 s interval) must come on time meanwhile.
        wait_for(
            lambda: prompted_at(database(home)),
            45,
            "the scheduled prompt",
            interval=0.5,
        )
    late = prompt_delay(database(home), due)
    trials.append(
        ("scheduled prompt", f"{late:+.2f} s from its due time" if late is not None else "?")
    )
    if late is None or abs(late) > 2.5:
        verdict.fail(f"the scheduled prompt came {late} s from its due time")
    # SIGTERM under load: 900 connections open, then the signal.
    held = []
    for _ in range(900):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        except OSError:
            break
        s.setblocking(False)
        try:
            s.connect(name)
            held.append(s)
        except OSError:  # a full backlog: the rest wait there or fail, as load does
            s.close()
    asked = time.monotonic()
    app.send_signal(signal.SIGTERM)
    try:
        code: int | None = app.wait(15)
    except subprocess.TimeoutExpired:
        code = None
        app.kill()
        app.wait(10)
    took = time.monotonic() - asked
    for s in held:
        s.close()
    trials.append(("SIGTERM under load", f"exit {code} after {took:.2f} s"))
    if code != 0:
        verdict.fail(f"SIGTERM under load: exit {code}")
    log_text = (home / "log" / "deskguard.log").read_text(errors="replace")
    ipc_lines = sum(1 for line in log_text.splitlines() if "IPC:" in line)
    trials.append(("log", f"{ipc_lines} IPC lines, {len(log_text) // 1024} KB in all"))
    if ipc_lines > 40:
        verdict.fail(f"{ipc_lines} IPC lines in the log")
    other = other_user_trial(rig, base)
    trials.append(("another user's listener at the fallback", other))
    if other.startswith("FAIL"):
        verdict.fail(other)
    times = sorted(prober.times)
    verdict.figures.update(
        status_asked=len(times) + prober.failures,
        status_unanswered=prober.failures,
        status_median_ms=round(1000 * times[len(times) // 2]) if times else None,
        status_max_ms=round(1000 * times[-1]) if times else None,
    )
    if prober.failures:
        verdict.fail(f"status went unanswered {prober.failures} times during the trials")
    for label, result in trials:
        say(f"  {label:<42}{result}")
    return verdict


def prompted_at(db: Path) -> list[str]:
    if not db.exists():
        return []
    conn = read_db(db)
    try:
        query = (
            "SELECT e.at_utc FROM events e JOIN prompts p ON p.id = e.prompt_id"
            " WHERE e.kind = 'prompted' AND p.source != 'manual' ORDER BY e.id"
        )
        return [r[0] for r in conn.execute(query)]
    finally:
        conn.close()


def prompt_delay(db: Path, due: str | None) -> float | None:
    from datetime import datetime

    times = prompted_at(db)
    if not times or not due:
        return None
    first = datetime.fromisoformat(times[0].removesuffix("Z") + "+00:00")
    return (first - datetime.fromisoformat(due)).total_seconds()


def other_user_trial(rig: Rig, base: Path) -> str:
    """Another user binds the first fallback name (abstract) before DeskGuard starts: the
    app listens on the next one, the CLI answers, and the other user gets not a byte."""
    if os.getuid() != 0:
        return "skipped (needs root to run a process as another user)"
    python = next(
        (p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if os.path.exists(p)), None
    )
    if python is None:
        return "skipped (no Python another user may run)"
    home = prepare_home(base / ("ipc-long-" + "x" * 120))  # too long for sun_path
    names = names_of(home)
    if not names[0].startswith("\0"):
        return "skipped (no abstract socket names here)"
    listener = (
        "import socket, sys, select\n"
        "s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1].replace('@', chr(0), 1))\n"
        "s.listen(8); print('ready', flush=True); got = 0\n"
        "while True:\n"
        "    if select.select([s], [], [], 0.2)[0]:\n"
        "        c, _ = s.accept(); c.settimeout(1)\n"
        "        try: got += len(c.recv(65536))\n"
        "        except OSError: pass\n"
        "        c.close(); print(got, flush=True)\n"
    )
    theirs = subprocess.Popen(
        [python, "-c", listener, "@" + names[0][1:]],
        user=65534,
        stdout=subprocess.PIPE,
        text=True,
    )
    app: subprocess.Popen[bytes] | None = None
    try:
        assert theirs.stdout is not None
        if theirs.stdout.readline().strip() != "ready":
            return "FAIL: the other user's listener did not start"
        app = start_app(rig, home, interval_s=None, name="fallback")
        if outcome_of_start(rig, app, home) != "running":
            return f"FAIL: the app did not start: {rig.output(app)[-200:]}"
        cli = rig.cli("status", "--json", home=home)
        stop_app(rig, app, home)
        theirs.kill()
        out, _ = theirs.communicate(timeout=10)
        got = max([int(w) for w in out.split() if w.isdigit()], default=0)
        if cli.returncode != 0:
            return f"FAIL: the CLI did not reach DeskGuard: {cli.stderr.strip()[:100]}"
        if got:
            return f"FAIL: the other user's listener received {got} bytes"
        return "the app listens in its private folder; the CLI answered; the other got 0 bytes"
    finally:
        if app is not None and app.poll() is None:
            stop_app(rig, app, home)
        if theirs.poll() is None:
            theirs.kill()
            theirs.communicate(timeout=10)


# ---- (d) endurance ----------------------------------------------------------------------


def part_soak(
    rig: Rig, base: Path, minutes: float, rss_bound_kb: int, rng: random.Random
) -> Verdict:
    verdict = Verdict("soak")
    home = prepare_home(base / "soak")
    app = start_app(rig, home, interval_s=3, name="soak")
    if outcome_of_start(rig, app, home) != "running":
        verdict.fail("the app did not start")
        return verdict
    # Mostly answered at once (Done or Skip), so a prompt comes every few seconds; now and
    # then a snooze or a break left to run its minute.
    keys = ("Return",) * 6 + ("Escape",) * 3 + ("s",)
    driver = Driver(rig, home, rng, pace_s=0.5, keys=keys, finish_share=0.9)
    driver.start()
    warm_up = min(60.0, minutes * 60 / 4)
    time.sleep(warm_up)
    first = rss_kb(app.pid)
    samples = [first]
    ends = time.monotonic() + minutes * 60 - warm_up
    while time.monotonic() < ends and app.poll() is None:
        time.sleep(min(10.0, max(0.1, ends - time.monotonic())))
        if app.poll() is None:
            samples.append(rss_kb(app.pid))
    driver.stop()
    last = samples[-1]
    code = stop_app(rig, app, home)
    prompts, events = rows(database(home))
    log_text = (home / "log" / "deskguard.log").read_text(errors="replace")
    warnings = [
        line
        for line in log_text.splitlines()
        if re.search(r" (WARNING|ERROR|CRITICAL) ", line) and "developer setting" not in line
    ]
    finals: dict[str, int] = {}
    for row in events.values():
        if row[1] is not None and row[2] in FINAL:
            finals[row[1]] = finals.get(row[1], 0) + 1
    unfinished = [p for p in prompts if p not in finals]
    duplicated = [p for p, n in finals.items() if n > 1]
    growth = last - first
    verdict.figures.update(
        minutes=minutes,
        prompts=len(prompts),
        driver_actions=driver.actions,
        rss_after_warm_up_mb=round(first / 1024, 1),
        rss_end_mb=round(last / 1024, 1),
        rss_max_mb=round(max(samples) / 1024, 1),
        growth_kb=growth,
        growth_kb_per_min=round(growth / max(minutes - warm_up / 60, 0.1), 1),
        rss_bound_kb=rss_bound_kb,
        log_warnings=len(warnings),
        unfinished=len(unfinished),
        duplicated=len(duplicated),
    )
    if growth > rss_bound_kb:
        verdict.fail(f"RSS grew by {growth} KB (bound {rss_bound_kb} KB)")
    if warnings:
        verdict.fail(f"{len(warnings)} warnings in the log, first: {warnings[0][:160]}")
    if unfinished or duplicated:
        verdict.fail(f"{len(unfinished)} unfinished, {len(duplicated)} duplicated prompts")
    if code != 0:
        verdict.fail(f"quit ended with {code}")
    if "Traceback" in rig.output(app):
        verdict.fail("a traceback in the app's output")
    return verdict


# ---- main ------------------------------------------------------------------------------------


@contextlib.contextmanager
def work_folder(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="faults-"))
    try:
        yield path
    finally:
        if not keep:
            for mount in sorted(path.rglob("*"), reverse=True):
                with contextlib.suppress(OSError):
                    if os.path.ismount(mount):
                        _umount(mount)
            shutil.rmtree(path, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a few minutes in all (CI)")
    parser.add_argument("--parts", default="a,b,c,d", help="which parts (default a,b,c,d)")
    parser.add_argument("--kills", type=int, help="(a) kill -9 count (default 100; short 8)")
    parser.add_argument("--minutes", type=float, help="(d) endurance (default 15; short 1)")
    parser.add_argument("--rounds", type=int, help="(c) five-instance rounds (default 5; short 1)")
    parser.add_argument(
        "--rss-bound-mb", type=float, default=4.0, help="(d) RSS growth allowed (default 4 MB)"
    )
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    kills = args.kills if args.kills is not None else (8 if args.short else 100)
    minutes = args.minutes if args.minutes is not None else (1.0 if args.short else 15.0)
    rounds = args.rounds if args.rounds is not None else (1 if args.short else 5)
    parts = {p.strip() for p in args.parts.split(",")}
    rng = random.Random(args.seed)
    verdicts: list[Verdict] = []
    # Our own look at the app's paths may meet what the app meets: the app says it.
    logging.getLogger("deskguard").setLevel(logging.ERROR)
    started = time.monotonic()
    try:
        with work_folder(args.keep) as base, Rig(base / "rig") as rig:
            say(f"rig up on {rig.display}; work folder {base}; seed {args.seed}")
            if "a" in parts:
                say(f"\n(a) {kills} x kill -9 while a driver answers prompts every 2 s")
                verdicts.append(part_kills(rig, base, kills, rng))
            if "b" in parts:
                say("\n(b) hostile settings and database files")
                verdicts.append(part_files(rig, base))
            if "c" in parts:
                say("\n(c) IPC abuse under a 1,024 file limit")
                verdicts.append(part_ipc(rig, base, rounds, rng))
            if "d" in parts:
                say(f"\n(d) {minutes:g} minutes of prompts every 3 s, answered by a driver")
                verdicts.append(part_soak(rig, base, minutes, int(args.rss_bound_mb * 1024), rng))
    except RigUnavailable as err:
        say(f"faults: the rig cannot run here: {err}")
        return 2
    say(f"\nfigures ({(time.monotonic() - started) / 60:.1f} min in all):")
    for verdict in verdicts:
        say(f"  {verdict.name}: {json.dumps(verdict.figures)}")
    failures = [f"{v.name}: {f}" for v in verdicts for f in v.failures]
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {v.name: {"figures": v.figures, "failures": v.failures} for v in verdicts}, indent=2
            )
        )
    if failures:
        say(f"\nFAILED ({len(failures)}):")
        for failure in failures:
            say(f"  {failure}")
        return 1
    say("\nno loss, no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())

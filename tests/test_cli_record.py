"""`report` and `export` on a record with crashes and rows from a newer version, and an
export that cannot hurt the record, the settings or anything else."""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from deskguard.adapters.paths import default_paths
from deskguard.adapters.store import Store
from deskguard.cli import main
from deskguard.core.model import Event, EventKind, Prompt
from tests.hostile import make_fifo, within

K = EventKind
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes, links, FIFOs")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# A Wednesday two weeks back: in the past whenever the tests run, so a crashed prompt's
# response window is long over.
_NOW = datetime.now().astimezone()
DAY = _NOW.date() - timedelta(days=_NOW.weekday() + 12)
WEEK = f"{DAY.isocalendar()[0]}-W{DAY.isocalendar()[1]:02d}"


def today_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=_NOW.tzinfo)


def seed(home: Path) -> Path:
    """Today: one completed prompt at 8:00 and one a crash left with its break running at
    8:50 (the app's last sign of life 50 s into it); returns the database."""
    path = default_paths().database
    with Store.open(path)[0] as store:
        done, crashed = today_at(8), today_at(8, 50)
        store.add_prompt(Prompt("done", done, "scheduled"))
        store.add_event(Event(K.PROMPTED, done, "done"))
        store.add_event(Event(K.STARTED, done + timedelta(minutes=1), "done"))
        store.add_event(Event(K.COMPLETED, done + timedelta(minutes=3), "done"))
        store.add_prompt(Prompt("crashed", crashed, "scheduled"))
        store.add_event(Event(K.PROMPTED, crashed, "crashed"))
        store.add_event(Event(K.STARTED, crashed + timedelta(seconds=10), "crashed"))
        store.mark_alive(crashed + timedelta(seconds=60), force=True)
    return path


def add_unreadable(path: Path) -> None:
    """Rows a newer DeskGuard might write: a kind and a time this version cannot read."""
    with Store.open(path)[0] as store:
        at = today_at(8, 5).astimezone()
        store._conn.execute(
            "INSERT INTO events (kind, at_utc, utc_offset_min, prompt_id) VALUES (?, ?, ?, ?)",
            ("teleported", store_text(at), 60, "done"),
        )
        store._conn.execute(
            "INSERT INTO events (kind, at_utc, utc_offset_min) VALUES ('paused', ?, 60)",
            (store_text(at)[:11] + "25:61:00.000000Z",),
        )


def store_text(at: datetime) -> str:
    from deskguard.adapters.store import _utc_text

    return _utc_text(at)


def event_count(path: Path) -> int:
    with Store.open(path)[0] as store:
        return int(store._conn.execute("SELECT count(*) FROM events").fetchone()[0])


# ---- a crash: report and export show the outcome the next start will write -----------------


def test_report_counts_a_prompt_left_open_by_a_crash_as_missed_without_writing(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = seed(home)
    before = event_count(path)
    assert main(["report", "--week", WEEK, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    day = next(d for d in report["days"] if d["date"] == today_at(8).date().isoformat())
    assert (day["prompted"], day["completed"], day["missed"]) == (2, 1, 1)
    assert day["movement_seconds"] == 120 + 50  # the crashed break ran 50 s
    assert "skipped_rows" not in report
    assert event_count(path) == before  # a reader never writes the outcome


def test_export_shows_the_interrupted_outcome(home: Path, tmp_path: Path) -> None:
    seed(home)
    target = tmp_path / "events.csv"
    assert main(["export", "--csv", str(target)]) == 0
    rows = read_csv(target)
    assert [(r["prompt"], r["kind"], r["detail"]) for r in rows][-1] == (
        "crashed",
        "missed",
        "interrupted",
    )
    assert rows[-1]["time"] == (today_at(8, 50) + timedelta(seconds=60)).isoformat()


# ---- rows this version cannot read ---------------------------------------------------------


def test_report_leaves_out_unreadable_rows_and_says_so_once_at_the_end(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_unreadable(seed(home))
    assert main(["report", "--week", WEEK]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert err.count("cannot read") == 1
    assert err.strip().endswith("left out, and kept in the record unchanged.")
    assert err.strip().splitlines()[-1].startswith("2 entries in your record")
    assert main(["report", "--week", WEEK, "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["skipped_rows"] == 2
    assert report["totals"]["prompted"] == 2 and report["totals"]["completed"] == 1
    assert err.count("cannot read") == 1


def test_export_leaves_out_unreadable_rows_and_says_so(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = seed(home)
    add_unreadable(path)
    before = event_count(path)
    target = tmp_path / "events.csv"
    assert main(["export", "--csv", str(target)]) == 0
    out, err = capsys.readouterr()
    assert f"Wrote 6 events to {target}" in out  # 5 readable + the interrupted outcome
    assert err.count("cannot read") == 1 and "Traceback" not in err
    assert len(read_csv(target)) == 6
    assert event_count(path) == before  # both rows are still there


# ---- an export that cannot hurt -------------------------------------------------------------


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> str:
    assert main(["export", *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("deskguard export: ") and "Traceback" not in err
    for word in words:
        assert word in err
    return err


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_export_never_writes_onto_the_database(
    home: Path, capsys: pytest.CaptureFixture[str], force: list[str]
) -> None:
    db = seed(home)
    before = db.read_bytes()
    _refused(["--csv", str(db), *force], capsys, f"{db} is DeskGuard's own file", "destroy")
    assert db.read_bytes() == before
    with Store.open(db)[0] as store:
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_export_never_writes_onto_the_settings_or_into_deskguards_folders(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(home)
    paths = default_paths()
    assert main(["report"]) == 0  # writes the default settings file
    capsys.readouterr()
    settings = paths.config_file.read_bytes()
    _refused(["--csv", str(paths.config_file), "--force"], capsys, "DeskGuard's own file")
    _refused(["--csv", str(paths.data_dir / "new.csv")], capsys, "inside DeskGuard's folder")
    _refused(["--programme-csv", str(paths.config_dir / "p.csv")], capsys, "inside")
    _refused(["--csv", str(paths.data_dir), "--force"], capsys, "DeskGuard's folder")
    # Another way to the same folder is the same folder.
    _refused(["--csv", str(paths.data_dir / ".." / "data" / "x.csv")], capsys, "inside")
    assert paths.config_file.read_bytes() == settings
    assert sorted(p.name for p in paths.data_dir.iterdir() if p.suffix == ".csv") == []


@posix_only
def test_export_never_writes_onto_a_hard_link_of_the_database(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = seed(home)
    other = tmp_path / "looks-harmless.csv"
    os.link(db, other)
    _refused(["--csv", str(other), "--force"], capsys, "DeskGuard's own file")
    assert other.read_bytes() == db.read_bytes()


def test_an_existing_file_needs_force(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(home)
    target = tmp_path / "events.csv"
    target.write_text("my notes\n")
    _refused(["--csv", str(target)], capsys, "already exists", "add --force to replace it")
    assert target.read_text() == "my notes\n"
    assert main(["export", "--csv", str(target), "--force"]) == 0
    assert len(read_csv(target)) == 6


@posix_only
def test_export_never_writes_through_a_symlink(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(home)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "events.csv"
    link.symlink_to(victim)
    _refused(["--csv", str(link), "--force"], capsys, "is a symbolic link", "does not write")
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere" / "x")
    _refused(["--csv", str(dangling)], capsys, "symbolic link")
    assert victim.read_text() == "keep me\n" and link.is_symlink()
    assert not (tmp_path / "nowhere").exists()


@posix_only
def test_export_writes_a_private_file_and_leaves_nothing_else(home: Path, tmp_path: Path) -> None:
    seed(home)
    out = tmp_path / "out"
    out.mkdir()
    old_umask = os.umask(0o022)  # the usual umask would give 0644
    try:
        assert (
            main(["export", "--csv", str(out / "e.csv"), "--programme-csv", str(out / "p.csv")])
            == 0
        )
    finally:
        os.umask(old_umask)
    assert sorted(p.name for p in out.iterdir()) == ["e.csv", "p.csv"]
    for name in ("e.csv", "p.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600


@posix_only
def test_export_onto_a_named_pipe_is_refused_at_once(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(home)
    fifo = make_fifo(tmp_path / "events.csv")
    code = within(10, lambda: main(["export", "--csv", str(fifo), "--force"]), (fifo,))
    assert code == 1
    assert "is a named pipe (FIFO), not a file" in capsys.readouterr().err


def test_a_read_failure_mid_export_leaves_no_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskguard.adapters.store import StoreError

    seed(home)

    def broken(self: Store) -> object:
        yield Event(K.PAUSED, today_at(7))
        raise StoreError(f"{self.path}: could not read events: disk I/O error.")

    monkeypatch.setattr(Store, "iter_events", broken)
    target = tmp_path / "events.csv"
    assert main(["export", "--csv", str(target)]) == 1
    err = capsys.readouterr().err
    assert "deskguard export: " in err and "disk I/O error" in err and "Traceback" not in err
    assert list(tmp_path.glob("*events.csv*")) == []


def test_the_two_exports_need_two_files(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = str(tmp_path / "x.csv")
    with pytest.raises(SystemExit) as info:
        main(["export", "--csv", same, "--programme-csv", same])
    assert info.value.code == 2
    assert "two different files" in capsys.readouterr().err

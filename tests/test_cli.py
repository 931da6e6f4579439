from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from deskguard.adapters.paths import default_paths
from deskguard.adapters.store import Store
from deskguard.cli import main, spreadsheet_safe
from deskguard.core.model import Event, EventKind, Prompt


@pytest.mark.parametrize(
    "argv, message",
    [
        (["pause", "abc"], "'abc' is not a number of minutes"),
        (["pause", "0"], "out of range"),
        (["pause", "1441"], "out of range"),
        (["report", "--week", "2026-W99"], "is not an ISO week"),
        (["report", "--week", "last"], "is not an ISO week"),
        (["export"], "--csv"),
        (["dance"], "invalid choice"),
        (["status", "--yaml"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_exit_2_with_usage(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: deskguard" in err and message in err


@pytest.mark.parametrize("command", [["status"], ["break-now"], ["pause", "tomorrow"], ["quit"]])
def test_commands_need_a_running_app(
    command: list[str], capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    assert main(command) == 1
    assert "DeskGuard is not running" in capsys.readouterr().err


def seed(home: Path) -> date:
    """One completed, one snoozed-then-missed and one skipped prompt, today."""
    store, _ = Store.open(default_paths().database)
    today = datetime.now().astimezone().replace(hour=10, minute=0, second=0, microsecond=0)
    for n, outcome in enumerate([EventKind.COMPLETED, EventKind.MISSED, EventKind.SKIPPED]):
        at = today + timedelta(minutes=50 * n)
        pid = f"p{n}"
        store.add_prompt(Prompt(pid, at, "scheduled", "=cmd|' /C calc'!A0"))
        store.add_event(Event(EventKind.PROMPTED, at, pid, "scheduled"))
        if outcome is EventKind.MISSED:
            store.add_event(Event(EventKind.SNOOZED, at, pid, "+5 min"))
            store.add_event(Event(EventKind.PROMPTED, at + timedelta(minutes=5), pid))
        store.add_event(Event(outcome, at + timedelta(minutes=2), pid, "@done"))
    store.close()
    return today.date()


def test_report_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    today = seed(home)
    assert main(["report", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["days"]) == 7
    day = next(d for d in report["days"] if d["date"] == today.isoformat())
    assert (day["prompted"], day["completed"], day["snoozed"], day["missed"], day["skipped"]) == (
        3, 1, 1, 1, 1,
    )
    assert day["adherence"] == pytest.approx(1 / 3, abs=1e-4)
    assert report["totals"]["prompted"] == 3
    year, week, _ = today.isocalendar()
    assert report["week"] == f"{year}-W{week:02d}"


def test_report_other_week_is_empty(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(home)
    assert main(["report", "--week", "2020-W01"]) == 0
    out = capsys.readouterr().out
    assert "DeskGuard week 2020-W01" in out
    assert out.splitlines()[-1].split()[:2] == ["Total", "0"]


def test_export_csv_escapes_formulas(home: Path, tmp_path: Path) -> None:
    seed(home)
    target = tmp_path / "events.csv"
    assert main(["export", "--csv", str(target)]) == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 8
    assert {r["exercise"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert "'@done" in {r["detail"] for r in rows}
    assert "'+5 min" in {r["detail"] for r in rows}


def test_export_to_an_unwritable_place(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--csv", "/nonexistent/dir/x.csv"]) == 1
    assert "cannot write /nonexistent/dir/x.csv" in capsys.readouterr().err


def test_spreadsheet_safe() -> None:
    assert spreadsheet_safe("-300") == "-300"
    assert spreadsheet_safe("-x") == "'-x"
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("plain") == "plain"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("DeskGuard ")

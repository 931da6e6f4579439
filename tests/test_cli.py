from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from deskguard.adapters.paths import default_paths
from deskguard.adapters.store import Store
from deskguard.cli import _pause_text, _status_text, clock_text, main, week_range_text
from deskguard.core.model import Event, EventKind, Prompt


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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


@pytest.mark.parametrize(
    "command", [["status"], ["break-now"], ["pause", "tomorrow"], ["quit"], ["programme", "--json"]]
)
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
        3,
        1,
        1,
        1,
        1,
    )
    assert day["adherence"] == pytest.approx(1 / 3, abs=1e-4)
    assert report["totals"]["prompted"] == 3
    year, week, _ = today.isocalendar()
    assert report["week"] == f"{year}-W{week:02d}"


def test_report_other_week_is_empty(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(home)
    assert main(["report", "--week", "2020-W01"]) == 0
    out = capsys.readouterr().out
    assert "DeskGuard: the week of 30 Dec 2019 – 5 Jan 2020 (2020-W01)" in out
    assert out.splitlines()[-1].split()[:2] == ["Total", "0"]


def test_export_csv_escapes_formulas(home: Path, tmp_path: Path) -> None:
    seed(home)
    target = tmp_path / "events.csv"
    assert main(["export", "--csv", str(target)]) == 0
    rows = read_csv(target)
    assert len(rows) == 8
    assert {r["exercise"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert "'@done" in {r["detail"] for r in rows}
    assert "'+5 min" in {r["detail"] for r in rows}


def test_export_to_an_unwritable_place(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--csv", "/nonexistent/dir/x.csv"]) == 1
    assert "cannot write /nonexistent/dir/x.csv" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("DeskGuard ")


# ---- report, report --json and export agree on a seeded week ------------------------------

SEEDED_MONDAY = datetime(2025, 3, 3, tzinfo=timezone(timedelta(hours=1)))  # 2025-W10


def seed_week(home: Path) -> None:
    """Monday: completed, snoozed-then-completed, snoozed-then-missed, natural, skipped.
    Tuesday: paused all day. Wednesday: one completed prompt that the user finishes at
    23:58 New York time (already Thursday in UTC)."""
    store, _ = Store.open(default_paths().database)
    mon = SEEDED_MONDAY.replace(hour=9, minute=45)

    def prompt(pid: str, at: datetime, *steps: tuple[EventKind, int]) -> None:
        store.add_prompt(Prompt(pid, at, "scheduled", "-neck"))
        for kind, minutes in steps:
            store.add_event(Event(kind, at + timedelta(minutes=minutes), pid))

    k = EventKind
    prompt("a", mon, (k.PROMPTED, 0), (k.STARTED, 1), (k.COMPLETED, 3))
    prompt(
        "b",
        mon + timedelta(hours=1),
        (k.PROMPTED, 0),
        (k.SNOOZED, 1),
        (k.PROMPTED, 6),
        (k.STARTED, 7),
        (k.COMPLETED, 9),
    )
    prompt(
        "c",
        mon + timedelta(hours=2),
        (k.PROMPTED, 0),
        (k.SNOOZED, 1),
        (k.PROMPTED, 6),
        (k.MISSED, 16),
    )
    prompt("d", mon + timedelta(hours=3), (k.NATURAL, 0))
    prompt("e", mon + timedelta(hours=4), (k.PROMPTED, 0), (k.SKIPPED, 1))
    tue = SEEDED_MONDAY + timedelta(days=1, hours=8)
    store.add_event(Event(k.PAUSED, tue, None, (tue + timedelta(hours=10)).isoformat()))
    store.add_event(Event(k.RESUMED, tue + timedelta(hours=10), None, "pause ended"))
    late = datetime(2025, 3, 5, 23, 50, tzinfo=timezone(timedelta(hours=-5)))
    prompt("f", late, (k.PROMPTED, 0), (k.STARTED, 6), (k.COMPLETED, 8))
    store.close()


def test_report_json_and_csv_agree(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_week(home)
    assert main(["report", "--week", "2025-W10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    mon, tue, wed, thu = report["days"][:4]
    assert (mon["prompted"], mon["completed"], mon["natural"], mon["snoozed"]) == (5, 2, 1, 2)
    assert (mon["skipped"], mon["missed"], mon["adherence"]) == (1, 1, 0.6)
    assert mon["movement_minutes"] == 4
    assert tue["status"] == "paused" and tue["adherence"] is None
    assert (wed["completed"], thu["prompted"]) == (1, 0)  # local day, not the UTC one
    assert [d["status"] for d in report["days"][5:]] == ["day off", "day off"]
    assert report["totals"]["prompted"] == 6 and report["totals"]["adherence"] == pytest.approx(
        4 / 6, abs=1e-4
    )

    target = tmp_path / "events.csv"
    assert main(["export", "--csv", str(target)]) == 0
    rows = read_csv(target)
    for day in report["days"]:
        for kind in ("completed", "natural", "snoozed", "skipped", "missed"):
            counted = sum(r["day"] == day["date"] and r["kind"] == kind for r in rows)
            assert counted == day[kind], (day["date"], kind)
    assert {r["exercise"] for r in rows if r["prompt"]} == {"'-neck"}

    capsys.readouterr()
    assert main(["report", "--week", "2025-W10"]) == 0
    out = capsys.readouterr().out
    assert "You got up for 4 of 6 breaks — goal met on 1 of 2 working days." in out
    assert "Share taken: 67% (your goal: 80%)" in out
    table = {
        line.split()[0] + line.split()[1]: line
        for line in out.splitlines()
        if line[:3] in ("Mon", "Tue", "Wed", "Sat")
    }
    assert table["Mon03"].split()[3:11] == ["5", "2", "1", "0", "2", "1", "1", "60%"]
    assert table["Tue04"][59:69].strip() == "paused"  # the Share column
    assert table["Sat08"][59:69].strip() == "day off"


# ---- the back-care programme: status over IPC and its own CSV ---------------------------

PROGRAMME_REPLY = {
    "ok": True,
    "started": "2026-11-20",
    "phase": 1,
    "phase_title": "Settle and re-activate",
    "phase_since": "2026-11-20",
    "hold_until": None,
    "paused": False,
    "pause_reasons": [],
    "train_today": {"ok": True, "reason": "A session is due today."},
    "advance": {"ok": False, "reason": "Give each phase at least a full week."},
    "review": None,
    "review_on": "2026-12-18",
    "checkin_due": False,
    "sessions_this_week": 0,
    "last_session": None,
    "reminded_today": False,
    "next_session_day": "2026-11-23",
    "next_reminder_at": "2026-11-23T18:00:00+01:00",
    "days": ["monday", "wednesday", "friday"],
    "time": "18:00",
    "reminders": True,
}


def fake_app(monkeypatch: pytest.MonkeyPatch, reply: dict[str, object]) -> list[str]:
    import deskguard.adapters.instance as instance

    sent: list[str] = []

    def send(name: str, cmd: str, args: dict[str, object] | None = None) -> dict[str, object]:
        sent.append(cmd)
        return reply

    monkeypatch.setattr(instance, "send_command", send)
    return sent


def test_programme_json_is_the_apps_reply(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = fake_app(monkeypatch, PROGRAMME_REPLY)
    assert main(["programme", "--json"]) == 0
    assert sent == ["programme"]
    assert json.loads(capsys.readouterr().out) == PROGRAMME_REPLY


def test_programme_text(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_app(monkeypatch, PROGRAMME_REPLY)
    assert main(["programme"]) == 0
    out = capsys.readouterr().out
    assert "Programme:   phase 1 of 3, Settle and re-activate (since 2026-11-20)" in out
    assert "Today:       A session is due today." in out
    assert "Next day:    2026-11-23" in out
    assert "Sessions:    Monday, Wednesday, Friday at 18:00, reminders on" in out
    fake_app(monkeypatch, {**PROGRAMME_REPLY, "started": None, "reminders": False})
    assert main(["programme"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Programme:   not started.")
    assert "reminders off" in out


def test_programme_error_from_the_app_exits_1(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_app(monkeypatch, {"ok": False, "error": "The back-care programme is off: row 2"})
    assert main(["programme"]) == 1
    assert "deskguard programme: The back-care programme is off: row 2" in capsys.readouterr().err


def seed_programme(home: Path) -> None:
    from deskguard.core.programme import Kind, PainWhen, ProgrammeEvent, Sensation

    at = datetime(2026, 11, 23, 23, 30, tzinfo=timezone(timedelta(hours=1)))
    store, _ = Store.open(default_paths().database)
    store.add_programme_events(
        [
            ProgrammeEvent(Kind.SCREENED, at, flags=("leg-weakness", "night-pain")),
            ProgrammeEvent(Kind.STARTED, at, phase=1),
            ProgrammeEvent(Kind.PAIN, at, rating=4, sensation=Sensation.ACHE, when=PainWhen.BEFORE),
            ProgrammeEvent(Kind.SESSION_STOPPED, at, phase=1, detail="=cmd|' /C calc'!A0"),
        ]
    )
    store.close()


def test_export_programme_csv(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_programme(home)
    seed(home)
    events, programme = tmp_path / "events.csv", tmp_path / "programme.csv"
    assert main(["export", "--csv", str(events), "--programme-csv", str(programme)]) == 0
    out = capsys.readouterr().out
    assert f"Wrote 8 events to {events}" in out
    assert f"Wrote 4 programme events to {programme}" in out
    rows = read_csv(programme)
    assert [r["kind"] for r in rows] == ["screened", "started", "pain", "session_stopped"]
    assert rows[0]["flags"] == "leg-weakness;night-pain"
    assert (rows[2]["rating"], rows[2]["sensation"], rows[2]["when"]) == ("4", "ache", "before")
    assert rows[3]["detail"] == "'=cmd|' /C calc'!A0"  # a formula stays text
    assert {r["day"] for r in rows} == {"2026-11-23"}  # the local day, not UTC's
    assert rows[1]["time"] == "2026-11-23T23:30:00+01:00" and rows[1]["utc_offset"] == "+0100"
    assert len(read_csv(events)) == 8  # unchanged


def test_export_programme_csv_leaves_out_an_unreadable_row_and_says_so(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_programme(home)
    store, _ = Store.open(default_paths().database)
    store._conn.execute(
        "INSERT INTO program_log (kind, at_utc, utc_offset_min, sensation)"
        " VALUES ('pain', '2026-11-24T08:00:00.000000Z', 60, 'tingling')"
    )
    store.close()
    target = tmp_path / "programme.csv"
    assert main(["export", "--programme-csv", str(target)]) == 0
    out, err = capsys.readouterr()
    assert f"Wrote 4 programme events to {target}" in out
    assert err.count("cannot read") == 1 and "1 entry in your record" in err
    assert len(read_csv(target)) == 4
    with Store.open(default_paths().database)[0] as again:  # the row is still there
        assert again._conn.execute("SELECT count(*) FROM program_log").fetchone()[0] == 5


# ---- people's words: local time, plain English, the right years --------------------

TOKYO = timezone(timedelta(hours=9))
LISBON = timezone(timedelta(hours=0))


def status_reply(**extra: object) -> dict[str, object]:
    return {
        "ok": True,
        "state": "working",
        "prompting": False,
        "next_break_at": "2026-11-28T09:45:00+00:00",
        "paused_until": None,
        "interval_minutes": 45,
        "tray": "system tray",
        "database": "/home/u/.local/share/deskguard/deskguard.db",
        "problems": [],
        **extra,
    }


@pytest.mark.parametrize(
    ("zone", "now_local", "expected"),
    [
        (LISBON, datetime(2026, 11, 28, 9, 33, tzinfo=LISBON), "Next break:  09:45 (in 12 min)"),
        (TOKYO, datetime(2026, 11, 28, 18, 33, tzinfo=TOKYO), "Next break:  18:45 (in 12 min)"),
    ],
)
def test_status_speaks_local_clock_time(zone: timezone, now_local: datetime, expected: str) -> None:
    text = _status_text(status_reply(), now_local)
    assert expected in text.splitlines()
    assert "DeskGuard:   Working" in text
    assert "+00:00" not in text and "T09" not in text


def test_pause_and_resume_answer_in_local_time() -> None:
    now = datetime(2026, 11, 28, 9, 43, 21, tzinfo=LISBON)
    paused = status_reply(
        state="paused", next_break_at=None, paused_until="2026-11-28T11:43:21+00:00"
    )
    assert _pause_text(paused, now) == "Paused until 11:43 (in 2 h 00 min)."
    overnight = status_reply(state="paused", paused_until="2026-11-30T09:00:00+00:00")
    assert _pause_text(overnight, now) == "Paused until Mon 30 Nov 09:00 (in 1 d 23 h)."
    resumed = status_reply(next_break_at="2026-11-28T10:28:21+00:00")
    assert _pause_text(resumed, now) == "Resumed. Next break at 10:28 (in 45 min)."
    assert _pause_text({"ok": True, "message": "DeskGuard was not paused."}, now) == (
        "DeskGuard was not paused."
    )
    tomorrow = datetime(2026, 11, 29, 9, 0, tzinfo=LISBON)
    assert clock_text(tomorrow, now) == "tomorrow 09:00"


@pytest.mark.parametrize(
    ("monday", "text"),
    [
        (date(2026, 11, 23), "23–29 Nov 2026"),
        (date(2026, 11, 30), "30 Nov – 6 Dec 2026"),
        (date(2025, 12, 29), "29 Dec 2025 – 4 Jan 2026"),
    ],
)
def test_week_ranges_carry_the_right_years(monday: date, text: str) -> None:
    assert week_range_text(monday) == text


def test_report_of_week_one_names_both_years(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(home)
    assert main(["report", "--week", "2026-W01"]) == 0
    assert "the week of 29 Dec 2025 – 4 Jan 2026 (2026-W01)" in capsys.readouterr().out


def test_a_week_that_has_not_happened_has_no_streak(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(home)
    year, week, _ = (date.today() + timedelta(days=14)).isocalendar()
    assert main(["report", "--week", f"{year}-W{week:02d}"]) == 0
    out = capsys.readouterr().out
    assert "This week has not started yet." in out
    assert "Streak" not in out


@pytest.mark.parametrize(
    "command", ["break-now", "pause", "resume", "status", "programme", "quit", "report", "export"]
)
def test_every_command_describes_itself_in_its_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    description = lines[lines.index("") + 1]  # the line after the usage
    assert description[:1].isupper() and description.endswith(".")

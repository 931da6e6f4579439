"""Command line: start the tray app, talk to the running one, or read the database."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from deskguard import __version__

# The CLI imports the rest only for the command it runs (inside each command).

MAX_PAUSE_MINUTES = 24 * 60
NOT_RUNNING = "DeskGuard is not running. Start it with: deskguard"


def pause_length(text: str) -> int | str:
    if text == "tomorrow":
        return text
    try:
        minutes = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of minutes or 'tomorrow'"
        ) from None
    if not 1 <= minutes <= MAX_PAUSE_MINUTES:
        raise argparse.ArgumentTypeError(
            f"{minutes} minutes is out of range: use 1 to {MAX_PAUSE_MINUTES} or 'tomorrow'"
        )
    return minutes


def iso_week(text: str) -> str:
    from deskguard.core.stats import week_start

    try:
        week_start(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deskguard",
        description="DeskGuard: stand-and-move prompts, desk stretches and your weekly record. "
        "Without a command it starts the tray app.",
    )
    parser.add_argument("--version", action="version", version=f"DeskGuard {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        # `help` for `deskguard --help`, the same line atop `deskguard NAME --help`.
        return sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")

    command("break-now", "show a break prompt now")
    pause = command("pause", "pause prompts (default 30 minutes)")
    pause.add_argument(
        "length",
        nargs="?",
        default=30,
        type=pause_length,
        metavar="MINUTES|tomorrow",
        help=f"minutes from 1 to {MAX_PAUSE_MINUTES}, or 'tomorrow'",
    )
    command("resume", "resume prompts after a pause")
    status = command("status", "show what the running app is doing")
    status.add_argument("--json", action="store_true", help="print JSON")
    programme = command("programme", "the back-care programme's status in the running app")
    programme.add_argument("--json", action="store_true", help="print JSON")
    command("quit", "quit the running app")
    report = command("report", "this week's breaks, day by day (reads the database)")
    report.add_argument("--week", type=iso_week, metavar="YYYY-Www", help="another ISO week")
    report.add_argument("--json", action="store_true", help="print JSON")
    export = command(
        "export", "export every recorded event (--csv) or the programme log (--programme-csv)"
    )
    export.add_argument("--csv", type=Path, metavar="PATH", help="CSV file of break events")
    export.add_argument(
        "--programme-csv",
        type=Path,
        metavar="PATH",
        help="CSV file of the back-care programme's log (sessions, pain ratings, screenings)",
    )
    export.add_argument(
        "--force", action="store_true", help="replace a file that exists at PATH (never a link)"
    )
    export.set_defaults(usage_error=export.error)
    entry = command(
        "desktop-entry",
        "add DeskGuard to the applications menu (pip/pipx installs), or remove it",
    )
    entry.add_argument(
        "action",
        choices=("install", "remove"),
        help="install: the menu entry, metainfo and icons under $XDG_DATA_HOME; "
        "remove: those and DeskGuard's autostart entry",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # `deskguard report | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0


def _main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "export" and args.csv is None and args.programme_csv is None:
        args.usage_error("give --csv PATH, --programme-csv PATH or both")  # exits 2
    if args.command == "export" and args.csv is not None and args.csv == args.programme_csv:
        args.usage_error("--csv and --programme-csv need two different files")
    if args.command is None:
        from deskguard.footprint import trim_source_cache

        trim_source_cache()  # before PySide6 loads: see deskguard/footprint.py
        from deskguard.app import run

        return run(verbose=args.verbose)
    if args.command in ("report", "export"):
        return _offline(args)
    if args.command == "desktop-entry":
        return _desktop_entry(args.action)
    return _remote(args)


# ---- the menu entry (deskguard/adapters/desktop_entry.py) ---------------------------


def _desktop_entry(action: str) -> int:
    from deskguard.adapters import desktop_entry as de
    from deskguard.adapters.autostart import in_flatpak
    from deskguard.adapters.paths import default_paths

    if not de.supported():
        print("deskguard desktop-entry: menu entries are for Linux desktops.", file=sys.stderr)
        return 1
    if in_flatpak():
        print("Flatpak adds DeskGuard to the menu and removes it with the app: nothing to do.")
        return 0
    entry = de.DesktopEntry()
    try:
        done = entry.install() if action == "install" else entry.remove()
    except OSError as err:
        print(f"deskguard desktop-entry {action}: {err}", file=sys.stderr)
        return 1
    if action == "install":
        print(f"DeskGuard is in the applications menu; it runs: {' '.join(entry.command)}")
        print(*(f"  {path}" for path in done.written), sep="\n")
    elif done.removed:
        print("Removed:", *(f"  {path}" for path in done.removed), sep="\n")
    else:
        print("DeskGuard had no menu entry, icons or autostart entry here.")
    for note in done.notes:
        print(f"Note: {note}", file=sys.stderr)
    if action == "remove":
        paths = default_paths()
        print("Kept: your settings, record and log; delete these folders to remove them too:")
        print(*(f"  {p}" for p in (paths.config_dir, paths.data_dir, paths.log_dir)), sep="\n")
    return 0


# ---- commands sent to the running app ---------------------------------------------


def _remote(args: argparse.Namespace) -> int:
    from deskguard.adapters.instance import NoAnswer, NotRunning, send_command
    from deskguard.adapters.paths import default_paths

    payload: dict[str, Any] = {}
    if args.command == "pause":
        payload = {"until": "tomorrow"} if args.length == "tomorrow" else {"minutes": args.length}
    try:
        reply = send_command(default_paths().socket_names, args.command, payload)
    except NoAnswer as err:  # something listens but did not answer usably: say what
        print(f"deskguard {args.command}: {err}", file=sys.stderr)
        return 1
    except NotRunning:
        print(NOT_RUNNING, file=sys.stderr)
        return 1
    if not reply.get("ok"):
        print(f"deskguard {args.command}: {reply.get('error', 'failed')}", file=sys.stderr)
        return 1
    now = datetime.now().astimezone()
    if args.command == "status":
        print(json.dumps(reply, indent=2) if args.json else _status_text(reply, now))
    elif args.command == "programme":
        print(json.dumps(reply, indent=2) if args.json else _programme_text(reply))
    elif args.command in ("pause", "resume"):
        print(_pause_text(reply, now))
    else:
        print(reply.get("message", "Done."))
    return 0


# ---- times in people's words: local clock time, "in 12 min", a day name when not today


def _at(text: str | None, now: datetime) -> datetime | None:
    return None if not text else datetime.fromisoformat(text).astimezone(now.tzinfo)


def clock_text(when: datetime, now: datetime) -> str:
    """10:30 today; "tomorrow 09:00"; "Mon 7 Dec 09:00" further away."""
    when = when.astimezone(now.tzinfo)
    days = (when.date() - now.date()).days
    if days == 0:
        return f"{when:%H:%M}"
    if days == 1:
        return f"tomorrow {when:%H:%M}"
    return f"{when:%a} {when.day} {when:%b %H:%M}"


def in_text(when: datetime, now: datetime) -> str:
    minutes = round((when - now).total_seconds() / 60)
    if minutes < 1:
        return "now" if minutes > -1 else f"{-minutes} min ago"
    if minutes < 60:
        return f"in {minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"in {hours} h {rest:02d} min" if hours < 24 else f"in {hours // 24} d {hours % 24} h"


STATE_WORDS = {
    "working": "Working",
    "paused": "Paused",
    "on_break": "On a break",
    "outside_hours": "Outside working hours",
}


def _status_text(status: dict[str, Any], now: datetime) -> str:
    state = status["state"]
    lines = [f"DeskGuard:   {STATE_WORDS.get(state, state.replace('_', ' '))}"]
    if status.get("prompting"):
        lines.append("Prompt:      a break is waiting for your answer")
    if status.get("held"):
        lines.append(f"Held:        a due break waits ({status['held']})")
    paused = _at(status.get("paused_until"), now)
    if paused is not None:
        lines.append(f"Paused until {clock_text(paused, now)} ({in_text(paused, now)})")
    nxt = _at(status.get("next_break_at"), now)
    if nxt is not None:
        lines.append(f"Next break:  {clock_text(nxt, now)} ({in_text(nxt, now)})")
    elif paused is None and state != "on_break":
        lines.append("Next break:  none planned in the next two weeks")
    lines.append(f"Every:       {status.get('interval_minutes')} minutes")
    shown = status.get("tray")
    if shown:
        lines.append(f"Shown in:    the {shown}")
    lines.append(f"Your record: {status.get('database')}")
    lines.extend(f"Note:        {p}" for p in status.get("problems", []))
    return "\n".join(lines)


def _pause_text(reply: dict[str, Any], now: datetime) -> str:
    """The answer to pause and resume, from the status the app sent with it."""
    paused = _at(reply.get("paused_until"), now)
    if paused is not None:
        return f"Paused until {clock_text(paused, now)} ({in_text(paused, now)})."
    if "state" not in reply:  # resume when nothing was paused: the app says so
        return str(reply.get("message", "Done."))
    nxt = _at(reply.get("next_break_at"), now)
    if nxt is None:
        return "Resumed."
    return f"Resumed. Next break at {clock_text(nxt, now)} ({in_text(nxt, now)})."


def _programme_text(status: dict[str, Any]) -> str:
    days = ", ".join(d.capitalize() for d in status.get("days", []))
    plan = f"Sessions:    {days} at {status.get('time')}"
    plan += ", reminders on" if status.get("reminders") else ", reminders off"
    if not status.get("started"):
        return "\n".join(
            [
                "Programme:   not started. Start it from the tray menu: Back-care programme…",
                plan,
            ]
        )
    phase = f"Programme:   phase {status['phase']} of 3, {status.get('phase_title')}"
    lines = [phase + f" (since {status.get('phase_since')})", f"Started:     {status['started']}"]
    if status.get("paused"):
        reasons = ", ".join(status.get("pause_reasons", [])) or "—"
        lines.append(f"Paused:      yes ({reasons})")
    lines.append(f"Today:       {status['train_today']['reason']}")
    lines.append(f"Next phase:  {status['advance']['reason']}")
    next_day = status.get("next_session_day")
    if next_day:
        lines.append(f"Next day:    {next_day}")
    if status.get("next_reminder_at"):
        lines.append(f"Reminder:    {status['next_reminder_at']}")
    review = status.get("review")
    if review is None:
        lines.append(f"Review:      the four-week check is due on {status.get('review_on')}")
    else:
        verdict = "see a physiotherapist" if review["see_therapist"] else "on track"
        lines.append(f"Review:      pain {review['improvement']:.0%} better: {verdict}")
    if status.get("checkin_due"):
        lines.append("Check-in:    the weekly pain check-in is due")
    lines.append(plan)
    return "\n".join(lines)


# ---- commands that read the database -------------------------------------------------


def _offline(args: argparse.Namespace) -> int:
    from deskguard.adapters.config import load_settings
    from deskguard.adapters.paths import default_paths
    from deskguard.adapters.store import Store, StoreError

    paths = default_paths()
    settings, problems = load_settings(paths.config_file)
    for problem in problems:
        print(problem, file=sys.stderr)
    try:
        store, notes = Store.open(paths.database)
    except StoreError as err:
        print(f"deskguard {args.command}: {err}", file=sys.stderr)
        return 1
    for note in notes:
        print(note, file=sys.stderr)
    with store:
        try:
            # Prompts a crash left open count as the app will close them at its next start.
            store.include_interrupted(settings, datetime.now().astimezone())
            if args.command == "report":
                code = _report(store, settings, args.week, args.json)
            else:
                code = _export_all(store, args, paths)
        except StoreError as err:  # the environment (locked, unreadable): words, no traceback
            print(f"deskguard {args.command}: {err}", file=sys.stderr)
            code = 1
        unreadable = store.unreadable_message()
        if unreadable:
            print(unreadable, file=sys.stderr)  # once, at the end
        return code


def _export_all(store: Any, args: argparse.Namespace, paths: Any) -> int:
    code = 0
    if args.csv is not None:
        code = _export(store, args.csv, args.force, paths)
    if args.programme_csv is not None and code == 0:
        code = _export_programme(store, args.programme_csv, args.force, paths)
    return code


def _report(store: Any, settings: Any, week: str | None, as_json: bool) -> int:
    from deskguard.core.glance import Mark, week_glance
    from deskguard.core.stats import (
        adherence_text,
        duration_text,
        minutes_text,
        monday_of,
        query_range,
        week_report,
        week_start,
    )

    today = datetime.now().astimezone().date()
    monday = monday_of(today) if week is None else week_start(week)
    events = store.events_in_range(*query_range(monday))
    report = week_report(events, monday, settings, history=store, today=today)
    if as_json:
        data = report.as_dict()
        if store.skipped_rows:  # rows this version cannot read, left out (a new key)
            data["skipped_rows"] = store.skipped_rows
        print(json.dumps(data, indent=2))
        return 0
    totals = report.totals
    glance = week_glance(report)
    print(f"DeskGuard: the week of {week_range_text(monday)} ({report.week})")
    if monday > today:
        print("This week has not started yet.")
    elif report.empty:
        print("No breaks recorded this week.")
    else:
        print(glance.headline)
        if totals.adherence is not None:
            change = ""
            if report.change is not None:
                size = abs(round(report.change))
                unit = "point" if size == 1 else "points"
                way = "up" if report.change > 0 else "down"
                change = f", {size} {unit} {way} on last week" if size else ", as last week"
            print(f"Share taken: {totals.adherence:.0%} (your goal: {report.goal}%){change}")
        moved = duration_text(totals.movement_seconds) if totals.movement_seconds else "none"
        print(f"Time on breaks: {moved}")
        print(f"Longest sitting stretch: {minutes_text(totals.longest_sitting_minutes)}")
    if monday <= today:  # no streak for a week that has not happened
        days = "day" if report.streak == 1 else "days"
        print(f"Streak: {report.streak} {days} in a row at or above your goal")
    if report.checklist is not None:
        check = report.checklist
        print(f"Workstation: {check.score} on the checklist of {check.taken_at:%d %b %Y}")
    print()
    header = f"{'Day':<11}{'Prompts':>8}{'Done':>6}{'Away':>6}{'Own':>5}{'Snoozed':>8}"
    header += f"{'Skipped':>8}{'Missed':>7}{'Share':>10}{'Moved':>12}{'Sitting':>12}"
    print(header)
    print("-" * len(header))
    for index, row in enumerate([*report.days, totals]):
        label = "Total" if index == 7 else row.date.strftime("%a %d %b")
        share = adherence_text(row)
        if index < 7 and glance.days[index].mark is Mark.BONUS:
            share = "bonus"
        moved = duration_text(row.movement_seconds) if row.movement_seconds else "—"
        print(
            f"{label:<11}{row.prompted:>8}{row.completed:>6}{row.natural:>6}{row.self_started:>5}"
            f"{row.snoozed:>8}{row.skipped:>8}{row.missed:>7}{share:>10}{moved:>12}"
            f"{minutes_text(row.longest_sitting_minutes):>12}"
        )
    return 0


def week_range_text(monday: date) -> str:
    """23–29 Nov 2026; 30 Nov – 6 Dec 2026; 29 Dec 2025 – 4 Jan 2026."""
    sunday = monday + timedelta(days=6)
    if monday.year != sunday.year:
        return f"{monday.day} {monday:%b %Y} – {sunday.day} {sunday:%b %Y}"
    if monday.month != sunday.month:
        return f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"
    return f"{monday.day}–{sunday.day} {sunday:%b %Y}"


def _export(store: Any, path: Path, force: bool, paths: Any) -> int:
    from deskguard.core.export import EVENT_CSV_COLUMNS, event_csv_rows, write_csv

    prompts = {p.id: p for p in store.prompts_between(*_all_time())}

    def write(handle: IO[str]) -> int:
        return write_csv(handle, EVENT_CSV_COLUMNS, event_csv_rows(store.iter_events(), prompts))

    count = _write_export(path, write, force, paths)
    if count is None:
        return 1
    print(f"Wrote {count} events to {path}")
    return 0


def _export_programme(store: Any, path: Path, force: bool, paths: Any) -> int:
    from deskguard.core.export import PROGRAMME_CSV_COLUMNS, programme_csv_rows, write_csv

    # Rows this version cannot read are left out and counted (said once, at the end).
    events = store.programme_events(skip_unreadable=True)

    def write(handle: IO[str]) -> int:
        return write_csv(handle, PROGRAMME_CSV_COLUMNS, programme_csv_rows(events))

    count = _write_export(path, write, force, paths)
    if count is None:
        return 1
    print(f"Wrote {count} programme events to {path}")
    return 0


def _write_export(
    path: Path, write: Callable[[IO[str]], int], force: bool, paths: Any
) -> int | None:
    """What `write` returned, once the file is in place; None after saying why not."""
    from deskguard.adapters.files import UnsafeTargetError, write_private

    try:
        # Never onto the record, the settings or their folders, never through a link,
        # never over a file without --force; 0600, renamed into place when complete.
        return write_private(
            path,
            write,
            force=force,
            protected_files=[paths.database, paths.config_file],
            protected_dirs=[paths.data_dir, paths.config_dir],
        )
    except UnsafeTargetError as err:
        print(f"deskguard export: {err.strerror}", file=sys.stderr)
    except OSError as err:
        print(f"deskguard export: cannot write {path}: {err.strerror or err}", file=sys.stderr)
    return None


def _all_time() -> tuple[Any, Any]:
    from datetime import datetime, timezone

    return datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(9999, 1, 1, tzinfo=timezone.utc)

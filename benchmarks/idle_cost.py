"""What DeskGuard costs while it sits in the tray, against the stack floor and a bare tray
(DESIGN §6).

    python benchmarks/idle_cost.py [--seconds 60] [--settle 5] [--starts 3]
                                   [--checklist-done] [--no-day] [--screenshot PATH]

Three apps run in turn on the same rig (tests/e2e/rig.py: Xvfb + trayer + dunst in one
D-Bus session, plus openbox for the day's use) and are measured the same way:

* the **bare tray** (benchmarks/bare_tray.py): a QApplication, a tray icon, a menu;
* the **stack floor** (benchmarks/bare_tray.py --floor): the same bare tray that has also
  imported what the design's packages force at idle (APScheduler's scheduler base and its
  cron/interval/date triggers, sqlite3, platformdirs, PySide6.QtDBus);
* **DeskGuard** (python -m deskguard), measured twice in one run: idle in the tray, then
  idle again after **a day's use**: every window opened once from the real tray menu and
  closed again (see `days_use`).

The budgets, each a ratio to an app measured in the same run:

* idle with no window open: RSS <= 1.10x the stack floor; < 0.01 CPU-s/min; < 30
  wake-ups/min; start to tray icon <= 2x the bare tray;
* idle after a day's use: RSS <= 1.30x the stack floor.

How each figure is taken:

* start: from process start to its icon docked in trayer. trayer reparents a docked
  icon into a socket window inside its panel, so the signal is "the panel has a
  grandchild"; it is polled every 2 ms with one cheap XQueryTree per window. The median
  of --starts runs, the apps in turn so none gets a warmer cache.
* idle, over --seconds after a --settle wait: CPU time of all threads (per-thread
  /proc/PID/task/*/schedstat, nanoseconds; /proc/PID/stat utime+stime in clock ticks as a
  cross-check), context switches (voluntary + nonvoluntary over /proc/PID/task/*/status:
  each one is a wake-up) and VmRSS at the end of the window.
* a day's use is driven the way a user does it, with real X input: a left click on
  DeskGuard's icon docked in trayer (xdotool) pops up the tray menu, arrow keys and
  Return choose the entry, the window is found by its title (xdotool search), then closed
  politely through the window manager (wmctrl -c: WM_DELETE_WINDOW, as a title bar's X
  does) and seen gone. The windows: This week, Exercise library, Workstation check, When
  to see a professional, Settings, Back-care programme, Progress, About.

DeskGuard gets a fresh DESKGUARD_HOME whose settings make every hour a working hour, so
it is measured in its busiest idle state (watching for idle time), not outside hours.
Use --hours default to keep its default working hours instead. A fresh home has no
workstation check saved, so DeskGuard opens the 30-day check 0.5 s after start and the
dialog stays open through the first window (the bare tray shows no window; the day's use
closes it with the others). --checklist-done saves a check from today first: DeskGuard
then sits in the tray with no window open, as on the days between two checks: the
budget's own case. --no-day skips the day's use (and openbox).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.rig import Rig, RigTimeout, RigUnavailable, wait_for  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
ALL_DAY_SETTINGS = """[schedule]
working_days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
work_start = "00:00"
work_end = "23:59"
"""

# DESIGN §6 budgets
RSS_RATIO = 1.10  # idle, no window open, to the stack floor
DAY_RSS_RATIO = 1.30  # idle after a day's use, to the stack floor
CPU_PER_MIN = 0.01
SWITCHES_PER_MIN = 30
START_RATIO = 2.0  # to the bare tray


@dataclass(frozen=True)
class App:
    name: str
    cmd: Sequence[str]
    stop: Callable[[Rig, subprocess.Popen[bytes]], None]
    home: Path | None = None


@dataclass(frozen=True)
class Task:
    name: str
    cpu_ns: int
    switches: int


@dataclass(frozen=True)
class Sample:
    at: float
    ticks: int
    tasks: dict[int, Task]


@dataclass
class Idle:
    """One idle window of one app."""

    rss_kb: int = 0
    pss_kb: int = 0
    cpu_s_per_min: float = 0.0
    tick_cpu_s_per_min: float = 0.0
    switches_per_min: float = 0.0
    threads: int = 0
    per_thread: list[tuple[str, int, float]] = field(default_factory=list)  # name, tid, /min
    note: str = ""


@dataclass
class Result:
    name: str
    starts_s: list[float] = field(default_factory=list)
    idle: Idle = field(default_factory=Idle)
    day: Idle | None = None  # idle again after a day's use (DeskGuard only)
    note: str = ""

    @property
    def start_s(self) -> float:
        return statistics.median(self.starts_s) if self.starts_s else float("nan")


# ---- /proc ---------------------------------------------------------------------------------


def _status_field(text: str, key: str) -> int:
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def sample(pid: int) -> Sample:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime: all threads, living or gone
    tasks: dict[int, Task] = {}
    for task_dir in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task_dir / "status").read_text()
            schedstat = (task_dir / "schedstat").read_text().split()
            name = (task_dir / "comm").read_text().strip()
        except OSError:
            continue  # the thread ended meanwhile
        tasks[int(task_dir.name)] = Task(
            name=name,
            cpu_ns=int(schedstat[0]),
            switches=_status_field(status, "voluntary_ctxt_switches")
            + _status_field(status, "nonvoluntary_ctxt_switches"),
        )
    return Sample(time.monotonic(), ticks, tasks)


def memory_kb(pid: int) -> tuple[int, int]:
    rss = _status_field(Path(f"/proc/{pid}/status").read_text(), "VmRSS")
    try:
        pss = _status_field(Path(f"/proc/{pid}/smaps_rollup").read_text(), "Pss")
    except OSError:
        pss = 0
    return rss, pss


def checklist_done(home: Path) -> None:
    """Save a workstation check taken now in DeskGuard's `home` (see --checklist-done)."""
    from datetime import datetime, timezone

    from deskguard.adapters.paths import default_paths
    from deskguard.adapters.store import Store
    from deskguard.core.checklist import WORKSTATION, ChecklistResult

    database = default_paths({"DESKGUARD_HOME": str(home)}).database
    store, _ = Store.open(database)
    try:
        store.add_checklist_result(ChecklistResult(WORKSTATION, datetime.now(timezone.utc)))
    finally:
        store.close()


# ---- running the apps ------------------------------------------------------------------------


def stop_by_signal(_rig: Rig, proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)


def stop_deskguard(home: Path) -> Callable[[Rig, subprocess.Popen[bytes]], None]:
    def stop(rig: Rig, proc: subprocess.Popen[bytes]) -> None:
        if rig.cli("quit", home=home).returncode != 0:
            proc.send_signal(signal.SIGTERM)

    return stop


def end(rig: Rig, app: App, proc: subprocess.Popen[bytes], panels: list[int]) -> None:
    app.stop(rig, proc)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        print(f"  {app.name} did not stop within 10 s: killed", file=sys.stderr)
        proc.kill()
        proc.wait(timeout=10)
    wait_for(lambda: not rig.tray_icons(panels), 10, f"{app.name}'s icon to leave the tray")


def launch(rig: Rig, app: App, panels: list[int]) -> tuple[subprocess.Popen[bytes], float]:
    """Start `app`; return it and the seconds until its icon was docked."""
    assert not rig.tray_icons(panels), "the tray must be empty before a start"
    t0 = time.monotonic()
    proc = rig.start_app(app.cmd, home=app.home, name=app.name.replace(" ", "-"))

    def docked() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"{app.name} exited with {proc.returncode}:\n{rig.output(proc)}")
        return bool(rig.tray_icons(panels))

    wait_for(docked, 30, f"{app.name}'s tray icon", interval=0.002)
    return proc, time.monotonic() - t0


def measure_window(pid: int, settle: float, seconds: float) -> Idle:
    """Idle costs of process `pid` over `seconds`, after waiting `settle`."""
    time.sleep(settle)
    first = sample(pid)
    time.sleep(seconds)
    last = sample(pid)
    idle = Idle()
    idle.rss_kb, idle.pss_kb = memory_kb(pid)
    minutes = (last.at - first.at) / 60
    # Per thread, so that a thread that ends within the window takes nothing it had used
    # before the window with it (it adds nothing either: see the clock-tick cross-check).
    cpu_ns = sum(
        task.cpu_ns - (first.tasks[tid].cpu_ns if tid in first.tasks else 0)
        for tid, task in last.tasks.items()
    )
    switches = sum(
        task.switches - (first.tasks[tid].switches if tid in first.tasks else 0)
        for tid, task in last.tasks.items()
    )
    idle.cpu_s_per_min = cpu_ns / 1e9 / minutes
    idle.tick_cpu_s_per_min = (last.ticks - first.ticks) / CLK_TCK / minutes
    idle.threads = len(last.tasks)
    idle.switches_per_min = switches / minutes
    born = set(last.tasks) - set(first.tasks)
    gone = set(first.tasks) - set(last.tasks)
    if born or gone:
        idle.note = f"threads started {len(born)}, ended {len(gone)} during the window" + (
            " (what an ended thread did in it counts by clock ticks only)" if gone else ""
        )
    rows = []
    for tid, task in last.tasks.items():
        before = first.tasks[tid].switches if tid in first.tasks else 0
        rows.append((task.name, tid, (task.switches - before) / minutes))
    idle.per_thread = sorted(rows, key=lambda row: -row[2])
    return idle


def measure_idle(
    rig: Rig,
    app: App,
    panels: list[int],
    result: Result,
    settle: float,
    seconds: float,
    day: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> None:
    """Start `app`, measure it idle; with `day`, drive a day's use and measure it again."""
    proc, started = launch(rig, app, panels)
    result.starts_s.append(started)
    if app.home is not None:
        home = app.home
        status = wait_for(lambda: rig.status(home), 30, "deskguard status")
        result.note = f"state {status['state']}, shown in {status['tray']}"
        if status.get("problems"):
            result.note += f", problems: {status['problems']}"
    try:
        result.idle = measure_window(proc.pid, settle, seconds)
        if day is not None:
            print(f"  {app.name}: a day's use, then {settle:g} s settle + {seconds:g} s")
            day(proc)
            result.day = measure_window(proc.pid, settle, seconds)
    finally:
        end(rig, app, proc, panels)


# ---- a day's use, driven through the tray menu ---------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One tray-menu entry: the keys that choose it once the menu is up, and its window."""

    label: str
    keys: tuple[str, ...]
    title: str  # a regex for the window's title (xdotool search --name)


def _up(count: int) -> tuple[str, ...]:
    # Up from a menu with nothing highlighted wraps to its last entry (Quit DeskGuard):
    # counting from the bottom passes only entries that are always enabled, whatever
    # the state greys out at the top (Snooze, Resume).
    return ("Up",) * count + ("Return",)


# The menu from the bottom: Quit 1, Help 2, Settings 3, Progress 4, Back-care programme 5,
# When to see a professional 6, Workstation check 7, Exercise library 8, This week 9
# (deskguard/ui/tray.py, TrayActions.build_menu).
DAY: tuple[Entry, ...] = (
    Entry("This week…", _up(9), "^DeskGuard .* This week$"),
    Entry("Exercise library…", _up(8), "^DeskGuard .* Exercise library$"),
    Entry("Workstation check…", _up(7), "^DeskGuard .* Workstation set-up check$"),
    Entry("When to see a professional…", _up(6), "^DeskGuard .* When to see a professional$"),
    Entry("Settings…", _up(3), "^DeskGuard .* Settings$"),
    Entry("Back-care programme…", _up(5), "^DeskGuard .* Back-care programme$"),
    Entry("Progress…", _up(4), "^DeskGuard .* Back-care progress$"),
    # Help is a submenu: Right opens it on its first entry, Up wraps to its last.
    Entry("Help > About DeskGuard", ("Up", "Up", "Right", "Up", "Return"), "^About DeskGuard$"),
)
SHOT_OF = "Exercise library…"  # the window --screenshot shows
STEP_TIMEOUT = 15.0


def start_openbox(rig: Rig) -> subprocess.Popen[bytes]:
    """A window manager, so that wmctrl -c closes a window as its title bar would."""
    if shutil.which("openbox") is None or shutil.which("wmctrl") is None:
        raise RigUnavailable("a day's use needs openbox and wmctrl (or run with --no-day)")
    wm = rig.start_app(["openbox"], name="openbox")
    wait_for(lambda: x(rig, "wmctrl", "-m", check=False).returncode == 0, 20, "openbox to manage")
    return wm


def x(rig: Rig, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """An X tool on the rig's display."""
    return subprocess.run(
        list(cmd), env=rig.child_env(), capture_output=True, text=True, timeout=20, check=check
    )


def windows_of(rig: Rig, pid: int) -> list[int]:
    """The visible windows of the app's process (its tray icon's among them)."""
    out = x(rig, "xdotool", "search", "--onlyvisible", "--pid", str(pid), check=False)
    return [int(w) for w in out.stdout.split()]


def gone(rig: Rig, title: str) -> bool:
    return not rig.windows(title)


def title_of(rig: Rig, window: int) -> str:
    return x(rig, "xdotool", "getwindowname", str(window), check=False).stdout.strip()


def days_use(
    rig: Rig,
    panels: list[int],
    proc: subprocess.Popen[bytes],
    screenshot: Path | None = None,
    entries: Sequence[Entry] = DAY,
) -> list[str]:
    """Open every window from the tray menu of the running app and close it again.

    Returns what was done, one line a window. Raises RigTimeout when a window does not
    appear or does not go (with the rig's logs and a screenshot path in the message).
    """
    done: list[str] = []
    for entry in entries:
        if proc.poll() is not None:
            raise RuntimeError(f"DeskGuard exited with {proc.returncode}:\n{rig.output(proc)}")
        icons = rig.tray_icons(panels)
        assert len(icons) == 1, f"one icon in the tray, found {icons}"
        t0 = time.monotonic()
        x(rig, "xdotool", "mousemove", "--window", str(icons[0]), "8", "8", "click", "1")
        time.sleep(0.4)  # the menu pops up and grabs the keyboard
        x(rig, "xdotool", "key", "--delay", "60", *entry.keys)
        try:
            found = wait_for(
                partial(rig.windows, entry.title), STEP_TIMEOUT, f"the window of {entry.label}"
            )
        except AssertionError:
            shot = rig.screenshot(Path(tempfile.gettempdir()) / "deskguard-day-failed.png")
            titles = [title_of(rig, w) for w in windows_of(rig, proc.pid) if w not in icons]
            raise RigTimeout(
                f"{entry.label}: no window titled {entry.title!r}; the app shows {titles}; "
                f"screenshot {shot}"
            ) from None
        opened = time.monotonic() - t0
        title = title_of(rig, found[0])
        time.sleep(0.8)  # drawn and settled, as a user would look at it
        if screenshot is not None and entry.label == SHOT_OF:
            rig.screenshot(screenshot)
        for window in found:
            x(rig, "wmctrl", "-i", "-c", hex(window))
        wait_for(partial(gone, rig, entry.title), STEP_TIMEOUT, f"{entry.label} to close")
        others = [title_of(rig, w) for w in windows_of(rig, proc.pid) if w not in icons]
        done.append(
            f"{entry.label}: {title!r} up {opened:.2f} s after the click, closed"
            + (f"; still shown: {others}" if others else "")
        )
        print(f"    {done[-1]}")
    return done


# ---- report ----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _mb(kb: int) -> str:
    return f"{kb / 1024:.1f} MB"


def report(
    bare: Result, floor: Result, dg: Result, seconds: float, scenario: str = ""
) -> list[tuple[str, bool, str]]:
    """Print the table; return (budget, ok, verdict) for each budget."""
    start_ratio = dg.start_s / bare.start_s
    rss_ratio = dg.idle.rss_kb / floor.idle.rss_kb
    idle_words = "no window open" if "no window" in scenario else "30-day check open"
    rows: list[tuple[str, str, str, str, str, str, bool | None]] = [
        (
            "start to tray icon",
            f"{bare.start_s:.3f} s",
            f"{floor.start_s:.3f} s",
            f"{dg.start_s:.3f} s",
            f"{start_ratio:.2f}x bare",
            f"<= {START_RATIO:g}x bare",
            start_ratio <= START_RATIO,
        ),
        (
            f"idle RSS, {idle_words}",
            _mb(bare.idle.rss_kb),
            _mb(floor.idle.rss_kb),
            _mb(dg.idle.rss_kb),
            f"{rss_ratio:.3f}x floor",
            f"<= {RSS_RATIO:.2f}x floor",
            rss_ratio <= RSS_RATIO,
        ),
    ]
    if dg.day is not None:
        day_ratio = dg.day.rss_kb / floor.idle.rss_kb
        rows.append(
            (
                "idle RSS after a day's use",
                "",
                "",
                _mb(dg.day.rss_kb),
                f"{day_ratio:.3f}x floor",
                f"<= {DAY_RSS_RATIO:.2f}x floor",
                day_ratio <= DAY_RSS_RATIO,
            )
        )
    for label, idle in (("idle", dg.idle), ("after a day's use", dg.day)):
        if idle is None:
            continue
        budget = label == "idle"  # the design's budgets are for the idle window
        rows += [
            (
                f"CPU, {label}",
                f"{bare.idle.cpu_s_per_min:.4f} s/min",
                f"{floor.idle.cpu_s_per_min:.4f} s/min",
                f"{idle.cpu_s_per_min:.4f} s/min",
                _ratio(idle.cpu_s_per_min, floor.idle.cpu_s_per_min) + " floor",
                f"< {CPU_PER_MIN:g} s/min" + ("" if budget else " (info)"),
                idle.cpu_s_per_min < CPU_PER_MIN if budget else None,
            ),
            (
                f"wake-ups, {label}",
                f"{bare.idle.switches_per_min:.1f} /min",
                f"{floor.idle.switches_per_min:.1f} /min",
                f"{idle.switches_per_min:.1f} /min",
                _ratio(idle.switches_per_min, floor.idle.switches_per_min) + " floor",
                f"< {SWITCHES_PER_MIN} /min" + ("" if budget else " (info)"),
                idle.switches_per_min < SWITCHES_PER_MIN if budget else None,
            ),
        ]
    head = ("measure", "bare tray", "stack floor", "DeskGuard", "ratio", "budget", "")
    widths = [31, 15, 15, 15, 15, 20, 4]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    for *cells, ok in rows:
        mark = "" if ok is None else verdict(ok)
        lines.append(
            "  ".join(str(c).ljust(w) for c, w in zip([*cells, mark], widths, strict=True))
        )
    print(f"\nIdle windows {seconds:g} s; start = median of {len(dg.starts_s)} starts")
    print(f"DeskGuard's home: {scenario}\n" if scenario else "")
    print("\n".join(lines))
    print(
        f"\nfor scale: DeskGuard idle {dg.idle.rss_kb / bare.idle.rss_kb:.2f}x the bare tray;"
        f" the floor {floor.idle.rss_kb / bare.idle.rss_kb:.2f}x the bare tray"
        + (f"; after a day's use {dg.day.rss_kb / bare.idle.rss_kb:.2f}x" if dg.day else "")
    )
    print()
    for r in (bare, floor, dg):
        starts = ", ".join(f"{s:.3f}" for s in r.starts_s)
        print(f"{r.name}: starts [{starts}] s" + (f"; {r.note}" if r.note else ""))
        for label, idle in (("idle", r.idle), ("after a day's use", r.day)):
            if idle is None:
                continue
            print(
                f"  {label}: RSS {_mb(idle.rss_kb)}, PSS {_mb(idle.pss_kb)}; {idle.threads}"
                f" threads; CPU by clock ticks {idle.tick_cpu_s_per_min:.3f} s/min"
                + (f"; {idle.note}" if idle.note else "")
            )
            busy = [f"{name}[{tid}] {rate:.1f}" for name, tid, rate in idle.per_thread if rate > 0]
            print(f"    wake-ups per minute by thread: {', '.join(busy) or 'none'}")
    return [(row[0], bool(row[-1]), verdict(bool(row[-1]))) for row in rows if row[-1] is not None]


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b > 0 else "—"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="idle window (default 60)")
    parser.add_argument("--settle", type=float, default=5, help="wait before it (default 5)")
    parser.add_argument("--starts", type=int, default=3, help="start-time runs per app")
    parser.add_argument("--hours", choices=("all-day", "default"), default="all-day")
    parser.add_argument(
        "--checklist-done",
        action="store_true",
        help="save today's workstation check in DeskGuard's home first: no window at start",
    )
    parser.add_argument(
        "--no-day", action="store_true", help="skip the day's use (no openbox needed)"
    )
    parser.add_argument(
        "--screenshot", type=Path, help=f"save the screen showing {SHOT_OF!r} in the day's use"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="deskguard-bench-") as tmp:
        home = Path(tmp) / "deskguard-home"
        if args.hours == "all-day":
            (home / "config").mkdir(parents=True)
            (home / "config" / "settings.toml").write_text(ALL_DAY_SETTINGS)
        if args.checklist_done:
            checklist_done(home)
        tray_script = str(ROOT / "benchmarks" / "bare_tray.py")
        bare_app = App("bare tray", [sys.executable, tray_script], stop_by_signal)
        floor_app = App("stack floor", [sys.executable, tray_script, "--floor"], stop_by_signal)
        dg_app = App("DeskGuard", [sys.executable, "-m", "deskguard"], stop_deskguard(home), home)
        apps = (bare_app, floor_app, dg_app)
        results = {app.name: Result(app.name) for app in apps}
        day_log: list[str] = []
        try:
            with Rig(Path(tmp) / "rig", tray=True) as rig:
                if not args.no_day:
                    start_openbox(rig)  # for every app alike
                print(f"rig on {rig.display}: {rig.timings}")
                panels = rig.tray_panels()
                for run in range(max(0, args.starts - 1)):
                    for app in apps:
                        proc, started = launch(rig, app, panels)
                        results[app.name].starts_s.append(started)
                        print(f"start {run + 1}: {app.name} {started:.3f} s")
                        if app.home is not None:  # let it finish starting before quitting
                            wait_for(lambda: rig.status(home), 30, "deskguard status")
                        end(rig, app, proc, panels)

                def day(proc: subprocess.Popen[bytes]) -> None:
                    day_log.extend(days_use(rig, panels, proc, args.screenshot))

                for app in apps:
                    print(f"measuring {app.name}: {args.settle:g} s settle + {args.seconds:g} s")
                    with_day = day if app is dg_app and not args.no_day else None
                    measure_idle(
                        rig, app, panels, results[app.name], args.settle, args.seconds, with_day
                    )
        except RigUnavailable as err:
            print(err, file=sys.stderr)
            return 2
    scenario = (
        "today's workstation check saved (no window open)"
        if args.checklist_done
        else "fresh (the 30-day workstation check opens and stays open)"
    )
    bare, floor, dg = (results[app.name] for app in apps)
    verdicts = report(bare, floor, dg, args.seconds, scenario)
    if day_log:
        print("\nthe day's use, through the tray menu:\n  " + "\n  ".join(day_log))
    if args.screenshot is not None and args.screenshot.exists():
        print(f"screenshot: {args.screenshot}")
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "seconds": args.seconds,
                    "scenario": scenario,
                    "results": [asdict(r) for r in (bare, floor, dg)],
                    "day": day_log,
                    "verdicts": verdicts,
                },
                indent=2,
            )
        )
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

"""What DeskGuard costs while it sits in the tray, against a bare PySide6 tray app (DESIGN §6).

    python benchmarks/idle_cost.py [--seconds 60] [--settle 5] [--starts 3]

Both apps run in turn on the same rig (tests/e2e/rig.py: Xvfb + trayer + dunst in one
D-Bus session) and are measured the same way:

* start: from process start to its icon docked in trayer. trayer reparents a docked
  icon into a socket window inside its panel, so the signal is "the panel has a
  grandchild"; it is polled every 2 ms with one cheap XQueryTree per window. The median
  of --starts runs, alternating the two apps so neither gets a warmer cache.
* idle, over --seconds after a --settle wait: CPU time of all threads (per-thread
  /proc/PID/task/*/schedstat, nanoseconds; /proc/PID/stat utime+stime in clock ticks as a
  cross-check), context switches (voluntary + nonvoluntary over /proc/PID/task/*/status:
  each one is a wake-up) and VmRSS at the end of the window.

DeskGuard gets a fresh DESKGUARD_HOME whose settings make every hour a working hour, so
it is measured in its busiest idle state (watching for idle time), not outside hours.
Use --hours default to keep its default working hours instead. A fresh home has no
workstation check saved, so DeskGuard opens the 30-day check 0.5 s after start and the
dialog stays open through the window (the bare tray shows no window). --checklist-done
saves a check from today first: DeskGuard then sits in the tray with no window open, as
on the days between two checks.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.rig import Rig, RigUnavailable, wait_for  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
ALL_DAY_SETTINGS = """[schedule]
working_days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
work_start = "00:00"
work_end = "23:59"
"""

# DESIGN §6 targets
RSS_RATIO = 1.25
CPU_PER_MIN = 0.01
SWITCHES_PER_MIN = 30
START_RATIO = 2.0


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

    @property
    def cpu_ns(self) -> int:
        return sum(t.cpu_ns for t in self.tasks.values())

    @property
    def switches(self) -> int:
        return sum(t.switches for t in self.tasks.values())


@dataclass
class Result:
    name: str
    starts_s: list[float] = field(default_factory=list)
    rss_kb: int = 0
    pss_kb: int = 0
    cpu_s_per_min: float = 0.0
    tick_cpu_s_per_min: float = 0.0
    switches_per_min: float = 0.0
    threads: int = 0
    per_thread: list[tuple[str, int, float]] = field(default_factory=list)  # name, tid, /min
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


def measure_idle(
    rig: Rig, app: App, panels: list[int], result: Result, settle: float, seconds: float
) -> None:
    proc, started = launch(rig, app, panels)
    result.starts_s.append(started)
    if app.home is not None:
        status = wait_for(lambda: rig.status(app.home), 30, "deskguard status")
        result.note = f"state {status['state']}, shown in {status['tray']}"
        if status.get("problems"):
            result.note += f", problems: {status['problems']}"
    time.sleep(settle)
    first = sample(proc.pid)
    time.sleep(seconds)
    last = sample(proc.pid)
    result.rss_kb, result.pss_kb = memory_kb(proc.pid)
    end(rig, app, proc, panels)

    minutes = (last.at - first.at) / 60
    result.cpu_s_per_min = (last.cpu_ns - first.cpu_ns) / 1e9 / minutes
    result.tick_cpu_s_per_min = (last.ticks - first.ticks) / CLK_TCK / minutes
    result.threads = len(last.tasks)
    result.switches_per_min = (
        sum(
            task.switches - first.tasks[tid].switches
            for tid, task in last.tasks.items()
            if tid in first.tasks
        )
        + sum(task.switches for tid, task in last.tasks.items() if tid not in first.tasks)
    ) / minutes
    born = set(last.tasks) - set(first.tasks)
    gone = set(first.tasks) - set(last.tasks)
    if born or gone:
        result.note += f"; threads started {len(born)}, ended {len(gone)} during the window"
    rows = []
    for tid, task in last.tasks.items():
        before = first.tasks[tid].switches if tid in first.tasks else 0
        rows.append((task.name, tid, (task.switches - before) / minutes))
    result.per_thread = sorted(rows, key=lambda row: -row[2])


# ---- report ----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    bare: Result, dg: Result, seconds: float, scenario: str = ""
) -> list[tuple[str, bool, str]]:
    start_ratio = dg.start_s / bare.start_s
    rss_ratio = dg.rss_kb / bare.rss_kb
    checks = [
        (
            "start to tray icon",
            f"{bare.start_s:.3f} s",
            f"{dg.start_s:.3f} s",
            f"{start_ratio:.2f}x",
            f"<= {START_RATIO:g}x bare",
            start_ratio <= START_RATIO,
        ),
        (
            "idle RSS",
            f"{bare.rss_kb / 1024:.1f} MB",
            f"{dg.rss_kb / 1024:.1f} MB",
            f"{rss_ratio:.2f}x",
            f"<= {RSS_RATIO:g}x bare",
            rss_ratio <= RSS_RATIO,
        ),
        (
            "idle CPU",
            f"{bare.cpu_s_per_min:.4f} s/min",
            f"{dg.cpu_s_per_min:.4f} s/min",
            _ratio(dg.cpu_s_per_min, bare.cpu_s_per_min),
            f"< {CPU_PER_MIN:g} s/min",
            dg.cpu_s_per_min < CPU_PER_MIN,
        ),
        (
            "context switches",
            f"{bare.switches_per_min:.1f} /min",
            f"{dg.switches_per_min:.1f} /min",
            _ratio(dg.switches_per_min, bare.switches_per_min),
            f"< {SWITCHES_PER_MIN} /min",
            dg.switches_per_min < SWITCHES_PER_MIN,
        ),
    ]
    head = ("measure", "bare tray", "DeskGuard", "ratio", "target", "")
    widths = [20, 16, 16, 8, 16, 4]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    for *cells, ok in checks:
        lines.append(
            "  ".join(str(c).ljust(w) for c, w in zip([*cells, verdict(ok)], widths, strict=True))
        )
    print(f"\nIdle window {seconds:g} s; start = median of {len(dg.starts_s)} starts")
    print(f"DeskGuard's home: {scenario}\n" if scenario else "")
    print("\n".join(lines))
    print()
    for r in (bare, dg):
        starts = ", ".join(f"{s:.3f}" for s in r.starts_s)
        print(
            f"{r.name}: starts [{starts}] s; PSS {r.pss_kb / 1024:.1f} MB; "
            f"{r.threads} threads; CPU by clock ticks {r.tick_cpu_s_per_min:.3f} s/min"
            + (f"; {r.note}" if r.note else "")
        )
        busy = [f"{name}[{tid}] {rate:.1f}" for name, tid, rate in r.per_thread if rate > 0]
        print(f"  wake-ups per minute by thread: {', '.join(busy) or 'none'}")
    return [(c[0], c[-1], verdict(bool(c[-1]))) for c in checks]


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
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="deskguard-bench-") as tmp:
        home = Path(tmp) / "deskguard-home"
        if args.hours == "all-day":
            (home / "config").mkdir(parents=True)
            (home / "config" / "settings.toml").write_text(ALL_DAY_SETTINGS)
        if args.checklist_done:
            checklist_done(home)
        bare_app = App(
            "bare tray", [sys.executable, str(ROOT / "benchmarks" / "bare_tray.py")], stop_by_signal
        )
        dg_app = App("DeskGuard", [sys.executable, "-m", "deskguard"], stop_deskguard(home), home)
        bare, dg = Result(bare_app.name), Result(dg_app.name)
        try:
            with Rig(Path(tmp) / "rig", tray=True) as rig:
                print(f"rig on {rig.display}: {rig.timings}")
                panels = rig.tray_panels()
                for run in range(max(0, args.starts - 1)):
                    for app, result in ((bare_app, bare), (dg_app, dg)):
                        proc, started = launch(rig, app, panels)
                        result.starts_s.append(started)
                        print(f"start {run + 1}: {app.name} {started:.3f} s")
                        if app.home is not None:  # let it finish starting before quitting
                            wait_for(lambda: rig.status(home), 30, "deskguard status")
                        end(rig, app, proc, panels)
                for app, result in ((bare_app, bare), (dg_app, dg)):
                    print(f"measuring {app.name}: {args.settle:g} s settle + {args.seconds:g} s")
                    measure_idle(rig, app, panels, result, args.settle, args.seconds)
        except RigUnavailable as err:
            print(err, file=sys.stderr)
            return 2
    scenario = (
        "today's workstation check saved (no window open)"
        if args.checklist_done
        else "fresh (the 30-day workstation check opens and stays open)"
    )
    verdicts = report(bare, dg, args.seconds, scenario)
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "seconds": args.seconds,
                    "results": [asdict(bare), asdict(dg)],
                    "verdicts": verdicts,
                },
                indent=2,
            )
        )
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

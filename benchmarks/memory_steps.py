"""Where DeskGuard's idle RSS goes: VmRSS after each start-up step and per import.

    python benchmarks/memory_steps.py [--settle 5] [--top 25] [--app deskguard|bare|both]

Runs on the same rig as benchmarks/idle_cost.py (Xvfb + trayer + dunst in one D-Bus
session). Each app runs in a child process of this script that

* records VmRSS (and, from /proc/self/smaps_rollup, how much of it is anonymous memory
  and how much is mapped files) at each step of start-up: interpreter up, module-level
  imports, QApplication, the tray icon, `start_services`, and after --settle seconds idle;
* attributes RSS growth to the imports that caused it, through a wrapper around
  ``builtins.__import__``: each import's own growth, without the nested imports it made
  (page-granular and lumpy, as the allocator grows in steps, but good enough to rank).

DeskGuard runs its real `deskguard.cli.main([])`; the steps are marked by wrapping
`start_services` and by a single-shot timer that quits after the settle time. It is a
diagnostic: the budget itself is measured by idle_cost.py only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# ---- child side: runs inside the rig ----------------------------------------------------------


def _kb(text: str, key: str) -> int:
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        return _kb(f.read(), "VmRSS")


def memory() -> dict[str, int]:
    with open("/proc/self/status") as f:
        status = f.read()
    with open("/proc/self/smaps_rollup") as f:
        rollup = f.read()
    return {
        "rss": _kb(status, "VmRSS"),
        "anon": _kb(status, "RssAnon"),
        "file": _kb(status, "RssFile"),
        "shmem": _kb(status, "RssShmem"),
        "pss": _kb(rollup, "Pss"),
    }


class ImportMeter:
    """Own RSS growth per imported module, nested imports subtracted."""

    def __init__(self) -> None:
        import builtins

        self.own: dict[str, int] = {}
        self.after: dict[str, Callable[[], None]] = {}  # run once, when that import is done
        self._stack: list[list[int]] = []  # [start rss, growth of nested imports]
        self._orig = builtins.__import__
        builtins.__import__ = self._import  # type: ignore[assignment]

    def _import(
        self, name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        if level == 0 and name in sys.modules and not fromlist:
            return self._orig(name, globals, locals, fromlist, level)
        frame = [rss_kb(), 0]
        self._stack.append(frame)
        try:
            return self._orig(name, globals, locals, fromlist, level)
        finally:
            self._stack.pop()
            grown = rss_kb() - frame[0]
            own = grown - frame[1]
            if own:
                key = name if level == 0 else f"{'.' * level}{name}"
                if level and globals:
                    key = f"{globals.get('__package__') or ''}{'.' * level}{name}"
                self.own[key] = self.own.get(key, 0) + own
            if self._stack:
                self._stack[-1][1] += grown
            if name in self.after and name in sys.modules:
                self.after.pop(name)()


# Calls made while DeskGuard starts, each timed for RSS growth (module, attribute).
PROBES = [
    ("deskguard.adapters.config", "load_settings"),
    ("deskguard.adapters.store", "Store.open"),
    ("deskguard.adapters.content", "load_library"),
    ("deskguard.adapters.notify", "default_chain"),
    ("deskguard.adapters.alarm", "Alarm.__init__"),
    ("deskguard.adapters.idle", "choose_idle_monitor"),
    ("deskguard.adapters.hold", "choose_holds"),
    ("deskguard.ui.break_window", "BreakWindow.__init__"),
    ("deskguard.services.breaks", "Breaks.__init__"),
    ("deskguard.services.breaks", "Breaks.start"),
    ("deskguard.adapters.sleep", "SleepWatcher.__init__"),
    ("deskguard.adapters.instance", "CommandServer.__init__"),
    ("deskguard.adapters.instance", "CommandServer.listen"),
    ("deskguard.ui.windows", "Windows.__init__"),
    ("deskguard.app", "start_programme"),
    ("deskguard.ui.windows", "Windows.show_welcome_or_checklist"),
]


def mappings_kb() -> dict[str, dict[str, int]]:
    """Rss and anonymous KB per mapped file (and [heap], [anon]) from /proc/self/smaps."""
    found: dict[str, dict[str, int]] = {}
    name = "[anon]"
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split()
            if not head[0].endswith(":") and "-" in head[0]:
                name = head[5] if len(head) > 5 else "[anon]"
                found.setdefault(name, {"rss": 0, "anon": 0})
            elif head[0] == "Rss:":
                found[name]["rss"] += int(head[1])
            elif head[0] == "Anonymous:":
                found[name]["anon"] += int(head[1])
    return found


def child(which: str, settle: float, out: Path) -> None:
    steps: list[tuple[str, dict[str, int]]] = [("interpreter up", memory())]
    meter = ImportMeter()

    def mark(name: str) -> None:
        steps.append((name, memory()))

    def dump() -> None:
        by_package: dict[str, int] = {}
        for name, kb in meter.own.items():
            top = name.lstrip(".").split(".")[0]
            if name.startswith("PySide6."):
                top = ".".join(name.split(".")[:2])
            by_package[top] = by_package.get(top, 0) + kb
        out.write_text(
            json.dumps(
                {
                    "steps": steps,
                    "modules": meter.own,
                    "packages": by_package,
                    "mappings": mappings_kb(),
                    "sys_modules": sorted(sys.modules),
                    "blocks": sys.getallocatedblocks(),
                    "traced": traced(),
                    "linecache": cached_source,
                    "calls": calls if which == "deskguard" else {},
                }
            )
        )

    def traced() -> dict[str, int]:
        import tracemalloc

        if not tracemalloc.is_tracing():
            return {}
        stats = tracemalloc.take_snapshot().statistics("filename")
        return {str(stat.traceback[0].filename): stat.size // 1024 for stat in stats[:200]}

    cached_source: dict[str, int] = {}

    def what_if() -> None:
        """What collecting garbage and trimming the C heap would still hand back."""
        import linecache

        for name, entry in linecache.cache.items():
            if len(entry) > 2:
                cached_source[str(name)] = sum(map(len, entry[2])) // 1024
        import ctypes
        import gc

        mark("  (importing ctypes for the what-ifs)")
        linecache.clearcache()
        mark("  what if: linecache.clearcache()")
        gc.collect()
        mark("  what if: + gc.collect()")
        libc = ctypes.CDLL(None)
        if hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
            mark("  what if: + malloc_trim(0)")
        steps.append((f"  threads: {len(os.listdir('/proc/self/task'))}", memory()))

    if which == "bare":
        sys.argv[:] = [str(ROOT / "benchmarks" / "bare_tray.py")]
        from PySide6.QtGui import QIcon
        from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

        mark("imports (QtWidgets)")
        app = QApplication(sys.argv[:1])
        app.setQuitOnLastWindowClosed(False)
        mark("QApplication")
        tray = QSystemTrayIcon(QIcon(str(ROOT / "resources" / "icons" / "deskguard.svg")))
        menu = QMenu()
        menu.addAction("Quit", app.quit)
        tray.setContextMenu(menu)
        tray.show()
        mark("tray icon shown")

        from PySide6.QtCore import QTimer

        def finish() -> None:
            mark(f"idle {settle:g} s")
            what_if()
            dump()
            app.quit()

        QTimer.singleShot(int(settle * 1000), finish)
        app.exec()
        return

    import deskguard.cli as cli

    calls: dict[str, int] = {}

    def probe(module: str, attr: str) -> None:
        """Count the RSS growth over each call of module.attr (nested probes included).

        Patched once the app has imported `module` itself: a probe imports nothing."""
        owner: Any = sys.modules[module]
        path = attr.split(".")
        for part in path[:-1]:
            owner = getattr(owner, part)
        real = getattr(owner, path[-1])
        label = f"{module.rsplit('.', 1)[-1]}.{attr}"

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            before = rss_kb()
            try:
                return real(*args, **kwargs)
            finally:
                calls[label] = calls.get(label, 0) + rss_kb() - before

        if isinstance(owner.__dict__.get(path[-1]), classmethod):
            setattr(owner, path[-1], classmethod(lambda _cls, *a, **k: wrapper(*a, **k)))
        else:  # a function, or a method: the wrapper is a plain function and binds the same
            setattr(owner, path[-1], wrapper)

    def probe_when_loaded(module: str) -> None:
        for name, attr in PROBES:
            if name == module:
                probe(name, attr)

    for module in {name for name, _ in PROBES} - {"deskguard.app"}:  # app: see app_loaded
        if module in sys.modules:
            probe_when_loaded(module)
        else:
            meter.after[module] = lambda module=module: probe_when_loaded(module)

    mark("import deskguard.cli")

    def app_loaded() -> None:
        """cli.main has imported deskguard.app (its own way): wrap start_services."""
        mark("import deskguard.app (module level)")
        probe_when_loaded("deskguard.app")
        app_module: Any = sys.modules["deskguard.app"]
        real_start = app_module.start_services

        def start_services(*args: Any, **kwargs: Any) -> dict[str, Any]:
            from PySide6.QtCore import QTimer

            mark("QApplication + tray icon (run)")
            started = real_start(*args, **kwargs)
            mark("start_services")

            def finish() -> None:
                mark(f"idle {settle:g} s")
                what_if()
                dump()
                app_module.quit_app()

            QTimer.singleShot(int(settle * 1000), finish)
            return started

        app_module.start_services = start_services  # type: ignore[assignment]

    meter.after["deskguard.app"] = app_loaded
    cli.main([])


# ---- parent side: the rig and the report --------------------------------------------------------


def run_child(
    rig: Any, which: str, settle: float, tmp: Path, trace: bool = False, checked: bool = False
) -> dict[str, Any]:
    out = tmp / f"{which}.json"
    home = tmp / f"{which}-home"
    (home / "config").mkdir(parents=True)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from idle_cost import ALL_DAY_SETTINGS, checklist_done

    (home / "config" / "settings.toml").write_text(ALL_DAY_SETTINGS)
    if checked:
        checklist_done(home)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        which,
        "--settle",
        str(settle),
        "--out",
        str(out),
    ]
    env = {"PYTHONTRACEMALLOC": "1"} if trace else {}
    proc = rig.start_app(cmd, home=home, env=env, name=f"memory-{which}")
    try:
        proc.wait(timeout=settle + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise RuntimeError(f"{which} did not finish:\n{rig.output(proc)}") from None
    if not out.exists():
        raise RuntimeError(f"{which} wrote no figures:\n{rig.output(proc)}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def print_report(which: str, data: dict[str, Any], top: int) -> None:
    print(f"\n== {which}: VmRSS by start-up step (MB) ==")
    print(f"{'step':40} {'RSS':>7} {'+step':>7} {'anon':>7} {'file':>7}")
    before = 0
    for name, mem in data["steps"]:
        print(
            f"{name:40} {mem['rss'] / 1024:7.1f} {(mem['rss'] - before) / 1024:+7.1f} "
            f"{mem['anon'] / 1024:7.1f} {mem['file'] / 1024:7.1f}"
        )
        before = mem["rss"]
    if data.get("calls"):
        print(f"\n-- {which}: RSS growth over calls made at start-up (MB, imports included) --")
        for name, kb in data["calls"].items():
            print(f"  {name:60} {kb / 1024:+6.2f}")
    print(f"\n-- {which}: RSS growth by package (imports, own growth, MB; top {top}) --")
    for name, kb in sorted(data["packages"].items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {name:40} {kb / 1024:+6.2f}")
    print(f"\n-- {which}: RSS growth by single import (MB; top {top}) --")
    for name, kb in sorted(data["modules"].items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {name:60} {kb / 1024:+6.2f}")
    if data.get("traced"):
        print(f"\n-- {which}: live Python allocations by source file (tracemalloc, MB) --")
        for name, kb in sorted(data["traced"].items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {name[-70:]:70} {kb / 1024:6.2f}")
    print(f"\n-- {which}: RSS by mapping at the end (MB; top {top}) --")
    for name, kb in sorted(data["mappings"].items(), key=lambda kv: -kv[1]["rss"])[:top]:
        print(f"  {name:70} {kb['rss'] / 1024:6.2f} (anon {kb['anon'] / 1024:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--settle", type=float, default=5)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--app", choices=("deskguard", "bare", "both"), default="both")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace Python allocations (inflates RSS) and list live memory by source file",
    )
    parser.add_argument(
        "--checklist-done",
        action="store_true",
        help="DeskGuard's home holds a workstation check from today: no window opens at start "
        "(idle_cost.py's fresh home opens the 30-day check)",
    )
    parser.add_argument("--raw", type=Path, help="also write all figures as JSON here")
    parser.add_argument("--child", choices=("deskguard", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        child(args.child, args.settle, args.out)
        return 0

    sys.path.insert(0, str(ROOT))
    from tests.e2e.rig import Rig, RigUnavailable

    apps = ["bare", "deskguard"] if args.app == "both" else [args.app]
    with tempfile.TemporaryDirectory(prefix="deskguard-memory-") as tmp:
        try:
            with Rig(Path(tmp) / "rig", tray=True) as rig:
                results = {
                    which: run_child(
                        rig, which, args.settle, Path(tmp), args.tracemalloc, args.checklist_done
                    )
                    for which in apps
                }
        except RigUnavailable as err:
            print(err, file=sys.stderr)
            return 2
    if args.raw:
        args.raw.write_text(json.dumps(results))
    for which in apps:
        print_report(which, results[which], args.top)
    if len(apps) == 2:
        bare, dg = (
            next(mem["rss"] for name, mem in results[which]["steps"] if name.startswith("idle"))
            for which in ("bare", "deskguard")
        )
        print(
            f"\nidle RSS: bare {bare / 1024:.1f} MB, DeskGuard {dg / 1024:.1f} MB, "
            f"{dg / bare:.2f}x (target <= 1.25x = {bare * 1.25 / 1024:.1f} MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast are the weekly stats and the chart window on ten years of history?

    python benchmarks/stats_bench.py [--years 10] [--runs 7]

Builds two databases under a temporary DESKGUARD_HOME: an empty one and one with ten
years of synthetic events (a prompt every 15 minutes from 8:00 to 20:00 every day, in
Europe/Berlin so DST changes are in it: well over 500,000 events), then measures in this
one run, against each other:

* one week's report as `deskguard report` and the window compute it (`WeekSource.week`:
  the week, the week before and the streak walk);
* opening the chart window (build, load the week and the 12-week trend, show, first
  paint), offscreen.

Targets (issue 4): under 20 ms per week and under 300 ms to open the window on ten years.
Figures are medians of --runs runs; the first import of QtCharts is reported on its own.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # this script's own environment only

WEEK_TARGET_MS = 20.0
OPEN_TARGET_MS = 300.0
ZONE = ZoneInfo("Europe/Berlin")


def utc_text(at: datetime) -> str:
    return at.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def offset_min(at: datetime) -> int:
    off = at.utcoffset()
    assert off is not None
    return int(off.total_seconds() // 60)


def generate(path: Path, years: int, seed: int = 7) -> tuple[int, int]:
    """Fill the (already migrated) database at `path`; returns (prompts, events)."""
    rng = random.Random(seed)
    today = date.today()
    first = today - timedelta(days=round(365.25 * years))
    prompts: list[tuple[str, str, int, str, None]] = []
    events: list[tuple[str, str, int, str | None, str]] = []

    def add(kind: str, at: datetime, pid: str | None, detail: str = "") -> None:
        events.append((kind, utc_text(at), offset_min(at), pid, detail))

    skill = 0.8
    day = first
    while day <= today:
        skill = min(0.97, max(0.4, skill + rng.uniform(-0.04, 0.04)))  # good and bad spells
        if rng.random() < 0.01:  # now and then a paused day
            start = datetime(day.year, day.month, day.day, 7, 30, tzinfo=ZONE)
            until = start + timedelta(hours=14)
            add("paused", start, None, until.isoformat())
            add("resumed", until, None, "pause ended")
            day += timedelta(days=1)
            continue
        for slot in range(48):
            at = datetime(day.year, day.month, day.day, 8, tzinfo=ZONE) + timedelta(
                minutes=15 * slot
            )
            pid = f"{day.isoformat()}-{slot}"
            prompts.append((pid, utc_text(at), offset_min(at), "scheduled", None))
            roll = rng.random()
            if roll < 0.08:
                add("natural", at, pid, "away")
                continue
            add("prompted", at, pid, "scheduled")
            if rng.random() < 0.2:
                add("snoozed", at + timedelta(minutes=1), pid, "+5 min")
                at += timedelta(minutes=6)
                add("prompted", at, pid, "after snooze")
            if roll < skill:
                add("started", at + timedelta(minutes=1), pid)
                add("completed", at + timedelta(minutes=3), pid, "break timer finished")
            elif roll < skill + (1 - skill) / 2:
                add("skipped", at + timedelta(minutes=1), pid)
            else:
                add("missed", at + timedelta(minutes=10), pid, "no answer in time")
        day += timedelta(days=1)

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO prompts (id, due_at, due_offset_min, source, exercise_id)"
        " VALUES (?, ?, ?, ?, ?)",
        prompts,
    )
    conn.executemany(
        "INSERT INTO events (kind, at_utc, utc_offset_min, prompt_id, detail)"
        " VALUES (?, ?, ?, ?, ?)",
        events,
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return len(prompts), len(events)


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        action()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="deskguard-bench-") as home:
        os.environ["DESKGUARD_HOME"] = home
        from deskguard.adapters.paths import default_paths
        from deskguard.adapters.store import Store
        from deskguard.core.model import Settings
        from deskguard.core.stats import WeekSource

        full_path = default_paths().database
        empty_path = full_path.with_name("empty.db")
        Store.open(full_path)[0].close()
        t0 = time.perf_counter()
        n_prompts, n_events = generate(full_path, args.years)
        print(
            f"history: {args.years} years, {n_prompts:,} prompts, {n_events:,} events"
            f" (generated in {time.perf_counter() - t0:.1f} s) in {full_path}"
        )

        settings = Settings()
        today = date.today()
        stores = {
            "empty": Store.open(empty_path)[0],
            f"{args.years} years": Store.open(full_path)[0],
        }
        sources = {name: WeekSource(s, settings, today=lambda: today) for name, s in stores.items()}

        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(sys.argv[:1])
        t0 = time.perf_counter()
        from deskguard.ui.weekly_chart import WeeklyChartWindow

        import_ms = (time.perf_counter() - t0) * 1000

        def open_window(source: WeekSource) -> None:
            window = WeeklyChartWindow(source)
            window.this_week()
            window.show()
            app.processEvents()  # lay out and paint once
            window.grab()  # make sure the charts have been rendered
            window.hide()
            window.deleteLater()
            app.processEvents()

        results: dict[str, tuple[float, float, float, int]] = {}
        for name, source in sources.items():
            monday = source.this_monday()
            source.week(monday)  # warm the page cache, as a second `report` would
            week_ms = median_ms(partial(source.week, monday), args.runs)
            trend_ms = median_ms(partial(source.trend, monday), args.runs)
            open_ms = median_ms(partial(open_window, source), args.runs)
            streak = source.week(monday).streak
            results[name] = (week_ms, trend_ms, open_ms, streak)

        print(f"import weekly_chart (first time only): {import_ms:.0f} ms")
        print(
            f"{'database':<12}{'week report':>14}{'12-week trend':>16}"
            f"{'open window':>14}{'streak':>8}"
        )
        for name, (week_ms, trend_ms, open_ms, streak) in results.items():
            print(
                f"{name:<12}{week_ms:>11.1f} ms{trend_ms:>13.1f} ms{open_ms:>11.1f} ms{streak:>8}"
            )
        full = results[f"{args.years} years"]
        empty = results["empty"]
        print(
            f"ten years vs empty: week +{full[0] - empty[0]:.1f} ms, "
            f"window +{full[2] - empty[2]:.1f} ms"
        )
        ok = full[0] < WEEK_TARGET_MS and full[2] < OPEN_TARGET_MS
        print(
            f"targets: week < {WEEK_TARGET_MS:.0f} ms, window < {OPEN_TARGET_MS:.0f} ms: "
            + ("met" if ok else "NOT met")
        )
        for store in stores.values():
            store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

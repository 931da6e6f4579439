"""See the back-care progress window and the physiotherapist's PDF, and time the window.

    python benchmarks/render_progress.py [--out /tmp/shots/progress] [--runs 7] [--offscreen]

Seeds twelve weeks of history in a real SQLite store (tests/ui/progress_history.py,
played through core/programme.py's own actions on a fake clock): phases moving up in
weeks 1, 5 and 7, a sharp-pain stop that steps back a phase in week 3, a holiday in
week 9, pain ratings falling from about 6 to 3, break adherence rising from about 55 % to
85 %. Then, on the rig (tests/e2e/rig.py: Xvfb in its own D-Bus session, no window
manager), a child process opens the ProgressWindow and screenshots it with
``import -window root``: the trend, the weekly table, the history, the "see a physical
therapist" case and the not-started case. It writes the summary PDF and CSV through the
window's own save path; pdftoppm renders the PDF pages to PNG at 80 dpi.

Figures printed, measured in the same run (medians of --runs): opening the window
(build, read, show, first paint) on twelve weeks against an empty database, reading the
summary data alone, writing the PDF + CSV, and the first import of QtCharts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (1040, 780)
AT = (30, 30)


# ---- child: runs inside the rig (or offscreen) ------------------------------------------------


def child(out: Path, runs: int) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)

    from deskguard.adapters.content import load_library
    from deskguard.adapters.store import Store
    from deskguard.core.model import Prompt
    from deskguard.core.stats import WeekSource
    from deskguard.services.programme import Coach
    from tests.ui.progress_history import History, Plan, build, flat_pain

    figures: dict[str, Any] = {"platform": app.platformName()}
    library = load_library()
    tmp = Path(tempfile.mkdtemp(prefix="deskguard-progress-"))

    def stored(history: History, name: str) -> tuple[Coach, WeekSource]:
        store, _ = Store.open(tmp / f"{name}.db")
        seen: set[str] = set()
        for event in history.break_events:
            pid = event.prompt_id
            if pid is not None and pid not in seen:
                store.add_prompt(Prompt(pid, event.at, "scheduled"))
                seen.add(pid)
            store.add_event(event)
        store.add_programme_events(history.programme_events)
        coach = Coach(log=store, clock=history.clock, settings=history.settings, library=library)
        return coach, WeekSource(store, history.settings, history.today)

    full = build(Plan(weeks=12, quiet_weeks=(9,)))
    empty = build(Plan(weeks=1, start_programme=False, prompts_per_day=0))
    empty.clock.set(full.clock.now())  # the same "today"
    full_coach, full_source = stored(full, "full")
    empty_coach, empty_source = stored(empty, "empty")
    figures["events"] = {
        "breaks": len(full.break_events),
        "programme": len(full.programme_events),
    }

    t0 = time.perf_counter()
    from deskguard.ui.progress import ProgressWindow  # QtCharts loads here
    from deskguard.ui.therapist_report import progress_summary, write_summary

    figures["import_progress_ms"] = (time.perf_counter() - t0) * 1000

    def settle(ms: int = 300) -> None:
        done = [False]
        QTimer.singleShot(ms, lambda: done.__setitem__(0, True))
        while not done[0]:
            app.processEvents()
            time.sleep(0.005)

    def open_window(coach: Coach, source: WeekSource) -> ProgressWindow:
        window = ProgressWindow(coach, source, 12)
        window.resize(*SIZE)
        window.move(*AT)
        window.show()
        QTest.qWaitForWindowExposed(window, 5000)
        app.processEvents()  # lay out and paint once
        return window

    def median_ms(action: Callable[[], object]) -> float:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            action()
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)

    def open_and_close(coach: Coach, source: WeekSource) -> None:
        window = open_window(coach, source)
        window.hide()
        window.deleteLater()
        app.processEvents()

    open_and_close(empty_coach, empty_source)  # warm-up: fonts, style, first chart
    figures["open_empty_ms"] = median_ms(lambda: open_and_close(empty_coach, empty_source))
    figures["open_12_weeks_ms"] = median_ms(lambda: open_and_close(full_coach, full_source))
    figures["summary_data_empty_ms"] = median_ms(
        lambda: progress_summary(empty_coach, empty_source, 12)
    )
    figures["summary_data_12_weeks_ms"] = median_ms(
        lambda: progress_summary(full_coach, full_source, 12)
    )
    figures["write_pdf_csv_12_weeks_ms"] = median_ms(
        lambda: write_summary(tmp / "timed.pdf", full_coach, full_source, 12)
    )

    def shoot(window: QWidget, name: str) -> None:
        settle()
        root = out / f"{name}-screen.png"
        cropped = out / f"{name}.png"
        display = os.environ.get("DISPLAY", "")
        if app.platformName() == "xcb" and display and shutil.which("import"):
            subprocess.run(
                ["import", "-display", display, "-window", "root", str(root)], check=True
            )
            # The window alone, from the same kind of capture (no WM: no frame around it).
            geometry = f"{window.width()}x{window.height()}+{window.x()}+{window.y()}"
            subprocess.run(
                ["import", "-display", display, "-window", "root", "-crop", geometry, str(cropped)],
                check=True,
            )
            print(f"shot {root}")
        else:
            window.grab().save(str(cropped))
        print(f"shot {cropped}")

    window = open_window(full_coach, full_source)
    shoot(window, "window-12-weeks")
    window.tabs.setCurrentIndex(1)
    shoot(window, "window-12-weeks-table")
    window.tabs.setCurrentIndex(2)
    shoot(window, "window-12-weeks-history")
    saved = window.save_summary(out / "summary.pdf")
    assert saved is not None, window.status.text()
    window.tabs.setCurrentIndex(0)
    shoot(window, "window-12-weeks-saved")
    print(f"saved {saved[0]} {saved[1]}")
    window.hide()

    flat = flat_pain(weeks=6)
    flat_coach, flat_source = stored(flat, "flat")
    window = open_window(flat_coach, flat_source)
    shoot(window, "window-see-therapist")
    saved = window.save_summary(out / "summary-see-therapist.pdf")
    assert saved is not None, window.status.text()
    window.hide()

    not_started = build(Plan(weeks=4, start_programme=False))
    ns_coach, ns_source = stored(not_started, "not-started")
    window = open_window(ns_coach, ns_source)
    shoot(window, "window-not-started")
    window.hide()

    window = open_window(empty_coach, empty_source)
    shoot(window, "window-empty")
    window.hide()

    print("FIGURES " + json.dumps(figures))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


# ---- parent -----------------------------------------------------------------------------------


def render_pdfs(out: Path) -> None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        print("pdftoppm not found (apt-get install poppler-utils): PDFs not rendered")
        return
    for pdf in sorted(out.glob("summary*.pdf")):
        for old in out.glob(f"{pdf.stem}-page-*.png"):
            old.unlink()
        subprocess.run(
            [tool, "-png", "-r", "80", str(pdf), str(out / f"{pdf.stem}-page")], check=True
        )
        for png in sorted(out.glob(f"{pdf.stem}-page-*.png")):
            print(f"page {png}")


def report(figures: dict[str, Any]) -> None:
    print()
    print(
        f"platform: {figures['platform']}; 12 weeks = {figures['events']['breaks']} break "
        f"events + {figures['events']['programme']} programme events (SQLite store)"
    )
    rows = (
        ("first import of ui.progress (QtCharts)", figures["import_progress_ms"], None),
        (
            "open window (build, read, show, paint)",
            figures["open_12_weeks_ms"],
            figures["open_empty_ms"],
        ),
        (
            "summary data (progress_summary)",
            figures["summary_data_12_weeks_ms"],
            figures["summary_data_empty_ms"],
        ),
        ("write PDF + CSV", figures["write_pdf_csv_12_weeks_ms"], None),
    )
    print(f"{'measure':42} {'12 weeks':>10} {'empty':>10}")
    for name, full, empty in rows:
        empty_text = "" if empty is None else f"{empty:8.1f} ms"
        print(f"{name:42} {full:8.1f} ms {empty_text:>10}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/shots/progress"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--offscreen", action="store_true", help="no rig: render offscreen")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        return child(args.out, args.runs)

    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--out",
        str(args.out),
        "--runs",
        str(args.runs),
    ]
    if args.offscreen:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
        output = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
        text, code = output.stdout + output.stderr, output.returncode
    else:
        from tests.e2e.rig import Rig, RigUnavailable

        try:
            with Rig(tray=False, notifications=False) as rig:
                print(f"rig on {rig.display}")
                proc = rig.start_app(cmd, env={"PYTHONPATH": str(ROOT)}, name="render-progress")
                code = proc.wait(timeout=300)
                text = rig.output(proc)
        except RigUnavailable as err:
            print(f"no rig here ({err}); run with --offscreen for offscreen renders")
            return 2
    figures = None
    for line in text.splitlines():
        if line.startswith("FIGURES "):
            figures = json.loads(line.removeprefix("FIGURES "))
        else:
            print(line)
    if code != 0 or figures is None:
        print(f"the window process failed with exit code {code}")
        return 1
    render_pdfs(args.out)
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

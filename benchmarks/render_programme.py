"""Render the back-care programme's windows to PNG, in the states that matter.

    python benchmarks/render_programme.py [--out DIR] [--only NAME ...]   # offscreen grabs
    python benchmarks/render_programme.py --rig [--out DIR]                # on the real rig

Each state is a seeded Coach (FakeClock, in-memory log, the real content from
resources/): the programme window not started, on a session day, on a rest day, with the
next phase open and the check-in due, in phase 3 with its load, paused by a red flag, at
a four-week review that recommends a physiotherapist; the session player's pages
(rating before, a rep set, a running hold, a rest, a per-side set, sharp pain and its
questions, the finish); the red-flag questions, the clinician screen and the weekly
check-in.

Offscreen it grabs each window (`widget.grab()`). With --rig it starts the e2e rig's
Xvfb (tests/e2e/rig.py), runs itself inside it on the xcb platform and takes each shot
of the whole screen with `import -window root`, as the user's X server draws it.
Writes /tmp/shots/program/ by default and prints each path. Not a test: look.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if "--rig" not in sys.argv and "--child" not in sys.argv:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from deskguard.adapters.content import load_library
from deskguard.core.clock import FakeClock
from deskguard.core.model import Settings
from deskguard.core.programme import PainWhen, Sensation
from deskguard.services.programme import Coach, MemoryProgrammeLog

MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
OUT = Path("/tmp/shots/program")


def fresh() -> tuple[Coach, FakeClock]:
    clock = FakeClock(MONDAY)
    coach = Coach(
        log=MemoryProgrammeLog(), clock=clock, settings=Settings(), library=load_library()
    )
    return coach, clock


def started() -> tuple[Coach, FakeClock]:
    coach, clock = fresh()
    coach.start([])
    return coach, clock


def session(coach: Coach, before: int = 4, after: int = 3) -> None:
    coach.log_pain(before, Sensation.ACHE, PainWhen.BEFORE)
    coach.finish_session(5, 5)
    coach.log_pain(after, Sensation.ACHE, PainWhen.AFTER)


def week_of_sessions(coach: Coach, clock: FakeClock, before: int = 4) -> None:
    """Monday, Wednesday, Friday sessions; ends on the next Monday."""
    for gap in (2, 2, 3):
        session(coach, before)
        clock.advance(days=gap)


# ---- the programme window ----------------------------------------------------------------


def programme_window(coach: Coach) -> QWidget:
    from deskguard.ui.programme_window import ProgrammeWindow

    return ProgrammeWindow(coach, open_progress=lambda: None)


def not_started() -> QWidget:
    return programme_window(fresh()[0])


def session_day() -> QWidget:
    return programme_window(started()[0])


def rest_day() -> QWidget:
    coach, clock = started()
    session(coach)
    clock.advance(days=1)
    return programme_window(coach)


def advance_open() -> QWidget:
    coach, clock = started()
    week_of_sessions(coach, clock)
    return programme_window(coach)


def phase_three() -> QWidget:
    coach, clock = started()
    for _ in range(2):
        week_of_sessions(coach, clock)
        coach.advance()
    coach.log_pain(3, Sensation.ACHE, PainWhen.CHECKIN)
    session(coach)
    clock.advance(days=9)
    return programme_window(coach)


def paused() -> QWidget:
    coach, _clock = fresh()
    coach.start(["leg-weakness", "numbness-or-tingling-in-legs"])
    return programme_window(coach)


def review() -> QWidget:
    coach, clock = started()
    for _ in range(4):
        coach.log_pain(6, Sensation.ACHE, PainWhen.CHECKIN)
        week_of_sessions(coach, clock, before=6)
    coach.log_pain(6, Sensation.ACHE, PainWhen.CHECKIN)
    return programme_window(coach)


# ---- the session player ------------------------------------------------------------------


def player(coach: Coach) -> QWidget:
    from deskguard.ui.session_player import SessionPlayer

    return SessionPlayer(coach)


def player_before() -> QWidget:
    from deskguard.ui.session_player import SessionPlayer

    window = player(started()[0])
    assert isinstance(window, SessionPlayer)
    window.before_rating.set_rating(3)
    window.before_rating.set_sensation(Sensation.ACHE)
    return window


def begun(coach: Coach):  # type: ignore[no-untyped-def]
    from deskguard.ui.session_player import SessionPlayer

    window = player(coach)
    assert isinstance(window, SessionPlayer)
    window.before_rating.set_rating(3)
    window.before_rating.set_sensation(Sensation.ACHE)
    window.begin()
    return window


def player_reps() -> QWidget:
    window = begun(started()[0])
    for _ in range(3):
        window.count()
    window.good_ache()
    return window  # type: ignore[no-any-return]


def player_hold() -> QWidget:
    coach, clock = started()
    window = begun(coach)
    while not window.is_hold:
        window.skip_rest() if window.page == 2 else window.next()
    window.count()
    clock.advance(seconds=8)
    window.tick()
    return window  # type: ignore[no-any-return]


def player_rest() -> QWidget:
    coach, clock = started()
    window = begun(coach)
    for _ in range(8):
        window.count()
    window.next()
    clock.advance(seconds=12)
    window.tick()
    return window  # type: ignore[no-any-return]


def phase_two() -> tuple[Coach, FakeClock]:
    coach, clock = started()
    week_of_sessions(coach, clock)
    coach.advance()
    return coach, clock


def player_side() -> QWidget:
    window = begun(phase_two()[0])
    while window.step.side is None:
        window.skip_rest() if window.page == 2 else window.next()
    for _ in range(4):
        window.count()
    return window  # type: ignore[no-any-return]


def player_sharp() -> QWidget:
    window = begun(phase_two()[0])
    window.next()
    window.skip_rest()
    window.sharp()
    return window  # type: ignore[no-any-return]


def player_finish() -> QWidget:
    window = begun(started()[0])
    while window.page != 3:
        if window.page == 2:
            window.skip_rest()
        elif window.is_hold:
            window.next()
        else:
            for _ in range(window.target):
                window.count()
            window.next()
    window.after_rating.set_rating(2)
    window.after_rating.set_sensation(Sensation.ACHE)
    return window  # type: ignore[no-any-return]


def player_end() -> QWidget:
    window = player_finish()
    window.save()  # type: ignore[attr-defined]
    return window


# ---- dialogs ----------------------------------------------------------------------------


def screening() -> QWidget:
    from deskguard.ui.screening import ScreeningDialog

    dialog = ScreeningDialog(fresh()[0], starting=True)
    dialog.form.set_answer("bladder-or-bowel-control", False)
    dialog.form.set_answer("leg-weakness", False)
    return dialog


def clinician() -> QWidget:
    from deskguard.ui.screening import ClinicianDialog

    coach, _clock = started()
    return ClinicianDialog(coach, ["leg-weakness", "shooting-leg-pain"])


def checkin() -> QWidget:
    from deskguard.ui.pain_dialog import PainDialog

    dialog = PainDialog(started()[0], PainWhen.CHECKIN)
    dialog.rating.set_rating(4)
    dialog.rating.set_sensation(Sensation.SHARP)
    return dialog


STATES: dict[str, Callable[[], QWidget]] = {
    "program-not-started": not_started,
    "program-session-day": session_day,
    "program-rest-day": rest_day,
    "program-advance-open": advance_open,
    "program-phase-3": phase_three,
    "program-paused": paused,
    "program-review": review,
    "player-before": player_before,
    "player-reps": player_reps,
    "player-hold": player_hold,
    "player-rest": player_rest,
    "player-side": player_side,
    "player-sharp": player_sharp,
    "player-finish": player_finish,
    "player-end": player_end,
    "screening": screening,
    "clinician": clinician,
    "checkin": checkin,
}

# What the rig shows: the screens the issue asks to have seen on a real X server.
RIG_STATES = (
    "player-before",
    "player-reps",
    "player-hold",
    "player-sharp",
    "player-finish",
    "screening",
    "clinician",
    "program-not-started",
    "program-advance-open",
    "program-paused",
    "program-review",
)


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def render(names: list[str], out: Path, root: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        widget = STATES[name]()
        widget.show()
        if root:
            widget.move(40, 30)
        settle()
        path = out / f"{'rig-' if root else ''}{name}.png"
        if root:
            subprocess.run(["import", "-window", "root", str(path)], check=True)
        else:
            widget.grab().save(str(path))
        print(path, flush=True)
        widget.close()
        widget.deleteLater()
        QCoreApplication.processEvents()


def on_rig(out: Path, names: list[str]) -> None:
    from tests.e2e.rig import Rig

    with Rig(tray=False, notifications=False) as rig:
        env = rig.child_env(QT_QPA_PLATFORM="xcb")
        cmd = [sys.executable, __file__, "--child", "--out", str(out), "--only", *names]
        done = subprocess.run(cmd, env=env, timeout=300, check=False)
        if done.returncode != 0:
            print(rig.logs(), file=sys.stderr)
            raise SystemExit(done.returncode)
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", nargs="*", choices=sorted(STATES))
    parser.add_argument("--rig", action="store_true", help="shoot on the e2e rig's Xvfb")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rig:
        on_rig(args.out, args.only or list(RIG_STATES))
        return
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert app is not None
    render(args.only or list(STATES), args.out, root=args.child)


if __name__ == "__main__":
    main()

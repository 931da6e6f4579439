"""Every window of DeskGuard in each of its states, built offscreen from seeded data.

`SCENES` maps a name to a function that builds the window in that state and returns it
(not yet shown). `benchmarks/gallery.py` renders them all to PNG in light and dark at
100 % and 200 %; `tests/ui/test_contrast.py` measures the contrast of every text in each.
The content is the real one from resources/; time stands still at NOW.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QWidget

from deskguard.adapters.content import Library, load_library
from deskguard.core.clock import FakeClock
from deskguard.core.model import Settings
from deskguard.core.programme import PainWhen, Sensation
from deskguard.core.stats import WeekSource
from deskguard.services.programme import Coach, MemoryProgrammeLog
from tests.core.test_stats import FakeReader

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN)  # a Monday evening
NOW = datetime(2026, 11, 26, 14, 0, tzinfo=BERLIN)  # the Thursday the week views show

_library: Library | None = None


def library() -> Library:
    global _library
    if _library is None:
        _library = load_library()
    return _library


# ---- the programme ---------------------------------------------------------------------


def fresh() -> tuple[Coach, FakeClock]:
    clock = FakeClock(MONDAY)
    coach = Coach(log=MemoryProgrammeLog(), clock=clock, settings=Settings(), library=library())
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


# ---- the session player --------------------------------------------------------------------


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


def progress(plan_weeks: int = 10, start: bool = True) -> QWidget:
    from deskguard.ui.progress import ProgressWindow
    from tests.ui.progress_history import Plan, build

    history = build(Plan(weeks=plan_weeks, start_programme=start))
    return ProgressWindow(history.coach(), history.source(), 12, open_programme=lambda: None)


# ---- breaks ---------------------------------------------------------------------------------


def _exercise(exercise_id: str | None):  # type: ignore[no-untyped-def]
    if exercise_id is None:
        return None, None
    found = {e.id: e for e in library().exercises}[exercise_id]
    return found, library().picture_path(found)


def prompt(exercise_id: str | None = "standing-hamstring-stretch") -> QWidget:
    from deskguard.ui.break_window import BreakWindow

    window = BreakWindow(lambda: NOW)
    exercise, picture = _exercise(exercise_id)
    window.show_prompt(exercise, picture, 47, snoozes_left=2, snooze_minutes=5)
    return window


class _Mono:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def running(exercise_id: str | None = "standing-hamstring-stretch") -> QWidget:
    from deskguard.ui.break_window import BreakWindow

    mono = _Mono()
    window = BreakWindow(lambda: NOW, monotonic=mono)
    exercise, picture = _exercise(exercise_id)
    window.show_break(exercise, picture, NOW + timedelta(minutes=2), 120)
    mono.t += 70
    window._update_countdown()
    return window


def finish() -> QWidget:
    from deskguard.ui.break_window import BreakWindow

    window = BreakWindow(lambda: NOW)
    window.show_break(None, None, NOW + timedelta(minutes=2), 120)
    window.show_finish(120, 5)
    return window


# ---- the week ---------------------------------------------------------------------------------


def week(kind: str, tab: int = 0) -> QWidget:
    from deskguard.ui.weekly_chart import WeeklyChartWindow
    from tests.ui.week_history import prompt as one_prompt
    from tests.ui.week_history import self_started_break, working_weeks

    today = NOW.date()
    if kind == "empty":
        events = []
    elif kind == "first-day":
        import random

        events = one_prompt("first", datetime.combine(today, time(9, 45), BERLIN), "completed",
                            random.Random(1))  # fmt: skip
    elif kind == "day-off":
        saturday = today + timedelta(days=2)
        events = working_weeks(today + timedelta(days=1), weeks=12) + self_started_break(
            "own", datetime.combine(saturday, time(11), BERLIN), 120, True
        )
        today = saturday
    else:
        events = working_weeks(today, weeks=12, until=time(14))
    day = today
    source = WeekSource(FakeReader(events), Settings(), today=lambda: day)
    first = datetime.combine(NOW.date(), time(9, 45), BERLIN)
    window = WeeklyChartWindow(source, lambda: first if kind == "empty" else None)
    window.this_week()
    window.tabs.setCurrentIndex(tab)
    return window


# ---- the rest ----------------------------------------------------------------------------------


def tray_menu() -> QWidget:
    """The tray's menu as it looks mid-morning with a prompt answered."""
    from deskguard.core.model import State, TrayStatus
    from deskguard.ui.tray import TrayActions

    actions = TrayActions()
    status = TrayStatus(
        state=State.WORKING,
        now=NOW.replace(hour=10, minute=18),
        next_break_at=NOW.replace(hour=10, minute=30),
        paused_until=None,
        can_snooze=False,
        taken_today=3,
        prompts_today=4,
    )
    actions.show_status(status)
    menu = actions.build_menu()
    menu.setProperty("deskguard_actions", actions)  # keeps the actions alive with it
    actions.setParent(menu)
    return menu


def library_window(detail: str | None = None, avoid: str | None = None) -> QWidget:
    from deskguard.ui.library import LibraryWindow

    lib = library()
    pictures = {e.id: lib.picture_path(e) for e in lib.exercises}
    window = LibraryWindow(lib.exercises, lib.avoid, pictures, {"squat"}, lambda: NOW)
    if detail is not None:
        window.show_exercise(detail)
    if avoid is not None:
        window.show_avoid(avoid)
    return window


def checklist() -> QWidget:
    from deskguard.core.checklist import ChecklistResult, Score
    from deskguard.ui.checklist import ChecklistDialog

    workstation = library().checklist("workstation")
    last = ChecklistResult(
        "workstation",
        NOW - timedelta(days=12),
        {"feet-flat": True, "lumbar-support": True},
        Score(2, len(workstation.items)),
    )
    return ChecklistDialog(workstation, lambda: NOW, last)


def warning_signs() -> QWidget:
    from deskguard.ui.red_flags import RedFlagsDialog

    return RedFlagsDialog(library().red_flags, library().disclaimer)


def welcome(page: int) -> QWidget:
    from deskguard.ui.first_run import FirstRunDialog

    lib = library()
    dialog = FirstRunDialog(
        Settings(), lib.red_flags, lib.disclaimer, lib.checklist("workstation"), lambda: NOW
    )
    dialog.go_to(page)
    return dialog


def settings(tab: int) -> QWidget:
    from deskguard.adapters.config import int_ranges, validate_setting
    from deskguard.ui.settings_dialog import Folders, SettingsDialog

    home = Path("/home/alex")
    folders = Folders(
        data=home / ".local/share/deskguard",
        config=home / ".config/deskguard",
        log=home / ".local/state/deskguard/log",
    )
    dialog = SettingsDialog(
        Settings(), autostart=True, folders=folders, ranges=int_ranges(), validate=validate_setting
    )
    dialog.tabs.setCurrentIndex(tab)
    return dialog


def _settings_scenes() -> dict[str, Callable[[], QWidget]]:
    from deskguard.ui.settings_dialog import SettingsDialog

    count = SettingsDialog.TAB_COUNT if hasattr(SettingsDialog, "TAB_COUNT") else 6
    return {f"settings-{i + 1}": (lambda i=i: settings(i)) for i in range(count)}


def _welcome_scenes() -> dict[str, Callable[[], QWidget]]:
    return {f"welcome-{i + 1}": (lambda i=i: welcome(i)) for i in range(4)}


SCENES: dict[str, Callable[[], QWidget]] = {
    **_welcome_scenes(),
    "break-prompt": prompt,
    "break-prompt-walking": lambda: prompt(None),
    "break-running-stretch": running,
    "break-running-strength": lambda: running("squat"),
    "break-running-walking": lambda: running(None),
    "break-finish": finish,
    "library-list": library_window,
    "library-detail": lambda: library_window("seated-hamstring-stretch"),
    "library-avoid": lambda: library_window(avoid="toe-touches"),
    "checklist": checklist,
    "tray-menu": tray_menu,
    "warning-signs": warning_signs,
    **_settings_scenes(),
    "week-empty": lambda: week("empty"),
    "week-first-day": lambda: week("first-day"),
    "week-full": lambda: week("full"),
    "week-day-off-bonus": lambda: week("day-off"),
    "week-days": lambda: week("full", 1),
    "week-12-weeks": lambda: week("full", 2),
    "programme-not-started": not_started,
    "programme-session-day": session_day,
    "programme-rest-day": rest_day,
    "programme-advance-open": advance_open,
    "programme-phase-3": phase_three,
    "programme-paused": paused,
    "programme-review": review,
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
    "pain-rating": checkin,
    "progress": progress,
    "progress-not-started": lambda: progress(3, start=False),
}

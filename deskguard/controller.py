"""Carries out what the planner decides, and reports the user's answers back to it.

The planner (core) decides; the controller records each effect in the store, shows
or hides the break window, notifies, re-arms the alarm and refreshes the tray.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from deskguard import __version__
from deskguard.adapters.alarm import Alarm
from deskguard.adapters.content import Library
from deskguard.adapters.hold import Holds
from deskguard.adapters.idle import IdleMonitor, NullIdle
from deskguard.adapters.notify import CallbackNotifier, NotifierChain
from deskguard.adapters.store import Store, StoreError
from deskguard.core.clock import Clock
from deskguard.core.model import FINAL_KINDS, Event, EventKind, Exercise, Settings, State
from deskguard.core.planner import NO_ACTIVITY, Activity, Effect, NewPrompt, Planner
from deskguard.core.posture import (
    micro_check_items,
    next_posture_item,
    posture_check_time,
    posture_message,
)
from deskguard.core.rotation import pick_exercise, why_text
from deskguard.core.stats import query_range, week_report
from deskguard.ui.deferred_break_window import DeferredBreakWindow
from deskguard.ui.tray import ControlWindow, Tray, TrayActions, TrayStatus, quit_app

if TYPE_CHECKING:
    from deskguard.coach import Coach
    from deskguard.core.program import Status
    from deskguard.ui.break_window import BreakWindow

log = logging.getLogger("deskguard")

MAX_PAUSE_MINUTES = 24 * 60
HELD_POLL_MS = 5000  # while a prompt waits for a presentation to end
AWAY_POLL_MS = 5000  # while the user is away: how late their return may be seen


def iso(when: datetime | None, tz: tzinfo | None = None) -> str | None:
    return None if when is None else when.astimezone(tz).isoformat(timespec="seconds")


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def next_session_day(state: Status, days: frozenset[int], today: date) -> date | None:
    """The next planned day a session can be done on: today if one is still due today."""
    if not state.active or not days:
        return None
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if day.weekday() in days and (ahead > 0 or state.train_today.ok):
            return day
    return None


def programme_status(coach: Coach, next_reminder: datetime | None) -> dict[str, Any]:
    """What `deskguard programme --json` prints: the coach's status, as plain JSON."""
    state = coach.status()
    today = coach.today()
    settings = coach.settings

    def day(value: date | None) -> str | None:
        return None if value is None else value.isoformat()

    review = state.review
    return {
        "ok": True,
        "started": day(state.started),
        "phase": state.phase,
        "phase_title": coach.phase().title,
        "phase_since": day(state.phase_since),
        "hold_until": day(state.hold_until),
        "paused": state.paused,
        "pause_reasons": list(state.pause_reasons),
        "train_today": {"ok": state.train_today.ok, "reason": state.train_today.reason},
        "advance": {"ok": state.advance.ok, "reason": state.advance.reason},
        "review": None
        if review is None
        else {
            "baseline": round(review.baseline, 2),
            "recent": round(review.recent, 2),
            "improvement": round(review.improvement, 3),
            "see_therapist": review.see_therapist,
        },
        "review_on": day(state.review_on),
        "checkin_due": state.checkin_due,
        "sessions_this_week": state.sessions_this_week,
        "last_session": day(state.last_session),
        "reminded_today": today in state.reminded_days,
        "next_session_day": day(next_session_day(state, settings.program_days, today)),
        "next_reminder_at": iso(next_reminder),
        "days": [_DAY_NAMES[d] for d in sorted(settings.program_days)],
        "time": settings.program_time.strftime("%H:%M"),
        "reminders": settings.program_reminders,
    }


class Controller(QObject):
    """Carries out what the planner decides and reports the user's answers back to it."""

    # New settings took effect (the programme's coach and reminder follow them).
    settings_applied = Signal(object)

    def __init__(
        self,
        *,
        clock: Clock,
        settings: Settings,
        store: Store,
        library: Library,
        notifier: NotifierChain,
        alarm: Alarm,
        actions: TrayActions,
        window: BreakWindow | DeferredBreakWindow,
        notes: list[str] | None = None,
        tz: tzinfo | None = None,
        idle: IdleMonitor | None = None,
        holds: Holds | None = None,
        interval_override: timedelta | None = None,
    ) -> None:
        super().__init__()
        self.idle = idle or NullIdle()
        self.holds = holds or Holds([])
        # Extra idle/fullscreen checks between alarm ticks, as rarely as the rules allow.
        self._poll = QTimer(self)
        self._poll.setSingleShot(True)
        self._poll.timeout.connect(self.tick)
        self._last_idle: float | None = None
        self.clock = clock
        self.store = store
        self.library = library
        self.notifier = notifier
        self.alarm = alarm
        self.actions = actions
        self.window = window
        self.notes = list(notes or [])
        self.tz = tz
        self.host: Tray | ControlWindow | None = None
        self.coach: Coach | None = None  # the back-care programme, once app.py attaches it
        self.programme_problem = "The back-care programme has not started up."
        self._next_reminder: Callable[[], datetime | None] = lambda: None
        self.last_notifier = ""
        self._summary: Any = None
        self._stopped = False
        now = clock.now()
        self._recent = self._exercises_shown_today(now)
        self.planner = Planner(
            settings, now, tz=tz, pick_exercise=self._pick, interval_override=interval_override
        )
        self.planner.observe_clock(now, clock.monotonic())
        self._restore_pause(now)

        self.excluded: set[str] = self._read(store.excluded_exercises, set())
        self._posture_items = micro_check_items(library.checklists)
        self._posture_shown = self._posture_history(now)
        self._posture_done_for: datetime | None = None

        # Bound methods, not lambdas: a lambda holding `self` can outlive the C++ object.
        actions.break_now.connect(self.break_now)
        actions.snooze.connect(self.snooze)
        actions.pause.connect(self.pause)
        actions.resume.connect(self.resume)
        actions.show_summary.connect(self.show_summary)
        window.start_requested.connect(self.start_break)
        window.snooze_requested.connect(self.snooze)
        window.skip_requested.connect(self.skip)
        window.done_requested.connect(self.finish)
        alarm.fired.connect(self.tick)

    # ---- lifecycle -----------------------------------------------------------------
    def start(self, host: Tray | ControlWindow) -> None:
        self.set_host(host)
        self.alarm.start()
        self._refresh()

    def set_host(self, host: Tray | ControlWindow) -> None:
        self.host = host
        chain = [n for n in self.notifier.notifiers if n.name != "tray balloon"]
        chain.insert(-1, CallbackNotifier("tray balloon", host.balloon))
        self.notifier.notifiers = chain
        self._refresh()

    def stop(self) -> None:
        """Quit cleanly: an open prompt is recorded as missed, nothing is left running."""
        if self._stopped:
            return
        self._stopped = True
        self._apply(self.planner.shutdown(self._now()), refresh=False)
        self.alarm.stop()
        self._poll.stop()
        self.window.finish()

    def _now(self) -> datetime:
        """The wall-clock time, once the planner has been told of any step of it."""
        now = self.clock.now()
        step = self.planner.observe_clock(now, self.clock.monotonic())
        if step:
            log.info("the wall clock was set by %s; waits keep their real length", step)
            if self._posture_done_for is not None:
                self._posture_done_for += step
        return now

    def _restore_pause(self, now: datetime) -> None:
        """A pause recorded before a restart (a crash or a quit) holds until it ends."""
        last = self._read(lambda: self.store.last_pause(now), None)
        if last is None:
            return
        if self.planner.restore_pause(now, last):
            log.info("still paused until %s (paused before DeskGuard restarted)", iso(last))

    def tick(self) -> None:
        now = self._now()
        self._apply(self.planner.tick(now, self._activity(now)), refresh=False)
        self._maybe_posture_check(now)
        self._refresh()

    def _watching(self, now: datetime) -> bool:
        state = self.planner.state(now)
        return state in (State.WORKING, State.PROMPTING) and self.planner.in_hours(now)

    def _activity(self, now: datetime) -> Activity:
        if not self._watching(now):
            return NO_ACTIVITY
        self._last_idle = self.idle.idle_seconds()
        return Activity(idle_seconds=self._last_idle, held=self.holds.reason())

    # ---- user requests ------------------------------------------------------------
    def snooze(self) -> None:
        self._apply(self.planner.snooze(self._now()))

    def resume(self) -> None:
        self._apply(self.planner.resume(self._now()))

    def start_break(self) -> None:
        self._apply(self.planner.start_break(self._now()))

    def skip(self) -> None:
        self._apply(self.planner.skip(self._now()))

    def finish(self) -> None:
        self._apply(self.planner.finish(self._now()))

    def set_excluded(self, exercise_id: str, excluded: bool) -> None:
        """'Not for me' from the library: that exercise is never prompted (reversible)."""
        self._record(lambda: self.store.set_excluded(exercise_id, excluded, self.clock.now()))
        (self.excluded.add if excluded else self.excluded.discard)(exercise_id)

    def apply_settings(self, settings: Settings) -> None:
        """New settings take effect at once; the next break time moves with them."""
        self.planner.update_settings(settings, self._now())
        self._refresh()
        self.settings_applied.emit(settings)

    def attach_programme(self, coach: Coach, next_reminder: Callable[[], datetime | None]) -> None:
        """The back-care programme: answers `programme` over IPC from now on."""
        self.coach = coach
        self._next_reminder = next_reminder

    def break_now(self) -> None:
        effects = self.planner.break_now(self._now())
        if effects:
            self._apply(effects)
        elif self.planner.active is not None:
            self._present_active()  # already open: bring it back to the front

    def pause(self, minutes: int | None) -> datetime:
        now = self._now()
        if minutes is None:
            until = self.planner.pause_until_tomorrow(now)
        else:
            until = now + timedelta(minutes=minutes)
        self._apply(self.planner.pause(now, until))
        return until

    def show_summary(self) -> None:
        from deskguard.core.stats import WeekSource
        from deskguard.ui.weekly_chart import WeeklyChartWindow  # QtCharts loads only now

        if self._summary is None:
            source = WeekSource(
                self.store,
                self.planner.settings,
                today=lambda: self.clock.now().astimezone(self.tz).date(),
            )
            self._summary = WeeklyChartWindow(source)
        self._summary.source.settings = self.planner.settings  # the goal may have changed
        self._summary.this_week()  # read afresh from the database on every show
        self._summary.show()
        self._summary.raise_()
        self._summary.activateWindow()

    def week_report(self) -> Any:
        today = self.clock.now().astimezone(self.tz).date()
        monday = today - timedelta(days=today.weekday())
        start, end = query_range(monday)
        events = self.store.events_in_range(start, end)
        settings = self.planner.settings
        return week_report(events, monday, settings, history=self.store, today=today)

    # ---- IPC --------------------------------------------------------------------------
    def handle(self, cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        if cmd == "status":
            return self.status()
        if cmd == "break-now":
            self.break_now()
            return {"ok": True, "message": "Break prompt shown."}
        if cmd == "pause":
            return self._handle_pause(args)
        if cmd == "resume":
            if self.planner.paused_until is None:
                return {"ok": True, "message": "DeskGuard was not paused."}
            self._apply(self.planner.resume(self._now()))
            return {"ok": True, "message": "Resumed.", **self.status()}
        if cmd == "programme":
            if self.coach is None:
                return {"ok": False, "error": self.programme_problem}
            return programme_status(self.coach, self._next_reminder())
        if cmd == "quit":
            QTimer.singleShot(0, quit_app)
            return {"ok": True, "message": "DeskGuard is quitting."}
        log.warning("IPC: ignored unknown command %r", cmd)
        return {"ok": False, "error": f"unknown command {cmd!r}"}

    def _handle_pause(self, args: dict[str, Any]) -> dict[str, Any]:
        minutes = args.get("minutes")
        if args.get("until") == "tomorrow":
            until = self.pause(None)
        elif (
            isinstance(minutes, int)
            and not isinstance(minutes, bool)
            and (1 <= minutes <= MAX_PAUSE_MINUTES)
        ):
            until = self.pause(minutes)
        else:
            log.warning("IPC: ignored pause with bad arguments %r", args)
            return {
                "ok": False,
                "error": f"pause needs minutes from 1 to {MAX_PAUSE_MINUTES} or 'tomorrow'",
            }
        return {"ok": True, "message": f"Paused until {iso(until, self.tz)}.", **self.status()}

    def status(self) -> dict[str, Any]:
        now = self._now()
        p = self.planner
        state = p.state(now)
        active = p.active
        return {
            "ok": True,
            "version": __version__,
            # A prompt on screen is still working time for the public `state` (DESIGN §3).
            "state": State.WORKING.value if state is State.PROMPTING else state.value,
            "prompting": state is State.PROMPTING,
            "next_break_at": iso(p.next_break_at(), self.tz),
            "paused_until": iso(p.paused_until, self.tz),
            "snoozes_left": p.snoozes_left(),
            "prompt": None
            if active is None
            else {
                "id": active.prompt.id,
                "source": active.prompt.source,
                "exercise": active.prompt.exercise_id,
                "shown_at": iso(active.shown_at, self.tz),
                "snoozed_until": iso(active.snoozed_until, self.tz),
                "break_ends_at": iso(p.break_ends_at(), self.tz),
            },
            "interval_minutes": p.settings.interval_minutes,
            "held": p.held_reason,
            "idle_backend": self.idle.name,
            "hold_detection": self.holds.name,
            "tray": "system tray" if isinstance(self.host, Tray) else "window",
            "notifier": self.last_notifier or None,
            "problems": self.notes,
            "database": str(self.store.path),
        }

    # ---- effects ------------------------------------------------------------------
    def _apply(self, effects: list[Effect], refresh: bool = True) -> None:
        for effect in effects:
            if isinstance(effect, NewPrompt):
                self._record(lambda e=effect: self.store.add_prompt(e.prompt))
                self._recent.append(effect.prompt.exercise_id or "")
                continue
            self._record(lambda e=effect: self.store.add_event(e))
            self._show(effect)
        if refresh:
            self._refresh()

    def _record(self, write: Any) -> None:
        try:
            write()
        except StoreError as err:
            # Keep the app running; the user is told once per kind of failure.
            log.error("could not record: %s", err)
            if str(err) not in self.notes:
                self.notes.append(str(err))
                self._notify(self.tr("DeskGuard could not save"), str(err))

    def _show(self, event: Event) -> None:
        if event.kind is EventKind.PROMPTED:
            exercise = self._current_exercise()
            n = self.planner.settings.break_minutes
            minutes = self.tr("a minute") if n == 1 else self.tr("{0} minutes").format(n)
            if exercise is None:
                body = self.tr("Take {0} on your feet: a short walk.").format(minutes)
            else:
                body = self.tr("Take {0}: {1}. {2}").format(
                    minutes, exercise.name, why_text(exercise)
                )
            self._notify(self.tr("Time to stand and move"), body)
            self._present_active()
        elif event.kind is EventKind.STARTED:
            self._present_active()
        elif event.kind is EventKind.SNOOZED or event.kind in FINAL_KINDS:
            self.window.finish()

    def _present_active(self) -> None:
        active = self.planner.active
        if active is None:
            return
        exercise = self._current_exercise()
        picture = self.library.picture_path(exercise) if exercise else None
        settings = self.planner.settings
        ends = self.planner.break_ends_at()
        if ends is not None:
            self.window.show_break(exercise, picture, ends, settings.break_minutes * 60)
            return
        if active.snoozed_until is not None:
            return
        sat: int | None = None
        if active.prompt.source != "manual":
            since = self.planner.sitting_since
            sat = max(1, round((self.clock.now() - since).total_seconds() / 60))
        self.window.show_prompt(
            exercise, picture, sat, self.planner.snoozes_left(), settings.snooze_minutes
        )
        if active.prompt.source == "manual":
            self.window.bring_forward()  # asked for: it may take the focus

    def _notify(self, title: str, body: str) -> None:
        self.notifier.notify(title, body, timeout_s=30, done=self._notified)

    def _notified(self, name: str) -> None:
        self.last_notifier = name

    def _refresh(self) -> None:
        now = self._now()
        p = self.planner
        wakes = [t for t in (p.wake_time(), self._posture_due(now)) if t is not None]
        self.alarm.set_wake(min(wakes) if wakes else None)
        wait_ms = self._poll_wait_ms(now)
        if wait_ms is None:
            self._poll.stop()
        else:
            self._poll.start(wait_ms)
        if self.host is not None:
            state = p.state(now)
            self.host.show_status(
                TrayStatus(
                    state=state,
                    now=now,
                    next_break_at=p.next_break_at(),
                    paused_until=p.paused_until,
                    can_snooze=state is State.PROMPTING and p.snoozes_left() > 0,
                    snooze_minutes=p.settings.snooze_minutes,
                    held=p.held_reason,
                    note="; ".join(self.notes[-1:]),
                    watching=self.tr("Away detection: {0}; presentations: {1}").format(
                        self.idle.name, self.holds.name
                    ),
                )
            )

    def _poll_wait_ms(self, now: datetime) -> int | None:
        """When to look at the desktop again, beyond the alarm's own ticks.

        Every tick reads idle time and the presentation state anyway (the due time
        included), so extra looks serve three things: noticing the moment a held prompt
        may be shown; catching an absence as long as a break that might end between two
        heartbeats (an active user cannot have been away a whole break sooner than
        break length - current idle, so that is the wait); and, while the user is away,
        noticing their return. Idle time only tells when the *last* input was, so a user
        who is back and typing looks "back just now" at every later look: the next
        interval counts from the first look that sees them back, hence every 5 s.
        """
        if self._stopped or not self._watching(now):
            return None
        if self.planner.held_reason is not None:
            return HELD_POLL_MS
        if isinstance(self.idle, NullIdle) or self._last_idle is None:
            return None
        if self.planner.away_since is not None:
            return AWAY_POLL_MS
        rest_s = self.planner.settings.break_minutes * 60
        return int(max(1.0, rest_s - self._last_idle + 0.5) * 1000)

    # ---- exercises --------------------------------------------------------------------
    def _pick(self, _now: datetime) -> str | None:
        chosen = pick_exercise(self.library.exercises, self._recent, excluded=self.excluded)
        return chosen.id if chosen else None

    def _current_exercise(self) -> Exercise | None:
        active = self.planner.active
        if active is None or active.prompt.exercise_id is None:
            return None
        try:
            return self.library.exercise(active.prompt.exercise_id)
        except KeyError:
            return None

    def _exercises_shown_today(self, now: datetime) -> list[str]:
        local = now.astimezone(self.tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            prompts = self.store.prompts_between(start, start + timedelta(days=1))
        except StoreError:
            return []
        return [p.exercise_id for p in prompts if p.exercise_id]

    # ---- posture micro-check ---------------------------------------------------------
    def _posture_due(self, now: datetime) -> datetime | None:
        """Halfway through a stretch of sitting, once per stretch; never instead of a break."""
        p = self.planner
        if not p.settings.posture_checks or not self._posture_items:
            return None
        if p.state(now) is not State.WORKING or p.held_reason or p.away_since is not None:
            return None
        if self._posture_done_for == p.sitting_since or p.next_due is None:
            return None
        due = posture_check_time(p.sitting_since, p.settings.interval_minutes)
        return due if due < p.next_due and p.in_hours(due) else None

    def _maybe_posture_check(self, now: datetime) -> None:
        due = self._posture_due(now)
        if due is None or now < due:
            return
        self._posture_done_for = self.planner.sitting_since
        item = next_posture_item(self._posture_items, self._posture_shown)
        if item is None:
            return
        title, body = posture_message(item)
        self._notify(title, body)
        self._posture_shown.append(item.id)
        event = Event(EventKind.POSTURE_CHECK, now.astimezone(self.tz), None, item.id)
        self._record(lambda: self.store.add_event(event))

    def _posture_history(self, now: datetime) -> list[str]:
        events = self._read(
            lambda: self.store.events_in_range(now - timedelta(days=60), now + timedelta(1)), []
        )
        return [e.detail for e in events if e.kind is EventKind.POSTURE_CHECK]

    def _read(self, query: Any, default: Any) -> Any:
        try:
            return query()
        except StoreError as err:
            log.error("could not read: %s", err)
            return default

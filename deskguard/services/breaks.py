"""Carries out what the planner decides, and reports the user's answers back to it.

The planner (core) decides; this service records each effect in the event log, shows
or hides the break view, notifies, re-arms the alarm and refreshes the tray. It sees
the outside world only through core/ports.py and the two small view protocols below;
app.py wires the views' signals to its methods.
"""

from __future__ import annotations

import errno
import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from deskguard.core.clock import Clock
from deskguard.core.model import (
    FINAL_KINDS,
    Event,
    EventKind,
    Exercise,
    Settings,
    State,
    TrayStatus,
)
from deskguard.core.planner import NO_ACTIVITY, Activity, Effect, NewPrompt, Planner
from deskguard.core.ports import (
    Alarm,
    Content,
    EventLog,
    HoldDetector,
    IdleMonitor,
    Notifier,
    RecordError,
)
from deskguard.core.posture import (
    micro_check_items,
    next_posture_item,
    posture_check_time,
    posture_message,
)
from deskguard.core.programme import ProgrammeEvent
from deskguard.core.rotation import gentle_only_reason, pick_exercise, why_text
from deskguard.core.stats import query_range, week_report

log = logging.getLogger("deskguard")

HELD_POLL_MS = 5000  # while a prompt waits for a presentation to end
AWAY_POLL_MS = 5000  # while the user is away: how late their return may be seen

T = TypeVar("T")

# ---- problems: what the tray tooltip and `status` name (issue #18) -------------------
MAX_PROBLEMS = 20  # the latest ones; a status reply must stay far below 64 KB
MAX_PROBLEM_CHARS = 300
MAX_UNSAVED = 1000  # writes kept for a retry while the record cannot be written
RETELL_S = 30 * 60  # the same saving problem, back after it was fixed: told again after this


class ProblemList(list[str]):
    """The latest `limit` problems, each once, with how often it happened.

    A list of sentences (so `status` serialises it as it is, and `notes[-1:]` is the
    latest), but `append` folds a repeat into its first line ("… (3 times)") and moves
    it to the end instead of growing the list. Use `append`/`add` only.
    """

    def __init__(self, items: Iterable[str] = (), limit: int = MAX_PROBLEMS) -> None:
        super().__init__()
        self.limit = limit
        self._keys: list[str] = []
        self._counts: dict[str, int] = {}
        self._texts: dict[str, str] = {}
        for item in items:
            self.add(item)

    def add(self, text: str, key: str | None = None) -> bool:
        """Note `text` (the same `key` replaces it); True when the problem is new."""
        if len(text) > MAX_PROBLEM_CHARS:
            text = text[: MAX_PROBLEM_CHARS - 1] + "…"
        key = text if key is None else key
        new = key not in self._counts
        if not new:
            index = self._keys.index(key)
            del self._keys[index]
            super().__delitem__(index)
        self._counts[key] = self._counts.get(key, 0) + 1
        self._texts[key] = text
        self._keys.append(key)
        count = self._counts[key]
        super().append(text if count == 1 else f"{text} ({count} times)")
        while len(self._keys) > self.limit:
            old = self._keys.pop(0)
            super().__delitem__(0)
            del self._counts[old], self._texts[old]
        return new

    def append(self, text: str, key: str | None = None) -> None:
        self.add(text, key)

    def times(self, key: str) -> int:
        return self._counts.get(key, 0)


def saving_problem(err: Exception) -> tuple[str, str]:
    """(kind, a sentence for the user) for a failed write to the record.

    The store's own message (file, SQLite's words) goes to the log; the user reads what
    happened and what to do, and one kind of problem is told once however many prompts
    it touches. The kind comes from SQLite's error name or the OS error behind it.
    """
    cause = err.__cause__
    name = str(getattr(cause, "sqlite_errorname", "") or "")
    code = getattr(cause, "errno", None)
    text = f"{name} {err}".lower()
    if name.startswith("SQLITE_FULL") or code == errno.ENOSPC or "disk is full" in text:
        return "disk-full", (
            "Your disk is full, so DeskGuard cannot save your breaks. Breaks go on; free some "
            "space and they are saved again by themselves."
        )
    if (
        name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH"))
        or code in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "readonly" in text
        or "read-only" in text
    ):
        return "read-only", (
            "DeskGuard cannot save your breaks: its record or the folder it is in is "
            "read-only. Breaks go on; they are saved again once it can be written."
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return "locked", (
            "Another program is keeping DeskGuard's record locked, so your breaks are not "
            "saved for now. Breaks go on; they are saved once the lock is gone."
        )
    if name.startswith("SQLITE_IOERR") or code == errno.EIO or "i/o error" in text:
        return "disk-error", (
            "DeskGuard cannot write to the disk (an input/output error), so your breaks "
            "are not saved for now. The disk may be failing or was removed."
        )
    return "other", "DeskGuard could not save your breaks. The log says why."


_ENVIRONMENT_KINDS = frozenset({"disk-full", "read-only", "locked", "disk-error"})


class BreakView(Protocol):
    """The break window: a prompt, then the running break with its countdown."""

    def show_prompt(
        self,
        exercise: Exercise | None,
        picture: Path | None,
        sat_minutes: int | None,
        snoozes_left: int,
        snooze_minutes: int,
        note: str = "",
    ) -> None:
        """`note`: why only gentle movement is offered now, in one line (or "")."""
        ...

    def show_break(
        self,
        exercise: Exercise | None,
        picture: Path | None,
        ends_at: datetime,
        total_s: int,
        note: str = "",
    ) -> None: ...

    def bring_forward(self) -> None: ...

    def show_finish(self, moved_s: int, breaks_today: int) -> None:
        """The break was finished: a short "well done", then the window goes by itself."""
        ...

    def dismiss(self) -> None:
        """Hide the window: the prompt or break it showed is over."""
        ...


class PromptNotice(Protocol):
    """The scheduled prompt as a notification with Start / Snooze buttons where the
    desktop shows buttons (adapters/dbus_notify.py), withdrawn once it is answered.

    A pressed button comes back through app.py's wiring to `Breaks.notification_action`.
    """

    name: str

    def show_prompt(
        self,
        title: str,
        body: str,
        plain_body: str,
        buttons: Sequence[tuple[str, str]],
        timeout_s: int,
        done: Callable[[str | None], None],
    ) -> None:
        """`buttons` (key, label) where the daemon shows them, else `plain_body`;
        `done(None)` once shown, `done(why)` if it could not be."""
        ...

    def withdraw_prompt(self) -> None: ...


class StatusView(Protocol):
    """The tray icon, or the small window shown where there is no tray."""

    kind: str  # "system tray" or "window", for `status`

    def show_status(self, status: TrayStatus) -> None: ...


class _NoIdle:
    name = "none"

    def idle_seconds(self) -> float | None:
        return None


class _NoHolds:
    name = "none"

    def reason(self) -> str | None:
        return None


class Breaks(QObject):
    """Carries out what the planner decides and reports the user's answers back to it."""

    # New settings took effect (the programme's coach and reminder follow them).
    settings_applied = Signal(object)

    def __init__(
        self,
        *,
        clock: Clock,
        settings: Settings,
        store: EventLog,
        library: Content,
        notifier: Notifier,
        alarm: Alarm,
        window: BreakView,
        notes: list[str] | None = None,
        tz: tzinfo | None = None,
        idle: IdleMonitor | None = None,
        holds: HoldDetector | None = None,
        interval_override: timedelta | None = None,
        prompt_notice: PromptNotice | None = None,
    ) -> None:
        super().__init__()
        self.prompt_notice = prompt_notice
        self.idle: IdleMonitor = idle or _NoIdle()
        self.holds: HoldDetector = holds or _NoHolds()
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
        self.window = window
        self.notes = ProblemList(notes or [])
        self._saving: str | None = None  # the kind of saving problem now, if any
        self._told: dict[str, float] = {}  # kind -> monotonic time it was last told
        self._unsaved: deque[Callable[[], object]] = deque()  # writes to retry, in order
        self.unsaved_dropped = 0
        self.tz = tz
        self.host: StatusView | None = None
        self.last_notifier = ""
        self._stopped = False
        self._break_began: datetime | None = None  # the running break's start, for its finish
        self._today: tuple[date, int, int] | None = None  # day, taken, prompts with an outcome
        now = clock.now()
        self._recent = self._exercises_shown_today(now)
        # The back-care programme's log, once app.py hands it in (follow_programme), and
        # why the current prompt offers gentle movement only (None: any desk exercise).
        self._programme_events: Callable[[], Sequence[ProgrammeEvent]] | None = None
        self.gentle_reason: str | None = None
        self.planner = Planner(
            settings, now, tz=tz, pick_exercise=self._pick, interval_override=interval_override
        )
        self.planner.observe_clock(now, clock.monotonic())
        self._restore_pause(now)

        self.excluded: set[str] = self.read(store.excluded_exercises, set())
        self._posture_items = micro_check_items(library.checklists)
        self._posture_shown = self._posture_history(now)
        self._posture_done_for: datetime | None = None

    # ---- lifecycle -----------------------------------------------------------------
    def start(self, host: StatusView) -> None:
        self.set_host(host)
        self.alarm.start()
        self._refresh()

    def set_host(self, host: StatusView) -> None:
        self.host = host
        self._refresh()

    def stop(self) -> None:
        """Quit cleanly: an open prompt is recorded as missed, nothing is left running."""
        if self._stopped:
            return
        self._stopped = True
        self._apply(self.planner.shutdown(self._now()), refresh=False)
        if self._unsaved:  # the last write tried them once more
            log.error("%d change(s) to the record could not be saved", len(self._unsaved))
        self.alarm.stop()
        self._poll.stop()
        self.window.dismiss()
        if self.prompt_notice is not None:
            self.prompt_notice.withdraw_prompt()

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
        last = self.read(lambda: self.store.last_pause(now), None)
        if last is None:
            return
        if self.planner.restore_pause(now, last):
            log.info(
                "still paused until %s (paused before DeskGuard restarted)",
                last.isoformat(timespec="seconds"),
            )

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

    def notification_action(self, key: str) -> None:
        """A button of the prompt's notification: "start", "snooze", or "default" (its
        body clicked), which opens the prompt window: the user acted, so it may take
        the focus."""
        if key == "start":
            self.start_break()
        elif key == "snooze":
            self.snooze()
        else:
            self.break_now()

    def resume(self) -> None:
        self._apply(self.planner.resume(self._now()))

    def start_break(self) -> None:
        self._apply(self.planner.start_break(self._now()))

    def skip(self) -> None:
        self._apply(self.planner.skip(self._now()))

    def complete_break(self) -> None:
        """Done pressed: the running break counts as completed now."""
        self._apply(self.planner.complete_break(self._now()))

    def set_excluded(self, exercise_id: str, excluded: bool) -> None:
        """'Not for me' from the library: that exercise is never prompted (reversible)."""
        self.record(lambda: self.store.set_excluded(exercise_id, excluded, self.clock.now()))
        (self.excluded.add if excluded else self.excluded.discard)(exercise_id)

    def apply_settings(self, settings: Settings) -> None:
        """New settings take effect at once; the next break time moves with them."""
        self.planner.update_settings(settings, self._now())
        self._refresh()
        self.settings_applied.emit(settings)

    def break_now(self) -> None:
        effects = self.planner.break_now(self._now())
        if effects:
            self._apply(effects)
        elif self.planner.active is not None:
            self._present_active(asked=True)  # already open: back to the front, focused

    def pause(self, minutes: int | None) -> datetime:
        now = self._now()
        if minutes is None:
            until = self.planner.pause_until_tomorrow(now)
        else:
            until = now + timedelta(minutes=minutes)
        self._apply(self.planner.pause(now, until))
        return until

    # ---- effects ------------------------------------------------------------------
    def _apply(self, effects: list[Effect], refresh: bool = True) -> None:
        for effect in effects:
            if isinstance(effect, NewPrompt):
                self.record(partial(self.store.add_prompt, effect.prompt))
                self._recent.append(effect.prompt.exercise_id or "")
                continue
            self.record(partial(self.store.add_event, effect))
            self._today = None  # counted afresh from the record at the next refresh
            self._show(effect)
        if refresh:
            self._refresh()

    def record(self, write: Callable[[], object]) -> bool:
        """Write to the record, after the writes still waiting from a failure; True when
        everything is written.

        A failure of the environment (a full disk, a locked or read-only database) keeps
        the app running: the write waits (at most MAX_UNSAVED, oldest dropped first) and
        is retried, in order, with the next one, so a prompt is stored before its events
        and nothing is lost once there is room again. The user is told once per kind of
        problem, in words (see `saving_problem`). A programming error is not caught.
        """
        self._unsaved.append(write)
        while self._unsaved:
            try:
                self._unsaved[0]()
            except RecordError as err:
                kind, _text = saving_problem(err)
                if kind not in _ENVIRONMENT_KINDS:
                    # Not the environment: retrying would block every later write.
                    log.error("could not record (not retried): %s", err)
                    self._unsaved.popleft()
                    self._saving_failed(err)
                    continue
                if len(self._unsaved) > MAX_UNSAVED:
                    self._unsaved.popleft()
                    self.unsaved_dropped += 1
                self._saving_failed(err)
                return False
            except BaseException:
                self._unsaved.popleft()  # a bug: raised once, never retried
                raise
            self._unsaved.popleft()
        if self._saving is not None:
            log.warning("the record can be written again; nothing waits to be saved")
            self._saving = None
        return True

    def _saving_failed(self, err: RecordError) -> None:
        kind, text = saving_problem(err)
        log.error("could not record: %s (%d write(s) waiting)", err, len(self._unsaved))
        self.notes.add(text, key=f"saving:{kind}")
        if kind == self._saving:
            return  # the same problem as the last write's: told already
        self._saving = kind
        now = self.clock.monotonic()
        told = self._told.get(kind)
        if told is None or now - told >= RETELL_S:
            self._told[kind] = now
            self.notify(self.tr("DeskGuard cannot save your breaks"), text)

    def add_problem(self, text: str, key: str | None = None) -> None:
        """Name a problem in the tray and `status`; a new one is also notified, once."""
        if self.notes.add(text, key):
            self.notify(self.tr("DeskGuard has a problem"), text)
        self._refresh()

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
            active = self.planner.active
            asked = event.detail == "manual" or (
                active is not None and active.prompt.source == "manual"
            )
            if asked:  # break-now, the tray: the window opens and may take the focus
                self.notify(self.tr("Time to stand and move"), body)
                self._present_active(asked=True)
                return
            self._notify_prompt(self.tr("Time to stand and move"), body)
            # Where a window cannot appear without taking the keyboard (Wayland), the
            # scheduled prompt is the notification and the tray's "waiting": the window
            # opens when the user acts (a button, the tray, break-now).
            if self.window_stays_unfocused():
                self._present_active()
        elif event.kind is EventKind.STARTED:
            self._break_began = event.at
            self._present_active()
        elif event.kind is EventKind.COMPLETED and self._break_began is not None:
            moved = max(0, round((event.at - self._break_began).total_seconds()))
            self._break_began = None
            self.window.show_finish(moved, self._counts_today(event.at)[0])
        elif event.kind is EventKind.SNOOZED or event.kind in FINAL_KINDS:
            self._break_began = None
            self.window.dismiss()
        if event.kind is not EventKind.PROMPTED and self.prompt_notice is not None:
            self.prompt_notice.withdraw_prompt()  # answered: the notification goes too

    def window_stays_unfocused(self) -> bool:
        """Whether the break window can appear without taking the keyboard (not on
        Wayland, where the compositor decides); a view that does not say can."""
        return bool(getattr(self.window, "shows_without_focus", True))

    def _notify_prompt(self, title: str, body: str) -> None:
        """The scheduled prompt's notification: Start / Snooze buttons where the desktop
        shows them, else text saying where to start it; withdrawn once answered."""
        notice = self.prompt_notice
        if self.window_stays_unfocused():
            plain = body
        elif self.host is not None and self.host.kind == "window":
            plain = self.tr("{0} Start it from DeskGuard's window.").format(body)
        else:
            plain = self.tr("{0} Start it from DeskGuard's tray icon.").format(body)
        if notice is None:
            self.notify(title, plain)
            return
        settings = self.planner.settings
        # "default": the notification itself clicked (dunst lists it in its menu).
        buttons = [("default", self.tr("Show the break")), ("start", self.tr("Start break"))]
        if self.planner.snoozes_left() > 0:
            label = self.tr("Snooze {0} min").format(settings.snooze_minutes)
            buttons.append(("snooze", label))
        name = notice.name

        def done(why: str | None) -> None:
            if why is None:
                self.last_notifier = name
                return
            log.warning("the prompt's notification failed (%s): using the chain", why)
            self.notify(title, plain)

        # It stays as long as the prompt can be answered (withdrawn sooner if it is).
        timeout_s = settings.response_window_minutes * 60
        notice.show_prompt(title, body, plain, buttons, timeout_s, done)

    def _present_active(self, asked: bool = False) -> None:
        """Show the running break or the waiting prompt; `asked`: the user asked to see
        it (break-now, the tray, the notification's body), so it may take the focus."""
        active = self.planner.active
        if active is None:
            return
        exercise = self._current_exercise()
        picture = self.library.picture_path(exercise) if exercise else None
        settings = self.planner.settings
        ends = self.planner.break_ends_at()
        if ends is not None:
            self.window.show_break(
                exercise, picture, ends, settings.break_minutes * 60, self.gentle_reason or ""
            )
            return
        if active.snoozed_until is not None:
            return
        sat: int | None = None
        if active.prompt.source != "manual":
            since = self.planner.sitting_since
            sat = max(1, round((self.clock.now() - since).total_seconds() / 60))
        self.window.show_prompt(
            exercise,
            picture,
            sat,
            self.planner.snoozes_left(),
            settings.snooze_minutes,
            self.gentle_reason or "",
        )
        if asked or active.prompt.source == "manual":
            self.window.bring_forward()  # asked for: it may take the focus

    def notify(self, title: str, body: str) -> None:
        """Through the notifier chain, never blocking; `status` names what showed it."""
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
            taken, prompts = self._counts_today(now)
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
                    taken_today=taken,
                    prompts_today=prompts,
                    watching=self.tr("Away detection: {0}; presentations: {1}").format(
                        self.idle.name, self.holds.name
                    ),
                )
            )

    def _counts_today(self, now: datetime) -> tuple[int, int]:
        """Today's breaks taken and prompts with an outcome, by the report's own rules;
        read from the record only when something was recorded or the day changed."""
        day = now.astimezone(self.tz).date()
        if self._today is None or self._today[0] != day:
            monday = day - timedelta(days=day.weekday())
            no_events: list[Event] = []
            events = self.read(lambda: self.store.events_in_range(*query_range(monday)), no_events)
            row = week_report(events, monday, self.planner.settings, today=day).days[day.weekday()]
            self._today = (day, row.breaks, row.counted)
        return self._today[1], self._today[2]

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
        if self._last_idle is None:
            return None
        if self.planner.away_since is not None:
            return AWAY_POLL_MS
        rest_s = self.planner.settings.break_minutes * 60
        return int(max(1.0, rest_s - self._last_idle + 0.5) * 1000)

    # ---- exercises --------------------------------------------------------------------
    def follow_programme(self, events: Callable[[], Sequence[ProgrammeEvent]]) -> None:
        """Let the back-care programme's state shape the prompts (app.py: coach.events).

        While it advises gentle movement only (paused for a warning sign, a fresh
        sharp-pain stop), prompts offer walking, standing and gentle mobility only.
        """
        self._programme_events = events

    def _pick(self, now: datetime) -> str | None:
        self.gentle_reason = None
        if self._programme_events is not None:
            self.gentle_reason = gentle_only_reason(self._programme_events(), now)
        chosen = pick_exercise(
            self.library.exercises,
            self._recent,
            excluded=self.excluded,
            gentle_only=self.gentle_reason,
        )
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
        except RecordError:
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
        self.notify(title, body)
        self._posture_shown.append(item.id)
        event = Event(EventKind.POSTURE_CHECK, now.astimezone(self.tz), None, item.id)
        self.record(lambda: self.store.add_event(event))

    def _posture_history(self, now: datetime) -> list[str]:
        no_events: list[Event] = []
        events = self.read(
            lambda: self.store.events_in_range(now - timedelta(days=60), now + timedelta(1)),
            no_events,
        )
        return [e.detail for e in events if e.kind is EventKind.POSTURE_CHECK]

    def read(self, query: Callable[[], T], default: T) -> T:
        """Read from the record; a failure of the environment gives `default`."""
        try:
            return query()
        except RecordError as err:
            log.error("could not read: %s", err)
            return default

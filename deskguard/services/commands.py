"""The IPC/CLI protocol: a command name and its arguments in, a JSON-ready dict out.

`deskguard status|pause|resume|break-now|programme|quit` reach the running app as
these commands (adapters/instance.py carries the bytes). Bad arguments are answered
with `ok: false` and an error that names what is wrong; nothing here raises for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from deskguard import __version__
from deskguard.core.model import WEEKDAY_FULL_NAMES, State
from deskguard.services.breaks import Breaks

if TYPE_CHECKING:
    from deskguard.core.programme import Status
    from deskguard.services.programme import Coach

log = logging.getLogger("deskguard")

MAX_PAUSE_MINUTES = 24 * 60


def iso(when: datetime | None, tz: tzinfo | None = None) -> str | None:
    return None if when is None else when.astimezone(tz).isoformat(timespec="seconds")


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
        "next_session_day": day(next_session_day(state, settings.programme_days, today)),
        "next_reminder_at": iso(next_reminder),
        "days": [WEEKDAY_FULL_NAMES[d] for d in sorted(settings.programme_days)],
        "time": settings.programme_time.strftime("%H:%M"),
        "reminders": settings.programme_reminders,
    }


class Commands:
    """Answers the CLI's commands from the break service and the programme's coach."""

    def __init__(self, breaks: Breaks, request_quit: Callable[[], None]) -> None:
        self.breaks = breaks
        self.request_quit = request_quit
        self.coach: Coach | None = None
        self.programme_problem = "The back-care programme has not started up."
        # Each idle backend considered at start and why it was chosen, refused or
        # skipped (app.py fills it in from adapters/idle.py's choice).
        self.idle_backends: list[dict[str, str]] = []
        # Whether GNOME's own movement break reminders are on (True/False), or None where
        # unknown (not GNOME, GNOME before 48): app.py keeps it current.
        self.gnome_break_reminders: bool | None = None
        self._next_reminder: Callable[[], datetime | None] = lambda: None

    def attach_programme(self, coach: Coach, next_reminder: Callable[[], datetime | None]) -> None:
        """The back-care programme: answers `programme` from now on."""
        self.coach = coach
        self._next_reminder = next_reminder

    def handle(self, cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        breaks = self.breaks
        if cmd == "status":
            return self.status()
        if cmd == "break-now":
            breaks.break_now()
            return {"ok": True, "message": "Break prompt shown."}
        if cmd == "pause":
            return self._pause(args)
        if cmd == "resume":
            if breaks.planner.paused_until is None:
                return {"ok": True, "message": "DeskGuard was not paused."}
            breaks.resume()
            return {"ok": True, "message": "Resumed.", **self.status()}
        if cmd == "programme":
            if self.coach is None:
                return {"ok": False, "error": self.programme_problem}
            return programme_status(self.coach, self._next_reminder())
        if cmd == "quit":
            self.request_quit()
            return {"ok": True, "message": "DeskGuard is quitting."}
        log.warning("IPC: ignored unknown command %r", cmd)
        return {"ok": False, "error": f"unknown command {cmd!r}"}

    def _pause(self, args: dict[str, Any]) -> dict[str, Any]:
        minutes = args.get("minutes")
        if args.get("until") == "tomorrow":
            until = self.breaks.pause(None)
        elif (
            isinstance(minutes, int)
            and not isinstance(minutes, bool)
            and (1 <= minutes <= MAX_PAUSE_MINUTES)
        ):
            until = self.breaks.pause(minutes)
        else:
            log.warning("IPC: ignored pause with bad arguments %r", args)
            return {
                "ok": False,
                "error": f"pause needs minutes from 1 to {MAX_PAUSE_MINUTES} or 'tomorrow'",
            }
        message = f"Paused until {iso(until, self.breaks.tz)}."
        return {"ok": True, "message": message, **self.status()}

    def status(self) -> dict[str, Any]:
        b = self.breaks
        now = b.clock.now()
        p = b.planner
        state = p.state(now)
        active = p.active
        tz = b.tz
        return {
            "ok": True,
            "version": __version__,
            # A prompt on screen is still working time for the public `state` (DESIGN §3).
            "state": State.WORKING.value if state is State.PROMPTING else state.value,
            "prompting": state is State.PROMPTING,
            "next_break_at": iso(p.next_break_at(), tz),
            "paused_until": iso(p.paused_until, tz),
            "snoozes_left": p.snoozes_left(),
            "prompt": None
            if active is None
            else {
                "id": active.prompt.id,
                "source": active.prompt.source,
                "exercise": active.prompt.exercise_id,
                "shown_at": iso(active.shown_at, tz),
                "snoozed_until": iso(active.snoozed_until, tz),
                "break_ends_at": iso(p.break_ends_at(), tz),
            },
            "interval_minutes": p.settings.interval_minutes,
            "held": p.held_reason,
            "idle_backend": b.idle.name,
            "idle_backends": self.idle_backends,
            # "window": a scheduled prompt opens the break window (without the focus);
            # "notification": it is the notification and the tray (Wayland), and the
            # window opens when the user acts.
            "scheduled_prompt": "window" if b.window_stays_unfocused() else "notification",
            "hold_detection": b.holds.name,
            "tray": b.host.kind if b.host is not None else None,
            # "sni" (StatusNotifierItem), "xembed", "native" (Windows, macOS) or "window"
            # (no tray host: the control window); a host that comes or goes changes it.
            "tray_protocol": getattr(b.host, "protocol", None),
            "gnome_break_reminders": self.gnome_break_reminders,
            "notifier": b.last_notifier or None,
            "problems": b.notes,
            "database": str(b.store.path),
        }

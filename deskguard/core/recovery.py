"""Prompts a crash left open: each gets exactly one final outcome (DESIGN §2).

A prompt normally ends in one final outcome while the app runs; `kill -9`, a power cut or
a crash of the desktop session leave it without one, and it would stay open for good (the
report would show it prompted with no outcome). At the next start the store hands the
open prompts, their events and the last moment the app is known to have been alive to
`interrupted_outcomes`, which decides, with no I/O and no clock of its own:

* every open prompt gets one `missed` event with the detail ``interrupted``;
* it is timestamped when the prompt would have ended had the app lived on (its running
  break's end, its response window, its snooze plus the window, its hold cap), or at the
  last moment the app was alive if that came first, and never before the prompt's own last
  event. So a running break counts the time it really ran (stats count a break from
  `started` to its final event, capped at the break length), and nothing is stamped at
  the start-up that found it;
* a prompt with rows this version cannot read is left alone: a newer DeskGuard may have
  closed it in words we do not know. So is a self-started break stored without any event
  (the app died between its two writes): it was never shown, and a lone outcome would
  make the stats count it as a scheduled prompt.

Run twice, it adds nothing the second time: the closed prompts have a final outcome.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta

from deskguard.core.model import FINAL_KINDS, Event, EventKind, Prompt, Settings

INTERRUPTED = "interrupted"  # the detail of a recovered `missed`
# A reader that does not write (`report`, `export`) only closes a prompt this long past
# the time it would have ended: a running app closes its own prompt at that tick.
GRACE = timedelta(minutes=2)


def would_end_at(prompt: Prompt, trail: Sequence[Event], settings: Settings) -> datetime:
    """When the planner would have closed `prompt` at the latest, had the app lived on.

    `trail` is the prompt's events in time order, none of them final.
    """
    window = timedelta(minutes=settings.response_window_minutes)
    started = [e for e in trail if e.kind is EventKind.STARTED]
    if started:  # the same start the stats count from: the last one
        return started[-1].at + timedelta(minutes=settings.break_minutes)
    if not trail:  # stored, then the crash before it was shown or held
        return prompt.due_at + window
    last = trail[-1]
    if last.kind is EventKind.SNOOZED:
        return _snoozed_until(last, settings) + window
    if last.kind is EventKind.DEFERRED:
        return max(last.at, prompt.due_at + timedelta(minutes=settings.defer_cap_minutes))
    return last.at + window


def _snoozed_until(event: Event, settings: Settings) -> datetime:
    # The planner writes the snooze's end in the detail; older rows may say "+5 min".
    try:
        until = datetime.fromisoformat(event.detail)
    except ValueError:
        until = None
    if until is None or until.tzinfo is None or until <= event.at:
        return event.at + timedelta(minutes=settings.snooze_minutes)
    return until


def interrupted_outcomes(
    prompts: Iterable[Prompt],
    events: Iterable[Event],
    last_alive: datetime | None,
    settings: Settings,
    *,
    now: datetime | None = None,
    unreadable: Collection[str] = (),
) -> list[Event]:
    """One `missed` "interrupted" event per prompt of `prompts` without a final outcome.

    `events` holds the events of those prompts (others are ignored); `last_alive` is the
    last moment the record shows the app alive (its heartbeat or its latest event,
    whichever is newer), None when it shows nothing. With `now` (a reader that does not
    write), only prompts whose end passed `GRACE` ago are closed. Prompts in `unreadable`
    are left alone. The result is in time order.
    """
    trails: dict[str, list[Event]] = {}
    for event in events:
        if event.prompt_id is not None:
            trails.setdefault(event.prompt_id, []).append(event)
    out: list[Event] = []
    for prompt in prompts:
        if prompt.id in unreadable:
            continue
        trail = sorted(trails.get(prompt.id, []), key=lambda e: e.at)  # stable
        if any(e.kind in FINAL_KINDS for e in trail):
            continue
        if not trail and prompt.source == "manual":
            continue
        ends = would_end_at(prompt, trail, settings)
        if now is not None and now < ends + GRACE:
            continue  # it may still be open in a running app
        last = trail[-1].at if trail else prompt.due_at
        alive = last if last_alive is None else last_alive
        at = max(last, min(alive, ends))
        out.append(Event(EventKind.MISSED, at.astimezone(last.tzinfo), prompt.id, INTERRUPTED))
    out.sort(key=lambda e: e.at)
    return out

"""Which desk stretch a prompt shows, the one line that says why it helps, and what the
break must say to keep the user safe.

Rules (issue 3, item 8; issue 15):
- only desk-friendly exercises (done upright in office clothes, no floor work);
- never one the user marked "not for me";
- while the back-care programme advises gentle movement only (`gentle_only_reason`:
  paused for a warning sign, a sharp-pain stop in the last `SHARP_STOP_FRESH`, or steady
  severe pain), only entries marked `gentle` (walking, standing, gentle mobility): never
  strength, loaded or floor work;
- never the one just shown, unless it is the only one left;
- balanced across kinds over a day: the kind used least today comes first, then the
  exercise shown longest ago (or never), then file order, so the choice is deterministic.

Pure Python: no clock, no Qt. The caller passes what was shown today, and `now`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from deskguard.core import programme
from deskguard.core.model import Exercise
from deskguard.core.programme import Kind, ProgrammeEvent

__all__ = [
    "GENTLE_PAUSED",
    "GENTLE_SEVERE",
    "GENTLE_SHARP",
    "SHARP_STOP_FRESH",
    "STOP_LINE",
    "break_safeguards",
    "eligible",
    "gentle_only_reason",
    "pick_exercise",
    "why_text",
]

# How long a sharp-pain stop keeps break prompts gentle. DeskGuard's choice: the articles
# say to stop and skip the routine that day; 24 hours also covers the next working day
# after an evening session, when "today" would have ended at midnight.
SHARP_STOP_FRESH = timedelta(hours=24)

# The one-line reasons the break window shows while prompts stay gentle (our wording).
GENTLE_PAUSED = (
    "Gentle movement only: your back-care programme is paused until a clinician has "
    "looked at the warning signs you reported."
)
GENTLE_SHARP = "Gentle movement only: you reported sharp pain. " + programme.AFTER_SHARP
GENTLE_SEVERE = (
    f"Gentle movement only: your last pain ratings were {programme.SEVERE_PAIN} or more "
    "out of 10. Please have your back looked at."
)

# The standing line of every break (000-004 all say to stop on this kind of pain).
STOP_LINE = "Stop if you feel sharp, shooting or radiating pain."


def gentle_only_reason(events: Sequence[ProgrammeEvent], now: datetime) -> str | None:
    """Why break prompts must offer only gentle movement now, in one line; None if not.

    `events` is the programme's log (oldest first), `now` timezone-aware. A pause the
    user chose ("user") does not count: only one for a warning sign does.
    """
    state = programme.status(events, now.date())
    if state.paused and any(r != "user" for r in state.pause_reasons):
        return GENTLE_PAUSED
    for e in events:
        sharp = e.kind is Kind.SESSION_STOPPED or (
            e.kind is Kind.PAIN and e.sensation is not None and e.sensation.is_bad
        )
        if sharp and timedelta(0) <= now - e.at < SHARP_STOP_FRESH:
            return GENTLE_SHARP
    if state.started is not None and state.steady_severe_pain:
        return GENTLE_SEVERE
    return None


def break_safeguards(exercise: Exercise | None, gentle_reason: str | None = None) -> list[str]:
    """What a break says under the exercise, most important first: the gentle-only reason
    (when prompts are gentle only), then the exercise's own cautions (the first is the
    one to show when collapsed). A plain walking break (None) has none of its own.

    `STOP_LINE` is not included: the window shows it on every break.
    """
    lines = [gentle_reason] if gentle_reason else []
    if exercise is not None:
        lines.extend(exercise.cautions)
    return lines


def eligible(
    candidates: Iterable[Exercise], excluded: Iterable[str] = (), gentle_only: bool = False
) -> list[Exercise]:
    """The exercises a prompt may show: desk-friendly, not excluded and, when
    `gentle_only`, marked gentle; in input order."""
    skip = set(excluded)
    return [
        e
        for e in candidates
        if e.desk_friendly and e.id not in skip and (e.gentle or not gentle_only)
    ]


def pick_exercise(
    candidates: Sequence[Exercise],
    recent: Sequence[str],
    excluded: Iterable[str] = (),
    gentle_only: str | bool | None = None,
) -> Exercise | None:
    """Pick from `candidates`; `recent` lists the ids shown today, oldest first.

    `gentle_only`: the reason gentle movement only is advised (`gentle_only_reason`), or
    None/False; when set, only exercises marked gentle are picked.
    Ids in `recent` that are not candidates (an empty string for a plain walking prompt,
    an exercise since removed) are ignored for balancing but still count as "just shown".
    Returns None when nothing is eligible; the caller then shows a plain walking break
    (which is gentle too).
    """
    pool = eligible(candidates, excluded, gentle_only=bool(gentle_only))
    if len(pool) > 1 and recent:
        pool = [e for e in pool if e.id != recent[-1]] or pool
    if not pool:
        return None
    by_id = {e.id: e for e in candidates}
    kinds_used = Counter(by_id[i].kind for i in recent if i in by_id)
    last_seen = {exercise_id: index for index, exercise_id in enumerate(recent)}
    position = {e.id: index for index, e in enumerate(candidates)}

    def order(e: Exercise) -> tuple[int, int, int]:
        return (kinds_used[e.kind], last_seen.get(e.id, -1), position[e.id])

    return min(pool, key=order)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def why_text(exercise: Exercise, max_chars: int = 160) -> str:
    """A short "why this one helps" line for a prompt or notification.

    The first sentence of `exercise.why` when it fits in `max_chars`; otherwise the text
    cut at a word boundary with an ellipsis. Empty `why` gives a line built from targets.
    """
    why = " ".join(exercise.why.split())
    if not why:
        if exercise.targets:
            return f"Works the {_join(exercise.targets)}."
        return ""
    first = _SENTENCE_END.split(why, maxsplit=1)[0]
    if len(first) <= max_chars:
        return first
    cut = first[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"


def _join(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]

"""Which desk stretch a prompt shows, and the one line that says why it helps.

Rules (issue 3, item 8):
- only desk-friendly exercises (done upright in office clothes, no floor work);
- never one the user marked "not for me";
- never the one just shown, unless it is the only one left;
- balanced across kinds over a day: the kind used least today comes first, then the
  exercise shown longest ago (or never), then file order, so the choice is deterministic.

Pure Python: no clock, no Qt. The caller passes what was shown today.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from deskguard.core.model import Exercise

__all__ = ["eligible", "pick_exercise", "why_text"]


def eligible(candidates: Iterable[Exercise], excluded: Iterable[str] = ()) -> list[Exercise]:
    """The exercises a prompt may show: desk-friendly and not excluded, in input order."""
    skip = set(excluded)
    return [e for e in candidates if e.desk_friendly and e.id not in skip]


def pick_exercise(
    candidates: Sequence[Exercise],
    recent: Sequence[str],
    excluded: Iterable[str] = (),
) -> Exercise | None:
    """Pick from `candidates`; `recent` lists the ids shown today, oldest first.

    Ids in `recent` that are not candidates (an empty string for a plain walking prompt,
    an exercise since removed) are ignored for balancing but still count as "just shown".
    Returns None when nothing is eligible; the caller then shows a plain walking break.
    """
    pool = eligible(candidates, excluded)
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

"""Which desk stretch a prompt shows: never the one just shown, balanced across kinds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from deskguard.core.model import Exercise


def pick_exercise(
    candidates: Sequence[Exercise],
    recent: Sequence[str],
    excluded: Iterable[str] = (),
) -> Exercise | None:
    """Pick from `candidates`; `recent` lists the ids shown before, oldest first.

    The least-used kind today wins, then the exercise shown longest ago (or never),
    so a day's breaks cycle through stretches, mobility and strength moves evenly.
    """
    skip = set(excluded)
    pool = [e for e in candidates if e.id not in skip]
    if len(pool) > 1 and recent:
        pool = [e for e in pool if e.id != recent[-1]] or pool
    if not pool:
        return None
    by_id = {e.id: e for e in candidates}
    kinds_used = Counter(by_id[i].kind for i in recent if i in by_id)
    last_seen = {exercise_id: index for index, exercise_id in enumerate(recent)}

    def order(e: Exercise) -> tuple[int, int, int]:
        return (kinds_used[e.kind], last_seen.get(e.id, -1), candidates.index(e))

    return min(pool, key=order)

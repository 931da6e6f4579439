"""The posture micro-check: one light reminder between breaks (issue 3, item 9).

A notification only, with one posture or workstation question. It is recorded as its
own event kind (EventKind.POSTURE_CHECK, detail = the item id) and never counts as a
break. Items rotate without repeats until every one has been shown, then start over.

Pure Python: the caller passes the history and the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from deskguard.core.model import Checklist, ChecklistItem

__all__ = [
    "MICRO_CHECK_LISTS",
    "NOT_FOR_MICRO_CHECK",
    "micro_check_items",
    "next_posture_item",
    "posture_check_time",
    "posture_message",
]

# Checklists whose items make sense as an in-the-moment "check yourself now" nudge.
MICRO_CHECK_LISTS: tuple[str, ...] = ("posture", "workstation")
# Items that are habits to review, not something to check in a glance while working.
NOT_FOR_MICRO_CHECK: frozenset[str] = frozenset({"posture-reminders", "tightness-and-gait"})


def micro_check_items(checklists: Iterable[Checklist]) -> tuple[ChecklistItem, ...]:
    """Posture items first, then workstation items, minus the review-only ones."""
    by_id = {c.id: c for c in checklists}
    return tuple(
        item
        for list_id in MICRO_CHECK_LISTS
        if list_id in by_id
        for item in by_id[list_id].items
        if item.id not in NOT_FOR_MICRO_CHECK
    )


def next_posture_item(items: Sequence[ChecklistItem], shown: Sequence[str]) -> ChecklistItem | None:
    """The next item to show; `shown` lists the item ids shown so far, oldest first.

    The history is read as cycles: a cycle ends once every current item has been shown.
    Within the current cycle, the first item (in list order) not yet shown wins. At the
    start of a new cycle the item shown last is not repeated straight away. Ids that are
    no longer in `items` are ignored. None only when `items` is empty.
    """
    if not items:
        return None
    ids = {item.id for item in items}
    in_cycle: set[str] = set()
    for item_id in shown:
        if item_id not in ids:
            continue
        in_cycle.add(item_id)
        if in_cycle == ids:
            in_cycle = set()
    last = next((i for i in reversed(shown) if i in ids), None)
    fresh = [item for item in items if item.id not in in_cycle]
    if len(fresh) > 1 and last is not None:
        fresh = [item for item in fresh if item.id != last] or fresh
    return fresh[0]


def posture_check_time(sitting_since: datetime, interval_minutes: int) -> datetime:
    """Halfway between breaks: `sitting_since` plus half the break interval."""
    if interval_minutes <= 0:
        raise ValueError(f"interval_minutes must be positive, got {interval_minutes}")
    return sitting_since + timedelta(minutes=interval_minutes / 2)


def posture_message(item: ChecklistItem) -> tuple[str, str]:
    """Title and body of the notification for `item`."""
    return "Quick posture check", f"{item.text} {item.reason}"

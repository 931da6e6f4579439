"""Posture micro-check: rotation without repeats, timing halfway between breaks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import pairwise

import pytest

from deskguard.adapters.content import load_library
from deskguard.core.model import Checklist, ChecklistItem
from deskguard.core.posture import (
    NOT_FOR_MICRO_CHECK,
    micro_check_items,
    next_posture_item,
    posture_check_time,
    posture_message,
)

ITEMS = tuple(ChecklistItem(i, f"Is {i} fine?", f"{i} matters.") for i in ("a", "b", "c"))


def run(items: tuple[ChecklistItem, ...], shown: list[str], times: int) -> list[str]:
    for _ in range(times):
        item = next_posture_item(items, shown)
        assert item is not None
        shown.append(item.id)
    return shown


def test_every_item_once_before_any_repeat() -> None:
    shown = run(ITEMS, [], 3)
    assert sorted(shown) == ["a", "b", "c"]


def test_cycles_start_over_without_an_immediate_repeat() -> None:
    shown = run(ITEMS, [], 9)
    for start in range(0, 9, 3):
        assert sorted(shown[start : start + 3]) == ["a", "b", "c"]
    assert all(x != y for x, y in pairwise(shown))


def test_history_with_removed_items_still_rotates() -> None:
    shown = run(ITEMS, ["gone", "b", "old"], 3)
    assert sorted(["b", *shown[3:5]]) == ["a", "b", "c"]
    assert shown[5] != shown[4]


def test_single_item_and_no_items() -> None:
    one = ITEMS[:1]
    assert run(one, [], 3) == ["a", "a", "a"]
    assert next_posture_item((), ["a"]) is None


def test_micro_check_items_come_from_posture_then_workstation() -> None:
    library = load_library()
    items = micro_check_items(library.checklists)
    posture = library.checklist("posture").items
    workstation = library.checklist("workstation").items
    ids = [i.id for i in items]
    assert ids[0] == posture[0].id
    assert set(ids) == {i.id for i in (*posture, *workstation)} - NOT_FOR_MICRO_CHECK
    assert not set(ids) & {i.id for i in library.checklist("sleep").items}


def test_micro_check_items_tolerate_missing_lists() -> None:
    only = Checklist("posture", "Posture", ITEMS)
    assert micro_check_items([only]) == ITEMS
    assert micro_check_items([]) == ()


def test_check_time_is_halfway_between_breaks() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert posture_check_time(start, 60) == start + timedelta(minutes=30)
    assert posture_check_time(start, 45) == start + timedelta(minutes=22, seconds=30)
    assert posture_check_time(start, 45).utcoffset() == timedelta(hours=1)


def test_check_time_rejects_a_bad_interval() -> None:
    with pytest.raises(ValueError, match="positive"):
        posture_check_time(datetime(2026, 1, 1, tzinfo=timezone.utc), 0)


def test_message_has_the_question_and_the_reason() -> None:
    title, body = posture_message(ITEMS[0])
    assert title
    assert body == "Is a fine? a matters."

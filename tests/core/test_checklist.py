"""Checklist score and the 30-day re-check."""

from __future__ import annotations

from datetime import date

import pytest

from deskguard.core.checklist import RECHECK_DAYS, Score, checklist_due, next_due, score
from deskguard.core.model import Checklist, ChecklistItem

LIST = Checklist(
    "workstation",
    "Workstation",
    tuple(ChecklistItem(i, f"{i}?", "r") for i in ("a", "b", "c", "d")),
)


def test_score_counts_ticked_over_all_items() -> None:
    assert score({"a": True, "b": False, "c": True}, LIST) == Score(2, 4)
    assert str(score({"a": True, "b": True, "c": True, "d": True}, LIST)) == "4/4"


def test_score_ignores_answers_to_items_not_on_the_list() -> None:
    assert score({"a": True, "removed": True}, LIST) == Score(1, 4)


def test_score_without_a_list_counts_every_answer() -> None:
    assert score({"x": True, "y": False}) == Score(1, 2)
    assert score({}) == Score(0, 0)


@pytest.mark.parametrize(
    ("result", "percent"), [(Score(0, 0), None), (Score(1, 3), 33), (Score(4, 4), 100)]
)
def test_percent(result: Score, percent: int | None) -> None:
    assert result.percent == percent


def test_due_on_first_run() -> None:
    assert checklist_due(None, date(2026, 11, 23))
    assert next_due(None, date(2026, 11, 23)) == date(2026, 11, 23)


def test_due_again_after_thirty_days_not_before() -> None:
    saved = date(2026, 11, 1)
    assert RECHECK_DAYS == 30
    assert not checklist_due(saved, saved)
    assert not checklist_due(saved, date(2026, 11, 30))  # day 29
    assert checklist_due(saved, date(2026, 12, 1))  # day 30
    assert checklist_due(saved, date(2027, 3, 1))
    assert next_due(saved, saved) == date(2026, 12, 1)


def test_a_save_dated_in_the_future_is_not_due() -> None:
    # A clock that jumped back must not nag every day.
    assert not checklist_due(date(2026, 12, 24), date(2026, 11, 23))

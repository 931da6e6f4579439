"""Workstation checklist dialog: tick, reasons, score, Save emits the answers, last date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import load_library
from deskguard.core.checklist import ChecklistResult, Score
from deskguard.core.model import Checklist
from deskguard.ui.checklist import ChecklistDialog, ChecklistForm, long_date

BERLIN = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def workstation() -> Checklist:
    return load_library().checklist("workstation")


def make(
    qtbot: QtBot, checklist: Checklist, last: ChecklistResult | None = None
) -> ChecklistDialog:
    dialog = ChecklistDialog(checklist, lambda: NOW, last)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_every_item_with_its_reason(qtbot: QtBot, workstation: Checklist) -> None:
    dialog = make(qtbot, workstation)
    assert "Workstation" in dialog.windowTitle()
    rows = dialog.form.rows
    assert [r.item.id for r in rows] == [i.id for i in workstation.items]
    for row, item in zip(rows, workstation.items, strict=True):
        assert row.question.text() == item.text
        assert row.reason.text() == item.reason
        assert row.box.accessibleName() == item.text
        assert not row.box.isChecked()
    assert dialog.form.score_label.text() == f"0 of {len(rows)} in place"
    assert dialog.last_label.text() == "Not checked before."


def test_ticking_updates_the_score(qtbot: QtBot, workstation: Checklist) -> None:
    dialog = make(qtbot, workstation)
    total = len(workstation.items)
    with qtbot.waitSignal(dialog.form.changed, timeout=1000) as signal:
        dialog.form.rows[0].box.click()
    assert signal.args == [Score(1, total)]
    qtbot.keyClick(dialog.form.rows[1].box, Qt.Key.Key_Space)
    assert dialog.form.score() == Score(2, total)
    assert dialog.form.score_label.text() == f"2 of {total} in place"


def test_clicking_the_question_ticks_the_box(qtbot: QtBot, workstation: Checklist) -> None:
    dialog = make(qtbot, workstation)
    row = dialog.form.rows[2]
    qtbot.mouseClick(row.question, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert row.box.isChecked()


def test_save_emits_answers_score_and_time(qtbot: QtBot, workstation: Checklist) -> None:
    dialog = make(qtbot, workstation)
    dialog.form.set_ticked("feet-flat", True)
    dialog.form.set_ticked("lumbar-support", True)
    with qtbot.waitSignal(dialog.saved, timeout=1000) as signal:
        dialog.save_button.click()
    result = signal.args[0]
    assert isinstance(result, ChecklistResult)
    assert result.checklist_id == "workstation"
    assert result.taken_at == NOW
    assert result.score == Score(2, len(workstation.items))
    assert set(result.answers) == {i.id for i in workstation.items}
    assert result.answers["feet-flat"] and not result.answers["monitor-at-eye-level"]
    assert not dialog.isVisible()


def test_ctrl_s_saves_and_esc_cancels(qtbot: QtBot, workstation: Checklist) -> None:
    dialog = make(qtbot, workstation)
    with qtbot.waitActive(dialog, timeout=1000):  # shortcuts belong to the active window
        dialog.activateWindow()
    with qtbot.waitSignal(dialog.saved, timeout=1000):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    other = make(qtbot, workstation)
    with qtbot.assertNotEmitted(other.saved):
        qtbot.keyClick(other, Qt.Key.Key_Escape)
    assert not other.isVisible()


def test_shows_the_last_check_and_starts_from_its_answers(
    qtbot: QtBot, workstation: Checklist
) -> None:
    last = ChecklistResult(
        "workstation",
        datetime(2026, 11, 10, 23, 30, tzinfo=timezone.utc),  # 11 November in Berlin
        {"feet-flat": True},
        Score(1, 4),
    )
    dialog = make(qtbot, workstation, last)
    text = dialog.last_label.text()
    assert "11 November 2026" in text and "1 of 4" in text
    assert "Next check due 11 December 2026" in text
    ticked = [r.item.id for r in dialog.form.rows if r.box.isChecked()]
    assert ticked == ["feet-flat"]


def test_an_overdue_check_does_not_announce_a_due_date(
    qtbot: QtBot, workstation: Checklist
) -> None:
    last = ChecklistResult("workstation", NOW - timedelta(days=45), {}, Score(0, 4))
    dialog = make(qtbot, workstation, last)
    assert "Next check due" not in dialog.last_label.text()


def test_form_alone_and_unknown_item(qtbot: QtBot, workstation: Checklist) -> None:
    form = ChecklistForm(workstation, {"monitor-at-eye-level": True, "gone": True})
    qtbot.addWidget(form)
    assert form.score() == Score(1, len(workstation.items))
    with pytest.raises(KeyError):
        form.set_ticked("no-such-item", True)


def test_long_date() -> None:
    assert long_date(date(2026, 3, 1)) == "1 March 2026"

"""Library window: browse, search, filter, avoid list, detail, hold timer, "Not for me"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from deskguard.adapters.content import Library, load_library
from deskguard.ui.library import (
    LIST_ICON,
    TITLE,
    HoldTimer,
    LibraryWindow,
    clock_text,
    hold_seconds,
    search_words,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: QtBot, library: Library, clock: Clock) -> LibraryWindow:
    pictures = {e.id: library.picture_path(e) for e in library.exercises}
    w = LibraryWindow(library.exercises, library.avoid, pictures, {"squat"}, clock)
    qtbot.addWidget(w)
    w.show()
    return w


def exercise_ids(window: LibraryWindow) -> list[str]:
    return [i for i in window.visible_ids() if not i.startswith("avoid:")]


def test_lists_every_exercise_and_avoid_entry(window: LibraryWindow, library: Library) -> None:
    assert window.windowTitle() == TITLE
    shown = window.visible_ids()
    assert sorted(exercise_ids(window)) == sorted(e.id for e in library.exercises)
    assert {f"avoid:{a.id}" for a in library.avoid} <= set(shown)
    # Desk-friendly moves come first, the avoid entries last.
    desk = [e.id for e in library.exercises if e.desk_friendly]
    assert shown[: len(desk)] == desk
    assert shown[-len(library.avoid) :] == [f"avoid:{a.id}" for a in library.avoid]
    assert window.count.text() == f"{len(library.exercises)} exercises"
    assert window.current_exercise == desk[0]


def test_search_matches_name_and_muscles(window: LibraryWindow) -> None:
    window.search.setText("HAMSTRING")
    ids = exercise_ids(window)
    assert "standing-hamstring-stretch" in ids and "seated-hamstring-stretch" in ids
    assert "wall-plank" not in ids
    window.search.setText("glutes bridge")  # every word must match
    assert exercise_ids(window) == ["glute-bridge"]
    assert window.current_exercise == "glute-bridge"
    window.search.setText("crunch")
    assert window.visible_ids() == ["avoid:crunches"]


def test_filters_by_position_kind_and_desk(window: LibraryWindow, library: Library) -> None:
    window.position_filter.setCurrentIndex(window.position_filter.findData("kneeling"))
    assert set(exercise_ids(window)) == {
        e.id for e in library.exercises if e.position == "kneeling"
    }
    assert not any(i.startswith("avoid:") for i in window.visible_ids())
    window.position_filter.setCurrentIndex(0)
    window.kind_filter.setCurrentIndex(window.kind_filter.findData("warm-up"))
    assert set(exercise_ids(window)) == {e.id for e in library.exercises if e.kind == "warm-up"}
    window.kind_filter.setCurrentIndex(0)
    window.desk_only.setChecked(True)
    assert set(exercise_ids(window)) == {e.id for e in library.desk_friendly()}
    assert window.count.text() == f"{len(library.desk_friendly())} of 25 exercises shown"


def test_nothing_matching_says_so_and_shows_no_detail(window: LibraryWindow) -> None:
    window.search.setText("zzz-no-such-move")
    assert window.visible_ids() == []
    assert window.no_match.isVisible()
    assert window.current_exercise is None
    assert window.pages.currentIndex() == 0
    window.search.clear()
    assert not window.no_match.isVisible()
    assert window.current_exercise is not None


def test_detail_shows_everything_about_the_exercise(
    window: LibraryWindow, library: Library
) -> None:
    exercise = library.exercise("seated-hamstring-stretch")
    window.show_exercise(exercise.id)
    assert window.name.text() == exercise.name
    assert window.picture.isVisibleTo(window)
    assert window.dose.text() == "Hold 20–30 s, each side"
    assert window.dose_note.text() == exercise.dose.note
    for step in exercise.steps:
        assert step.replace("'", "&#x27;") in window.steps.text()
    for cue in exercise.cues:
        assert cue.replace("'", "&#x27;") in window.cues.text()
    assert window.cautions.isVisibleTo(window)
    assert "hamstrings" in window.targets.text()
    assert window.why.text() == exercise.why


def test_choosing_an_avoid_entry_shows_why_and_what_instead(
    window: LibraryWindow, library: Library
) -> None:
    entry = library.avoid[0]
    item = window._items[f"avoid:{entry.id}"]
    window.list.setCurrentItem(item)
    assert window.pages.currentIndex() == 2
    assert window.avoid_name.text() == entry.name
    assert window.avoid_why.text() == entry.why
    assert window.avoid_instead.text() == entry.instead
    assert "never" in window.avoid_badge.text()
    assert not window.hold.isVisibleTo(window)


def test_keyboard_moves_through_the_list(qtbot: QtBot, window: LibraryWindow) -> None:
    window.list.setFocus()
    first = window.current_exercise
    qtbot.keyClick(window.list, Qt.Key.Key_Down)
    assert window.current_exercise not in (None, first)


def test_ctrl_f_focuses_search_and_esc_clears_then_closes(
    qtbot: QtBot, window: LibraryWindow
) -> None:
    with qtbot.waitActive(window, timeout=1000):  # shortcuts belong to the active window
        window.activateWindow()
    window.list.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search
    window.search.setText("plank")
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == "" and window.isVisible()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_controls_have_accessible_names(window: LibraryWindow) -> None:
    for widget in (
        window.search,
        window.position_filter,
        window.kind_filter,
        window.desk_only,
        window.list,
        window.not_for_me,
        window.hold.button,
        window.hold.countdown,
        window.picture,
    ):
        assert widget.accessibleName(), widget


# ---- "Not for me" ----


def test_not_for_me_reflects_the_exclusions_taken_in(window: LibraryWindow) -> None:
    window.show_exercise("squat")
    assert window.not_for_me.isChecked()
    assert "not for me" in window._items["squat"].text()
    window.show_exercise("leg-swings")
    assert not window.not_for_me.isChecked()


def test_not_for_me_emits_and_is_reversible(qtbot: QtBot, window: LibraryWindow) -> None:
    window.show_exercise("leg-swings")
    with qtbot.waitSignal(window.exclusion_changed, timeout=1000) as signal:
        window.not_for_me.click()
    assert signal.args == ["leg-swings", True]
    assert "leg-swings" in window.excluded
    assert "not for me" in window._items["leg-swings"].text()
    with qtbot.waitSignal(window.exclusion_changed, timeout=1000) as signal:
        window.not_for_me.click()
    assert signal.args == ["leg-swings", False]
    assert "not for me" not in window._items["leg-swings"].text()


def test_showing_an_exercise_does_not_emit(qtbot: QtBot, window: LibraryWindow) -> None:
    with qtbot.assertNotEmitted(window.exclusion_changed):
        window.show_exercise("squat")
        window.show_exercise("wall-plank")
        window.set_excluded({"wall-plank"})
    assert window.not_for_me.isChecked()
    assert "not for me" not in window._items["squat"].text()


# ---- the hold timer ----


def test_hold_counts_down_from_the_injected_clock(
    qtbot: QtBot, window: LibraryWindow, clock: Clock
) -> None:
    window.show_exercise("standing-hamstring-stretch")  # hold 20–30 s, not per side
    hold = window.hold
    assert hold.isVisibleTo(window)
    assert hold.countdown.text() == "0:30" and not hold.timer_active
    hold.button.click()
    assert hold.running and hold.timer_active
    clock.advance(12.4)
    hold.tick()
    assert hold.countdown.text() == "0:18"
    clock.advance(20)
    with qtbot.waitSignal(hold.finished, timeout=1000):
        hold.tick()
    assert hold.countdown.text() == "Done"
    assert not hold.running and not hold.timer_active


def test_per_side_hold_alternates_sides(qtbot: QtBot, window: LibraryWindow, clock: Clock) -> None:
    window.show_exercise("seated-hamstring-stretch")  # 20–30 s each side
    hold = window.hold
    assert hold.side == 1 and "1 of 2" in hold.side_label.text()
    hold.start()
    clock.advance(30)
    with qtbot.waitSignal(hold.side_finished, timeout=1000) as first:
        hold.tick()
    assert first.args == [1]
    assert hold.side == 2 and "2 of 2" in hold.side_label.text()
    assert not hold.timer_active  # waits for the user to switch sides
    assert "other side" in hold.button.text()
    hold.start()
    clock.advance(31)
    with qtbot.waitSignals([hold.side_finished, hold.finished], timeout=1000):
        hold.tick()
    hold.start()  # starts over from side one
    assert hold.side == 1 and hold.running


def test_stopping_resets_the_side_and_stops_the_timer(window: LibraryWindow, clock: Clock) -> None:
    window.show_exercise("standing-hamstring-stretch")
    window.hold.start()
    clock.advance(5)
    window.hold.tick()
    window.hold.button.click()
    assert not window.hold.running and not window.hold.timer_active
    assert window.hold.countdown.text() == "0:30"


def test_changing_exercise_or_hiding_stops_a_running_hold(
    window: LibraryWindow, clock: Clock
) -> None:
    window.show_exercise("standing-hamstring-stretch")
    window.hold.start()
    window.show_exercise("wall-plank")
    assert not window.hold.timer_active
    window.hold.start()
    window.hide()
    assert not window.hold.timer_active


def test_no_hold_timer_for_rep_based_moves(window: LibraryWindow) -> None:
    window.show_exercise("squat")
    assert not window.hold.isVisibleTo(window)


def test_hold_timer_alone(qtbot: QtBot, clock: Clock, library: Library) -> None:
    hold = HoldTimer(clock)
    qtbot.addWidget(hold)
    hold.set_dose(library.exercise("walking-break").dose)  # a time, not a hold
    assert hold.countdown.text() == "3:00"
    hold.set_dose(None)
    hold.start()
    assert not hold.running


def test_helpers(library: Library) -> None:
    assert clock_text(75) == "1:15"
    assert hold_seconds(library.exercise("kneeling-hip-flexor-stretch").dose) == 60
    assert hold_seconds(library.exercise("squat").dose) is None


# ---- content as the library shows it ----


def test_user_facing_text_never_cites_a_seed_file(library: Library) -> None:
    """Attribution lives in `sources`; what the user reads says no "004 warns …"."""
    seed_ref = re.compile(r"\b00[0-4]\b")
    texts: list[tuple[str, str]] = []
    for e in library.exercises:
        for text in (
            e.name, e.why, *e.steps, *e.cues, *e.cautions, e.dose.note, *e.targets,
            e.dose_choice, e.steps_choice, *e.aliases,
        ):  # fmt: skip
            texts.append((e.id, text))
    for a in library.avoid:
        texts += [(a.id, a.name), (a.id, a.why), (a.id, a.instead)]
    for c in library.checklists:
        texts.append((c.id, c.title))
        texts += [(i.id, t) for i in c.items for t in (i.text, i.reason)]
    texts += [(r.id, t) for r in library.red_flags for t in (r.text, r.threshold)]
    texts.append(("disclaimer", library.disclaimer))
    assert [(i, t) for i, t in texts if seed_ref.search(t)] == []


# ---- issue 15: the articles' names, readable thumbnails, evidence told apart ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lunge", "kneeling-hip-flexor-stretch"),
        ("deep lunge hip flexor", "kneeling-hip-flexor-stretch"),
        ("knees-to-chest", "knee-to-chest"),
        ("knees to chest", "knee-to-chest"),
        ("superman", "prone-back-extension"),
        ("child's pose", "childs-pose"),
        ("Bird-Dogs", "bird-dog"),
        ("deadlift", "modified-deadlift"),
    ],
)
def test_search_finds_the_names_the_articles_use(
    window: LibraryWindow, query: str, expected: str
) -> None:
    window.search.setText(query)
    assert expected in exercise_ids(window)
    assert window.current_exercise == exercise_ids(window)[0]


def test_lunge_finds_only_the_lunge(window: LibraryWindow) -> None:
    window.search.setText("lunge")
    assert exercise_ids(window) == ["kneeling-hip-flexor-stretch"]
    assert "deep lunge hip flexor" in window.aliases.text() and window.aliases.isVisible()


def test_search_words_fold_apostrophes_and_hyphens() -> None:
    assert search_words("Child’s  KNEES-to-chest") == ["childs", "knees", "to", "chest"]


def test_list_thumbnails_are_large_enough_to_read(window: LibraryWindow) -> None:
    assert LIST_ICON >= 56
    assert window.list.iconSize().width() >= 56 and window.list.iconSize().height() >= 56
    item = window.list.item(1)  # the first exercise under its group's header
    assert item is not None and not item.icon().isNull()
    sizes = item.icon().availableSizes()
    assert sizes and min(s.width() for s in sizes) >= 56


def test_our_suggestion_is_marked_with_why(window: LibraryWindow) -> None:
    window.show_exercise("cat-cow")  # the articles give no count: the dose is ours
    assert window.dose_source.isVisible()
    assert "our suggestion" in window.dose_source.text()
    assert "DeskGuard's suggestion" in window.dose_source.toolTip()
    assert "no count" in window.dose_source.toolTip()
    assert "from the articles" in window.steps_source.text()
    assert "Lower Back Pain Relief Exercises" in window.steps_source.toolTip()

    window.show_exercise("seated-hamstring-stretch")  # adapted to a chair: partly ours
    assert "partly our suggestion" in window.steps_source.text()
    assert "chair" in window.steps_source.toolTip()

    window.show_exercise("glute-bridge")  # the articles' beginner dose
    assert "from the articles" in window.dose_source.text()
    assert "suggestion" not in window.dose_source.toolTip()

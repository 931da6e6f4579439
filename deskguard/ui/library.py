"""The exercise library: browse, search and filter every move, see how it is done, time a hold.

Plain data in (exercises, avoid entries, picture paths, the current exclusions and a
`now` callable), signals out: `exclusion_changed(exercise_id, excluded)` when the user
toggles "Not for me". The window never touches the store.

Keys: Ctrl+F finds, Up/Down browse the list, Alt+S starts or stops a hold, Alt+N toggles
"Not for me", Esc clears a search in progress and otherwise closes the window.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QHideEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from deskguard.core.evidence import is_ours, source_mark, source_tooltip
from deskguard.core.model import AvoidItem, Dose, Exercise
from deskguard.ui.break_window import dose_text
from deskguard.ui.widgets import text_label

TITLE = "DeskGuard — Exercise library"
KIND_ORDER = ("strength", "stretch", "mobility", "warm-up")
POSITION_ORDER = ("standing", "seated", "wall", "kneeling", "floor")
ROLE = Qt.ItemDataRole.UserRole  # ("exercise" | "avoid" | "header", id)
PICTURE_SIZE = 168
LIST_ICON = 64  # px at 100 %: a figure's pose must be readable in the list (issue 15: >= 56)


def _label(
    text: str = "", *, scale: float = 1.0, bold: bool = False, muted: bool = False
) -> QLabel:
    return text_label(text, scale=scale, bold=bold, muted=muted, selectable=True)


def _rich_list(items: Sequence[str], ordered: bool) -> str:
    tag = "ol" if ordered else "ul"
    body = "".join(f"<li style='margin-bottom:4px'>{html.escape(i)}</li>" for i in items)
    return f"<{tag} style='margin:0; -qt-list-indent:1'>{body}</{tag}>"


def _list_icon(picture: Path) -> QIcon:
    """The pictogram as a list icon that is not tinted when its row is selected; on a
    selected row it sits on a pale tile, so a highlight in the figure's own teal (or any
    dark one) cannot swallow it."""
    renderer = QSvgRenderer(str(picture))
    ratio = 2  # crisp on high-DPI screens too
    icon = QIcon()
    for modes, tile in (
        ((QIcon.Mode.Normal,), False),
        ((QIcon.Mode.Selected, QIcon.Mode.Active), True),
    ):
        image = QPixmap(LIST_ICON * ratio, LIST_ICON * ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if tile:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 235))
            painter.drawRoundedRect(image.rect(), 6 * ratio, 6 * ratio)
        renderer.render(painter)
        painter.end()
        image.setDevicePixelRatio(ratio)
        for mode in modes:
            icon.addPixmap(image, mode)
    return icon


def search_words(text: str) -> list[str]:
    """Lower case, apostrophes dropped, hyphens and slashes as spaces: "Child's" finds
    "childs pose", "knees-to-chest" finds "knees to chest"."""
    folded = text.lower().replace("’", "").replace("'", "")
    return folded.replace("-", " ").replace("/", " ").split()


def search_text(exercise: Exercise) -> str:
    """What the search looks in: name, aliases (the articles' names), kind, position,
    targets."""
    parts = (exercise.name, *exercise.aliases, exercise.kind, exercise.position)
    return " ".join(search_words(" ".join((*parts, *exercise.targets))))


def hold_seconds(dose: Dose) -> int | None:
    """How long the hold timer runs for one side: the top of the hold (or time) range."""
    if dose.hold_seconds is not None:
        return dose.hold_seconds.high
    if dose.duration_seconds is not None:
        return dose.duration_seconds.high
    return None


def clock_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


class HoldTimer(QFrame):
    """A countdown for one hold; per-side holds run side one, then the other side.

    Reads the time only through `now`, and runs a 1 s QTimer only while a hold runs, so
    it costs nothing when idle. `tick()` is public so tests can drive it with a fake time.
    """

    side_finished = Signal(int)  # 1 or 2
    finished = Signal()  # every side done

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self._seconds = 0
        self._sides = 1
        self._side = 1
        self._ends_at: datetime | None = None
        self._done = False
        self.setObjectName("holdTimer")
        self.setFrameShape(QFrame.Shape.StyledPanel)

        self.heading = _label(self.tr("Hold timer"), bold=True)
        self.side_label = _label(muted=True)
        self.countdown = QLabel("0:00")
        self.countdown.setAccessibleName(self.tr("Hold time left"))
        font = self.countdown.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.countdown.setFont(font)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setAccessibleName(self.tr("Hold progress"))
        self.status = _label(muted=True)
        self.button = QPushButton(self.tr("&Start hold"))
        self.button.setAccessibleName(self.tr("Start or stop the hold timer"))
        self.button.clicked.connect(self.toggle)
        self.button.setMinimumWidth(150)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.side_label)
        row = QHBoxLayout()
        row.addWidget(self.countdown)
        row.addStretch(1)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)

    # ---- state -------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._ends_at is not None

    @property
    def timer_active(self) -> bool:
        return self._ticker.isActive()

    @property
    def side(self) -> int:
        return self._side

    def set_dose(self, dose: Dose | None) -> None:
        """Show the timer for `dose`, or hide it when the dose has no hold or time."""
        self._stop_ticking()
        seconds = hold_seconds(dose) if dose is not None else None
        self.setVisible(seconds is not None)
        self._seconds = seconds or 0
        self._sides = 2 if dose is not None and dose.per_side else 1
        self._reset()

    def toggle(self) -> None:
        if self.running:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        if self._seconds <= 0:
            return
        if self._done:
            self._reset()
        self._ends_at = self._now() + timedelta(seconds=self._seconds)
        self.button.setText(self.tr("&Stop"))
        self.status.setText(self.tr("Breathe normally. Ease off if anything hurts."))
        self._ticker.start()
        self.tick()

    def stop(self) -> None:
        """Stop the running hold; the current side starts again from the top next time."""
        self._stop_ticking()
        self._show_left(self._seconds)
        self.button.setText(self._start_text())
        self.status.setText(self.tr("Stopped."))

    def tick(self) -> None:
        if self._ends_at is None:
            return
        left = max(0, math.ceil((self._ends_at - self._now()).total_seconds()))
        self._show_left(min(left, self._seconds))
        if left == 0:
            self._side_done()

    # ---- internals ----------------------------------------------------------------
    def _reset(self) -> None:
        self._side = 1
        self._done = False
        self._ends_at = None
        self._show_left(self._seconds)
        self.button.setText(self._start_text())
        self._show_side()
        text = (
            self.tr("Hold for {0} seconds on each side.")
            if self._sides == 2
            else self.tr("Hold for {0} seconds.")
        )
        self.status.setText(text.format(self._seconds))

    def _side_done(self) -> None:
        self._stop_ticking()
        finished_side = self._side
        self.side_finished.emit(finished_side)
        if finished_side < self._sides:
            self._side += 1
            self._show_left(self._seconds)
            self._show_side()
            self.button.setText(self._start_text())
            self.status.setText(self.tr("Switch to the other side, then start again."))
            return
        self._done = True
        self.countdown.setText(self.tr("Done"))
        self.button.setText(self.tr("&Start again"))
        self.status.setText(self.tr("Well held. Come out of it slowly."))
        self.finished.emit()

    def _stop_ticking(self) -> None:
        self._ticker.stop()
        self._ends_at = None

    def _start_text(self) -> str:
        if self._sides == 2 and self._side == 2:
            return self.tr("&Start other side")
        return self.tr("&Start hold")

    def _show_side(self) -> None:
        self.side_label.setVisible(self._sides == 2)
        self.side_label.setText(self.tr("Side {0} of 2").format(self._side))

    def _show_left(self, seconds: int) -> None:
        self.countdown.setText(clock_text(seconds))
        self.progress.setRange(0, max(1, self._seconds))
        self.progress.setValue(self._seconds - seconds)


class LibraryWindow(QWidget):
    """Browse every exercise and the movements to avoid; see one in detail."""

    exclusion_changed = Signal(str, bool)  # exercise id, excluded from prompts

    def __init__(
        self,
        exercises: Sequence[Exercise],
        avoid: Sequence[AvoidItem],
        pictures: Mapping[str, Path | None],
        excluded: Iterable[str],
        now: Callable[[], datetime],
        icon: QIcon | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._exercises = {e.id: e for e in exercises}
        self._avoid = {a.id: a for a in avoid}
        self._pictures = dict(pictures)
        self._excluded = set(excluded)
        self._current: str | None = None
        self.setWindowTitle(self.tr(TITLE))
        self.setObjectName("libraryWindow")
        self.setAccessibleName(self.tr("Exercise library"))
        if icon is not None:
            self.setWindowIcon(icon)
        self.resize(980, 680)
        self.setMinimumSize(760, 520)

        browser = self._build_browser()
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_empty_page())
        self.pages.addWidget(self._build_exercise_page(now))
        self.pages.addWidget(self._build_avoid_page())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(browser)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 650])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(splitter)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.focus_search)
        self.setTabOrder(self.search, self.position_filter)
        self.setTabOrder(self.position_filter, self.kind_filter)
        self.setTabOrder(self.kind_filter, self.desk_only)
        self.setTabOrder(self.desk_only, self.list)
        self.setTabOrder(self.list, self.not_for_me)
        self.setTabOrder(self.not_for_me, self.hold.button)

        self._fill_list()
        self.apply_filters()
        self._select_first()

    # ---- building -----------------------------------------------------------------
    def _build_browser(self) -> QWidget:
        box = QWidget()
        box.setMinimumWidth(280)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search by name or muscle  (Ctrl+F)"))
        self.search.setToolTip(
            self.tr("Names the articles use work too, e.g. “lunge” or “superman”.")
        )
        self.search.setAccessibleName(self.tr("Search exercises"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.apply_filters)

        self.position_filter = QComboBox()
        self.position_filter.setAccessibleName(self.tr("Filter by position"))
        self.position_filter.addItem(self.tr("Any position"), None)
        present = {e.position for e in self._exercises.values()}
        for position in POSITION_ORDER:
            if position in present:
                self.position_filter.addItem(self._position_name(position), position)
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName(self.tr("Filter by kind"))
        self.kind_filter.addItem(self.tr("Any kind"), None)
        kinds = {e.kind for e in self._exercises.values()}
        for kind in KIND_ORDER:
            if kind in kinds:
                self.kind_filter.addItem(self._kind_name(kind), kind)
        self.position_filter.currentIndexChanged.connect(self.apply_filters)
        self.kind_filter.currentIndexChanged.connect(self.apply_filters)
        self.desk_only = QCheckBox(self.tr("&Desk-friendly only"))
        self.desk_only.setAccessibleName(self.tr("Show desk-friendly exercises only"))
        self.desk_only.setToolTip(self.tr("Done upright in office clothes, at or beside a desk"))
        self.desk_only.toggled.connect(self.apply_filters)

        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Exercises"))
        self.list.setIconSize(QSize(LIST_ICON, LIST_ICON))
        self.list.setSpacing(1)
        self.list.setUniformItemSizes(False)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.no_match = _label(self.tr("Nothing matches. Clear the search or the filters."))
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.no_match.setStyleSheet("color: palette(placeholder-text); padding: 12px;")
        self.no_match.hide()
        self.count = _label(muted=True)

        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.position_filter, 1)
        filters.addWidget(self.kind_filter, 1)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.desk_only)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.no_match, 1)
        layout.addWidget(self.count)
        return box

    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        hint = _label(self.tr("Choose an exercise to see how it is done."), muted=True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        return page

    def _scroll(self, content: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(content)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return area

    def _section(self, title: str) -> QLabel:
        label = _label(title, scale=1.05, bold=True)
        label.setContentsMargins(0, 8, 0, 0)
        return label

    def _build_exercise_page(self, now: Callable[[], datetime]) -> QWidget:
        content = QWidget()
        self.picture = QSvgWidget()
        self.picture.setFixedSize(PICTURE_SIZE, PICTURE_SIZE)
        self.picture.setAccessibleName(self.tr("Exercise picture"))
        self.name = _label(scale=1.6, bold=True)
        self.name.setAccessibleName(self.tr("Exercise name"))
        self.meta = _label(muted=True)
        self.targets = _label()
        self.aliases = _label(muted=True)
        self.aliases.setAccessibleName(self.tr("Also known as"))
        self.dose = _label(scale=1.1, bold=True)
        self.dose.setAccessibleName(self.tr("Dose"))
        self.dose_note = _label(muted=True)
        self.dose_source = self._source_label()
        self.dose_source.setAccessibleName(self.tr("Where the dose comes from"))
        self.prompt_note = _label(muted=True)
        self.not_for_me = QCheckBox(self.tr("&Not for me: leave it out of break prompts"))
        self.not_for_me.setAccessibleName(self.tr("Not for me"))
        self.not_for_me.setToolTip(self.tr("You can switch it back on here at any time."))
        self.not_for_me.toggled.connect(self._on_not_for_me)

        head_text = QVBoxLayout()
        head_text.setSpacing(4)
        head_text.addWidget(self.name)
        head_text.addWidget(self.meta)
        head_text.addWidget(self.targets)
        head_text.addWidget(self.aliases)
        head_text.addSpacing(6)
        head_text.addWidget(self.dose)
        head_text.addWidget(self.dose_note)
        head_text.addWidget(self.dose_source)
        head_text.addStretch(1)
        head_text.addWidget(self.not_for_me)
        head_text.addWidget(self.prompt_note)
        head = QHBoxLayout()
        head.setSpacing(18)
        head.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        head.addLayout(head_text, 1)

        self.hold = HoldTimer(now)
        self.why = _label()
        self.steps = QLabel()
        self.steps.setWordWrap(True)
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setAccessibleName(self.tr("Steps"))
        self.steps_source = self._source_label()
        self.steps_source.setAccessibleName(self.tr("Where the steps come from"))
        self.cues = QLabel()
        self.cues.setWordWrap(True)
        self.cues.setTextFormat(Qt.TextFormat.RichText)
        self.cues.setAccessibleName(self.tr("Form cues"))
        self.cautions_heading = self._section(self.tr("Take care"))
        self.cautions = QLabel()
        self.cautions.setWordWrap(True)
        self.cautions.setTextFormat(Qt.TextFormat.RichText)
        self.cautions.setAccessibleName(self.tr("Cautions"))

        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 4, 16, 16)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addSpacing(4)
        layout.addWidget(self.hold)
        layout.addWidget(self._section(self.tr("Why it helps")))
        layout.addWidget(self.why)
        layout.addWidget(self._section(self.tr("How to do it")))
        layout.addWidget(self.steps)
        layout.addWidget(self.steps_source)
        layout.addWidget(self._section(self.tr("Form cues")))
        layout.addWidget(self.cues)
        layout.addWidget(self.cautions_heading)
        layout.addWidget(self.cautions)
        layout.addStretch(1)
        return self._scroll(content)

    def _source_label(self) -> QLabel:
        """A small mark: "from the articles", or "our suggestion" in colour; the tooltip
        names the articles and what DeskGuard chose and why."""
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
        return label

    def _show_source(self, label: QLabel, what: str, sources: Sequence[str], choice: str) -> None:
        mark = html.escape(f"{what}: {source_mark(sources)}")
        if is_ours(sources):  # stands out: the user should know this is not the evidence
            text = f"<b>{mark}</b>"  # bold in the text colour: readable in any theme
        else:
            text = f"<span style='color:palette(placeholder-text)'>{mark}</span>"
        label.setText(text)
        label.setToolTip(source_tooltip(sources, choice))

    def _build_avoid_page(self) -> QWidget:
        content = QWidget()
        self.avoid_name = _label(scale=1.6, bold=True)
        self.avoid_badge = _label(self.tr("Avoid: DeskGuard never suggests this."), bold=True)
        self.avoid_why = _label()
        self.avoid_instead = _label()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 4, 16, 16)
        layout.setSpacing(6)
        layout.addWidget(self.avoid_name)
        layout.addWidget(self.avoid_badge)
        layout.addWidget(self._section(self.tr("Why")))
        layout.addWidget(self.avoid_why)
        layout.addWidget(self._section(self.tr("Do this instead")))
        layout.addWidget(self.avoid_instead)
        layout.addStretch(1)
        return self._scroll(content)

    # ---- the list -------------------------------------------------------------------
    def _header(self, text: str, key: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setData(ROLE, ("header", key))
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setSizeHint(QSize(0, 30))
        return item

    def _fill_list(self) -> None:
        self._items: dict[str, QListWidgetItem] = {}
        self._headers: dict[str, QListWidgetItem] = {}
        everything = list(self._exercises.values())
        desk = [e for e in everything if e.desk_friendly]
        floor = [e for e in everything if not e.desk_friendly]
        groups = (
            ("desk", self.tr("At your desk"), desk),
            ("floor", self.tr("On the floor or kneeling"), floor),
        )
        for key, title, members in groups:
            if not members:
                continue
            self._headers[key] = self._header(title, key)
            self.list.addItem(self._headers[key])
            for exercise in members:
                item = QListWidgetItem()
                item.setData(ROLE, ("exercise", exercise.id))
                picture = self._pictures.get(exercise.id)
                if picture is not None:
                    item.setIcon(_list_icon(picture))
                self._items[exercise.id] = item
                self.list.addItem(item)
                self._update_item(exercise.id)
        if self._avoid:
            self._headers["avoid"] = self._header(self.tr("Avoid: never prompted"), "avoid")
            self.list.addItem(self._headers["avoid"])
            for entry in self._avoid.values():
                item = QListWidgetItem(entry.name)
                item.setData(ROLE, ("avoid", entry.id))
                item.setToolTip(entry.why)
                self._items[f"avoid:{entry.id}"] = item
                self.list.addItem(item)

    def _update_item(self, exercise_id: str) -> None:
        exercise = self._exercises[exercise_id]
        meta = f"{self._kind_name(exercise.kind)} · {self._position_name(exercise.position)}"
        if exercise_id in self._excluded:
            meta += " · " + self.tr("not for me")
        item = self._items[exercise_id]
        item.setText(f"{exercise.name}\n{meta}")
        item.setToolTip(exercise.why)

    def _matches(self, exercise: Exercise, words: list[str]) -> bool:
        position = self.position_filter.currentData()
        kind = self.kind_filter.currentData()
        if position is not None and exercise.position != position:
            return False
        if kind is not None and exercise.kind != kind:
            return False
        if self.desk_only.isChecked() and not exercise.desk_friendly:
            return False
        haystack = search_text(exercise)
        return all(word in haystack for word in words)

    def apply_filters(self) -> None:
        words = search_words(self.search.text())
        filtering = (
            self.position_filter.currentData() is not None
            or self.kind_filter.currentData() is not None
            or self.desk_only.isChecked()
        )
        shown = {"desk": 0, "floor": 0, "avoid": 0}
        for key, item in self._items.items():
            if key.startswith("avoid:"):
                entry = self._avoid[key.removeprefix("avoid:")]
                haystack = " ".join(search_words(f"{entry.name} {entry.why}"))
                visible = not filtering and all(w in haystack for w in words)
                group = "avoid"
            else:
                exercise = self._exercises[key]
                visible = self._matches(exercise, words)
                group = "desk" if exercise.desk_friendly else "floor"
            item.setHidden(not visible)
            shown[group] += visible
        for group, header in self._headers.items():
            header.setHidden(shown[group] == 0)
        exercises = shown["desk"] + shown["floor"]
        total = len(self._exercises)
        self.count.setText(
            self.tr("{0} exercises").format(total)
            if exercises == total
            else self.tr("{0} of {1} exercises shown").format(exercises, total)
        )
        nothing = exercises + shown["avoid"] == 0
        self.no_match.setVisible(nothing)
        self.list.setVisible(not nothing)
        current = self.list.currentItem()
        if current is None or current.isHidden():
            self._select_first()

    def _select_first(self) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and not item.isHidden() and item.flags() != Qt.ItemFlag.NoItemFlags:
                self.list.setCurrentItem(item)
                return
        self.list.setCurrentRow(-1)
        self._current = None
        self.hold.set_dose(None)
        self.pages.setCurrentIndex(0)

    # ---- what the user sees ---------------------------------------------------------
    def _on_current_changed(self, item: QListWidgetItem | None, _old: object = None) -> None:
        if item is None:
            return
        what, key = item.data(ROLE)
        if what == "exercise":
            self.show_exercise(key)
        elif what == "avoid":
            self.show_avoid(key)

    def show_exercise(self, exercise_id: str) -> None:
        exercise = self._exercises[exercise_id]
        self._current = exercise_id
        item = self._items[exercise_id]
        if self.list.currentItem() is not item and not item.isHidden():
            self.list.setCurrentItem(item)
        picture = self._pictures.get(exercise_id)
        self.picture.setVisible(picture is not None)
        if picture is not None:
            self.picture.load(str(picture))
        self.name.setText(exercise.name)
        desk = self.tr("desk-friendly") if exercise.desk_friendly else self.tr("needs floor space")
        self.meta.setText(
            f"{self._kind_name(exercise.kind)} · {self._position_name(exercise.position)} · {desk}"
        )
        self.targets.setText(self.tr("Works: ") + ", ".join(exercise.targets))
        self.aliases.setText(self.tr("Also called: ") + ", ".join(exercise.aliases))
        self.aliases.setVisible(bool(exercise.aliases))
        self.dose.setText(dose_text(exercise))
        self.dose_note.setText(exercise.dose.note)
        self.dose_note.setVisible(bool(exercise.dose.note))
        self._show_source(
            self.dose_source, self.tr("Dose"), exercise.dose_source, exercise.dose_choice
        )
        self._show_source(
            self.steps_source, self.tr("Steps"), exercise.steps_source, exercise.steps_choice
        )
        self.hold.set_dose(exercise.dose)
        self.why.setText(exercise.why)
        self.steps.setText(_rich_list(exercise.steps, ordered=True))
        self.cues.setText(_rich_list(exercise.cues, ordered=False))
        self.cautions_heading.setVisible(bool(exercise.cautions))
        self.cautions.setVisible(bool(exercise.cautions))
        self.cautions.setText(_rich_list(exercise.cautions, ordered=False))
        self.not_for_me.blockSignals(True)
        self.not_for_me.setChecked(exercise_id in self._excluded)
        self.not_for_me.blockSignals(False)
        self._show_prompt_note(exercise)
        self.pages.setCurrentIndex(1)
        page = self.pages.currentWidget()
        if isinstance(page, QScrollArea):
            page.verticalScrollBar().setValue(0)

    def show_avoid(self, avoid_id: str) -> None:
        entry = self._avoid[avoid_id]
        self._current = None
        self.hold.set_dose(None)
        self.avoid_name.setText(entry.name)
        self.avoid_why.setText(entry.why)
        self.avoid_instead.setText(entry.instead)
        self.pages.setCurrentIndex(2)

    def _show_prompt_note(self, exercise: Exercise) -> None:
        if exercise.id in self._excluded:
            text = self.tr("Left out of break prompts. Untick to have it suggested again.")
        elif exercise.desk_friendly:
            text = self.tr("Break prompts may suggest this one.")
        else:
            text = self.tr("Break prompts only suggest desk-friendly moves, so not this one.")
        self.prompt_note.setText(text)

    def _on_not_for_me(self, checked: bool) -> None:
        if self._current is None:
            return
        exercise_id = self._current
        if checked:
            self._excluded.add(exercise_id)
        else:
            self._excluded.discard(exercise_id)
        self._update_item(exercise_id)
        self._show_prompt_note(self._exercises[exercise_id])
        self.exclusion_changed.emit(exercise_id, checked)

    # ---- API for the app ---------------------------------------------------------------
    def set_excluded(self, excluded: Iterable[str]) -> None:
        """Take the current exclusion set (e.g. after the store changed)."""
        self._excluded = set(excluded)
        for exercise_id in self._exercises:
            self._update_item(exercise_id)
        if self._current is not None:
            self.show_exercise(self._current)

    @property
    def excluded(self) -> frozenset[str]:
        return frozenset(self._excluded)

    @property
    def current_exercise(self) -> str | None:
        return self._current

    def visible_ids(self) -> list[str]:
        """Ids of the exercises and avoid entries ("avoid:<id>") the list shows, in order."""
        out = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is None or item.isHidden():
                continue
            what, key = item.data(ROLE)
            if what == "exercise":
                out.append(key)
            elif what == "avoid":
                out.append(f"avoid:{key}")
        return out

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # ---- names -----------------------------------------------------------------------
    def _kind_name(self, kind: str) -> str:
        names = {
            "strength": self.tr("Strength"),
            "stretch": self.tr("Stretch"),
            "mobility": self.tr("Mobility"),
            "warm-up": self.tr("Warm-up"),
        }
        return names.get(kind, kind.capitalize())

    def _position_name(self, position: str) -> str:
        names = {
            "standing": self.tr("Standing"),
            "seated": self.tr("Seated"),
            "wall": self.tr("At a wall"),
            "kneeling": self.tr("Kneeling"),
            "floor": self.tr("On the floor"),
        }
        return names.get(position, position.capitalize())

    # ---- events -----------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self.search.hasFocus() and self.search.text():
                self.search.clear()
            else:
                self.close()
            event.accept()
            return
        super().keyPressEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.hold.set_dose(self._exercises[self._current].dose if self._current else None)
        super().hideEvent(event)

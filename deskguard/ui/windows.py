"""Opens every window the tray asks for, the weekly chart included: each is built when
asked for (its module and Qt parts load only then), shown again while it stays open, and
released when the user closes it, so a day's use leaves no window behind in memory."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import QMessageBox, QWidget

from deskguard import __version__
from deskguard.core.checklist import WORKSTATION, ChecklistResult, checklist_due
from deskguard.core.model import Settings
from deskguard.core.ports import Content
from deskguard.footprint import release_freed_heap
from deskguard.services.breaks import Breaks
from deskguard.services.commands import Commands
from deskguard.services.settings import SettingsService
from deskguard.ui.tray import TrayActions

WORKSTATION_OFFER = "workstation-check"  # the check was shown (or "Later" chosen)
WELCOME_LEFT = "welcome-left"  # the welcome was closed before its end

if TYPE_CHECKING:
    from deskguard.services.programme import Coach


@dataclass(frozen=True)
class Places:
    """Where DeskGuard keeps things (shown and opened from the windows)."""

    data_dir: Path
    config_dir: Path
    log_dir: Path
    log_file: Path


class _WhenClosed(QObject):
    """Tells `Windows` when the app hides `window`: a close, Esc, Cancel or OK.

    A child of the window, so it goes with it; it holds `Windows` weakly, so a window
    that outlives it (or hides while it is torn down) tells no one.
    """

    def __init__(self, window: QWidget, windows: Windows) -> None:
        super().__init__(window)
        self._windows = weakref.ref(windows)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide and not event.spontaneous():
            windows = self._windows()
            if windows is not None and isinstance(watched, QWidget) and watched.isWindow():
                windows._release(watched)
        return super().eventFilter(watched, event)


class Windows(QObject):
    """The windows the tray opens: each built when asked for and released when closed.

    A window counts as closed when it is hidden by the app itself: its close button, the
    window manager's close, Esc, Cancel or OK (the weekly chart and the progress window
    only hide on close; dialogs hide on done()). A hide the window system makes on its
    own (minimised, another desktop) is spontaneous and keeps the window. A released
    window leaves `_open` (or `_summary`) at once and is deleted by Qt on its next pass
    (`deleteLater`); its Python wrapper is kept until Qt has done so, so it is never
    deleted inside its own event. Connections made to it or from it go with it.
    """

    def __init__(
        self,
        *,
        breaks: Breaks,
        commands: Commands,
        settings: SettingsService,
        actions: TrayActions,
        places: Places,
        icon: QIcon,
        first_run: bool,
        ranges: dict[str, tuple[int, int]],
        validate: Callable[[str, object, Settings], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = breaks
        self.commands = commands
        self.settings = settings
        self.places = places
        self.icon = icon
        self.first_run = first_run
        self._ranges = ranges
        self._validate = validate
        self._open: dict[str, QWidget] = {}
        self._summary: Any = None
        self._releasing: dict[int, QWidget] = {}  # closed, waiting for Qt to delete them
        actions.show_library.connect(self.show_library)
        actions.show_checklist.connect(self.show_checklist)
        actions.show_red_flags.connect(self.show_red_flags)
        actions.open_data_folder.connect(self.open_data_folder)
        actions.open_log.connect(self.open_log)
        actions.show_about.connect(self.show_about)
        actions.show_settings.connect(self.show_settings)
        actions.show_programme.connect(self.show_programme)
        actions.show_progress.connect(self.show_progress)
        actions.show_summary.connect(self.show_summary)

    @property
    def library(self) -> Content:
        return self.controller.library

    @property
    def coach(self) -> Coach | None:
        return self.commands.coach

    def _present(self, name: str, make: Callable[[], QWidget]) -> QWidget:
        widget = self._open.get(name)
        if widget is None:
            widget = self._keep(name, make())
        widget.show()
        widget.raise_()
        widget.activateWindow()
        return widget

    def _keep(self, name: str, window: QWidget) -> QWidget:
        """Hold `window` under `name` until the user closes it (see the class docstring)."""
        self._open[name] = window
        _WhenClosed(window, self)
        return window

    def _release(self, window: QWidget) -> None:
        """The user closed `window`: forget it and let Qt delete it."""
        key = id(window)
        if key in self._releasing:
            return
        named = [name for name, widget in self._open.items() if widget is window]
        if not named and window is not self._summary:
            return  # not one of ours (any more)
        for name in named:
            del self._open[name]
        if window is self._summary:
            self._summary = None
        if "programme" in named:
            self._keep_session(window)
        if "session" in named:
            self._forget_session(window)
        self._releasing[key] = window
        window.destroyed.connect(partial(self._released, key))
        window.deleteLater()

    def _released(self, key: int) -> None:
        """Qt deleted a closed window: drop its wrapper; once none is left to delete,
        hand the heap they freed back to the system (on the next pass, when the window's
        destructor has finished)."""
        self._releasing.pop(key, None)
        if not self._releasing:
            QTimer.singleShot(0, release_freed_heap)

    def _forget_session(self, player: QWidget) -> None:
        """A programme window that took over the released player must not hold it on."""
        from deskguard.ui.programme_window import ProgrammeWindow

        programme = self._open.get("programme")
        if isinstance(programme, ProgrammeWindow) and programme.player is player:
            programme.player = None

    def _keep_session(self, programme: QWidget) -> None:
        """A session player the programme window opened outlives it while still open."""
        player = getattr(programme, "player", None)
        if isinstance(player, QWidget) and player.isVisible() and "session" not in self._open:
            self._keep("session", player)

    def show_library(self) -> None:
        from deskguard.ui.library import LibraryWindow

        def make() -> QWidget:
            window = LibraryWindow(
                self.library.exercises,
                self.library.avoid,
                {e.id: self.library.picture_path(e) for e in self.library.exercises},
                self.controller.excluded,
                self.controller.clock.now,
                self.icon,
            )
            window.exclusion_changed.connect(self.controller.set_excluded)
            return window

        window = self._present("library", make)
        assert isinstance(window, LibraryWindow)
        window.set_excluded(self.controller.excluded)

    def show_checklist(self) -> None:
        from deskguard.ui.checklist import ChecklistDialog

        store = self.controller.store
        last = self.controller.read(lambda: store.last_checklist_result(WORKSTATION), None)
        open_now = self._open.get("checklist")
        if open_now is not None:  # always start from the last saved answers
            self._release(open_now)
        dialog = ChecklistDialog(
            self.library.checklist(WORKSTATION), self.controller.clock.now, last, self.icon
        )
        dialog.saved.connect(self.save_checklist)
        self._present("checklist", lambda: dialog)

    def save_checklist(self, result: ChecklistResult) -> None:
        self.controller.record(lambda: self.controller.store.add_checklist_result(result))

    def show_red_flags(self) -> None:
        from deskguard.ui.red_flags import RedFlagsDialog

        self._present(
            "red_flags",
            lambda: RedFlagsDialog(self.library.red_flags, self.library.disclaimer, self.icon),
        )

    # ---- the back-care programme (its windows load only when first asked for) ----

    def show_programme(self) -> None:
        from deskguard.ui.programme_window import ProgrammeWindow
        from deskguard.ui.session_player import SessionPlayer

        coach = self.coach
        if coach is None:
            self._programme_off()
            return

        def make() -> QWidget:
            window = ProgrammeWindow(coach, open_progress=self.show_progress)
            window.setWindowIcon(self.icon)
            player = self._open.get("session")
            if isinstance(player, SessionPlayer):  # still open from a closed programme window
                window.player = player
            return window

        self._present("programme", make)

    def show_progress(self) -> None:
        from deskguard.core.stats import WeekSource
        from deskguard.ui.progress import ProgressWindow

        coach = self.coach
        if coach is None:
            self._programme_off()
            return
        controller = self.controller

        def make() -> QWidget:
            breaks = WeekSource(
                controller.store,
                controller.planner.settings,
                today=lambda: controller.clock.now().astimezone(controller.tz).date(),
            )
            window = ProgressWindow(
                coach, breaks=breaks, weeks=12, open_programme=self.show_programme
            )
            window.setWindowIcon(self.icon)
            return window

        window = self._open.get("progress")
        if isinstance(window, ProgressWindow):
            window.breaks.settings = controller.planner.settings  # the goal may have changed
        self._present("progress", make)

    def _programme_off(self) -> None:
        self.controller.notify(
            self.tr("The back-care programme is not available"), self.commands.programme_problem
        )

    def show_clinician(self, flags: list[str]) -> None:
        """The coach asks for the clinician screen (a red flag was answered yes)."""
        from deskguard.ui.screening import ClinicianWatch, clinician_watch

        coach = self.coach
        if coach is None:
            return
        # The watch (made by the programme window, or here on first need) shows the
        # screen on every later request by itself; only its first request comes here.
        if coach.findChild(ClinicianWatch) is None:
            clinician_watch(coach).show_screen(flags)

    def show_welcome_or_checklist(self) -> None:
        """First run: the welcome. Later: the workstation check, once after the welcome
        and then every 30 days from the last time it was saved or offered; never at
        every start, whatever the user did with it."""
        if self.first_run:
            from deskguard.ui.first_run import FirstRunDialog

            dialog = FirstRunDialog(
                self.controller.planner.settings,
                self.library.red_flags,
                self.library.disclaimer,
                self.library.checklist(WORKSTATION),
                self.controller.clock.now,
                self.icon,
            )
            dialog.completed.connect(self.finish_welcome)
            dialog.rejected.connect(self.welcome_left)
            self._present("welcome", lambda: dialog)
            return
        if self.checklist_offer_due():
            self.note_offer(WORKSTATION_OFFER)
            self.show_checklist()

    def checklist_offer_due(self) -> bool:
        store = self.controller.store
        tz = self.controller.tz
        last = self.controller.read(lambda: store.last_checklist_result(WORKSTATION), None)
        offered = self.controller.read(lambda: store.last_offer(WORKSTATION_OFFER), None)
        days = [t.astimezone(tz).date() for t in (last.taken_at if last else None, offered) if t]
        today = self.controller.clock.now().astimezone(tz).date()
        return checklist_due(max(days) if days else None, today)

    def note_offer(self, what: str) -> None:
        store = self.controller.store
        now = self.controller.clock.now()
        self.controller.record(lambda: store.add_offer(what, now))

    def welcome_left(self) -> None:
        """The welcome was closed before its end: remembered (it does not come back),
        and the user is told once where the warning signs are."""
        self.note_offer(WELCOME_LEFT)
        self.controller.notify(
            self.tr("Welcome to DeskGuard"),
            self.tr(
                "Breaks come at the default times; change them in Settings. The warning "
                "signs to see a professional about are in the tray menu: When to see a "
                "professional."
            ),
        )

    def finish_welcome(
        self, settings: Settings, result: ChecklistResult | None, autostart: bool
    ) -> None:
        problem = self.settings.apply(settings, autostart)
        if problem is not None:
            self.controller.notify(*problem)
        if result is not None:
            self.save_checklist(result)
        else:  # "Later": offered now; it comes back in 30 days
            self.note_offer(WORKSTATION_OFFER)

    def show_settings(self) -> None:
        from deskguard.ui.settings_dialog import Folders, SettingsDialog

        dialog = self._open.get("settings")
        enabled = self.settings.autostart.enabled()
        if isinstance(dialog, SettingsDialog):
            dialog.set_values(self.settings.settings, enabled)
        else:
            places = self.places
            dialog = SettingsDialog(
                self.settings.settings,
                autostart=enabled,
                folders=Folders(places.data_dir, places.config_dir, places.log_dir),
                ranges=self._ranges,
                validate=self._validate,
            )
            dialog.setWindowIcon(self.icon)
            dialog.applied.connect(self.apply_settings)
            dialog.open_folder_requested.connect(self.open_folder)
        self._present("settings", lambda: dialog)

    def apply_settings(self, settings: Settings, autostart: bool) -> None:
        """The Settings window's OK/Apply: the same path as the welcome's."""
        dialog = self._open.get("settings")
        before = self.controller.planner.settings.theme
        problem = self.settings.apply(settings, autostart)
        if problem is not None:
            if dialog is not None and hasattr(dialog, "show_error"):
                dialog.show_error(f"{problem[0]}: {problem[1]}")
            return
        if settings.theme != before:
            from PySide6.QtWidgets import QApplication

            from deskguard.ui.theme import apply_theme

            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, settings.theme)
        if dialog is not None and hasattr(dialog, "mark_saved"):
            dialog.mark_saved(settings, autostart)

    def show_summary(self) -> None:
        """This week: the weekly chart, read afresh from the record on every show."""
        from deskguard.core.stats import WeekSource
        from deskguard.ui.weekly_chart import WeeklyChartWindow  # loads only now

        breaks = self.controller
        if self._summary is None:
            source = WeekSource(
                breaks.store,
                breaks.planner.settings,
                today=lambda: breaks.clock.now().astimezone(breaks.tz).date(),
            )

            def next_break() -> datetime | None:
                due = breaks.planner.next_due
                return None if due is None else due.astimezone(breaks.tz)

            self._summary = WeeklyChartWindow(source, next_break)
            _WhenClosed(self._summary, self)
        self._summary.source.settings = breaks.planner.settings  # the goal may have changed
        self._summary.this_week()
        self._summary.show()
        self._summary.raise_()
        self._summary.activateWindow()

    def open_folder(self, folder: str) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(folder))

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.places.data_dir)))

    def open_log(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.places.log_file)))

    def show_about(self) -> None:
        QMessageBox.about(
            None,
            "About DeskGuard",
            f"<b>DeskGuard {__version__}</b><p>Stand-and-move prompts, desk stretches and a "
            "weekly record of your breaks.</p><p>Licence: GPL-3.0-or-later.</p>"
            f"<p>{self.library.disclaimer}</p>"
            f"<p>Your record stays on this computer, in<br><code>{self.places.data_dir}</code>"
            "</p>",
        )

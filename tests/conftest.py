from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from tests.services.test_breaks import Rig


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    # The platform goes on the command line, not into os.environ, so the end-to-end
    # tests' subprocesses still get a real X display.
    return ["deskguard-tests", "-platform", "offscreen"]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated DESKGUARD_HOME (config, data, log and runtime folders under it)."""
    path = tmp_path / "home"
    monkeypatch.setenv("DESKGUARD_HOME", str(path))
    return path


@pytest.fixture
def rig(qtbot: QtBot, tmp_path: Path) -> Iterator[Rig]:
    """The break service on a fake clock with the real store, windows and alarm."""
    from tests.services.test_breaks import Rig

    rig = Rig(qtbot, tmp_path)
    yield rig
    rig.controller.stop()
    rig.store.close()

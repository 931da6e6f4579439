from __future__ import annotations

from pathlib import Path

import pytest


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

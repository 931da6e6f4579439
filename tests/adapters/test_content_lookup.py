"""Content is found only inside DeskGuard's own folders (#17).

An installed DeskGuard sits in site-packages, next to whatever other packages put there;
an empty `site-packages/resources` left by one of them used to hide all of DeskGuard's
content. Here `deskguard.__file__` is pointed at laid-out copies (a wheel's layout, a
checkout's), so the lookup runs as it would there; tests/test_packaging.py does the same
with a real wheel in a child Python.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import deskguard
from deskguard.adapters import content
from deskguard.adapters.content import resources_dir

ROOT = Path(__file__).resolve().parents[2]


def _package(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An (empty) deskguard package in `folder`, which `deskguard.__file__` now names."""
    package = folder / "deskguard"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.setattr(deskguard, "__file__", str(package / "__init__.py"))
    return package


def test_installed_the_packages_own_resources_win_over_a_stray_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"
    package = _package(site, monkeypatch)
    shutil.copytree(ROOT / "resources", package / "resources")
    (site / "resources").mkdir()  # what a careless package leaves behind
    assert resources_dir() == package / "resources"
    library = content.load_library()
    assert library.exercises


def test_installed_without_its_resources_it_never_borrows_anothers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"
    package = _package(site, monkeypatch)
    shutil.copytree(ROOT / "resources", site / "resources")  # even a full one
    assert resources_dir() == package / "resources"
    with pytest.raises(content.ContentError, match=r"exercises\.toml"):
        content.load_library()


def test_a_checkout_uses_its_top_level_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "checkout"
    _package(checkout, monkeypatch)
    (checkout / "pyproject.toml").write_text('[project]\nname = "deskguard"\n')
    (checkout / "resources").mkdir()
    assert resources_dir() == checkout / "resources"


def test_this_checkout_finds_its_content() -> None:
    assert resources_dir() == ROOT / "resources"

from __future__ import annotations

import importlib
import linecache
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskguard import footprint


@pytest.fixture
def trimming() -> Iterator[None]:
    footprint.trim_source_cache()
    try:
        yield
    finally:
        footprint.stop_trimming_source_cache()


def test_drops_file_sources_and_keeps_what_cannot_be_read_again(tmp_path: Path) -> None:
    source = tmp_path / "some_module.py"
    source.write_text("x = 1\n")
    assert linecache.getline(str(source), 1) == "x = 1\n"
    linecache.cache["<generated>"] = (6, None, ["y = 2\n"], "<generated>")  # no file behind it
    try:
        footprint.drop_source_cache()
        assert str(source) not in linecache.cache
        assert linecache.cache["<generated>"][2] == ["y = 2\n"]
        assert linecache.getline(str(source), 1) == "x = 1\n"  # read back on demand
    finally:
        linecache.cache.pop("<generated>", None)


def test_a_new_import_drops_the_cached_source_and_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trimming: None
) -> None:
    assert sys.meta_path[0] is footprint._TRIMMER
    footprint.trim_source_cache()  # twice: still one finder
    assert sys.meta_path.count(footprint._TRIMMER) == 1
    cached = tmp_path / "cached.py"
    cached.write_text("a = 1\n")
    linecache.getlines(str(cached))
    (tmp_path / "fresh_footprint_module.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("fresh_footprint_module")
    assert module.VALUE == 42
    assert str(cached) not in linecache.cache
    monkeypatch.delitem(sys.modules, "fresh_footprint_module")


def test_stop_removes_the_finder() -> None:
    footprint.trim_source_cache()
    footprint.stop_trimming_source_cache()
    assert footprint._TRIMMER not in sys.meta_path


def test_release_freed_heap_is_harmless() -> None:
    footprint.release_freed_heap()  # glibc: malloc_trim; elsewhere nothing

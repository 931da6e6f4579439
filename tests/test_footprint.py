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


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS line")


def _glibc() -> bool:
    import platform

    return sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not _glibc(), reason="malloc_trim is glibc's; elsewhere it does nothing")
def test_release_freed_heap_gives_freed_memory_back_and_keeps_live_data() -> None:
    # 60 MB in 20 KB blocks (below glibc's mmap threshold: on the heap), each followed by
    # a small block that stays alive. The freed blocks are holes glibc cannot give back by
    # itself (only the top of the heap shrinks): they stay resident until malloc_trim
    # hands their whole pages back.
    holes: list[bytes] = []
    kept: list[bytes] = []
    for n in range(3000):
        holes.append(bytes([n % 251]) * 20_000)
        kept.append(bytes([n % 7]) * 600)
    del holes
    before = _rss_kb()
    footprint.release_freed_heap()
    after = _rss_kb()
    assert before - after >= 30_000, f"RSS {before} KB -> {after} KB: the freed heap stayed"
    assert all(block == bytes([n % 7]) * 600 for n, block in enumerate(kept))  # live data
    again = [bytes(20_000) for _ in range(100)]  # and the heap still works
    assert len(again) == 100


def test_release_freed_heap_does_nothing_harmful_twice() -> None:
    footprint.release_freed_heap()
    footprint.release_freed_heap()
    assert "x" * 3 == "xxx"

"""Keeping the tray app's resident memory down (DESIGN §6): two caches it never needs.

* Source text read by PySide6's import hook. Once PySide6 is imported it replaces
  ``builtins.__import__`` (for its opt-in ``from __feature__ import ...``) and, after
  every import statement, reads the whole source of the module named through
  ``inspect.getsource`` to see whether it mentions PySide6. ``linecache`` keeps all those
  lines: about 8 MB for the modules DeskGuard and APScheduler load, held for the whole
  session, and freed too late to be reused when cleared only once start-up is over.
  `trim_source_cache` drops them before each new module loads, so every module's
  objects reuse the lines read for the one before. Only entries that ``linecache`` can
  read again from their file go; a traceback still shows its source lines.
* Heap that start-up freed: `release_freed_heap` asks glibc to hand it back.

Neither changes what the app does.
"""

from __future__ import annotations

import linecache
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType


def drop_source_cache() -> None:
    """Forget the source lines `linecache` can read again from disk."""
    cache = linecache.cache
    for name in [name for name, entry in cache.items() if len(entry) == 4 and entry[1] is not None]:
        del cache[name]  # (size, mtime, lines, path): a file on disk, read back on demand


class SourceCacheTrimmer:
    """A meta path finder that finds nothing: it drops the source cache before each
    new module loads (see the module docstring)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        drop_source_cache()
        return None  # the real finders after this one do the finding


_TRIMMER = SourceCacheTrimmer()


def trim_source_cache() -> None:
    """From now on, drop the source text PySide6's import hook reads. Call it before
    PySide6 is first imported; calling it again does nothing."""
    if _TRIMMER not in sys.meta_path:
        sys.meta_path.insert(0, _TRIMMER)


def stop_trimming_source_cache() -> None:
    if _TRIMMER in sys.meta_path:
        sys.meta_path.remove(_TRIMMER)


def release_freed_heap() -> None:
    """Return the C heap start-up freed to the system (glibc only; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        malloc_trim = libc.malloc_trim  # glibc; musl has none
    except (OSError, AttributeError):
        return
    malloc_trim.argtypes = [ctypes.c_size_t]
    malloc_trim.restype = ctypes.c_int
    malloc_trim(0)

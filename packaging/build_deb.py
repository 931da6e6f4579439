#!/usr/bin/env python3
"""Build deskguard_<version>-1_<arch>.deb from this checkout, for Debian 12 and later.

    python packaging/build_deb.py [--out DIR] [--wheelhouse DIR] [--keep-tree]
    sudo apt install ./dist/deskguard_0.1.0-1_amd64.deb     # and: sudo apt remove deskguard

What the package holds (`dpkg -L deskguard`):

    /usr/bin/deskguard                    a small launcher: /usr/bin/python3 -I, our path first
    /usr/lib/deskguard/                   DeskGuard and its Python dependencies, from wheels
    /usr/share/applications/io.github.deskguard.DeskGuard.desktop
    /usr/share/metainfo/io.github.deskguard.DeskGuard.metainfo.xml
    /usr/share/icons/hicolor/<N>x<N>/apps/io.github.deskguard.DeskGuard.png (and scalable/)
    /usr/share/doc/deskguard/copyright    GPL-3.0-or-later, and the bundled wheels' licences

Why this layout: Debian 12 packages no PySide6 (only PySide2), and its APScheduler,
platformdirs and plyer are older than pyproject.toml allows, so the package bundles the
wheels pip resolves for pyproject.toml (pinned to the versions installed where this runs,
i.e. the ones the tests ran with) in a private folder, as Debian does for applications'
private modules, and runs them on Debian's own python3 (PySide6's wheels are abi3: any
Python >= 3.10). The Qt inside PySide6 is cut down to what DeskGuard imports (the
PySide6 modules in KEEP_MODULES, the Qt libraries they need and the plugins a desktop
needs); the system libraries those need are the Depends below, so `apt install ./…deb`
brings any that are missing. No byte code is shipped: postinst compiles it for the
python3 that is installed and prerm deletes it, so removal leaves nothing behind.

Needs: Python 3.10+ with pip, dpkg-deb and readelf (Debian: dpkg, binutils), and a
package index (or --wheelhouse with the wheels) for pip.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's deskguard: its version and its file table

from deskguard import __version__  # noqa: E402
from deskguard.adapters.desktop_entry import SHARE_FILES  # noqa: E402

PACKAGE = "deskguard"
LIB = "usr/lib/deskguard"  # where the Python code goes, inside the package's tree
MAINTAINER = "DeskGuard developers <noreply@deskguard.invalid>"  # --maintainer to set yours
HOMEPAGE = "https://github.com/deskguard/deskguard"

# The PySide6 modules DeskGuard imports (tests/test_deb.py checks this against the code).
KEEP_MODULES = (
    "QtCore",
    "QtGui",
    "QtWidgets",
    "QtDBus",
    "QtNetwork",
    "QtSvg",
    "QtSvgWidgets",
    "QtCharts",
)
# Qt plugins a desktop session needs: X11 and Wayland (and offscreen for tests), the
# GTK and portal themes, input methods, SVG and a few image formats, GL integrations.
KEEP_PLUGINS = (
    "platforms/libqxcb.so",
    "platforms/libqwayland.so",
    "platforms/libqoffscreen.so",
    "platforms/libqminimal.so",
    "platformthemes/libqxdgdesktopportal.so",
    "platformthemes/libqgtk3.so",  # used only where GTK 3 is installed (Suggests)
    "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "platforminputcontexts/libibusplatforminputcontextplugin.so",
    "imageformats/libqsvg.so",
    "imageformats/libqico.so",
    "imageformats/libqgif.so",
    "imageformats/libqjpeg.so",
    "iconengines/libqsvgicon.so",
    "xcbglintegrations/*.so",
    "wayland-decoration-client/*.so",
    "wayland-graphics-integration-client/*.so",
    "wayland-shell-integration/*.so",
)
OPTIONAL_PLUGINS = ("platformthemes/libqgtk3.so",)  # its libraries are not in Depends
# PySide6's own files besides the modules and Qt (version, feature switches, signatures).
KEEP_PYSIDE = ("__init__.py", "_config.py", "_git_pyside_version.py", "py.typed", "support")

# The Debian packages of the system libraries the kept files link against (readelf's
# NEEDED, found with ldconfig and `dpkg -S` on Debian 12; tests/test_deb.py re-derives
# them from the built package and fails if one is missing here).
DEPENDS = (
    "python3 (>= 3.11)",  # the wheels are resolved for 3.11: tomllib, no tomli
    "libbrotli1",
    "libc6 (>= 2.34)",  # PySide6's wheels are manylinux_2_34
    "libdbus-1-3",
    "libegl1",
    "libfontconfig1",
    "libfreetype6",
    "libgcc-s1",
    "libgl1",
    "libglib2.0-0",
    "libgssapi-krb5-2",
    "libstdc++6",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "libx11-6",
    "libx11-xcb1",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxcb1",
    "libxkbcommon-x11-0",
    "libxkbcommon0",
    "libzstd1",
    "zlib1g",
)
RECOMMENDS = (
    "libxss1",  # idle time on X11 (deskguard/adapters/idle.py loads libXss)
    "libnotify-bin",  # notify-send: notifications that expire (adapters/notify.py)
)
SUGGESTS = ("libgtk-3-0",)  # Qt's GTK theme plugin; GNOME desktops have it anyway
PINNED = (  # pinned to what is installed here, so the package has what the tests ran
    "PySide6-Addons",
    "PySide6-Essentials",
    "shiboken6",
    "APScheduler",
    "tzlocal",
    "platformdirs",
    "tomlkit",
    "plyer",
    "pywayland",  # Wayland idle time (ext-idle-notify-v1)
    "jeepney",  # notifications with buttons over D-Bus
)

LAUNCHER = """#!/usr/bin/python3 -I
# DeskGuard's command, as its Debian package installs it (packaging/build_deb.py).
# DeskGuard and the Python packages it needs live in /usr/lib/deskguard, apart from
# Debian's; -I keeps PYTHONPATH and ~/.local/lib/python3.*/site-packages out of it.
import sys

sys.path.insert(0, "/usr/lib/deskguard")
from deskguard.cli import main

sys.exit(main())
"""

POSTINST = """#!/bin/sh
set -e
if [ "$1" = configure ] && command -v python3 > /dev/null; then
    # Byte code for the python3 installed now; prerm removes it again.
    python3 -m compileall -q -j 0 /usr/lib/deskguard > /dev/null || true
fi
"""

PRERM = """#!/bin/sh
set -e
# The byte code postinst wrote is not in the package's file list: remove it, or dpkg
# leaves /usr/lib/deskguard behind.
if [ -d /usr/lib/deskguard ]; then
    find /usr/lib/deskguard -depth -type d -name __pycache__ -exec rm -rf {} +
fi
"""

DESCRIPTION = """\
Description: stand-and-move breaks and desk stretches for your working day
 DeskGuard is a small tray app for people who sit at a desk all day. Every
 30 to 60 minutes within your working hours it asks you to stand up and move
 for two minutes, shows one desk-friendly stretch with steps and a countdown,
 and records what you did, so you can see your week. Everything stays on your
 computer.
 .
 This package bundles the Python packages DeskGuard needs (PySide6 with the Qt
 parts it uses, APScheduler, platformdirs, tomlkit, plyer) in /usr/lib/deskguard.
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(argv: Sequence[str], **kw: object) -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
        list(argv), capture_output=True, text=True, **kw
    )
    if result.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result


def debian_arch() -> str:
    if shutil.which("dpkg"):
        return run(["dpkg", "--print-architecture"]).stdout.strip()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


# ---- the Python tree --------------------------------------------------------------------


def build_wheel(work: Path) -> Path:
    """DeskGuard's wheel, built from a copy of the checkout (pip builds in place)."""
    source = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "deskguard", source / "deskguard", ignore=ignore)
    shutil.copytree(ROOT / "resources", source / "resources", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    out = work / "wheel"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."]
    run(pip, cwd=source)
    [wheel] = out.glob("deskguard-*.whl")
    return wheel


def pins(names: Iterable[str]) -> list[str]:
    found = []
    for name in names:
        # not installed here: pip resolves it from pyproject.toml's range
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found.append(f"{name}=={importlib.metadata.version(name)}")
    return found


def install_wheels(wheel: Path, site: Path, work: Path, wheelhouse: Path | None) -> None:
    constraints = work / "constraints.txt"
    constraints.write_text("\n".join(pins(PINNED)) + "\n", encoding="utf-8")
    argv = [sys.executable, "-m", "pip", "install", "-q", "--target", str(site)]
    argv += ["--no-compile", "--only-binary=:all:", "--python-version", "3.11"]
    argv += ["--constraint", str(constraints)]
    if wheelhouse is not None:
        argv += ["--no-index", "--find-links", str(wheelhouse)]
    run([*argv, str(wheel)])
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts for this build's Python


def needed(path: Path) -> list[str]:
    """The shared libraries an ELF file names (DT_NEEDED)."""
    out = run(["readelf", "-dW", str(path)]).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)


def kept_entry_points(site: Path) -> list[Path]:
    """The ELF files DeskGuard loads: the kept modules and plugins (not their libraries)."""
    pyside = site / "PySide6"
    files = [pyside / f"{m}.abi3.so" for m in KEEP_MODULES]
    files.append(site / "shiboken6" / "Shiboken.abi3.so")
    plugins = pyside / "Qt" / "plugins"
    for pattern in KEEP_PLUGINS:
        matched = sorted(plugins.glob(pattern))
        if not matched:
            raise SystemExit(f"PySide6 has no Qt plugin {pattern}")
        files += matched
    return files


def library_closure(site: Path, start: Iterable[Path]) -> tuple[set[Path], dict[str, set[str]]]:
    """Bundled libraries reached from `start`, and the system sonames each file needs."""
    local: dict[str, Path] = {}
    for folder in (site / "PySide6" / "Qt" / "lib", site / "PySide6", site / "shiboken6"):
        local.update({p.name: p for p in folder.iterdir() if ".so" in p.name})
    bundled: set[Path] = set()
    system: dict[str, set[str]] = {}
    todo = list(start)
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for soname in needed(path):
            if soname in local:
                bundled.add(local[soname])
                todo.append(local[soname])
            else:
                system.setdefault(soname, set()).add(path.name)
    return bundled, system


def prune(site: Path) -> tuple[int, int]:
    """Cut PySide6 down to what DeskGuard uses; returns (bytes before, bytes after)."""
    before = tree_size(site)
    pyside = site / "PySide6"
    entry_points = kept_entry_points(site)
    libraries, _system = library_closure(site, entry_points)
    keep = {*entry_points, *libraries}
    keep_roots = [pyside / name for name in KEEP_PYSIDE]
    # Wheels hold no symlinks, so every path here is a plain file or folder.
    for path in sorted(pyside.rglob("*"), reverse=True):  # children before their folders
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif path not in keep and not any(r == path or r in path.parents for r in keep_roots):
            path.unlink()
    shutil.rmtree(site / "shiboken6" / "include", ignore_errors=True)  # C++ headers
    for stub in site.rglob("*.pyi"):  # type stubs: for editors, never loaded
        stub.unlink()
    for cache in list(site.rglob("__pycache__")):  # some wheels ship byte code: postinst's
        shutil.rmtree(cache)
    return before, tree_size(site)


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# ---- the package tree ---------------------------------------------------------------------


def copyright_text(site: Path) -> str:
    """DEP-5: DeskGuard's licence, then each bundled distribution's, from its metadata."""
    parts = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        f"Upstream-Name: DeskGuard\nSource: {HOMEPAGE}\n",
        "Files: *",
        "Copyright: DeskGuard developers",
        "License: GPL-3.0-or-later",
        " On Debian systems the full text is in /usr/share/common-licenses/GPL-3;",
        f" it is also in /{LIB}/deskguard-{__version__}.dist-info/licenses/LICENSE.",
    ]
    for meta in sorted(site.glob("*.dist-info/METADATA")):
        fields = Parser().parsestr(meta.read_text(encoding="utf-8", errors="replace"))
        name = fields.get("Name", meta.parent.name)
        if name.lower() == PACKAGE:
            continue
        licence = fields.get("License-Expression") or (fields.get("License") or "").strip()
        classifiers = [
            c.split(" :: ")[-1] for c in fields.get_all("Classifier") or [] if "License" in c
        ]
        if not licence or len(licence) > 80:  # some put the whole text in License
            licence = " OR ".join(classifiers) or "see its dist-info folder"
        parts += [
            "",
            "Files: " + " ".join(f"{LIB}/{top}/*" for top in _top_level(meta.parent)),
            f"Comment: the {name} {fields.get('Version')} wheel",
            f"License: {licence}",
            f" The licence files are in /{LIB}/{meta.parent.name}/.",
        ]
    return "\n".join(parts) + "\n"


def _top_level(dist_info: Path) -> list[str]:
    """The folders (and modules) a wheel installed, from its RECORD, and its dist-info."""
    record = (dist_info / "RECORD").read_text(encoding="utf-8").splitlines()
    tops = {line.split(",", 1)[0].split("/", 1)[0] for line in record if line}
    tops = {t for t in tops if t and t != "bin" and not t.startswith("..")}
    return sorted(tops, key=lambda t: (t.endswith(".dist-info"), t))


def write(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    path.chmod(mode)


def stage(tree: Path, site: Path) -> None:
    write(tree / "usr" / "bin" / PACKAGE, LAUNCHER, 0o755)
    data = ROOT / "deskguard" / "data"
    for source, relative in SHARE_FILES:
        write(tree / "usr" / "share" / Path(*relative.parts), (data / source).read_bytes())
    write(tree / "usr" / "share" / "doc" / PACKAGE / "copyright", copyright_text(site))
    for path in tree.rglob("*"):  # Debian's modes: no stray exec bits on libraries or data
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        elif path != tree / "usr" / "bin" / PACKAGE:
            path.chmod(0o644)


def control_text(installed_kib: int, arch: str, maintainer: str = MAINTAINER) -> str:
    lines = [
        f"Package: {PACKAGE}",
        f"Version: {__version__}-1",
        f"Architecture: {arch}",
        f"Maintainer: {maintainer}",
        f"Installed-Size: {installed_kib}",
        f"Depends: {', '.join(DEPENDS)}",
        f"Recommends: {', '.join(RECOMMENDS)}",
        f"Suggests: {', '.join(SUGGESTS)}",
        "Section: utils",
        "Priority: optional",
        f"Homepage: {HOMEPAGE}",
    ]
    return "\n".join(lines) + "\n" + DESCRIPTION


def build(
    out: Path,
    wheelhouse: Path | None = None,
    keep_tree: bool = False,
    maintainer: str = MAINTAINER,
) -> Path:
    for tool in ("dpkg-deb", "readelf"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing (Debian: apt install dpkg binutils)")
    arch = debian_arch()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="deskguard-deb-"))
    try:
        tree = work / "tree"
        site = tree / LIB
        wheel = build_wheel(work)
        log(f"built {wheel.name}")
        install_wheels(wheel, site, work, wheelhouse)
        before, after = prune(site)
        log(f"bundled Python packages: {before / 1e6:.0f} MB, cut to {after / 1e6:.0f} MB")
        stage(tree, site)
        kib = sum(-(-p.stat().st_size // 1024) for p in tree.rglob("*") if p.is_file())
        write(tree / "DEBIAN" / "control", control_text(kib, arch, maintainer))
        write(tree / "DEBIAN" / "postinst", POSTINST, 0o755)
        write(tree / "DEBIAN" / "prerm", PRERM, 0o755)
        out.mkdir(parents=True, exist_ok=True)
        deb = out / f"{PACKAGE}_{__version__}-1_{arch}.deb"
        run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(deb)])
        log(
            f"{deb}: {deb.stat().st_size / 1e6:.1f} MB, installed {kib / 1024:.0f} MiB, "
            f"in {time.monotonic() - started:.0f} s"
        )
        if keep_tree:
            log(f"package tree kept in {tree}")
        return deb
    finally:
        if not keep_tree:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument(
        "--wheelhouse", type=Path, help="install the dependencies from these wheels only"
    )
    parser.add_argument("--keep-tree", action="store_true", help="keep the staged tree")
    parser.add_argument("--maintainer", default=MAINTAINER, help="the control file's Maintainer")
    args = parser.parse_args(argv)
    print(build(args.out, args.wheelhouse, args.keep_tree, args.maintainer))
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    raise SystemExit(main())

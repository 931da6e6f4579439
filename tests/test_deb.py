"""The Debian package: packaging/build_deb.py builds it, and on CI it installs with apt,
runs, and removes without a trace.

Building takes about 30 s (pip resolves the wheels, Qt is cut down, xz compresses), so
every test here is marked slow. Installing needs root and changes the machine, so it runs
only where DESKGUARD_E2E_REQUIRED is set (CI, as root; `.ci/run`) and is skipped with a
reason elsewhere. The test removes the package again whatever happens.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from deskguard import __version__
from deskguard.adapters.autostart import APP_ID
from deskguard.adapters.desktop_entry import SHARE_FILES

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "packaging" / "build_deb.py"


def _required() -> bool:
    return os.environ.get("DESKGUARD_E2E_REQUIRED", "") not in ("", "0")


def _need(condition: bool, reason: str) -> None:
    if not condition:
        if _required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)  # type: ignore[call-overload, no-any-return]


def _build_deb_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_deb", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_deb = _build_deb_module()


def test_the_package_keeps_every_pyside6_module_deskguard_imports() -> None:
    imported = set()
    for path in (ROOT / "deskguard").rglob("*.py"):
        imported |= set(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert imported <= set(build_deb.KEEP_MODULES), imported - set(build_deb.KEEP_MODULES)


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need(bool(shutil.which("dpkg-deb")), "dpkg-deb is missing (Debian: dpkg)")
    _need(bool(shutil.which("readelf")), "readelf is missing (Debian: binutils)")
    out = tmp_path_factory.mktemp("deb")
    started = time.monotonic()
    result = _run([sys.executable, str(SCRIPT), "--out", str(out)])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [built] = out.glob("deskguard_*.deb")
    print(
        f"\n{built.name}: {built.stat().st_size / 1e6:.1f} MB, "
        f"built in {time.monotonic() - started:.0f} s\n{result.stderr.strip()}"
    )
    return built


@pytest.fixture(scope="module")
def unpacked(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("unpacked")
    assert _run(["dpkg-deb", "-x", str(deb), str(tree)]).returncode == 0
    return tree


@pytest.mark.slow
def test_the_package_holds_the_app_its_menu_entry_and_its_licences(
    deb: Path, unpacked: Path
) -> None:
    listing = _run(["dpkg-deb", "-c", str(deb)]).stdout
    paths = [line.split()[-1].removeprefix(".") for line in listing.splitlines()]
    modes = {line.split()[-1].removeprefix("."): line.split()[0] for line in listing.splitlines()}
    assert all(p.startswith("/usr/") or p == "/" for p in paths), paths[:5]
    assert modes["/usr/bin/deskguard"] == "-rwxr-xr-x"
    for _source, relative in SHARE_FILES:
        assert f"/usr/share/{relative}" in paths, relative
    assert "/usr/share/doc/deskguard/copyright" in paths
    assert not [p for p in paths if p.endswith(".pyc") or "__pycache__" in p]
    assert not [p for p in paths if "WebEngine" in p or "Qt6Quick" in p or "/qml/" in p]
    assert f"/usr/lib/deskguard/deskguard-{__version__}.dist-info/licenses/LICENSE" in paths
    copyright_text = (unpacked / "usr/share/doc/deskguard/copyright").read_text()
    assert "License: GPL-3.0-or-later" in copyright_text
    assert "LGPL-3.0-only" in copyright_text  # PySide6 and Qt, bundled
    fields = _run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Depends"]).stdout
    assert f"Version: {__version__}-1" in fields and "python3 (>= 3.11)" in fields
    desktop = unpacked / "usr/share/applications" / f"{APP_ID}.desktop"
    assert "\nExec=deskguard\n" in desktop.read_text()  # /usr/bin/deskguard, on PATH


def depends_check(site: Path) -> tuple[dict[str, str], list[str]]:
    """What dpkg-shlibdeps would find: each system library the kept Qt files link against,
    by its Debian package. Returns the ones whose package is not in Depends (apt would not
    bring them) and the sonames not installed on this machine (not checked)."""
    optional = {site / "PySide6/Qt/plugins" / p for p in build_deb.OPTIONAL_PLUGINS}
    start = [p for p in build_deb.kept_entry_points(site) if p not in optional]
    _bundled, system = build_deb.library_closure(site, start)
    known = _run(["ldconfig", "-p"]).stdout
    depends = {d.split()[0] for d in build_deb.DEPENDS}
    missing: list[str] = []
    unlisted: dict[str, str] = {}
    for soname, users in sorted(system.items()):
        match = re.search(rf"^\s*{re.escape(soname)} \(libc6,x86-64[^)]*\) => (\S+)", known, re.M)
        if match is None:
            missing.append(soname)
            continue
        path = match.group(1)
        owner = _run(["dpkg", "-S", path])
        if owner.returncode != 0:  # merged /usr: the package may name the other spelling
            other = path.removeprefix("/usr") if path.startswith("/usr/") else "/usr" + path
            owner = _run(["dpkg", "-S", other])
        package = owner.stdout.split(":")[0]
        if package not in depends:
            unlisted[soname] = f"{package} (for {', '.join(sorted(users))})"
    return unlisted, missing


@pytest.mark.slow
def test_depends_names_every_library_the_bundled_qt_needs(unpacked: Path) -> None:
    unlisted, missing = depends_check(unpacked / "usr/lib/deskguard")
    assert unlisted == {}
    if missing:  # on CI they are checked again once apt has installed the Depends
        pytest.skip(f"libraries not installed here, so not checked: {missing}")


@pytest.fixture
def installed(deb: Path) -> Iterator[float]:
    """apt installs the package; it is purged afterwards whatever the test did."""
    _need(hasattr(os, "geteuid") and os.geteuid() == 0, "installing a .deb needs root")
    _need(_required(), "installs into the system: only with DESKGUARD_E2E_REQUIRED=1 (CI)")
    _need(bool(shutil.which("apt-get")), "apt-get is missing")
    state = _run(["dpkg-query", "-W", "-f=${Status}", "deskguard"]).stdout
    if "installed" in state and "not-installed" not in state:
        pytest.fail("a deskguard package is already installed here; not replacing it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    started = time.monotonic()
    result = _run(["apt-get", "install", "-y", "--no-install-recommends", str(deb)], env=env)
    seconds = time.monotonic() - started
    try:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        newly = re.search(r"(\d+) newly installed", result.stdout)
        print(f"\napt-get install: {seconds:.1f} s, {newly.group(0) if newly else '?'}")
        yield seconds
    finally:
        _run(["apt-get", "remove", "--purge", "-y", "deskguard"], env=env)


@pytest.mark.slow
def test_apt_installs_it_it_runs_and_removal_leaves_nothing(
    installed: float, tmp_path: Path
) -> None:
    exe = "/usr/bin/deskguard"
    version = _run([exe, "--version"])
    assert version.stdout.strip() == f"DeskGuard {__version__}", version.stderr
    usage = _run([exe, "--help"])
    assert usage.returncode == 0 and "desktop-entry" in usage.stdout
    desktop = Path("/usr/share/applications") / f"{APP_ID}.desktop"
    if shutil.which("desktop-file-validate"):
        valid = _run(["desktop-file-validate", str(desktop)])
        assert valid.returncode == 0 and valid.stdout == "", valid.stdout
    if shutil.which("appstreamcli"):
        meta = Path("/usr/share/metainfo") / f"{APP_ID}.metainfo.xml"
        valid = _run(["appstreamcli", "validate", "--no-net", str(meta)])
        assert valid.returncode == 0, valid.stdout
    assert shutil.which("deskguard", path="/usr/bin") == exe  # Exec=deskguard resolves
    # With the Depends installed by apt, every library the bundled Qt needs is there.
    assert depends_check(Path("/usr/lib/deskguard")) == ({}, [])
    # it starts (offscreen, its own folders) and answers, then quits
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env |= {"DESKGUARD_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    app = subprocess.Popen([exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        status = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and app.poll() is None:
            answer = _run([exe, "status", "--json"], env=env)
            if answer.returncode == 0:
                status = json.loads(answer.stdout)
                break
            time.sleep(0.2)  # a process starting up, not Qt time
        assert status is not None, f"the installed app never answered: exit {app.poll()}"
        assert status["version"] == __version__ and status["problems"] == []
        assert _run([exe, "quit"], env=env).returncode == 0
        assert app.wait(timeout=20) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
        if app.stdout:
            app.stdout.close()

    files = _run(["dpkg", "-L", "deskguard"]).stdout.split()
    assert exe in files and str(desktop) in files
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    removed = _run(["apt-get", "remove", "--purge", "-y", "deskguard"], env=env)
    assert removed.returncode == 0, removed.stderr
    assert _run(["dpkg", "-L", "deskguard"]).returncode != 0  # dpkg knows it no more
    left = [f for f in files if os.path.lexists(f) and not os.path.isdir(f)]
    assert left == []
    assert not Path("/usr/lib/deskguard").exists()  # byte code included (prerm)
    assert not Path("/usr/share/doc/deskguard").exists()

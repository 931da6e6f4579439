"""packaging/: the validators pass, the icons are all there, and the PyInstaller bundle runs.

desktop-file-validate (Debian: desktop-file-utils) and appstreamcli (Debian: appstream)
are skipped with a reason when missing locally; CI installs both. The bundle test builds
with PyInstaller into a temporary folder (about 20 s) and is marked slow, but it runs
whenever PyInstaller is installed (it is in the `test` extra).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskguard import __version__
from deskguard.adapters.autostart import XdgAutostart

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
METAINFO = PACKAGING / "io.github.deskguard.DeskGuard.metainfo.xml"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package}); CI installs it")
    return path


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)  # type: ignore[call-overload, no-any-return]


# ---- validators ----


def test_desktop_entry_validates() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    result = _run([tool, str(PACKAGING / "deskguard.desktop")])
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_autostart_entry_validates(tmp_path: Path) -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    entry = XdgAutostart(["/opt/my apps/python3", "-m", "deskguard"], {"HOME": str(tmp_path)})
    path = tmp_path / "deskguard.desktop"
    path.write_text(entry.text(), encoding="utf-8")
    result = _run([tool, str(path)])
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_metainfo_validates() -> None:
    tool = _tool("appstreamcli", "appstream")
    result = _run([tool, "validate", "--no-net", str(METAINFO)])
    assert result.returncode == 0, result.stdout + result.stderr
    # errors and warnings fail; infos (e.g. a tag newer than this appstream) do not
    assert not any(line.startswith(("E:", "W:")) for line in result.stdout.splitlines()), (
        result.stdout
    )


def test_metainfo_names_the_desktop_file_release_and_screenshot() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("launchable") == "deskguard.desktop"
    assert (PACKAGING / "deskguard.desktop").is_file()
    releases = root.findall("releases/release")
    assert releases[0].get("version") == __version__
    assert releases[0].find("description") is not None
    image = root.findtext("screenshots/screenshot/image") or ""
    assert image.startswith("https://")
    assert image.endswith("/packaging/screenshots/break-window.png")


def test_screenshot_file_is_committed() -> None:
    shot = PACKAGING / "screenshots" / "break-window.png"
    if not shot.exists():
        pytest.skip(f"{shot.relative_to(ROOT)} is not in the tree yet; the metainfo points at it")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- icons ----


def test_icons_come_in_every_hicolor_size() -> None:
    hicolor = PACKAGING / "icons" / "hicolor"
    svg = hicolor / "scalable" / "apps" / "deskguard.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "icons" / "deskguard.svg").read_bytes()
    for size in SIZES:
        png = (hicolor / f"{size}x{size}" / "apps" / "deskguard.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
        assert (width, height) == (size, size)


def test_desktop_entry_icon_and_exec_match_the_app() -> None:
    lines = (PACKAGING / "deskguard.desktop").read_text(encoding="utf-8").splitlines()
    entry = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert entry["Icon"] == "deskguard"  # the hicolor file name
    assert entry["Exec"] == "deskguard"  # the [project.scripts] name


# ---- the PyInstaller bundle ----


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    pytest.importorskip(
        "PyInstaller", reason="PyInstaller is not installed (pip install -e '.[test]')"
    )
    out = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    result = _run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            str(PACKAGING / "deskguard.spec"),
        ],
        cwd=out,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-4000:]
    folder = out / "dist" / "deskguard"
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"\nPyInstaller build: {seconds:.1f} s, bundle {size / 1e6:.0f} MB in {folder}")
    yield folder


def _exe(folder: Path) -> Path:
    return folder / ("deskguard.exe" if sys.platform == "win32" else "deskguard")


@pytest.mark.slow
def test_bundle_answers_version(bundle: Path) -> None:
    result = _run([str(_exe(bundle)), "--version"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"DeskGuard {__version__}"
    assert (bundle / "_internal" / "resources" / "exercises.toml").is_file()
    # no QtWebEngine, QML or Quick in the bundle
    names = {p.name for p in bundle.rglob("*")}
    assert not any("WebEngine" in n or "Qt6Quick" in n or "Qt6Qml" in n for n in names)


@pytest.mark.slow
def test_bundle_starts_the_app_and_quits(bundle: Path, tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
    }
    env |= {"DESKGUARD_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    exe = str(_exe(bundle))
    app = subprocess.Popen(
        [exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        status = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and app.poll() is None:
            answer = _run([exe, "status", "--json"], env=env)
            if answer.returncode == 0:
                status = json.loads(answer.stdout)
                break
            time.sleep(0.2)  # a subprocess starting up, not Qt time
        assert status is not None, f"the bundled app never answered: exit {app.poll()}"
        assert status["version"] == __version__
        assert status["database"] == str(tmp_path / "home" / "data" / "deskguard.db")
        assert _run([exe, "quit"], env=env).returncode == 0
        assert app.wait(timeout=20) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
        output = app.stdout.read() if app.stdout else ""
        if app.stdout:
            app.stdout.close()
    assert "Traceback" not in output, output

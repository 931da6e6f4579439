"""Packaging: one app ID everywhere, validators clean, the wheel ships what a package must,
a fresh install gets a menu entry, and the PyInstaller bundle runs.

desktop-file-validate (Debian: desktop-file-utils) and appstreamcli (Debian: appstream)
are skipped with a reason when missing locally, and fail the test instead when
DESKGUARD_E2E_REQUIRED is set (CI installs both). The wheel is built from a copy of the
tree (so nothing is written into the checkout) with `pip wheel --no-deps`, a few
seconds; the bundle test builds with PyInstaller (about 20 s) and is marked slow. The
.deb is tests/test_deb.py.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskguard import __version__
from deskguard.adapters import desktop_entry as de
from deskguard.adapters.autostart import APP_ID, XdgAutostart

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DATA = ROOT / "deskguard" / "data"
DESKTOP = DATA / f"{APP_ID}.desktop"
METAINFO = DATA / f"{APP_ID}.metainfo.xml"
MANIFEST = PACKAGING / f"{APP_ID}.yml"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def _required() -> bool:
    return os.environ.get("DESKGUARD_E2E_REQUIRED", "") not in ("", "0")


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (Debian package {package}); CI installs it"
        if _required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)  # type: ignore[call-overload, no-any-return]


def _desktop_keys(text: str) -> dict[str, str]:
    lines = text.splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


# ---- validators ----


def test_desktop_entry_validates() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    result = _run([tool, str(DESKTOP)])
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_autostart_entry_validates(tmp_path: Path) -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    entry = XdgAutostart(["/opt/my apps/python3", "-m", "deskguard"], {"HOME": str(tmp_path)})
    path = tmp_path / f"{APP_ID}.desktop"
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


def test_metainfo_names_release_and_screenshot() -> None:
    root = ET.parse(METAINFO).getroot()
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


# ---- one ID everywhere ----


def test_one_app_id_names_everything() -> None:
    assert APP_ID == "io.github.deskguard.DeskGuard"
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == "GPL-3.0-or-later"
    entry = _desktop_keys(DESKTOP.read_text(encoding="utf-8"))
    assert entry["Icon"] == APP_ID  # the hicolor file name
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert entry["Exec"] in pyproject["project"]["scripts"]  # `deskguard`, on PATH
    assert root.findtext("provides/binary") == entry["Exec"]
    autostart = _desktop_keys(XdgAutostart(["deskguard"], {"HOME": "/h"}).text())
    assert autostart["Icon"] == APP_ID
    assert XdgAutostart(["deskguard"], {"HOME": "/h"}).path.name == f"{APP_ID}.desktop"
    assert f'bundle_identifier="{APP_ID}"' in (PACKAGING / "deskguard.spec").read_text()
    assert f"app-id: {APP_ID}\n" in MANIFEST.read_text()
    assert f'APP_ID = "{APP_ID}"' in (PACKAGING / "render_icons.py").read_text()
    # Wayland's app_id and the portals' view of the app: QGuiApplication.desktopFileName
    app_source = (ROOT / "deskguard" / "app.py").read_text()
    assert f'\nAPP_ID = "{APP_ID}"\n' in app_source
    assert "setDesktopFileName(APP_ID)" in app_source
    assert all(target.name.startswith(f"{APP_ID}.") for _, target in de.SHARE_FILES)


def test_icons_come_in_every_hicolor_size() -> None:
    svg = DATA / f"{APP_ID}.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "icons" / "deskguard.svg").read_bytes()
    for size in SIZES:
        png = (DATA / f"{APP_ID}-{size}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
        assert (width, height) == (size, size)
    assert de.ICON_SIZES == SIZES


# ---- what a package must ship ----


def test_license_is_the_gpl_3_text_the_metadata_names() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.split("\n", 2)[:2] == [
        "                    GNU GENERAL PUBLIC LICENSE",
        "                       Version 3, 29 June 2007",
    ]
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 30_000  # the full text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "GPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]


def test_packaging_readme_states_the_bundles_platform_floor() -> None:
    text = (PACKAGING / "README.md").read_text(encoding="utf-8")
    assert "glibc 2.36" in text and "Debian 12" in text
    assert "not built here" in text.lower()


# ---- the wheel ----


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel --no-deps` of a copy of the tree (pip builds in place, so not here)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "deskguard", source / "deskguard", ignore=ignore)
    shutil.copytree(ROOT / "resources", source / "resources", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    started = time.monotonic()
    result = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), "."],
        cwd=source,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [built] = (work / "dist").glob("deskguard-*.whl")
    print(f"\nwheel: {built.name}, {built.stat().st_size / 1000:.0f} kB "
          f"in {time.monotonic() - started:.1f} s")  # fmt: skip
    return built


def test_wheel_ships_the_menu_files_the_content_and_the_license(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"deskguard-{__version__}.dist-info/METADATA").decode()
        license_text = archive.read(f"deskguard-{__version__}.dist-info/licenses/LICENSE")
    for source, _target in de.SHARE_FILES:
        assert f"deskguard/data/{source}" in names, source
    assert "deskguard/resources/exercises.toml" in names
    assert "deskguard/resources/icons/deskguard.svg" in names
    assert license_text == (ROOT / "LICENSE").read_bytes()
    assert "License-Expression: GPL-3.0-or-later" in metadata.splitlines()
    assert not any(n.startswith(("tests/", "packaging/", "resources/")) for n in names)


def test_fresh_venv_from_the_wheel_gets_a_working_menu_entry(wheel: Path, tmp_path: Path) -> None:
    """pip's user path, end to end: install, add the menu entry, run what it names, remove.

    Only DeskGuard and platformdirs are installed (--no-deps): the menu-entry command and
    `--version` load no Qt, and PySide6 would take a minute to install.
    """
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    install = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
         "--no-deps", str(wheel), "platformdirs"]
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    home = tmp_path / "home"
    env = {
        "PATH": "/usr/bin:/bin",  # the venv is not on PATH: Exec must not rely on it
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_DIRS": str(tmp_path / "none"),
    }
    script = venv / "bin" / "deskguard"
    added = _run([str(script), "desktop-entry", "install"], env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    desktop = home / "share" / "applications" / f"{APP_ID}.desktop"
    keys = _desktop_keys(desktop.read_text(encoding="utf-8"))
    argv = shlex.split(keys["Exec"])
    assert argv == [str(script)]  # the installed script, by absolute path
    assert de.in_menu(env)
    ran = _run([*argv, "--version"], env=env, cwd=tmp_path)
    assert ran.stdout.strip() == f"DeskGuard {__version__}", ran.stderr
    if shutil.which("desktop-file-validate"):
        valid = _run(["desktop-file-validate", str(desktop)])
        assert valid.returncode == 0 and valid.stdout == "", valid.stdout
    removed = _run([str(script), "desktop-entry", "remove"], env=env, cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert "delete these folders" in removed.stdout
    left = [p for p in home.rglob("*") if p.is_file() and p.name != "mimeinfo.cache"]
    assert left == []  # mimeinfo.cache: update-desktop-database's, for the whole folder


def test_a_stray_resources_folder_on_the_path_changes_nothing(wheel: Path, tmp_path: Path) -> None:
    """#17: an empty site-packages/resources made DeskGuard look for its content there."""
    site = tmp_path / "site-packages"
    install = _run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
         str(wheel)]
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    (site / "resources").mkdir()  # what a careless package leaves behind
    code = (
        "import json, deskguard\n"
        "from deskguard.adapters.content import load_library, resources_dir\n"
        "library = load_library()\n"
        "print(json.dumps([deskguard.__file__, str(resources_dir()), len(library.exercises)]))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(site))
    result = _run([sys.executable, "-c", code], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    package_file, folder, exercises = json.loads(result.stdout)
    assert package_file.startswith(str(site))  # the wheel's copy, not the checkout
    assert folder == str(site / "deskguard" / "resources")
    assert exercises > 0


# ---- the Flatpak manifest (not built here) ----


def test_flatpak_manifest_asks_only_for_what_deskguard_uses() -> None:
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    start = lines.index("finish-args:")
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line and not line.startswith(" "):
            break
        block.append(line.strip())
    args = [line[2:] for line in block if line.startswith("- ")]
    assert args and not any(a.startswith(("--own-name", "--filesystem")) for a in args)
    assert "--share=network" not in args and "--socket=session-bus" not in args
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "deskguard").rglob("*.py"))
    qt_itself = {"org.kde.StatusNotifierWatcher"}  # Qt's tray icon, not our code
    for index, line in enumerate(block):
        if not line.startswith("- --"):
            continue
        above = [b for b in block[:index] if not b.startswith("- --")]
        assert above and above[-1].startswith("#"), f"{line}: no comment says why"
        if "talk-name=" in line:  # each bus name has a comment of its own
            assert block[index - 1].startswith("#"), f"{line}: no comment of its own"
            name = line.split("=", 1)[1]
            assert name in qt_itself or f'"{name}"' in sources, f"{name} is not used"


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
def test_bundle_answers_version_and_carries_its_files(bundle: Path) -> None:
    result = _run([str(_exe(bundle)), "--version"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"DeskGuard {__version__}"
    internal = bundle / "_internal"
    assert (internal / "deskguard" / "resources" / "exercises.toml").is_file()
    assert (internal / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    for source, _target in de.SHARE_FILES:
        assert (internal / "deskguard" / "data" / source).is_file(), source
    assert not (internal / "resources").exists()  # content only inside deskguard/
    # no QtWebEngine, QML or Quick in the bundle
    names = {p.name for p in bundle.rglob("*")}
    assert not any("WebEngine" in n or "Qt6Quick" in n or "Qt6Qml" in n for n in names)


@pytest.mark.slow
def test_bundle_needs_no_glibc_newer_than_the_floor_packaging_readme_states(
    bundle: Path,
) -> None:
    objdump = _tool("objdump", "binutils")
    versions: set[tuple[int, int]] = set()
    for path in [_exe(bundle), *(bundle / "_internal").rglob("*.so*")]:
        if path.is_file() and not path.is_symlink():
            symbols = _run([objdump, "-T", str(path)]).stdout
            versions |= {(2, int(m)) for m in re.findall(r"GLIBC_2\.(\d+)", symbols)}
    floor = re.search(r"glibc 2\.(\d+)", (PACKAGING / "README.md").read_text())
    assert floor is not None
    assert max(versions) <= (2, int(floor.group(1))), max(versions)


@pytest.mark.slow
def test_bundle_adds_itself_to_the_menu(bundle: Path, tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    assert _run([str(_exe(bundle)), "desktop-entry", "install"], env=env).returncode == 0
    desktop = tmp_path / "share" / "applications" / f"{APP_ID}.desktop"
    keys = _desktop_keys(desktop.read_text(encoding="utf-8"))
    assert shlex.split(keys["Exec"]) == [str(_exe(bundle))]
    assert _run([str(_exe(bundle)), "desktop-entry", "remove"], env=env).returncode == 0
    assert not desktop.exists()


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
    assert not re.search(r"exercises\.toml: file not found", output)

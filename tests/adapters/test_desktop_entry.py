"""`deskguard desktop-entry install|remove`: the menu entry under the user's XDG data folder.

Everything happens under tmp_path (HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_DATA_DIRS).
desktop-file-validate, update-desktop-database and gtk-update-icon-cache come in Debian's
desktop-file-utils and gtk-update-icon-cache: a test that needs one skips without it, and
fails instead when DESKGUARD_E2E_REQUIRED is set (.ci/run installs both).
"""

from __future__ import annotations

import os
import shlex
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from deskguard import cli
from deskguard.adapters import desktop_entry as de
from deskguard.adapters.autostart import Autostart, exec_line

APP_ID = "io.github.deskguard.DeskGuard"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (Debian package {package})"
        if os.environ.get("DESKGUARD_E2E_REQUIRED", "") not in ("", "0"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "system"))  # no system entry
    monkeypatch.delenv("DESKGUARD_HOME", raising=False)
    return tmp_path


def _keys(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_the_shipped_files_are_all_there_and_named_by_the_app_id() -> None:
    data = de.data_dir()
    assert data == Path(de.__file__).resolve().parents[1] / "data"  # DeskGuard's own folder
    for source, target in de.SHARE_FILES:
        assert (data / source).is_file(), source
        assert target.name.startswith(APP_ID)
    assert {f.name for f in data.iterdir()} == {source for source, _ in de.SHARE_FILES}


def test_install_puts_deskguard_in_the_menu_and_remove_takes_it_out(home: Path) -> None:
    command = [str(home / "my bin" / "deskguard")]  # a space: Exec must quote it
    entry = de.DesktopEntry(command=command)
    assert not de.in_menu()
    done = entry.install()
    share = home / "share"
    desktop = share / "applications" / f"{APP_ID}.desktop"
    assert desktop in done.written and de.in_menu()
    keys = _keys(desktop)
    assert keys["Exec"] == exec_line(command) == f'"{command[0]}"'
    assert keys["TryExec"] == command[0]  # the entry hides itself if the program goes
    assert keys["Icon"] == APP_ID and keys["X-DeskGuard-Managed"] == "true"
    metainfo = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    assert metainfo.read_bytes() == (de.data_dir() / f"{APP_ID}.metainfo.xml").read_bytes()
    for size in de.ICON_SIZES:
        png = (
            share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        ).read_bytes()
        assert struct.unpack(">II", png[16:24]) == (size, size)  # IHDR: the right size
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert len(done.written) == len(de.SHARE_FILES) == 11

    entry.install()  # again (an upgrade): replaced in place, nothing doubled
    assert len([f for f in _files(share) if APP_ID in f]) == 11

    done = entry.remove()
    assert len(done.removed) == 11 and not done.notes
    assert not de.in_menu()
    assert [f for f in _files(share) if APP_ID in f] == []


def test_the_installed_entry_validates(home: Path) -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    de.DesktopEntry(command=["/opt/my apps/python3", "-m", "deskguard"]).install()
    desktop = home / "share" / "applications" / f"{APP_ID}.desktop"
    result = subprocess.run([tool, str(desktop)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_remove_also_removes_deskguards_autostart_entries(home: Path) -> None:
    entry = de.DesktopEntry(command=["deskguard"])
    entry.install()
    Autostart(platform="linux", flatpak=False, command=["deskguard"]).enable()
    autostart = home / "config" / "autostart"
    old = autostart / "deskguard.desktop"  # what DeskGuard wrote before it used its app ID
    old.write_text("[Desktop Entry]\nType=Application\nName=D\nExec=x\nX-DeskGuard-Managed=true\n")
    neighbour = autostart / "other.desktop"
    neighbour.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    done = entry.remove()
    assert autostart / f"{APP_ID}.desktop" in done.removed and old in done.removed
    assert [p.name for p in autostart.iterdir()] == ["other.desktop"]


def test_remove_leaves_what_deskguard_did_not_write(home: Path) -> None:
    mine = "[Desktop Entry]\nType=Application\nName=My DeskGuard\nExec=deskguard -v\n"
    desktop = home / "share" / "applications" / f"{APP_ID}.desktop"
    desktop.parent.mkdir(parents=True)
    desktop.write_text(mine)
    autostart = home / "config" / "autostart" / f"{APP_ID}.desktop"
    autostart.parent.mkdir(parents=True)
    autostart.write_text(mine)
    done = de.DesktopEntry(command=["deskguard"]).remove()
    assert desktop.read_text() == mine and autostart.read_text() == mine
    assert len(done.notes) == 2 and all("not written by DeskGuard" in n for n in done.notes)


def test_a_system_entry_counts_as_in_the_menu(home: Path) -> None:
    system = home / "system" / "applications" / f"{APP_ID}.desktop"
    system.parent.mkdir(parents=True)
    system.write_text("[Desktop Entry]\n")
    assert de.in_menu()
    assert de.in_menu(env={"HOME": str(home / "nobody")}, flatpak=True)  # Flatpak exports it


def test_caches_are_refreshed_where_the_tools_are(home: Path) -> None:
    _tool("update-desktop-database", "desktop-file-utils")
    cache_tool = _tool("gtk-update-icon-cache", "gtk-update-icon-cache")
    hicolor = home / "share" / "icons" / "hicolor"
    other = hicolor / "16x16" / "apps" / "other-app.png"  # another app's icon, and a cache
    other.parent.mkdir(parents=True)
    shutil.copyfile(de.data_dir() / f"{APP_ID}-16.png", other)
    subprocess.run([cache_tool, "-q", "-t", "-f", str(hicolor)], check=True)
    assert APP_ID.encode() not in (hicolor / "icon-theme.cache").read_bytes()
    de.DesktopEntry(command=["deskguard"]).install()
    assert (home / "share" / "applications" / "mimeinfo.cache").is_file()
    assert APP_ID.encode() in (hicolor / "icon-theme.cache").read_bytes()
    de.DesktopEntry(command=["deskguard"]).remove()
    assert APP_ID.encode() not in (hicolor / "icon-theme.cache").read_bytes()


def test_no_icon_cache_is_created_where_there_was_none(home: Path) -> None:
    de.DesktopEntry(command=["deskguard"]).install()
    assert not (home / "share" / "icons" / "hicolor" / "icon-theme.cache").exists()


# ---- the command line ----


def test_cli_install_and_remove(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["desktop-entry", "install"]) == 0
    said = capsys.readouterr().out
    desktop = home / "share" / "applications" / f"{APP_ID}.desktop"
    assert str(desktop) in said and "applications menu" in said
    argv = shlex.split(_keys(desktop)["Exec"])
    assert Path(argv[0]).is_absolute()

    assert cli.main(["desktop-entry", "remove"]) == 0
    said = capsys.readouterr().out
    assert str(desktop) in said and not desktop.exists()
    # where the user's own record and settings stay, and how to remove them
    assert str(home / "config" / "deskguard") in said
    assert str(home / "share" / "deskguard") in said
    assert "delete these folders" in said

    assert cli.main(["desktop-entry", "remove"]) == 0  # nothing left: says so, no error
    assert "had no menu entry" in capsys.readouterr().out


def test_cli_rejects_an_unknown_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["desktop-entry", "add"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_desktop_entries_are_for_freedesktop_platforms() -> None:
    assert de.supported("linux") and de.supported("freebsd14")
    assert not de.supported("win32") and not de.supported("darwin")

"""Autostart on and off: files created and removed, nothing of the user's touched."""

from __future__ import annotations

import plistlib
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from deskguard.adapters import autostart as mod
from deskguard.adapters.autostart import Autostart, AutostartError, exec_line, start_command

USERS_OWN = "[Desktop Entry]\nType=Application\nName=My DeskGuard\nExec=deskguard --verbose\n"


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return config / "autostart" / "io.github.deskguard.DeskGuard.desktop"


def _entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def test_on_writes_a_marked_entry_that_starts_the_app(xdg: Path) -> None:
    auto = Autostart(platform="linux")
    assert auto.location == str(xdg)
    assert not auto.enabled()
    auto.enable()
    assert auto.enabled()
    entry = _entry(xdg)
    assert entry["Type"] == "Application"
    assert entry["X-DeskGuard-Managed"] == "true"
    assert entry["Icon"] == "io.github.deskguard.DeskGuard"  # the icon the menu entry installs
    assert shlex.split(entry["Exec"]) == start_command()
    # named by the app ID, as the Background portal names it; no temporary file left
    assert [p.name for p in xdg.parent.iterdir()] == ["io.github.deskguard.DeskGuard.desktop"]


def test_off_removes_exactly_that_file(xdg: Path) -> None:
    neighbour = xdg.parent / "other-app.desktop"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_text(USERS_OWN, encoding="utf-8")
    auto = Autostart(platform="linux")
    auto.enable()
    auto.disable()
    assert not xdg.exists()
    assert not auto.enabled()
    assert neighbour.read_text(encoding="utf-8") == USERS_OWN
    auto.disable()  # already off: nothing to do, no error


def test_exec_is_the_script_on_path_else_this_python(
    xdg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "my bin"
    bin_dir.mkdir()
    script = bin_dir / "deskguard"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert start_command() == [str(script)]
    Autostart(platform="linux").enable()
    assert _entry(xdg)["Exec"] == f'"{script}"'  # quoted: the folder has a space

    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert start_command() == [sys.executable, "-m", "deskguard"]
    Autostart(platform="linux").enable()
    assert shlex.split(_entry(xdg)["Exec"]) == [sys.executable, "-m", "deskguard"]


def test_users_own_entry_is_never_removed_or_replaced(xdg: Path) -> None:
    xdg.parent.mkdir(parents=True)
    xdg.write_text(USERS_OWN, encoding="utf-8")
    auto = Autostart(platform="linux")
    assert auto.enabled()  # their entry starts DeskGuard already
    auto.enable()
    assert xdg.read_text(encoding="utf-8") == USERS_OWN
    with pytest.raises(AutostartError, match="not written by DeskGuard"):
        auto.disable()
    assert xdg.read_text(encoding="utf-8") == USERS_OWN


def test_users_hidden_entry_is_reported_not_overwritten(xdg: Path) -> None:
    xdg.parent.mkdir(parents=True)
    xdg.write_text(USERS_OWN + "Hidden=true\n", encoding="utf-8")
    auto = Autostart(platform="linux")
    assert not auto.enabled()
    with pytest.raises(AutostartError, match="left it alone"):
        auto.enable()
    assert xdg.read_text(encoding="utf-8").endswith("Hidden=true\n")


def test_without_xdg_config_home_it_uses_dot_config(tmp_path: Path) -> None:
    auto = Autostart(platform="linux", env={"HOME": str(tmp_path)}, command=["deskguard"])
    auto.enable()
    assert (tmp_path / ".config" / "autostart" / "io.github.deskguard.DeskGuard.desktop").is_file()


# ---- the entry an older DeskGuard wrote as deskguard.desktop ----


def test_enable_moves_our_old_entry_to_the_app_id_name(xdg: Path) -> None:
    old = xdg.with_name("deskguard.desktop")
    old.parent.mkdir(parents=True)
    old.write_text(USERS_OWN + "X-DeskGuard-Managed=true\n", encoding="utf-8")
    auto = Autostart(platform="linux", flatpak=False)
    assert auto.enabled()
    auto.enable()
    assert sorted(p.name for p in xdg.parent.iterdir()) == [xdg.name]  # never two entries
    auto.disable()
    assert list(xdg.parent.iterdir()) == []


def test_disable_removes_our_old_entry_too(xdg: Path) -> None:
    old = xdg.with_name("deskguard.desktop")
    old.parent.mkdir(parents=True)
    old.write_text(USERS_OWN + "X-DeskGuard-Managed=true\n", encoding="utf-8")
    Autostart(platform="linux", flatpak=False).disable()
    assert not old.exists()


def test_the_users_own_old_named_entry_counts_and_stays(xdg: Path) -> None:
    old = xdg.with_name("deskguard.desktop")
    old.parent.mkdir(parents=True)
    old.write_text(USERS_OWN, encoding="utf-8")
    auto = Autostart(platform="linux", flatpak=False)
    assert auto.enabled()
    auto.enable()  # it starts DeskGuard already: no second entry
    assert not xdg.exists()
    with pytest.raises(AutostartError, match="not written by DeskGuard"):
        auto.disable()
    assert old.read_text(encoding="utf-8") == USERS_OWN


def test_start_command_prefers_the_deskguard_script_that_is_running(tmp_path: Path) -> None:
    script = tmp_path / "pipx bin" / "deskguard"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    assert start_command(str(script)) == [str(script)]  # not resolved: pipx's link stays
    assert start_command(str(tmp_path / "pytest")) != [str(tmp_path / "pytest")]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["/usr/bin/deskguard"], "/usr/bin/deskguard"),
        (["/opt/my apps/python", "-m", "deskguard"], '"/opt/my apps/python" -m deskguard'),
        (["/x/100%"], "/x/100%%"),
        (['/a"b$c'], '"/a\\\\"b\\\\$c"'),
        ([r"C:\py\python.exe"], r'"C:\\\\py\\\\python.exe"'),
    ],
)
def test_exec_line_quoting(argv: list[str], line: str) -> None:
    assert exec_line(argv) == line


# ---- macOS and Windows, with their storage in tmp_path or a fake registry ----


def test_launch_agent_on_and_off(tmp_path: Path) -> None:
    auto = Autostart(platform="darwin", home=tmp_path, command=["/Applications/DeskGuard"])
    auto.enable()
    plist = tmp_path / "Library" / "LaunchAgents" / "io.github.deskguard.DeskGuard.plist"
    data = plistlib.loads(plist.read_bytes())
    assert data["ProgramArguments"] == ["/Applications/DeskGuard"]
    assert data["RunAtLoad"] is True and data["X-DeskGuard-Managed"] is True
    assert auto.enabled()
    auto.disable()
    assert not plist.exists()

    plist.write_bytes(plistlib.dumps({"Label": "mine", "ProgramArguments": ["x"]}))
    with pytest.raises(AutostartError):
        auto.disable()
    assert plistlib.loads(plist.read_bytes())["Label"] == "mine"


class FakeRegistry:
    HKEY_CURRENT_USER = "HKCU"
    KEY_READ = 1
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Any]] = {}

    def OpenKey(self, key: Any, sub_key: str, reserved: int = 0, access: int = 0) -> str:
        if sub_key not in self.keys:
            raise FileNotFoundError(sub_key)
        return sub_key

    def CreateKey(self, key: Any, sub_key: str) -> str:
        self.keys.setdefault(sub_key, {})
        return sub_key

    def QueryValueEx(self, key: str, name: str) -> tuple[Any, int]:
        if name not in self.keys[key]:
            raise FileNotFoundError(name)
        return self.keys[key][name], self.REG_SZ

    def SetValueEx(self, key: str, name: str, reserved: int, type: int, value: Any) -> None:
        self.keys[key][name] = value

    def DeleteValue(self, key: str, name: str) -> None:
        if name not in self.keys[key]:
            raise FileNotFoundError(name)
        del self.keys[key][name]

    def CloseKey(self, key: Any) -> None:
        pass


def test_run_key_on_and_off() -> None:
    reg = FakeRegistry()
    reg.CreateKey(reg.HKEY_CURRENT_USER, mod.RUN_KEY)
    reg.keys[mod.RUN_KEY]["OneDrive"] = "onedrive.exe /background"
    cmd = [r"C:\Program Files\DeskGuard\deskguard.exe"]
    auto = Autostart(platform="win32", registry=reg, command=cmd)
    assert not auto.enabled()
    auto.enable()
    assert reg.keys[mod.RUN_KEY]["DeskGuard"] == r'"C:\Program Files\DeskGuard\deskguard.exe"'
    assert auto.enabled()
    auto.disable()
    assert reg.keys[mod.RUN_KEY] == {"OneDrive": "onedrive.exe /background"}
    assert not auto.enabled()


def test_run_value_the_user_made_is_left_alone() -> None:
    reg = FakeRegistry()
    reg.CreateKey(reg.HKEY_CURRENT_USER, mod.RUN_KEY)
    reg.keys[mod.RUN_KEY]["DeskGuard"] = r"C:\tools\deskguard.exe --verbose"
    auto = Autostart(platform="win32", registry=reg, command=["deskguard.exe"])
    assert auto.enabled()
    auto.enable()
    with pytest.raises(AutostartError):
        auto.disable()
    assert reg.keys[mod.RUN_KEY]["DeskGuard"] == r"C:\tools\deskguard.exe --verbose"

"""Light, dark or the system's look (Settings → Startup & look).

"system" leaves Qt's platform theme alone (GNOME, KDE and their dark modes); "light"
and "dark" use Qt's Fusion style with a palette of our own, so the choice holds on any
desktop. Every window takes its colours from the palette (`palette(...)` in style
sheets, `QPalette` roles when painting), so switching needs no window of its own.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("system", "light", "dark")

_R = QPalette.ColorRole
_G = QPalette.ColorGroup


def _palette(colours: dict[QPalette.ColorRole, str], disabled: str) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (_R.ButtonText, _R.Text, _R.WindowText):
        palette.setColor(_G.Disabled, role, QColor(disabled))
    return palette


def light_palette() -> QPalette:
    return _palette(
        {
            _R.Window: "#efefef",
            _R.WindowText: "#1b1b1b",
            _R.Base: "#ffffff",
            _R.AlternateBase: "#f5f6f8",
            _R.Text: "#1b1b1b",
            _R.Button: "#e8e8e8",
            _R.ButtonText: "#1b1b1b",
            _R.Highlight: "#1c6fb8",
            _R.HighlightedText: "#ffffff",
            _R.PlaceholderText: "#5c6166",
            _R.Link: "#0b5cad",
            _R.LinkVisited: "#6a3d9a",
            _R.ToolTipBase: "#ffffdc",
            _R.ToolTipText: "#1b1b1b",
            _R.Mid: "#b8bcc2",
            _R.Midlight: "#d9dce0",
            _R.Dark: "#8a8f96",
            _R.Light: "#ffffff",
            _R.Shadow: "#5a5a5a",
        },
        disabled="#8a8f96",
    )


def dark_palette() -> QPalette:
    return _palette(
        {
            _R.Window: "#2a2f34",
            _R.WindowText: "#e6e6e6",
            _R.Base: "#1e2226",
            _R.AlternateBase: "#31373d",
            _R.Text: "#e6e6e6",
            _R.Button: "#353b41",
            _R.ButtonText: "#e6e6e6",
            _R.Highlight: "#3d8fd6",
            _R.HighlightedText: "#ffffff",
            _R.PlaceholderText: "#b8c2cc",
            _R.Link: "#7ab8ff",
            _R.LinkVisited: "#c49bff",
            _R.ToolTipBase: "#31373d",
            _R.ToolTipText: "#e6e6e6",
            _R.Mid: "#555d66",
            _R.Midlight: "#3f464d",
            _R.Dark: "#16191c",
            _R.Light: "#4a525a",
            _R.Shadow: "#0d0f11",
        },
        disabled="#7b848d",
    )


def apply_theme(app: QApplication, name: str) -> None:
    """Use `name` ("system", "light" or "dark") for every window from now on."""
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; use one of {', '.join(THEMES)}")
    if name == "system":
        default = app.property("deskguard_system_style")
        if isinstance(default, str) and default:
            app.setStyle(QStyleFactory.create(default))
            app.setPalette(app.style().standardPalette())
        return
    if not app.property("deskguard_system_style"):
        app.setProperty("deskguard_system_style", app.style().name())
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(dark_palette() if name == "dark" else light_palette())


def is_dark(palette: QPalette) -> bool:
    return palette.color(_R.Window).lightness() < 128

"""Light and dark colour palettes for the Fusion style (used on Linux, and when asked for)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QStyleFactory

__all__ = ["dark_palette", "light_palette"]

_ACCENT = QColor("#2f7fd0")


def light_palette() -> QPalette:
    """Fusion's own light palette with the app's accent colour."""
    style = QStyleFactory.create("Fusion")
    palette = QPalette(style.standardPalette()) if style is not None else QPalette()
    palette.setColor(QPalette.ColorRole.Highlight, _ACCENT)
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Link, _ACCENT.darker(115))
    return palette


def dark_palette() -> QPalette:
    """A calm dark palette: grey surfaces, light text, the same accent."""
    roles = QPalette.ColorRole
    colours = {
        roles.Window: "#2b2d30",
        roles.WindowText: "#e6e6e6",
        roles.Base: "#1f2023",
        roles.AlternateBase: "#2a2c2f",
        roles.ToolTipBase: "#3a3d41",
        roles.ToolTipText: "#f0f0f0",
        roles.PlaceholderText: "#8c8f94",
        roles.Text: "#e6e6e6",
        roles.Button: "#35373b",
        roles.ButtonText: "#e6e6e6",
        roles.BrightText: "#ff6b6b",
        roles.Light: "#4a4d52",
        roles.Midlight: "#3e4145",
        roles.Mid: "#2f3134",
        roles.Dark: "#1a1b1d",
        roles.Shadow: "#111214",
        roles.Highlight: _ACCENT.name(),
        roles.HighlightedText: "#ffffff",
        roles.Link: "#6fb0f0",
        roles.LinkVisited: "#b48ef0",
    }
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#7a7d82"))
    palette.setColor(disabled, roles.Highlight, QColor("#4a4d52"))
    return palette

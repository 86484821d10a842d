"""The timeline's keys: what each does to the view (the widget applies it).

Left/Right scroll an eighth of the width, Page Up/Down nine tenths (a little of the last page
stays in view), Home/End go to either end, 0 fits the whole recording; + and - zoom (around the
playhead, which the widget decides).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt

from ui.timeline.geometry import ZOOM_STEP, Viewport

__all__ = ["PAGE_SHARE", "key_zoom", "scroll_step", "scrolled_by_key"]

#: How much of the width a page key turns.
PAGE_SHARE: Final = 0.9


def scroll_step(view: Viewport) -> float:
    """Pixels one arrow key or wheel notch scrolls."""
    return max(view.width / 8, 20.0)


def scrolled_by_key(view: Viewport, key: Qt.Key) -> Viewport | None:
    """The view after a scroll key, or None when ``key`` does not scroll."""
    page, step = view.width * PAGE_SHARE, scroll_step(view)
    k = Qt.Key
    if key == k.Key_Left:
        return view.scrolled_by(-step)
    if key == k.Key_Right:
        return view.scrolled_by(step)
    if key == k.Key_PageUp:
        return view.scrolled_by(-page)
    if key == k.Key_PageDown:
        return view.scrolled_by(page)
    if key == k.Key_Home:
        return view.scrolled_to(0)
    if key == k.Key_End:
        return view.scrolled_to(view.max_start_ms)
    if key == k.Key_0:
        return view.fitted()
    return None


def key_zoom(key: Qt.Key) -> float | None:
    """The zoom factor of a zoom key (+ or = in, - out), or None."""
    if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
        return ZOOM_STEP
    if key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
        return 1 / ZOOM_STEP
    return None

"""Guard against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 releases a reference to None on every call that returns nothing (PYSIDE-3474); on
Python 3.11 the app then aborts with "none_dealloc" after a few thousand Qt calls.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_qt_calls_keep_none_alive() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        obj.setObjectName("x")
    assert sys.getrefcount(None) - before > -10

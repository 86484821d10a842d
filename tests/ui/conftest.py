"""Qt test fixtures: a throwaway settings scope so tests never touch a person's settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Point QSettings (INI format) at a fresh folder and a test-only application name."""
    folder = tmp_path_factory.mktemp("settings")
    QCoreApplication.setOrganizationName("TranscriptEditorTests")
    QCoreApplication.setApplicationName("transcript-editor-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    return folder

"""Model folders in Transcription Settings (issue 17, item 1): added, checked, listed, chosen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ui.dialogs import model_folders
from ui.dialogs.model_folders import check_model_folder
from ui.dialogs.transcription_settings import TranscriptionSettingsDialog
from ui.settings import AppSettings, load_settings, save_settings

TINY = Path(__file__).resolve().parents[3] / "shared" / "models" / "whisper-tiny.en-mlx"


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A model folder with the layout of an mlx-community conversion (tiny config and weights)."""
    folder = tmp_path / "my-whisper"
    folder.mkdir()
    if TINY.is_dir():
        for name in ("config.json", "tokenizer.json"):
            shutil.copy(TINY / name, folder / name)
    else:
        dims = ("n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
                "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer")  # fmt: skip
        (folder / "config.json").write_text(json.dumps(dict.fromkeys(dims, 4)))
        (folder / "tokenizer.json").write_text("{}")
    (folder / "weights.safetensors").write_bytes(b"checked later, when it loads")
    return folder


def _dialog(qtbot: QtBot, settings: AppSettings, picked: str | None) -> TranscriptionSettingsDialog:
    dialog = TranscriptionSettingsDialog(settings)
    dialog._folders._pick = lambda parent: picked
    qtbot.addWidget(dialog)
    return dialog


def test_a_folder_is_checked_with_the_loaders_words(tmp_path: Path, model_dir: Path) -> None:
    assert check_model_folder(str(model_dir)) is None
    problem = check_model_folder(str(tmp_path))
    assert problem is not None
    assert problem.startswith(f"The folder {tmp_path} has no config.json")
    torch = tmp_path / "torch"
    torch.mkdir()
    shutil.copy(model_dir / "config.json", torch / "config.json")
    (torch / "pytorch_model.bin").write_bytes(b"")
    assert "PyTorch weights" in (check_model_folder(str(torch)) or "")


def test_adding_a_folder_chooses_it_and_it_is_remembered(qtbot: QtBot, model_dir: Path) -> None:
    dialog = _dialog(qtbot, AppSettings(model="small"), str(model_dir))
    assert dialog._folders.ask_add()
    chosen = dialog.settings()
    assert chosen.model == str(model_dir)
    assert chosen.model_folders == (str(model_dir),)
    assert "Model folder" in dialog._about.text()
    save_settings(chosen)
    again = _dialog(qtbot, load_settings(), None)
    assert again._folders.folders() == (str(model_dir),)
    assert again.settings().model == str(model_dir)
    # Back to the catalogue: the folder stays listed, the catalogue model is chosen.
    row = again._catalogue.row_of("tiny")
    assert row is not None
    again._table.selectRow(row)
    assert again.settings().model == "tiny"
    assert again.settings().model_folders == (str(model_dir),)


def test_an_unusable_folder_is_refused_at_once(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, AppSettings(model="small"), str(tmp_path))
    assert not dialog._folders.ask_add()
    assert dialog._folders.error.isVisibleTo(dialog)
    assert "has no config.json" in dialog._folders.error.text()
    assert dialog.settings().model == "small"
    assert dialog.settings().model_folders == ()


def test_a_folder_given_on_the_command_line_is_listed_and_can_be_changed(
    qtbot: QtBot, model_dir: Path
) -> None:
    dialog = _dialog(qtbot, AppSettings(model=str(model_dir)), None)
    assert dialog._folders.folders() == (str(model_dir),)
    row = dialog._catalogue.row_of("base")
    assert row is not None
    dialog._table.selectRow(row)
    assert dialog.settings().model == "base"


def test_cancelling_the_folder_question_changes_nothing(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, AppSettings(model="small"), None)
    assert not dialog._folders.ask_add()
    assert dialog.settings().model == "small"
    assert model_folders.is_model_folder("small") is False

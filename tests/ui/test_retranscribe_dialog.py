"""Edit > Transcribe Selection With…: the dialog's defaults and choices, and the job's options."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QStandardItemModel

from editor.transcript import Segment, Transcript, Word
from engine.models import ModelSpec
from engine.options import TranscribeOptions
from ui.dialogs.retranscribe import RetranscribeDialog
from ui.files.range_jobs import (
    RangeChoice,
    default_choice,
    range_options,
    range_text,
    words_in_range,
)
from ui.settings import AppSettings

ON_DISK = {"small", "tiny.en", "large-v3-turbo"}


def on_disk(spec: ModelSpec) -> bool:
    return spec.name in ON_DISK


def make_dialog(qtbot, settings: AppSettings, **kwargs) -> RetranscribeDialog:
    dialog = RetranscribeDialog(settings, 30_000, 45_500, downloaded=on_disk, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def enabled_models(dialog: RetranscribeDialog) -> dict[str, bool]:
    items = dialog.model.model()
    assert isinstance(items, QStandardItemModel)
    return {
        str(dialog.model.itemData(i)): items.item(i).isEnabled()
        for i in range(dialog.model.count())
    }


def choose(dialog: RetranscribeDialog, model: str) -> None:
    dialog.model.setCurrentIndex(dialog.model.findData(model))


# -- the pure part --------------------------------------------------------------------------------
def test_the_file_settings_are_the_default_choice() -> None:
    settings = AppSettings(model="small", language="de", initial_prompt="Dashwood")
    assert default_choice(settings, "fr") == RangeChoice("small", "de", "transcribe", "Dashwood")
    # Detected for the whole file: a few seconds are a poorer guide to the language.
    detect = AppSettings(model="small", language=None)
    assert default_choice(detect, "fr").language == "fr"
    assert default_choice(detect, None).language is None
    assert default_choice(AppSettings(model="tiny.en", language=None), "fr").language == "en"


def test_range_options_carry_the_choice_and_the_clip() -> None:
    base = TranscribeOptions(language="en", initial_prompt="file prompt", beam_size=5)
    quick = range_options(base, 30_000, 45_500)
    assert quick.clip_ranges == ((30.0, 45.5),)
    assert (quick.language, quick.initial_prompt, quick.beam_size) == ("en", "file prompt", 5)

    chosen = range_options(base, 30_000, 45_500, RangeChoice("small", "de", "transcribe", "Ada"))
    assert (chosen.language, chosen.initial_prompt, chosen.clip_ranges) == (
        "de",
        "Ada",
        quick.clip_ranges,
    )
    assert chosen.beam_size == 5  # what the dialog does not ask stays the file's

    # An English-only model gets English; a model that cannot translate transcribes.
    english = range_options(base, 0, 1000, RangeChoice("tiny.en", "de", "translate", ""))
    assert (english.language, english.task, english.initial_prompt) == ("en", "transcribe", None)
    turbo = range_options(base, 0, 1000, RangeChoice("large-v3-turbo", "de", "translate"))
    assert turbo.task == "transcribe"
    assert range_options(base, 0, 1000, RangeChoice("small", "de", "translate")).task == "translate"


def test_words_in_range_are_those_centred_inside_it() -> None:
    words = (Word(" one", 0, 1000), Word(" two", 1000, 2000), Word(" three", 2000, 3000))
    transcript = Transcript((Segment(words[:2]), Segment(words[2:])))
    assert words_in_range(transcript, 400, 2600) == "one two three"
    assert words_in_range(transcript, 600, 2400) == "two"
    assert words_in_range(transcript, 3100, 4000) == ""
    assert range_text(30_000, 45_500) == "0:30–0:45"


# -- the dialog -----------------------------------------------------------------------------------
def test_dialog_starts_from_the_file_settings(qtbot) -> None:
    settings = AppSettings(model="small", language=None, initial_prompt="Dashwood, Norland")
    dialog = make_dialog(qtbot, settings, file_language="fr", words="and mr john dashwood")
    assert dialog.model.currentData() == "small"
    assert dialog.language.currentData() == "fr"
    assert dialog.language.isEnabled()
    assert dialog.prompt.toPlainText() == "Dashwood, Norland"
    assert "0:30–0:45" in dialog.heading.text()
    assert "15.5 s" in dialog.heading.text()
    assert "and mr john dashwood" in dialog.words.text()
    assert dialog.note.isHidden()
    assert dialog.choice() == RangeChoice("small", "fr", "transcribe", "Dashwood, Norland")


def test_only_models_on_this_computer_or_the_file_model_can_be_chosen(qtbot) -> None:
    dialog = make_dialog(qtbot, AppSettings(model="medium", model_folders=("/no/such/folder",)))
    enabled = enabled_models(dialog)
    assert enabled["small"]
    assert enabled["tiny.en"]
    assert not enabled["base"]  # not downloaded: greyed, its tooltip says where to get it
    assert enabled["medium"]  # the file's own model downloads first, as for a file
    assert enabled["/no/such/folder"]
    texts = [dialog.model.itemText(i) for i in range(dialog.model.count())]
    assert any(t.startswith("medium ·") and "downloads first" in t for t in texts)
    assert any(t.startswith("base ·") and t.endswith("not downloaded") for t in texts)
    assert dialog.model.currentData() == "medium"
    assert not dialog.missing.isHidden()  # says where greyed models come from
    every = RetranscribeDialog(AppSettings(model="small"), 0, 1000, downloaded=lambda s: True)
    qtbot.addWidget(every)
    assert all(enabled_models(every).values())
    assert every.missing.isHidden()


def test_the_file_model_keeps_its_spelling_so_it_changes_no_model(qtbot) -> None:
    repo = "mlx-community/whisper-small-mlx"
    dialog = make_dialog(qtbot, AppSettings(model=repo))
    assert dialog.model.currentData() == repo
    assert dialog.model.findData("small") == -1  # listed once, as the settings spell it
    assert dialog.choice().model == repo


def test_an_english_only_model_fixes_english_and_gives_the_language_back(qtbot) -> None:
    dialog = make_dialog(qtbot, AppSettings(model="small", language="de"))
    choose(dialog, "tiny.en")
    assert dialog.language.currentData() == "en"
    assert not dialog.language.isEnabled()
    assert dialog.choice().language == "en"
    assert dialog.note.text() == "This model only knows English."
    choose(dialog, "small")
    assert dialog.note.isHidden()
    assert dialog.language.isEnabled()
    assert dialog.language.currentData() == "de"


def test_the_choice_is_what_the_fields_say(qtbot) -> None:
    dialog = make_dialog(qtbot, AppSettings(model="tiny.en", initial_prompt="old"))
    choose(dialog, "large-v3-turbo")
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    dialog.prompt.setPlainText("  Sr. Dashwood  ")
    assert dialog.choice() == RangeChoice("large-v3-turbo", "es", "transcribe", "Sr. Dashwood")
    dialog.prompt.setPlainText("   ")
    assert dialog.choice().initial_prompt is None


@pytest.mark.parametrize(("model", "translates"), [("small", True), ("large-v3-turbo", False)])
def test_translating_settings_are_said_and_kept_where_the_model_can(
    qtbot, model: str, translates: bool
) -> None:
    dialog = make_dialog(qtbot, AppSettings(model="small", language="de", task="translate"))
    choose(dialog, model)
    assert not dialog.note.isHidden()
    assert ("cannot translate" in dialog.note.text()) is not translates
    assert dialog.choice().task == ("translate" if translates else "transcribe")

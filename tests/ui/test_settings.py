from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from editor.subtitles import PRESETS
from editor.writers import ExportOptions
from engine.options import TranscribeOptions
from ui.settings import (
    MAX_RECENT_PROJECTS,
    AppSettings,
    SettingsStore,
    is_english_only,
    load_settings,
    save_settings,
    to_export_options,
    to_transcribe_options,
)

CHANGED = AppSettings(
    model="large-v3-turbo",
    language="de",
    task="translate",
    initial_prompt="Müller, Zürich",
    batch_size=8,
    beam_size=5,
    word_timestamps=False,
    identify_speakers="3",
    click_plays=False,
    follow_playback=False,
    low_confidence_threshold=0.35,
    rewind_on_resume_ms=0,
    skip_ms=5000,
    playback_rate=1.3,
    autosave_interval_s=120,
    subtitle_preset="strict",
    max_chars_per_line=37,
    max_lines=1,
    include_speakers=False,
    txt_timestamps=True,
    txt_speakers=False,
    txt_paragraphs="pause",
    last_export_format="vtt",
    last_export_folder="/tmp/exports",
    recent_projects=("/a/one.tep",),
    model_folders=("/models/whisper-small-de-mlx",),
    window_geometry=b"\x00\x01geometry\xff",
    window_state=b"state\x00",
    show_video=False,
    video_share=0.3,
    show_timeline=False,
)


def _store(**values: object) -> None:
    store = QSettings()
    store.beginGroup("app")
    for key, value in values.items():
        store.setValue(key, value)
    store.endGroup()
    store.sync()


def test_every_field_differs_from_its_default_in_the_sample() -> None:
    # Guards the round-trip test: a field left at its default would not be tested.
    defaults = AppSettings()
    same = [
        f.name
        for f in dataclasses.fields(AppSettings)
        if getattr(CHANGED, f.name) == getattr(defaults, f.name)
    ]
    assert same == []


def test_nothing_stored_loads_defaults() -> None:
    assert load_settings() == AppSettings()


def test_round_trip_keeps_every_field() -> None:
    save_settings(CHANGED)
    assert load_settings() == CHANGED


@pytest.mark.parametrize("recent", [(), ("/one",), ("/one", "/two", "/three")])
def test_round_trip_of_recent_lists_of_any_length(recent: tuple[str, ...]) -> None:
    settings = dataclasses.replace(CHANGED, recent_projects=recent)
    save_settings(settings)
    assert load_settings().recent_projects == recent


def test_none_values_round_trip_after_being_set() -> None:
    save_settings(CHANGED)
    cleared = dataclasses.replace(
        CHANGED, language=None, initial_prompt=None, batch_size=None, beam_size=None,
        last_export_folder=None,
    )  # fmt: skip
    save_settings(cleared)
    assert load_settings() == cleared


def test_settings_go_to_the_test_scope(isolated_settings: Path) -> None:
    save_settings(CHANGED)
    assert Path(QSettings().fileName()).is_relative_to(isolated_settings)


@pytest.mark.parametrize(
    ("key", "garbage"),
    [
        ("batch_size", "lots"),
        ("batch_size", "0"),
        ("skip_ms", [1, 2]),
        ("word_timestamps", "maybe"),
        ("low_confidence_threshold", "nan"),
        ("low_confidence_threshold", "7"),
        ("playback_rate", "12"),
        ("task", "summarise"),
        ("language", "klingon"),
        ("subtitle_preset", "tiny"),
        ("txt_paragraphs", "chapter"),
        ("video_share", "0.99"),
        ("last_export_format", "pdf"),
        ("max_lines", "-3"),
        ("window_geometry", "not bytes"),
        ("recent_projects", 42),
        ("model", "   "),
    ],
)
def test_garbage_falls_back_to_the_default_and_is_logged(
    key: str, garbage: object, caplog: pytest.LogCaptureFixture
) -> None:
    save_settings(CHANGED)
    _store(**{key: garbage})
    with caplog.at_level(logging.WARNING, logger="ui.settings"):
        loaded = load_settings()
    assert getattr(loaded, key) == getattr(AppSettings(), key)
    assert key in caplog.text
    # The other settings survive a damaged one.
    assert loaded == dataclasses.replace(CHANGED, **{key: getattr(AppSettings(), key)})


def test_ini_strings_are_read_as_their_types() -> None:
    _store(batch_size="12", click_plays="false", playback_rate="1.5", language="fr")
    loaded = load_settings()
    assert (loaded.batch_size, loaded.click_plays, loaded.playback_rate, loaded.language) == (
        12, False, 1.5, "fr",
    )  # fmt: skip


def test_recent_projects_put_the_newest_first_once_and_are_capped() -> None:
    settings = AppSettings()
    for i in range(MAX_RECENT_PROJECTS + 3):
        settings = settings.with_recent_project(f"/p/{i}.tep")
    settings = settings.with_recent_project("/p/5.tep")
    assert settings.recent_projects[0] == "/p/5.tep"
    assert settings.recent_projects.count("/p/5.tep") == 1
    assert len(settings.recent_projects) == MAX_RECENT_PROJECTS


def test_transcribe_options_carry_the_settings() -> None:
    options = to_transcribe_options(CHANGED)
    assert options == dataclasses.replace(
        TranscribeOptions(),
        language="de",
        task="translate",
        initial_prompt="Müller, Zürich",
        word_timestamps=False,
        batch_size=8,
        beam_size=5,
    )


def test_empty_prompt_means_no_prompt() -> None:
    assert to_transcribe_options(AppSettings(initial_prompt="")).initial_prompt is None


@pytest.mark.parametrize(
    "model", ["tiny.en", "small.en", "distil-large-v3", "/models/whisper-x.en"]
)
def test_english_only_models_force_english_transcription(model: str) -> None:
    settings = dataclasses.replace(CHANGED, model=model)
    assert is_english_only(model)
    options = to_transcribe_options(settings)
    assert (options.language, options.task) == ("en", "transcribe")


@pytest.mark.parametrize("model", ["small", "large-v3-turbo", "mlx-community/whisper-small-mlx"])
def test_multilingual_models_are_not_english_only(model: str) -> None:
    assert not is_english_only(model)


def test_export_options_take_the_preset_timing_and_the_chosen_layout() -> None:
    options = to_export_options(CHANGED)
    strict = PRESETS["strict"]
    assert options.subtitles == dataclasses.replace(strict, max_chars_per_line=37, max_lines=1)
    assert options == ExportOptions(
        subtitles=options.subtitles,
        include_speakers=False,
        timestamps=True,
        speaker_names=False,
        paragraphs="pause",
    )


def test_the_store_saves_and_announces_each_change_once(qtbot) -> None:
    store = SettingsStore(AppSettings())
    seen: list[AppSettings] = []
    store.changed.connect(seen.append)
    store.set(skip_ms=5000)
    store.set(skip_ms=5000)  # the value it has: nothing to save or announce
    assert [s.skip_ms for s in seen] == [5000]
    assert load_settings().skip_ms == 5000
    assert SettingsStore.load().current.skip_ms == 5000
    store.replace(dataclasses.replace(store.current, click_plays=False))
    assert not store.current.click_plays
    assert len(seen) == 2

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from editor.subtitles import PRESETS
from editor.transcript import MediaInfo, Segment, Transcript, Word
from editor.writers import WRITERS, ExportOptions, get_writer
from ui.dialogs import export as export_dialog
from ui.dialogs.export import PREVIEW_ITEMS, ExportDialog
from ui.dialogs.import_subtitles import import_subtitles_dialog
from ui.settings import AppSettings


def make_transcript(media: Path, count: int = 12, first_word: str = "Hello") -> Transcript:
    segments = []
    for i in range(count):
        start = i * 3000
        texts = [first_word if i == 0 else f"line{i}", "and", "some", "more", "words", "here,"]
        words = tuple(
            Word(("" if j == 0 else " ") + t, start + j * 300, start + j * 300 + 250, 0.9)
            for j, t in enumerate(texts)
        )
        segments.append(Segment(words, "Ana" if i % 3 == 0 else "Bo"))
    return Transcript(tuple(segments), "en", MediaInfo(str(media), count * 3000))


class Provider:
    """The 'current document': tests change it after the dialog opened."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.calls = 0

    def __call__(self) -> Transcript:
        self.calls += 1
        return self.transcript


class Boxes:
    """Captures QMessageBox calls and answers questions."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.warnings: list[str] = []
        self.questions: list[str] = []

    def warning(self, _parent: object, _title: str, text: str, *args: object) -> object:
        self.warnings.append(text)
        return QMessageBox.StandardButton.Ok

    def question(self, _parent: object, _title: str, text: str, *args: object) -> object:
        self.questions.append(text)
        return self.answer


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    fake = Boxes(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", fake.warning)
    monkeypatch.setattr(QMessageBox, "question", fake.question)
    return fake


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return tmp_path / "media" / "Interview 3.m4a"


@pytest.fixture
def provider(media: Path) -> Provider:
    media.parent.mkdir()
    return Provider(make_transcript(media))


def open_dialog(
    qtbot: QtBot, provider: Provider, settings: AppSettings | None = None
) -> ExportDialog:
    dialog = ExportDialog(provider, settings or AppSettings())
    qtbot.addWidget(dialog)
    return dialog


def choose(dialog: ExportDialog, fmt: str) -> None:
    dialog._format.setCurrentIndex(dialog._format.findData(fmt))


def expected(transcript: Transcript, fmt: str, options: ExportOptions) -> str:
    buffer = io.StringIO()
    get_writer(fmt).write(transcript, buffer, options)
    return buffer.getvalue()


def test_default_destination_is_beside_the_media(
    qtbot: QtBot, provider: Provider, media: Path
) -> None:
    dialog = open_dialog(qtbot, provider, AppSettings(last_export_format="vtt"))
    assert dialog.format() == "vtt"
    assert dialog.destination() == media.with_suffix(".vtt")
    choose(dialog, "txt")
    assert dialog.destination() == media.with_suffix(".txt")


def test_without_media_folder_the_remembered_folder_is_used(qtbot: QtBot, tmp_path: Path) -> None:
    gone = tmp_path / "unplugged" / "talk.wav"
    provider = Provider(make_transcript(gone))
    dialog = open_dialog(qtbot, provider, AppSettings(last_export_folder=str(tmp_path)))
    assert dialog.destination() == tmp_path / "talk.srt"


def test_the_last_export_folder_comes_first(
    qtbot: QtBot, provider: Provider, media: Path, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    dialog = open_dialog(qtbot, provider, AppSettings(last_export_folder=str(exports)))
    assert dialog.destination() == exports / f"{media.stem}.srt"


def test_a_read_only_media_folder_is_not_offered(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "dvd"
    locked.mkdir()
    real_access = os.access
    # The permission check as on a read-only disk (chmod does not bind a root user).
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real_access(p, mode))
    provider = Provider(make_transcript(locked / "talk.wav"))
    dialog = open_dialog(qtbot, provider)
    assert dialog.destination() == Path(QDir.homePath()) / "talk.srt"


@pytest.mark.parametrize(
    ("fmt", "setup", "options"),
    [
        ("srt", {}, ExportOptions(subtitles=PRESETS["netflix"])),
        ("srt", {"preset": "strict", "chars": 30, "lines": 1, "speakers": False},
         ExportOptions(subtitles=dataclasses.replace(PRESETS["strict"], max_chars_per_line=30,
                                                     max_lines=1), include_speakers=False)),
        ("vtt", {"preset": "lenient"}, ExportOptions(subtitles=PRESETS["lenient"])),
        ("txt", {"times": True, "names": False, "paragraphs": "speaker"},
         ExportOptions(subtitles=PRESETS["netflix"], timestamps=True, speaker_names=False,
                       paragraphs="speaker")),
        ("txt", {"paragraphs": "pause"},
         ExportOptions(subtitles=PRESETS["netflix"], paragraphs="pause")),
        ("json", {}, ExportOptions(subtitles=PRESETS["netflix"])),
    ],
)  # fmt: skip
def test_export_writes_what_the_writer_writes(
    qtbot: QtBot,
    provider: Provider,
    boxes: Boxes,
    tmp_path: Path,
    fmt: str,
    setup: dict[str, object],
    options: ExportOptions,
) -> None:
    dialog = open_dialog(qtbot, provider)
    choose(dialog, fmt)
    if "preset" in setup:
        dialog._preset.setCurrentIndex(dialog._preset.findData(setup["preset"]))
        dialog._preset.activated.emit(dialog._preset.currentIndex())
    if "chars" in setup:
        dialog._chars.setValue(setup["chars"])
    if "lines" in setup:
        dialog._lines.setValue(setup["lines"])
    if "speakers" in setup:
        dialog._speakers.setChecked(setup["speakers"])
    if "times" in setup:
        dialog._times.setChecked(setup["times"])
    if "names" in setup:
        dialog._names.setChecked(setup["names"])
    if "paragraphs" in setup:
        dialog._paragraphs.setCurrentIndex(dialog._paragraphs.findData(setup["paragraphs"]))
    target = tmp_path / f"out.{fmt}"
    dialog._path.setText(str(target))
    dialog._export.click()
    assert boxes.warnings == []
    assert dialog.result() == ExportDialog.DialogCode.Accepted
    assert dialog.exported_path() == target
    assert target.read_text(encoding="utf-8") == expected(provider.transcript, fmt, options)


def test_export_uses_the_document_as_it_is_at_export_time(
    qtbot: QtBot, provider: Provider, boxes: Boxes, tmp_path: Path, media: Path
) -> None:
    dialog = open_dialog(qtbot, provider)
    choose(dialog, "txt")
    provider.transcript = make_transcript(media, first_word="Edited")  # an edit after opening
    target = tmp_path / "after-edit.txt"
    dialog._path.setText(str(target))
    dialog._export.click()
    written = target.read_text(encoding="utf-8")
    assert "Edited" in written
    assert "Hello" not in written


def test_a_missing_extension_is_added(
    qtbot: QtBot, provider: Provider, boxes: Boxes, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, provider)
    choose(dialog, "vtt")
    dialog._path.setText(str(tmp_path / "no-extension"))
    dialog._export.click()
    assert (tmp_path / "no-extension.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_unwritable_destination_shows_the_error_and_stays_open(
    qtbot: QtBot, provider: Provider, boxes: Boxes, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog = open_dialog(qtbot, provider)
    dialog.show()
    dialog._path.setText(str(blocker / "out.srt"))
    dialog._export.click()
    assert len(boxes.warnings) == 1
    assert "not exported" in boxes.warnings[0]
    assert "Traceback" not in boxes.warnings[0]
    assert dialog.isVisible()
    assert dialog.exported_path() is None


def test_missing_folder_shows_the_error(
    qtbot: QtBot, provider: Provider, boxes: Boxes, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, provider)
    dialog._path.setText(str(tmp_path / "no" / "such" / "folder" / "out.srt"))
    dialog._export.click()
    assert len(boxes.warnings) == 1
    assert "folder does not exist" in boxes.warnings[0]


def test_overwrite_asks_and_no_keeps_the_file(
    qtbot: QtBot, provider: Provider, boxes: Boxes, tmp_path: Path
) -> None:
    target = tmp_path / "existing.srt"
    target.write_text("keep me")
    boxes.answer = QMessageBox.StandardButton.No
    dialog = open_dialog(qtbot, provider)
    dialog._path.setText(str(target))
    dialog._export.click()
    assert len(boxes.questions) == 1
    assert "existing.srt" in boxes.questions[0]
    assert target.read_text() == "keep me"
    assert dialog.exported_path() is None
    boxes.answer = QMessageBox.StandardButton.Yes
    dialog._export.click()
    assert target.read_text(encoding="utf-8") != "keep me"
    assert dialog.exported_path() == target


def test_a_file_chosen_in_the_file_dialog_is_not_asked_about_again(
    qtbot: QtBot, provider: Provider, boxes: Boxes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "chosen.srt"
    target.write_text("old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog = open_dialog(qtbot, provider)
    dialog._browse()
    dialog._export.click()
    assert boxes.questions == []
    assert target.read_text(encoding="utf-8").startswith("1\n")


def test_an_empty_destination_is_refused(qtbot: QtBot, provider: Provider, boxes: Boxes) -> None:
    dialog = open_dialog(qtbot, provider)
    dialog._path.setText("  ")
    dialog._export.click()
    assert len(boxes.warnings) == 1
    assert dialog.exported_path() is None


def test_preview_shows_the_first_cues_and_follows_the_options(
    qtbot: QtBot, provider: Provider
) -> None:
    dialog = open_dialog(qtbot, provider)
    choose(dialog, "srt")
    full = expected(provider.transcript, "srt", ExportOptions(subtitles=PRESETS["netflix"]))
    cues = full.split("\n\n")
    preview = dialog._preview.toPlainText()
    assert preview.startswith("\n\n".join(cues[:PREVIEW_ITEMS]))
    assert f"\n{PREVIEW_ITEMS + 1}\n" not in preview
    assert preview.endswith("…")
    dialog._speakers.setChecked(False)
    assert "Ana:" not in dialog._preview.toPlainText()
    dialog._speakers.setChecked(True)
    assert "Ana:" in dialog._preview.toPlainText()


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_preview_matches_the_start_of_the_file(qtbot: QtBot, provider: Provider, fmt: str) -> None:
    dialog = open_dialog(qtbot, provider)
    choose(dialog, fmt)
    full = expected(provider.transcript, fmt, ExportOptions(subtitles=PRESETS["netflix"]))
    preview = dialog._preview.toPlainText().removesuffix("\n\n…")
    if fmt == "json":  # the top-level "text" of a preview only joins the previewed segments
        lines, full_lines = preview.splitlines(), full.splitlines()
        assert lines[0] == full_lines[0]
        assert lines[2:40] == full_lines[2:40]
    else:
        assert full.startswith(preview)


def test_preview_only_renders_the_first_segments(
    qtbot: QtBot, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media.parent.mkdir()
    huge = Provider(make_transcript(media, count=400))
    seen: list[int] = []
    real = export_dialog.get_writer

    def counting(fmt: str):  # type: ignore[no-untyped-def]
        writer = real(fmt)
        original = writer.write
        writer.write = lambda t, s, o: (seen.append(len(t.segments)), original(t, s, o))  # type: ignore[method-assign]
        return writer

    monkeypatch.setattr(export_dialog, "get_writer", counting)
    dialog = ExportDialog(huge, AppSettings(), None)
    qtbot.addWidget(dialog)
    choose(dialog, "txt")
    assert seen
    assert max(seen) <= PREVIEW_ITEMS + 1


def test_preview_of_an_empty_transcript(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot, Provider(Transcript()))
    assert "empty" in dialog._preview.toPlainText()


def test_choosing_a_preset_sets_its_line_length(qtbot: QtBot, provider: Provider) -> None:
    dialog = open_dialog(qtbot, provider)
    dialog._preset.setCurrentIndex(dialog._preset.findData("lenient"))
    dialog._preset.activated.emit(dialog._preset.currentIndex())
    assert dialog._chars.value() == PRESETS["lenient"].max_chars_per_line


def test_settings_remember_the_choices(
    qtbot: QtBot, provider: Provider, boxes: Boxes, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, provider)
    choose(dialog, "txt")
    dialog._times.setChecked(True)
    dialog._paragraphs.setCurrentIndex(dialog._paragraphs.findData("pause"))
    dialog._path.setText(str(tmp_path / "notes.txt"))
    dialog._export.click()
    chosen = dialog.settings()
    assert chosen == dataclasses.replace(
        AppSettings(),
        last_export_format="txt",
        last_export_folder=str(tmp_path),
        txt_timestamps=True,
        txt_paragraphs="pause",
    )


def test_import_dialog_picks_subtitles_and_guesses_the_media(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    subtitles = tmp_path / "talk.srt"
    media = tmp_path / "talk.mp3"
    subtitles.write_text("")
    media.write_bytes(b"")
    starts: list[str] = []
    answers = iter([str(subtitles), str(media)])

    def fake_open(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        starts.append(start)
        return next(answers), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake_open)
    assert import_subtitles_dialog(None) == (subtitles, media)
    assert starts[1] == str(media)  # the media dialog opened on the guess


def test_import_dialog_without_media_or_cancelled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    subtitles = tmp_path / "talk.vtt"
    answers = iter([str(subtitles), ""])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (next(answers), ""))
    assert import_subtitles_dialog(None) == (subtitles, None)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: ("", ""))
    assert import_subtitles_dialog(None) is None

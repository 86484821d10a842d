"""The app's settings as one frozen dataclass, stored with QSettings.

`AppSettings` is plain data: dialogs take one and return a new one (`dataclasses.replace`).
`SettingsStore` holds the settings in use: whoever changes a setting (a dialog, a menu, the
player's speed keys) hands the new value to the store, which saves it and tells every listener
through ``changed``, so no change has to pass through the window. Only this module touches
QSettings. Loading never fails: a value of the wrong type or out of
range (a hand-edited INI file, a setting from another version) falls back to its default and
is logged. `to_transcribe_options` and `to_export_options` turn the settings into the engine's
and the editor's option values.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, get_args

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

from editor.subtitles import PRESETS, SubtitleOptions
from editor.writers import WRITERS, ExportOptions, Paragraphs
from engine.languages import LANGUAGES
from engine.models import default_model, find_spec
from engine.options import Task, TranscribeOptions

__all__ = [
    "MAX_RECENT_PROJECTS",
    "SPEAKER_CHOICES",
    "AppSettings",
    "SettingsStore",
    "is_english_only",
    "load_settings",
    "save_settings",
    "to_export_options",
    "to_speaker_options",
    "to_transcribe_options",
]

if TYPE_CHECKING:
    from engine.speakers import SpeakerOptions

log = logging.getLogger(__name__)

#: How many recent projects the File menu remembers.
MAX_RECENT_PROJECTS: Final = 10
_GROUP: Final = "app"


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Everything the app remembers between runs.

    Attributes:
        model: Whisper model: a catalogue name, a Hugging Face repository or a folder.
        language: Language code, or None to detect it.
        task: "transcribe" keeps the language; "translate" produces English.
        initial_prompt: Names and jargon shown to the model, or None.
        batch_size: Chunks decoded together, None for the device's default.
        beam_size: Beam search width, None to decode greedily (faster).
        word_timestamps: Time every word (needed to follow playback word by word).
        identify_speakers: After transcribing, find who speaks when: "off", "auto" (estimate
            how many) or the number of speakers, "2" to "8".
        click_plays: Clicking a word starts playback there (else it only moves the playhead).
            On by default: "click a word to hear it" is what the README promises and what
            transcript editors (oTranscribe, Subtitle Edit) do (issue 17).
        follow_playback: The transcript scrolls to keep the spoken word in view.
        low_confidence_threshold: Words below this probability (0 to 1) are marked.
        rewind_on_resume_ms: Playback resumes this far before where it was paused (0: off).
        skip_ms: How far the skip back/forward keys jump.
        playback_rate: Playback speed, 0.5 to 2.0.
        autosave_interval_s: Seconds between autosaves of unsaved work.
        subtitle_preset: A name in `editor.subtitles.PRESETS` (reading speed, durations).
        max_chars_per_line: Subtitle characters per line.
        max_lines: Subtitle lines per cue.
        include_speakers: Subtitles name the speaker.
        txt_timestamps: Plain text paragraphs start with their time.
        txt_speakers: Plain text paragraphs start with the speaker's name.
        txt_paragraphs: Plain text paragraph per "segment", "speaker" or "pause".
        last_export_format: The format last exported ("srt", "vtt", "txt", "json").
        last_export_folder: The folder last exported to, or None.
        recent_projects: Project paths, most recent first.
        model_folders: Model folders added in Transcription Settings, listed there beside
            the catalogue.
        window_geometry: `QMainWindow.saveGeometry()` bytes (empty: default size).
        window_state: `QMainWindow.saveState()` bytes (empty: default layout).
        show_video: A video file's picture is shown above the transcript, with its subtitle.
        video_share: The picture's share of the height it splits with the transcript.
        show_timeline: The waveform timeline shows under the transcript.
    """

    model: str = field(default_factory=default_model)
    language: str | None = None
    task: Task = "transcribe"
    initial_prompt: str | None = None
    batch_size: int | None = None
    beam_size: int | None = None
    word_timestamps: bool = True
    identify_speakers: str = "off"
    click_plays: bool = True
    follow_playback: bool = True
    low_confidence_threshold: float = 0.5
    rewind_on_resume_ms: int = 1000
    skip_ms: int = 2000
    playback_rate: float = 1.0
    autosave_interval_s: int = 30
    subtitle_preset: str = "netflix"
    max_chars_per_line: int = 42
    max_lines: int = 2
    include_speakers: bool = True
    txt_timestamps: bool = False
    txt_speakers: bool = True
    txt_paragraphs: Paragraphs = "segment"
    last_export_format: str = "srt"
    last_export_folder: str | None = None
    recent_projects: tuple[str, ...] = ()
    model_folders: tuple[str, ...] = ()
    window_geometry: bytes = b""
    window_state: bytes = b""
    show_video: bool = True
    video_share: float = 0.45
    show_timeline: bool = True

    def with_recent_project(self, path: str) -> AppSettings:
        """A copy with ``path`` first in the recent projects (once, at most 10 kept)."""
        recent = (path, *(p for p in self.recent_projects if p != path))
        return dataclasses.replace(self, recent_projects=recent[:MAX_RECENT_PROJECTS])


def is_english_only(model: str) -> bool:
    """Whether a model (catalogue name, repository or folder) only knows English."""
    spec = find_spec(model)
    if spec is not None:
        return spec.languages == "en"
    return model.rstrip("/").lower().endswith((".en", ".en-mlx"))


#: The values of `AppSettings.identify_speakers`.
SPEAKER_CHOICES: Final = ("off", "auto", *(str(n) for n in range(2, 9)))


def to_speaker_options(settings: AppSettings, *, asked: bool = False) -> SpeakerOptions | None:
    """The speaker identification the settings ask for, or None when it is off.

    Args:
        settings: The settings.
        asked: The person asked for it now (Identify Speakers Again): "off" then means
            estimating the count.
    """
    if settings.identify_speakers not in SPEAKER_CHOICES[1:] and not asked:
        return None
    # Imported here: engine.speakers loads MLX, which the app must not pay for at start-up.
    from engine.speakers import SpeakerOptions

    if settings.identify_speakers not in SPEAKER_CHOICES[2:]:
        return SpeakerOptions()
    return SpeakerOptions(num_speakers=int(settings.identify_speakers))


def to_transcribe_options(settings: AppSettings) -> TranscribeOptions:
    """The engine's options for these settings (English-only models always get English)."""
    english_only = is_english_only(settings.model)
    return TranscribeOptions(
        language="en" if english_only else settings.language,
        task="transcribe" if english_only else settings.task,
        initial_prompt=settings.initial_prompt or None,
        word_timestamps=settings.word_timestamps,
        batch_size=settings.batch_size,
        beam_size=settings.beam_size,
    )


def to_export_options(settings: AppSettings) -> ExportOptions:
    """The exporters' options: the preset's timing with the chosen line length and count."""
    subtitles = dataclasses.replace(
        PRESETS.get(settings.subtitle_preset, SubtitleOptions()),
        max_chars_per_line=settings.max_chars_per_line,
        max_lines=settings.max_lines,
    )
    return ExportOptions(
        subtitles=subtitles,
        include_speakers=settings.include_speakers,
        timestamps=settings.txt_timestamps,
        speaker_names=settings.txt_speakers,
        paragraphs=settings.txt_paragraphs,
    )


# -- storage ---------------------------------------------------------------------------------------
# QSettings' INI backend gives strings back for numbers and booleans, a plain string for a
# one-item list, and None for an empty one, so every value is converted and checked on load.


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"not a boolean: {value!r}")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a whole number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError(f"not a whole number: {value!r}")


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a number: {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r}")
    return value


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None or value == "" else convert(value)


def _to_str_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"not a list of text: {value!r}")


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, QByteArray):
        return bytes(value.data())
    if isinstance(value, bytes):
        return value
    raise ValueError(f"not bytes: {value!r}")


_CONVERTERS: Final[Mapping[str, Callable[[Any], Any]]] = {
    "model": _to_str,
    "language": _optional(_to_str),
    "task": _to_str,
    "initial_prompt": _optional(_to_str),
    "batch_size": _optional(_to_int),
    "beam_size": _optional(_to_int),
    "word_timestamps": _to_bool,
    "identify_speakers": _to_str,
    "click_plays": _to_bool,
    "follow_playback": _to_bool,
    "low_confidence_threshold": _to_float,
    "rewind_on_resume_ms": _to_int,
    "skip_ms": _to_int,
    "playback_rate": _to_float,
    "autosave_interval_s": _to_int,
    "subtitle_preset": _to_str,
    "max_chars_per_line": _to_int,
    "max_lines": _to_int,
    "include_speakers": _to_bool,
    "txt_timestamps": _to_bool,
    "txt_speakers": _to_bool,
    "txt_paragraphs": _to_str,
    "last_export_format": _to_str,
    "last_export_folder": _optional(_to_str),
    "recent_projects": _to_str_tuple,
    "model_folders": _to_str_tuple,
    "window_geometry": _to_bytes,
    "window_state": _to_bytes,
    "show_video": _to_bool,
    "video_share": _to_float,
    "show_timeline": _to_bool,
}

# Ranges a person could want; anything else is a damaged file.
_VALID: Final[Mapping[str, Callable[[Any], bool]]] = {
    "model": lambda v: bool(v.strip()),
    "language": lambda v: v is None or v in LANGUAGES,
    "task": lambda v: v in get_args(Task),
    "batch_size": lambda v: v is None or 1 <= v <= 256,
    "beam_size": lambda v: v is None or 1 <= v <= 16,
    "low_confidence_threshold": lambda v: 0.0 <= v <= 1.0,
    "rewind_on_resume_ms": lambda v: 0 <= v <= 30_000,
    "skip_ms": lambda v: 100 <= v <= 60_000,
    "playback_rate": lambda v: 0.5 <= v <= 2.0,
    "autosave_interval_s": lambda v: 5 <= v <= 3600,
    "subtitle_preset": lambda v: v in PRESETS,
    "max_chars_per_line": lambda v: 10 <= v <= 200,
    "max_lines": lambda v: 1 <= v <= 5,
    "txt_paragraphs": lambda v: v in get_args(Paragraphs),
    "last_export_format": lambda v: v in WRITERS,
    "identify_speakers": lambda v: v in SPEAKER_CHOICES,
    "video_share": lambda v: 0.1 <= v <= 0.9,
}


def load_settings() -> AppSettings:
    """The stored settings; missing or damaged values get their defaults (and are logged)."""
    store = QSettings()
    store.beginGroup(_GROUP)
    defaults = AppSettings()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(AppSettings):
        if not store.contains(f.name):
            continue
        raw = store.value(f.name)
        try:
            value = _CONVERTERS[f.name](raw)
        except (ValueError, TypeError) as e:
            log.warning(
                "Setting %s: %s; using the default %r", f.name, e, getattr(defaults, f.name)
            )
            continue
        if not _VALID.get(f.name, lambda _: True)(value):
            log.warning(
                "Setting %s: %r is out of range; using the default %r",
                f.name,
                value,
                getattr(defaults, f.name),
            )
            continue
        values[f.name] = value
    store.endGroup()
    return dataclasses.replace(defaults, **values)


def save_settings(settings: AppSettings) -> None:
    """Store the settings (values that are None are removed, so they load as None)."""
    store = QSettings()
    store.beginGroup(_GROUP)
    for f in dataclasses.fields(AppSettings):
        value = getattr(settings, f.name)
        if value is None:
            store.remove(f.name)
        elif isinstance(value, bytes):
            store.setValue(f.name, QByteArray(value))
        elif isinstance(value, tuple):
            store.setValue(f.name, list(value))
        else:
            store.setValue(f.name, value)
    store.endGroup()
    store.sync()
    if store.status() != QSettings.Status.NoError:
        log.warning("Settings could not be written to %s (%s)", store.fileName(), store.status())


class SettingsStore(QObject):
    """The settings in use, saved on every change; see the module docstring.

    Signals:
        changed(AppSettings): the new settings, after they were saved (not emitted when a
            change leaves them as they were).
    """

    changed = Signal(object)

    def __init__(self, settings: AppSettings | None = None, parent: QObject | None = None) -> None:
        """Hold ``settings`` (defaults when None); nothing is saved until a change."""
        super().__init__(parent)
        self._settings = settings or AppSettings()

    @classmethod
    def load(cls, parent: QObject | None = None) -> SettingsStore:
        """A store holding the settings saved last time."""
        return cls(load_settings(), parent)

    @property
    def current(self) -> AppSettings:
        """The settings in use."""
        return self._settings

    def replace(self, settings: AppSettings) -> None:
        """Use, save and announce ``settings`` (a dialog's result)."""
        if settings == self._settings:
            return
        self._settings = settings
        save_settings(settings)
        self.changed.emit(settings)

    def set(self, **changes: Any) -> None:
        """Change some fields by name, e.g. ``store.set(skip_ms=5000)``."""
        self.replace(dataclasses.replace(self._settings, **changes))

    def save(self) -> None:
        """Write the settings as they are (on quitting, with the window's size)."""
        save_settings(self._settings)

"""Errors raised by the engine on purpose. Messages are written for a person."""


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class AudioDecodeError(EngineError):
    """A file cannot be turned into audio: missing, empty, corrupt, unsupported, no ffmpeg..."""


class FfmpegMissingError(AudioDecodeError):
    """The file needs ffmpeg to be decoded and ffmpeg is not installed."""


class ModelLoadError(EngineError):
    """A model cannot be found, downloaded or loaded; the message says what to do."""


class ModelChecksumError(ModelLoadError):
    """Downloaded weights differ from the checksum the catalogue pins; they were deleted."""


class Cancelled(EngineError):
    """The caller asked to stop (through the cancel event) and the engine stopped."""

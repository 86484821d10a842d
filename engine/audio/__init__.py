"""Decode any audio or video file into 16 kHz mono float32, streaming.

libsndfile (through soundfile) reads WAV, FLAC, Ogg and MP3 in-process; ffmpeg, when installed,
reads everything else. See `engine.audio.stream` for the decoder choice and the damage policy.
"""

from engine.audio.common import SAMPLE_RATE, AudioInfo
from engine.audio.ffmpeg import FFMPEG_ENV, INSTALL_HINT, find_ffmpeg
from engine.audio.stream import AudioStream, load_audio, open_audio, probe

__all__ = [
    "FFMPEG_ENV",
    "INSTALL_HINT",
    "SAMPLE_RATE",
    "AudioInfo",
    "AudioStream",
    "find_ffmpeg",
    "load_audio",
    "open_audio",
    "probe",
]

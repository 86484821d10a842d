"""Decoding through an ffmpeg subprocess, for everything libsndfile cannot read.

ffmpeg writes raw little-endian float32 at 16 kHz to a pipe that is read one block at a time, so
memory does not grow with the length of the file. It keeps the stream's channels (``-ac N``) and
the mean is taken here, the same downmix as the soundfile path (ffmpeg's own ``-ac 1`` weights
stereo by 0.707). Its stderr is drained by a thread into a short buffer, so a chatty ffmpeg
cannot fill the pipe and stall, and only a one-line summary reaches messages.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import IO, Any

import numpy as np

from engine.audio.common import SAMPLE_RATE, AudioInfo, FloatArray, downmix, quoted
from engine.errors import AudioDecodeError, FfmpegMissingError

__all__ = [
    "FFMPEG_ENV",
    "INSTALL_HINT",
    "FfmpegSource",
    "find_ffmpeg",
    "missing_ffmpeg_error",
    "probe_ffmpeg",
    "summarize_stderr",
]

logger = logging.getLogger(__name__)

#: Environment variable that overrides where ffmpeg is looked for.
FFMPEG_ENV = "TRANSCRIPT_FFMPEG"
INSTALL_HINT = (
    "Install ffmpeg: `brew install ffmpeg` on macOS, `sudo apt install ffmpeg` on Debian/Ubuntu."
)
_PROBE_TIMEOUT_S = 60.0
# Lines that say only that something failed earlier; the summary skips them for the cause.
_GENERIC = re.compile(
    r"^(Conversion failed!|Error marking filters as finished|Error while filtering.*|"
    r"Nothing was written into output file.*|At least one output file must be specified|"
    r"Exiting normally.*|Error closing file.*|Error while decoding stream.*)$"
)
# Known causes, said in words a person understands.
_FRIENDLY = (
    ("moov atom not found", "the file is incomplete or damaged"),
    ("Invalid data found", "not an audio or video file, or it is damaged"),
    ("End of file", "the file ends before any audio, or it is not a media file"),
    ("does not contain any stream", "contains no audio track"),
    ("matches no streams", "contains no audio track"),
)


def find_ffmpeg() -> str | None:
    """The ffmpeg executable: ``$TRANSCRIPT_FFMPEG`` if set (even when it is wrong), else PATH."""
    override = os.environ.get(FFMPEG_ENV)
    if override:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    return shutil.which("ffmpeg")


def missing_ffmpeg_error(path: Path, why: str) -> FfmpegMissingError:
    """The error for a file only ffmpeg could read when there is no ffmpeg."""
    override = os.environ.get(FFMPEG_ENV)
    where = (
        f"{FFMPEG_ENV} points to '{override}', which is not an executable"
        if override
        else "ffmpeg is not installed"
    )
    return FfmpegMissingError(f"{quoted(path)} {why}, and {where}. {INSTALL_HINT}")


def summarize_stderr(text: str) -> str:
    """The last meaningful line of ffmpeg's stderr, without addresses and file names."""
    lines = []
    for raw in text.splitlines():
        line = re.sub(r"^\[[^\]]* @ 0x[0-9a-f]+\]\s*", "", raw.strip())
        line = re.sub(r"^file:.*?: (?=[A-Z])", "", line)  # "file:/x/y.m4a: Invalid data..."
        if line and not _GENERIC.match(line):
            lines.append(line)
    return lines[-1] if lines else ""


def _failure(path: Path, stderr: str) -> AudioDecodeError:
    """The error for a file ffmpeg could not read: a cause in plain words, then ffmpeg's line."""
    words, detail = "not an audio or video file, or it is damaged", summarize_stderr(stderr)
    for needle, friendly in _FRIENDLY:
        if needle in stderr:
            line = next(x for x in stderr.splitlines() if needle in x)
            words, detail = friendly, summarize_stderr(line) or detail
            break
    suffix = f" (ffmpeg: {detail})" if detail else ""
    return AudioDecodeError(f"Cannot decode {quoted(path)}: {words}{suffix}")


def _run(cmd: list[str], path: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise AudioDecodeError(f"Cannot read {quoted(path)}: ffmpeg took too long") from e
    except OSError as e:
        raise AudioDecodeError(f"Cannot run ffmpeg ({cmd[0]}): {e.strerror or e}") from e


def _ffprobe_streams(path: Path, ffprobe: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    cmd = [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    done = _run([*cmd, _file_url(path)], path)
    if done.returncode != 0:
        raise _failure(path, done.stderr)
    try:
        data = json.loads(done.stdout or "{}")
        return list(data.get("streams", [])), dict(data.get("format", {}))
    except (ValueError, AttributeError, TypeError) as e:
        raise AudioDecodeError(f"Cannot read {quoted(path)}: ffprobe's answer is garbled") from e


_LAYOUTS = {"mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "quad": 4, "4.0": 4, "5.0": 5, "5.1": 6}


def _banner_streams(path: Path, ffmpeg: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What ``ffmpeg -i`` prints, for when there is no ffprobe beside ffmpeg."""
    done = _run([ffmpeg, "-hide_banner", "-nostdin", "-i", _file_url(path)], path)
    if not re.search(r"^Input #0, ", done.stderr, re.M):
        raise _failure(path, done.stderr)
    fmt: dict[str, Any] = {}
    if m := re.search(r"^Input #0, (\S+?), from", done.stderr, re.M):
        fmt["format_name"] = m.group(1)
    if m := re.search(r"^\s+Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", done.stderr, re.M):
        fmt["duration"] = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    streams = []
    pattern = r"^\s+Stream #0:\d+.*?: Audio: (\w+).*?, (\d+) Hz, ([^,]+)"
    for m in re.finditer(pattern, done.stderr, re.M):
        layout = m.group(3).split("(")[0].strip()
        n = re.match(r"(\d+) channels", layout)
        channels = int(n.group(1)) if n else _LAYOUTS.get(layout, 0)
        streams.append(
            {"codec_type": "audio", "codec_name": m.group(1), "sample_rate": m.group(2)}
            | {"channels": channels}
        )
    return streams, fmt


def probe_ffmpeg(path: Path, ffmpeg: str) -> AudioInfo:
    """Describe the first audio stream of ``path`` with ffprobe (or ``ffmpeg -i`` without it).

    Raises:
        AudioDecodeError: ffmpeg cannot read the file, or it has no audio track.
    """
    ffprobe = Path(ffmpeg).with_name(Path(ffmpeg).name.replace("ffmpeg", "ffprobe"))
    if ffprobe.name != Path(ffmpeg).name and os.access(ffprobe, os.X_OK):
        streams, fmt = _ffprobe_streams(path, str(ffprobe))
    else:
        streams, fmt = _banner_streams(path, ffmpeg)
    audio = [s for s in streams if isinstance(s, dict) and s.get("codec_type") == "audio"]
    if not audio:
        raise AudioDecodeError(f"{quoted(path)} contains no audio track")
    first = audio[0]
    duration = first.get("duration", fmt.get("duration"))
    try:
        return AudioInfo(
            path=path,
            duration=float(duration) if duration not in (None, "N/A") else None,
            source_rate=int(first.get("sample_rate") or 0),
            channels=int(first.get("channels") or 0),
            codec=str(first.get("codec_name") or fmt.get("format_name") or "unknown"),
            decoder="ffmpeg",
        )
    except (TypeError, ValueError) as e:
        raise AudioDecodeError(f"Cannot read {quoted(path)}: ffprobe's answer is garbled") from e


def _file_url(path: Path) -> str:
    # "file:" keeps names with a colon or a leading dash from being read as protocols or options.
    return "file:" + os.path.abspath(path)


def _drain(stream: IO[bytes], keep: collections.deque[str]) -> None:
    try:
        for line in stream:
            keep.append(line.decode("utf-8", "replace"))
    except (OSError, ValueError):  # the pipe was closed under us: nothing more to keep
        return


class FfmpegSource:
    """An ffmpeg process decoding the first audio stream of a file to 16 kHz float32."""

    _READ_SAMPLES = SAMPLE_RATE  # 1 s per read, per channel

    def __init__(self, path: Path, ffmpeg: str, info: AudioInfo) -> None:
        """Start ffmpeg on ``path`` (already probed into ``info``).

        Raises:
            AudioDecodeError: ffmpeg cannot be started.
        """
        self.info = info
        self._channels = max(1, info.channels)
        cmd = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-i", _file_url(path)]
        cmd += ["-map", "0:a:0", "-ac", str(self._channels), "-ar", str(SAMPLE_RATE)]
        cmd += ["-f", "f32le", "-"]
        try:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as e:
            raise AudioDecodeError(f"Cannot run ffmpeg ({ffmpeg}): {e.strerror or e}") from e
        self._errors: collections.deque[str] = collections.deque(maxlen=40)
        assert self._proc.stderr is not None
        self._drainer = threading.Thread(
            target=_drain, args=(self._proc.stderr, self._errors), daemon=True
        )
        self._drainer.start()
        self._delivered = 0
        self._done = False

    def read(self) -> FloatArray | None:
        """The next second of audio, or None when ffmpeg has finished."""
        if self._done:
            return None
        assert self._proc.stdout is not None
        frame = 4 * self._channels
        data = self._proc.stdout.read(self._READ_SAMPLES * frame)
        if data:
            usable = len(data) - len(data) % frame
            samples = np.frombuffer(data[:usable], dtype="<f4").reshape(-1, self._channels)
            self._delivered += samples.shape[0]
            return downmix(samples)
        self._finish()
        return None

    def _finish(self) -> None:
        self._done = True
        code = self._proc.wait()
        self._drainer.join()
        stderr = "".join(self._errors)
        if self._delivered == 0 and code != 0:
            raise _failure(self.info.path, stderr)
        if code != 0 or summarize_stderr(stderr):
            logger.warning(
                "%s is damaged or truncated; kept the %.1f s that decoded (ffmpeg: %s)",
                self.info.path,
                self._delivered / SAMPLE_RATE,
                summarize_stderr(stderr) or f"exit code {code}",
            )

    def close(self) -> None:
        """Stop ffmpeg if it still runs, reap it and close its pipes."""
        if self._proc.poll() is None:
            self._proc.kill()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc.wait()
        self._drainer.join()  # ends at EOF now that the process is gone
        if self._proc.stderr is not None:
            self._proc.stderr.close()
        self._done = True

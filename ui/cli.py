"""The headless ``transcribe`` command.

    transcribe talk.m4a interview.wav --model small --format srt,vtt --output-dir out/
    transcribe meeting.wav --diarize --speakers 3 --format rttm,json,docx

Each file is transcribed with one model loaded once, converted to the editor's document and
written through the editor's exporters. With ``--diarize`` (or a speaker count), speakers are
identified after the transcription (`engine.speakers`) and every word gets its speaker the way
the app's "Identify speakers" does. A file that fails prints its reason and the others go on;
the exit code is 1 when any failed, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TextIO

from editor.errors import EditorError
from editor.subtitles import PRESETS, SubtitleOptions
from editor.writers import WRITERS, ExportOptions, export_to_path
from engine.errors import Cancelled, EngineError
from engine.language_guess import not_english_message, probably_not_english
from engine.models import default_model
from engine.options import TranscribeOptions, VadOptions
from engine.results import Progress, SegmentResult
from engine.speakers import Embedder, SpeakerOptions, identify_speakers, load_embedder
from engine.transcriber import Transcriber
from ui.files.convert import transcript_from_results, with_speakers

__all__ = ["main"]

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(
        prog="transcribe",
        description="Transcribe recordings with Whisper on MLX and write subtitles or text.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="audio or video files")
    p.add_argument(
        "--model",
        "-m",
        default=default_model(),
        help=f"catalogue name, Hugging Face repo or local folder (default {default_model()})",
    )
    p.add_argument("--language", "-l", default=None, help="language code; default: detect")
    p.add_argument("--task", choices=("transcribe", "translate"), default="transcribe")
    p.add_argument(
        "--format",
        "-f",
        default="txt",
        help=f"comma-separated formats among {', '.join(WRITERS)}, or 'all'",
    )
    p.add_argument(
        "--output-dir",
        "-o",
        type=Path,
        default=Path("."),
        help="folder for the output files (default: current folder)",
    )
    p.add_argument("--batch-size", type=int, default=None, help="chunks decoded together")
    p.add_argument("--beam-size", type=int, default=None, help="beam search width (quality mode)")
    p.add_argument("--no-word-timestamps", action="store_true", help="skip word timing")
    p.add_argument("--initial-prompt", default=None, help="names and jargon to expect")
    p.add_argument("--no-vad", action="store_true", help="do not skip silence")
    p.add_argument(
        "--clip-timestamps",
        default=None,
        metavar="START,END[,START,END...]",
        help="transcribe only these ranges (seconds); only words inside them are written",
    )
    p.add_argument(
        "--subtitle-preset",
        choices=list(PRESETS),
        default=None,
        help="subtitle line length and reading-speed preset",
    )
    p.add_argument("--max-chars-per-line", type=int, default=None)
    p.add_argument("--max-lines", type=int, default=None)
    speakers = p.add_argument_group("speakers (who said what)")
    speakers.add_argument(
        "--diarize", action="store_true", help="identify speakers; implied by the options below"
    )
    speakers.add_argument("--speakers", type=int, default=None, metavar="N", help="exactly N")
    speakers.add_argument("--min-speakers", type=int, default=None, metavar="N")
    speakers.add_argument("--max-speakers", type=int, default=None, metavar="N")
    p.add_argument("--dtype", choices=("float32", "float16", "bfloat16"), default=None)
    p.add_argument("--offline", action="store_true", help="never download a model")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--verbose", "-v", action="store_true", help="log what the engine does")
    return p


@dataclass(frozen=True, slots=True)
class Job:
    """What to do with every file."""

    options: TranscribeOptions
    export: ExportOptions
    formats: tuple[str, ...]
    output_dir: Path
    speakers: SpeakerOptions | None = None  # None: no speaker identification


def job_from_args(args: argparse.Namespace) -> Job:
    """Turn parsed arguments into options.

    Raises:
        ValueError: An argument is invalid (message for the person).
    """
    formats = (
        tuple(WRITERS)
        if args.format == "all"
        else tuple(f.strip().lower().lstrip(".") for f in args.format.split(",") if f.strip())
    )
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        raise ValueError(
            f"unknown format {', '.join(unknown) or '(none)'}; "
            f"choose among {', '.join(WRITERS)} or 'all'"
        )
    if args.batch_size is not None and args.batch_size < 1:
        raise ValueError("--batch-size must be at least 1")
    if args.beam_size is not None and args.beam_size < 1:
        raise ValueError("--beam-size must be at least 1")
    subtitles = (
        SubtitleOptions.preset(args.subtitle_preset) if args.subtitle_preset else SubtitleOptions()
    )
    changes = {
        k: v
        for k, v in (("max_chars_per_line", args.max_chars_per_line), ("max_lines", args.max_lines))
        if v is not None
    }
    if changes:
        subtitles = dataclasses.replace(subtitles, **changes)
    options = TranscribeOptions(
        language=args.language,
        task=args.task,
        initial_prompt=args.initial_prompt,
        word_timestamps=not args.no_word_timestamps,
        batch_size=args.batch_size,
        beam_size=args.beam_size,
        vad=VadOptions(enabled=not args.no_vad),
        clip_ranges=_clip_ranges(args.clip_timestamps),
    )
    return Job(
        options, ExportOptions(subtitles=subtitles), formats, args.output_dir, _speakers(args)
    )


def _clip_ranges(text: str | None) -> tuple[tuple[float, float], ...]:
    """``--clip-timestamps 30,45,60,75`` as ((30, 45), (60, 75)).

    Raises:
        ValueError: Not an even count of numbers, or a range that does not end after it starts.
    """
    if not text:
        return ()
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    pairs = list(zip(values[::2], values[1::2], strict=False))
    if not values or len(values) % 2 or any(not 0 <= a < b for a, b in pairs):
        raise ValueError(
            f"--clip-timestamps takes START,END pairs in seconds, each END after its START "
            f"(e.g. 30,45), not {text!r}"
        )
    return tuple(pairs)


_SPEAKER_FLAGS = {
    "num_speakers": "--speakers",
    "min_speakers": "--min-speakers",
    "max_speakers": "--max-speakers",
}


def _speakers(args: argparse.Namespace) -> SpeakerOptions | None:
    """Speaker options when identification is asked for (a count implies ``--diarize``)."""
    counts = (args.speakers, args.min_speakers, args.max_speakers)
    if not args.diarize and all(c is None for c in counts):
        return None
    if args.speakers is not None and (args.min_speakers or args.max_speakers):
        raise ValueError("--speakers gives the exact count: leave out --min/--max-speakers")
    try:
        return SpeakerOptions(*counts)
    except ValueError as e:
        message = str(e)  # in the options' words; say it in the flags' words
        for field, flag in _SPEAKER_FLAGS.items():
            message = message.replace(field, flag)
        raise ValueError(message) from e


class ProgressBar:
    """A one-line progress bar with ETA on a terminal; silent elsewhere."""

    def __init__(self, stream: TextIO, label: str, enabled: bool) -> None:
        """Draw on ``stream`` when enabled and it is a terminal."""
        self.stream = stream
        self.label = label
        self.enabled = enabled and stream.isatty()
        self._last = 0.0

    def update(self, p: Progress) -> None:
        """Redraw (at most 10 times a second)."""
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and p.fraction < 1):
            return
        self._last = now
        width = 30
        filled = int(p.fraction * width)
        eta = f"{_clock(p.eta)} left" if p.eta is not None else "estimating"
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(f"\r{self.label} {bar} {p.fraction:4.0%} {eta}  ")
        self.stream.flush()

    def finish(self) -> None:
        """End the line."""
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def _clock(seconds: float) -> str:
    s = round(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def transcribe_file(
    transcriber: Transcriber,
    path: Path,
    job: Job,
    cancel: threading.Event,
    quiet: bool,
    embedder: Embedder | None = None,
) -> list[Path]:
    """Transcribe one file and write its outputs; returns the files written.

    Raises:
        EngineError: Transcription failed (including `Cancelled`).
        EditorError: Writing an output failed.
    """
    bar = ProgressBar(sys.stderr, path.name, not quiet)
    results: list[SegmentResult] = []
    try:
        info, segments = transcriber.transcribe(
            path, job.options, cancel=cancel, on_progress=bar.update
        )
        results.extend(segments)
    finally:
        bar.finish()
    if not transcriber.multilingual and probably_not_english(results):
        # English-only models write made-up English for other languages (issue 17).
        print(f"warning: {path.name}: {not_english_message(info.model)}", file=sys.stderr)
    transcript = transcript_from_results(results, info, path)
    if job.speakers is not None:
        turns = identify_speakers(path, job.speakers, cancel, embedder=embedder)
        transcript = with_speakers(transcript, turns)
        log.info("%s: %d speaker turns", path.name, len(turns))
    job.output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in job.formats:
        target = job.output_dir / f"{path.stem}.{WRITERS[fmt].extension}"
        export_to_path(transcript, target, fmt, job.export)
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        job = job_from_args(args)
    except ValueError as e:
        print(f"transcribe: {e}", file=sys.stderr)
        return EXIT_USAGE
    cancel = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        cancel.set()

    signal.signal(signal.SIGINT, interrupt)
    try:
        return _run(args, job, cancel)
    finally:
        signal.signal(signal.SIGINT, previous)


def _run(args: argparse.Namespace, job: Job, cancel: threading.Event) -> int:
    try:
        transcriber = Transcriber(args.model, dtype=args.dtype, allow_download=not args.offline)
    except EngineError as e:
        print(f"transcribe: cannot load the model: {e}", file=sys.stderr)
        return EXIT_FAILED
    embedder = None
    if job.speakers is not None:
        try:
            embedder = load_embedder(job.speakers.embedder)
        except EngineError as e:
            print(f"transcribe: cannot load the speaker model: {e}", file=sys.stderr)
            return EXIT_FAILED
    failed = 0
    for path in args.files:
        if cancel.is_set():
            break
        started = time.perf_counter()
        try:
            written = transcribe_file(transcriber, path, job, cancel, args.quiet, embedder)
        except Cancelled:
            break
        except (EngineError, EditorError) as e:
            failed += 1
            print(f"error: {path}: {e}", file=sys.stderr)
            continue
        if not args.quiet:
            names = ", ".join(str(w) for w in written)
            print(
                f"{path.name}: done in {time.perf_counter() - started:.1f} s -> {names}",
                file=sys.stderr,
            )
    if cancel.is_set():
        print("transcribe: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILED if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Which windows fall back to hotter decoding on continuous speech, why, and what it costs.

    .venv/bin/python bench/fallbacks.py                              # dense10min
    .venv/bin/python bench/fallbacks.py --sets dense10min,dense60min
    .venv/bin/python bench/fallbacks.py --temperatures 0,0.4,0.8 --label t04

Issue 13: on an hour of continuous speech, temperature fallbacks took 27.5 % of the wall time.
This runs our engine in-process (after a short warm-up) with hooks on `WindowDecoder` from
outside, and records for every window the decoder saw: which pass it belonged to (the first
pass, or the re-decoding of skipped speech, packed or alone), how many glued stretches it holds,
whether its audio ends inside a clip (mid-sentence), the clips in it and their level, each
attempt's temperature, the reasons it failed Whisper's tests (``compression``: gzip ratio over
the threshold, a repetition loop; ``logprob``: mean log-probability under it; ``budget``: ran
out of tokens; ``loop``: an n-gram repeated back to back; ``silence``: no-speech), which attempt
was kept, and the window's word errors at temperature 0 and as kept, against the reference words
of the clips it overlaps (a clip cut by the window's edge contributes the share of its words
that its overlapping time holds: an estimate, the same for both attempts). Every decoder call is
timed with its temperature and rows; the profile's stage timers (`profile.py`) run in the same
transcription, so shares are comparable between runs even when the machine is busy.

Writes ``bench/results/fallbacks-<date>-<host>-<set>[-<label>].json`` and prints a summary.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from profile import Timers, _engine_version, instrumented, stage_seconds
from typing import Any

import long_file
import numpy as np
import soundfile as sf
from audio_sets import AUDIO, Item, build_sets, clip_items
from common import RESULTS, TINY_EN, BenchError, normalize, shown_path, wer, word_errors

# `import engine` loads the system OpenBLAS, which must happen before anything imports mlx.
import engine
import engine.audio
import engine.windows
from engine.decoding import RowResult, compression_ratio, repeated_ngram_run
from engine.options import TranscribeOptions
from engine.transcriber import Transcriber
from engine.vad import SAMPLE_RATE, Chunk
from engine.windows import WindowDecoder

Span = tuple[float, float]


@dataclasses.dataclass(frozen=True, slots=True)
class ClipSpan:
    """One clip's place in a built meeting file: seconds, reference words, level."""

    name: str
    start: float
    end: float
    words: tuple[str, ...]
    dbfs: float


def clip_spans(item: Item) -> list[ClipSpan]:
    """Where each clip of ``item`` (a built meeting) lies, from its recipe."""
    recipe = json.loads((AUDIO / f"{item.path.stem}.json").read_text(encoding="utf-8"))["recipe"]
    clips = {c.name: c for c in clip_items()}
    spans, cursor = [], 0
    for index, pause in zip(recipe["order"], recipe["pauses"], strict=True):
        clip = clips[recipe["clips"][index]]
        audio, _rate = sf.read(str(clip.path), dtype="float32")
        rms = float(np.sqrt(np.mean(np.square(audio)))) or 1e-10
        end = cursor + audio.size
        spans.append(
            ClipSpan(
                clip.name,
                cursor / SAMPLE_RATE,
                end / SAMPLE_RATE,
                tuple(normalize(clip.reference)),
                20 * np.log10(rms),
            )
        )
        cursor = end + round(pause * SAMPLE_RATE)
    return spans


def long_clip_spans(hours: float) -> tuple[Item, list[ClipSpan]]:
    """``long_file.py``'s recording and its clips' places, by replaying its seeded draws.

    Checked against the reference text the recording was built with, so a change to the
    recipe there stops this script rather than misplacing every clip.
    """
    path, reference = long_file.build(hours)
    clips = clip_items()
    audio = [sf.read(str(c.path), dtype="float32")[0] for c in clips]
    rng = random.Random(long_file.SEED)
    total, written = round(hours * 3600 * SAMPLE_RATE), 0
    every = long_file.BREAK_EVERY_S * SAMPLE_RATE
    next_break = every
    spans: list[ClipSpan] = []
    while written < total:
        order = list(range(len(clips)))
        rng.shuffle(order)
        for i in order:
            pause = long_file.BREAK_S if written >= next_break else rng.uniform(*long_file.PAUSE_S)
            next_break += every if written >= next_break else 0
            block = min(audio[i].size + round(pause * SAMPLE_RATE), total - written)
            end = written + min(audio[i].size, block)
            rms = float(np.sqrt(np.mean(np.square(audio[i])))) or 1e-10
            words = tuple(normalize(clips[i].reference))
            spans.append(
                ClipSpan(
                    clips[i].name,
                    written / SAMPLE_RATE,
                    end / SAMPLE_RATE,
                    words,
                    20 * np.log10(rms),
                )
            )
            written += block
            if written >= total:
                break
    said = " ".join(" ".join(c.words) for c in spans)
    if normalize(said) != normalize(reference):
        raise BenchError("long_file.py builds its recording differently now: update this replay.")
    item = Item(f"long{hours:g}h", path, engine.audio.probe(path).duration or 0.0, reference)
    return item, spans


def chunk_spans(chunk: Chunk) -> list[Span]:
    """The stream-time spans (seconds) of a chunk's glued pieces."""
    pieces = chunk.pieces or ((0, chunk.start),)
    out = []
    for i, (offset, source) in enumerate(pieces):
        end = pieces[i + 1][0] if i + 1 < len(pieces) else chunk.audio.size
        out.append((source / SAMPLE_RATE, (source + end - offset) / SAMPLE_RATE))
    return out


def reference_words(spans: list[Span], clips: list[ClipSpan]) -> tuple[list[str], list[str]]:
    """(estimated reference words, names of the clips) said inside ``spans``."""
    words: list[str] = []
    names: list[str] = []
    for a, b in spans:
        for c in clips:
            overlap = min(b, c.end) - max(a, c.start)
            if overlap <= 0:
                continue
            names.append(f"{c.name} {c.dbfs:.0f} dBFS")
            share = round(len(c.words) * overlap / (c.end - c.start))
            # A clip cut by the span's start contributes its last words, by its end its first.
            words += c.words[len(c.words) - share :] if c.start < a else c.words[:share]
    return words, names


def ends_inside_clip(chunk: Chunk, clips: list[ClipSpan], margin: float = 0.1) -> bool:
    """Whether the window's audio stops in the middle of a clip (a sentence cut at the end)."""
    end = chunk_spans(chunk)[-1][1]
    return any(c.start + margin < end < c.end - margin for c in clips)


class Recorder:
    """Hooks on `WindowDecoder` that record every window's attempts and every decoder call."""

    def __init__(self, clips: list[ClipSpan]) -> None:
        self.clips = clips
        self.windows: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self.phase = "first"
        self._recover_calls = 0
        self._chunks: list[Chunk] = []
        self._rows: list[int] | None = None
        self._attempts: dict[int, list[dict[str, Any]]] | None = None
        self._retry_unsure = True

    def reasons(self, decoder: WindowDecoder, r: RowResult) -> list[str]:
        """Why ``r`` fails Whisper's tests (empty: it passes)."""
        o = decoder.options
        text = decoder.tokenizer.decode(r.tokens)
        checks = {
            "silence": decoder._is_silence(r),
            "budget": r.hit_budget,
            "compression": compression_ratio(text) > o.compression_ratio_threshold,
            "logprob": r.avg_logprob < o.logprob_threshold,
            "loop": repeated_ngram_run(r.tokens) > o.max_repeated_ngram,
        }
        return [name for name, failed in checks.items() if failed]

    def attempt(self, decoder: WindowDecoder, r: RowResult) -> dict[str, Any]:
        text = decoder.tokenizer.decode(r.tokens)
        return {
            "temperature": r.temperature,
            "reasons": self.reasons(decoder, r),
            "needs_fallback": (
                decoder._needs_fallback(r, False)
                if not self._retry_unsure
                else decoder._needs_fallback(r)  # the only form older engines know
            ),
            "avg_logprob": round(r.avg_logprob, 3),
            "compression_ratio": round(compression_ratio(text), 3),
            "no_speech_prob": round(r.no_speech_prob, 3),
            "tokens": len(r.tokens),
            "text": decoder.tokenizer.decode([t for t in r.tokens if t < decoder.tokenizer.eot]),
        }

    def window(self, chunk: Chunk, attempts: list[dict[str, Any]], kept: RowResult) -> None:
        spans = chunk_spans(chunk)
        ref, names = reference_words(spans, self.clips)
        first, final = attempts[0]["text"], None
        for a in attempts:
            if a["temperature"] == kept.temperature:
                final = a["text"]
        if len(attempts) == 1 and not attempts[0]["reasons"]:
            del attempts[0]["text"]  # windows that passed at once: the record stays small
        audio = chunk.audio[chunk.audio != 0]  # the silence padded after recovered stretches
        rms = float(np.sqrt(np.mean(np.square(audio)))) if audio.size else 0.0
        self.windows.append(
            {
                "phase": self.phase,
                "start": round(spans[0][0], 2),
                "end": round(spans[-1][1], 2),
                "duration": round(chunk.duration, 2),
                "pieces": len(spans),
                "ends_inside_clip": ends_inside_clip(chunk, self.clips),
                "dbfs": round(20 * np.log10(rms), 1) if rms > 0 else None,
                "clips": names,
                "reference_words": len(ref),
                "errors_t0": word_errors(ref, normalize(first)),
                "errors_kept": word_errors(ref, normalize(final or first)),
                "kept_temperature": kept.temperature,
                "attempts": attempts,
            }
        )

    @contextmanager
    def hooked(self) -> Iterator[None]:
        """Wrap the decoder's methods (and `take_rows`) for the duration."""
        cls = WindowDecoder
        names = ("_decode_rows", "_decode", "_decode_with_fallback", "_decode_all", "_recover")
        saved = {n: getattr(cls, n) for n in names}
        # `engine.windows` imports it from `engine.decoding`; the name there is what it calls.
        saved_take = getattr(engine.windows, "take_rows")  # noqa: B009
        rec = self

        def decode_rows(dec: WindowDecoder, chunks: Any, *args: Any, **kwargs: Any) -> Any:
            rec._chunks = list(chunks)
            return saved["_decode_rows"](dec, chunks, *args, **kwargs)

        def recover(dec: WindowDecoder, *args: Any) -> Any:
            rec._recover_calls = 0
            try:
                return saved["_recover"](dec, *args)
            finally:
                rec.phase = "first"

        def decode_all(dec: WindowDecoder, *args: Any, **kwargs: Any) -> Any:
            rec._recover_calls += 1
            rec.phase = "recover packed" if rec._recover_calls == 1 else "recover alone"
            return saved["_decode_all"](dec, *args, **kwargs)

        def take_rows(cross: Any, rows: Any) -> Any:
            if rec._attempts is not None:
                rec._rows = list(rows)
            return saved_take(cross, rows)

        def decode(dec: WindowDecoder, cross: Any, budgets: Any, *args: Any) -> Any:
            # (temperature, cancel), or since the hold (holds, temperature, cancel).
            temperature = args[-2]
            started = time.perf_counter()
            results = saved["_decode"](dec, cross, budgets, *args)
            seconds = time.perf_counter() - started
            rows = rec._rows if rec._rows is not None else list(range(len(results)))
            rec._rows = None
            rec.calls.append(
                {
                    "phase": rec.phase,
                    "temperature": temperature,
                    "rows": len(rows),
                    "batch": len(rec._chunks),
                    "steps": max((len(r.tokens) for r in results), default=0),
                    "seconds": round(seconds, 4),
                }
            )
            if rec._attempts is not None:
                for i, r in zip(rows, results, strict=True):
                    rec._attempts[i].append(rec.attempt(dec, r))
            return results

        def with_fallback(dec: WindowDecoder, cross: Any, budgets: Any, *args: Any) -> Any:
            rec._attempts = {i: [] for i in range(len(budgets))}
            # The last argument says whether unsure decodes are retried (older engines lack it).
            rec._retry_unsure = args[-1] if args and isinstance(args[-1], bool) else True
            try:
                results = saved["_decode_with_fallback"](dec, cross, budgets, *args)
                for i, kept in enumerate(results):
                    rec.window(rec._chunks[i], rec._attempts[i], kept)
                return results
            finally:
                rec._attempts = None

        patches = {
            "_decode_rows": decode_rows,
            "_decode": decode,
            "_decode_with_fallback": with_fallback,
            "_decode_all": decode_all,
            "_recover": recover,
        }
        for n, fn in patches.items():
            setattr(cls, n, fn)
        setattr(engine.windows, "take_rows", take_rows)  # noqa: B010
        try:
            yield
        finally:
            for n, fn in saved.items():
                setattr(cls, n, fn)
            setattr(engine.windows, "take_rows", saved_take)  # noqa: B010


def summarize(rec: Recorder, wall: float, stages: dict[str, tuple[float, int]]) -> dict[str, Any]:
    """Counts, reasons, seconds and shares of one run."""
    fell = [w for w in rec.windows if len(w["attempts"]) > 1]
    hot = [c for c in rec.calls if c["temperature"] > 0]
    first_reasons = Counter(r for w in fell for r in w["attempts"][0]["reasons"])
    kept = Counter(str(w["kept_temperature"]) for w in fell)
    return {
        "windows": len(rec.windows),
        "windows_by_phase": Counter(w["phase"] for w in rec.windows),
        "fallback_windows": len(fell),
        "fallback_windows_by_phase": Counter(w["phase"] for w in fell),
        "reasons_at_t0": first_reasons,
        "attempts_by_temperature": Counter(
            str(a["temperature"]) for w in fell for a in w["attempts"][1:]
        ),
        "kept_temperature": kept,
        "fallback_calls": len(hot),
        "fallback_rows": sum(c["rows"] for c in hot),
        # Decoder steps do not depend on how busy the machine is; seconds do.
        "fallback_steps": sum(c["steps"] for c in hot),
        "first_pass_steps": sum(c["steps"] for c in rec.calls if c["temperature"] == 0),
        "fallback_seconds": round(sum(c["seconds"] for c in hot), 2),
        "fallback_share": round(sum(c["seconds"] for c in hot) / wall, 4),
        "first_pass_seconds": round(
            sum(c["seconds"] for c in rec.calls if c["temperature"] == 0), 2
        ),
        "errors_t0": sum(w["errors_t0"] for w in fell),
        "errors_kept": sum(w["errors_kept"] for w in fell),
        "ends_inside_clip": sum(w["ends_inside_clip"] for w in fell),
        "silence_windows": sum("silence" in w["attempts"][-1]["reasons"] for w in rec.windows),
        "stages": {
            k: {"seconds": round(s, 2), "share": round(s / wall, 4)}
            for k, (s, _c) in stages.items()
        },
    }


def run_set(
    transcriber: Transcriber, item: Item, clips: list[ClipSpan], options: TranscribeOptions
) -> dict[str, Any]:
    """Transcribe ``item`` with the hooks and timers on; the record of the run."""
    rec = Recorder(clips)
    timers = Timers()
    texts: list[str] = []
    with instrumented(timers), rec.hooked():
        started = time.perf_counter()
        _info, segments = transcriber.transcribe(item.path, options)
        texts = [s.text for s in segments]
        wall = time.perf_counter() - started
    ref, hyp = normalize(item.reference), normalize(" ".join(texts))
    errors = word_errors(ref, hyp)
    summary = summarize(rec, wall, stage_seconds(timers, wall))
    summary.update(
        audio_s=round(item.duration_s, 1),
        wall_s=round(wall, 2),
        reference_words=len(ref),
        returned_words=len(hyp),
        errors=errors,
        wer=round(wer(errors, len(ref)), 4),
        text_sha1=hashlib.sha1(" ".join(texts).encode()).hexdigest(),  # same transcript?
    )
    return {"summary": summary, "windows": rec.windows, "calls": rec.calls}


def print_summary(name: str, s: dict[str, Any], windows: list[dict[str, Any]]) -> None:
    print(f"\n== {name}: {s['audio_s']} s of audio, wall {s['wall_s']} s")
    print(f"windows {s['windows']} {dict(s['windows_by_phase'])}")
    print(
        f"fell back: {s['fallback_windows']} {dict(s['fallback_windows_by_phase'])}; "
        f"{s['fallback_calls']} calls, {s['fallback_rows']} rows, {s['fallback_steps']} steps, "
        f"{s['fallback_seconds']} s "
        f"= {100 * s['fallback_share']:.1f} % of wall (first pass {s['first_pass_steps']} steps, "
        f"{s['first_pass_seconds']} s)"
    )
    print(f"reasons at T=0: {dict(s['reasons_at_t0'])}")
    print(
        f"attempts by T: {dict(s['attempts_by_temperature'])}; kept: {dict(s['kept_temperature'])}"
    )
    print(
        f"errors in fallen windows: T=0 {s['errors_t0']} -> kept {s['errors_kept']}; "
        f"ending inside a clip: {s['ends_inside_clip']}; silence windows: {s['silence_windows']}"
    )
    print(f"words {s['returned_words']} / {s['reference_words']}, WER {100 * s['wer']:.2f} %")
    for stage, v in s["stages"].items():
        print(f"  {stage:<26} {v['seconds']:>8.2f} s {100 * v['share']:>6.1f} %")
    for w in windows:
        if len(w["attempts"]) < 2:
            continue
        tried = " ".join(
            f"{a['temperature']}:{'+'.join(a['reasons']) or 'ok'}" for a in w["attempts"]
        )
        print(
            f"  {w['phase']:<15} {w['start']:>8.1f}-{w['end']:<8.1f} pieces {w['pieces']:>2} "
            f"{'cut' if w['ends_inside_clip'] else '   '} {w['dbfs']} dBFS  {tried}  kept "
            f"{w['kept_temperature']}  errors {w['errors_t0']}->{w['errors_kept']}"
            f"/{w['reference_words']}"
        )


def engine_version() -> str:
    """The engine's commit, with ``+`` when ``engine/`` has uncommitted changes."""
    head = _engine_version()
    folder = Path(engine.__file__).resolve().parent
    try:
        status = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return head
    return head + ("+" if status.strip() else "")


def _dense(name: str) -> tuple[Item, list[ClipSpan]]:
    """A built meeting set of `audio_sets` and its clips' places."""
    item = build_sets([name])[0].items[0]
    return item, clip_spans(item)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--sets",
        default="dense10min",
        help="comma-separated: dense100s, dense10min, dense60min (or the pausy 100s, 10min, "
        "60min), long1h (long_file.py's recording, any hours: long0.5h)",
    )
    p.add_argument("--model", type=Path, default=TINY_EN, help="model folder")
    p.add_argument("--temperatures", default=None, help="fallback schedule, e.g. 0,0.4,0.8")
    p.add_argument("--compression-ratio-threshold", type=float, default=None)
    p.add_argument("--logprob-threshold", type=float, default=None)
    p.add_argument("--label", default="", help="added to the record's name")
    p.add_argument("--no-warmup", action="store_true", help="skip the warm-up transcription")
    args = p.parse_args(argv)
    names = args.sets.split(",")
    try:
        warmup = build_sets(["clips"])[0].items[0]
        runs = [
            long_clip_spans(float(n.removeprefix("long").removesuffix("h")))
            if n.startswith("long")
            else _dense(n)
            for n in names
        ]
    except (BenchError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    changes: dict[str, Any] = {}
    if args.temperatures:
        changes["temperatures"] = tuple(float(t) for t in args.temperatures.split(","))
    if args.compression_ratio_threshold is not None:
        changes["compression_ratio_threshold"] = args.compression_ratio_threshold
    if args.logprob_threshold is not None:
        changes["logprob_threshold"] = args.logprob_threshold
    options = dataclasses.replace(TranscribeOptions(word_timestamps=True), **changes)
    transcriber = Transcriber(args.model, allow_download=False)
    if not args.no_warmup:
        _info, segments = transcriber.transcribe(warmup.path, options)
        list(segments)
    host = socket.gethostname()
    for name, (item, clips) in zip(names, runs, strict=True):
        record = run_set(transcriber, item, clips, options)
        print_summary(name, record["summary"], record["windows"])
        suffix = f"-{args.label}" if args.label else ""
        out = RESULTS / f"fallbacks-{dt.date.today().isoformat()}-{host}-{name}{suffix}.json"
        record["meta"] = {
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "host": host,
            "engine": engine_version(),
            "audio": shown_path(item.path),
            "model": shown_path(args.model),
            "options": {k: str(v) for k, v in changes.items()},
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        # One line: about 100 kB for an hour (every window and decoder call).
        out.write_text(json.dumps(record, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Turn a batch of audio chunks into timed segments: encode once, decode, retry, align.

For each batch: log-mel and the encoder run once for all chunks; the cross-attention keys/values
are computed once and shared by the first decode, every temperature fallback (only the rows that
need it) and the word-timing pass. Chunks are independent (voice activity detection cut them at
pauses), so their segments are final as soon as the batch is done.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import mlx.core as mx
import numpy as np

from engine.coverage import MIN_UNCOVERED_S, uncovered_speech
from engine.decoding import (
    DecodePrompt,
    RowResult,
    beam_decode,
    compression_ratio,
    greedy_decode,
    repeated_ngram_run,
    take_rows,
)
from engine.errors import Cancelled
from engine.guards import (
    drop_words_in_silence,
    fit_words,
    split_at_pauses,
    token_budget,
    trim_repetition,
)
from engine.holding import hold_until, release_doubtful
from engine.host_decoding import greedy_decode_host
from engine.loading import LoadedModel
from engine.logit_rules import LogitRules
from engine.mel import log_mel_batch
from engine.model import CrossKV, ModelDimensions, Whisper
from engine.options import TranscribeOptions
from engine.packing import pack_chunks
from engine.timing import WordTiming, align_words, attach_punctuation, clip_long_words
from engine.tokenizer import TIME_PRECISION, Tokenizer
from engine.vad import SAMPLE_RATE, Chunk

__all__ = [
    "UNRECOGNISED_TEXT",
    "FirstPass",
    "TimedSegment",
    "WindowDecoder",
    "encode_batch",
    "unrecognised",
]

log = logging.getLogger(__name__)


@dataclass
class TimedSegment:
    """A segment with absolute times in seconds, before it becomes a `SegmentResult`.

    Attributes:
        start: Start in seconds from the start of the media.
        end: End in seconds.
        tokens: Text tokens.
        text: Decoded text (stripped).
        words: Word timings (absolute seconds) when word timestamps are on.
        result: The decode this segment came from (log-probability, no-speech, temperature).
        probs: The probability of each of ``tokens`` in the decode (for word confidences).
        unrecognised: Detected speech in which the model found no words, even when decoded
            on its own: the segment holds `UNRECOGNISED_TEXT` as one word of probability 0.
    """

    start: float
    end: float
    tokens: list[int]
    text: str
    result: RowResult
    words: list[WordTiming] = field(default_factory=list)
    probs: list[float] = field(default_factory=list)
    unrecognised: bool = False


UNRECOGNISED_TEXT = "[unrecognised speech]"
# Speech still without words after its own decode is reported from this length on: shorter
# stretches are more likely a cough, a laugh or the detector's padding than a sentence.
REPORT_UNRECOGNISED_S = 2.0


# Skipped stretches are decoded again packed into windows of at most this much audio, so
# every window ends in silence: Whisper drops speech that runs up to a window's end.
PACKED_WINDOW_S = 24.0
SILENCE_AFTER_S = 1.0  # between packed stretches: words there are dropped as said in silence


def _followed_by_silence(stretch: Chunk) -> Chunk:
    """``stretch`` with `SILENCE_AFTER_S` of digital silence after its speech."""
    pad = np.zeros(round(SILENCE_AFTER_S * SAMPLE_RATE), dtype=np.float32)
    return Chunk(stretch.start, np.concatenate([stretch.audio, pad]), stretch.speech)


def unrecognised(stretch: Chunk) -> TimedSegment:
    """A marker segment for detected speech in which the model found no words."""
    start, end = stretch.start / SAMPLE_RATE, stretch.end / SAMPLE_RATE
    log.warning(
        "Speech at %.1f-%.1f s was not recognised; it is marked in the transcript", start, end
    )
    word = WordTiming(" " + UNRECOGNISED_TEXT, [], start, end, 0.0)
    result = RowResult((), 0.0, 0.0, 0.0, False)
    return TimedSegment(start, end, [], UNRECOGNISED_TEXT, result, [word], [], unrecognised=True)


@dataclass(frozen=True, slots=True)
class FirstPass:
    """A batch decoded once (`WindowDecoder.decode`), before skipped speech is decoded again.

    Attributes:
        segments: The segments found, in batch order.
        missing: Stretches of detected speech that no plausible word covers.
        batch: Windows decoded at once, which bounds how many are decoded again at once.
    """

    segments: list[TimedSegment]
    missing: list[Chunk]
    batch: int


def encode_batch(
    model: Whisper,
    chunks: Sequence[Chunk],
    group: int = 0,
    cancel: threading.Event | None = None,
) -> CrossKV:
    """Log-mel, encoder and cross-attention keys/values for a batch of chunks, evaluated.

    The encoder runs on at most ``group`` windows at a time (0: all at once): its attention
    scores grow with the batch, while the decoder wants wide batches (see `batch_sizes`).
    """
    group = group or len(chunks)
    parts: list[CrossKV] = []
    for i in range(0, len(chunks), group):
        if cancel is not None and cancel.is_set():
            raise Cancelled("Transcription was cancelled.")
        mel = log_mel_batch([c.audio for c in chunks[i : i + group]], model.dims.n_mels)
        cross = model.decoder.cross_kv(model.encoder(mel.astype(model.dtype)))
        mx.eval(cross)
        parts.append(cross)
    if len(parts) == 1:
        return parts[0]
    return [
        (mx.concatenate([p[layer][0] for p in parts]), mx.concatenate([p[layer][1] for p in parts]))
        for layer in range(len(parts[0]))
    ]


def batch_sizes(dims: ModelDimensions, device: str, dtype_bytes: int) -> tuple[int, int]:
    """Default (decoder batch, encoder group) for a model on a device.

    The decoder's cost per step is dominated by reading the vocabulary projection, the same
    for 1 or 16 rows on a CPU, so wide batches pay; what bounds them is the cross-attention
    keys/values kept for every window (about 18 MB for tiny, 0.5 GB for large-v3 in float32).
    The encoder runs in small groups on CPUs, where its attention scores are materialised.
    """
    per_window = 2 * dims.n_audio_ctx * dims.n_text_state * dims.n_text_layer * dtype_bytes
    budget = CROSS_KV_BUDGET_GPU if device == "gpu" else CROSS_KV_BUDGET_CPU
    batch = max(1, min(MAX_BATCH, budget // per_window))
    group = batch if device == "gpu" else min(batch, CPU_ENCODER_GROUP)
    return batch, group


CROSS_KV_BUDGET_CPU = 1 << 30
CROSS_KV_BUDGET_GPU = 2 << 30
MAX_BATCH = 16
CPU_ENCODER_GROUP = 2


class WindowDecoder:
    """Decodes batches of chunks with one model, tokenizer (language fixed) and options."""

    def __init__(
        self,
        loaded: LoadedModel,
        tokenizer: Tokenizer,
        options: TranscribeOptions,
        encoder_group: int = 0,
    ) -> None:
        """Prepare the prompt and logit rules shared by every batch."""
        self.model = loaded.model
        self.encoder_group = encoder_group
        # On CPUs the sampling step runs in numpy (engine.host_decoding explains why).
        self.host_sampling = loaded.device == "cpu"
        self.tokenizer = tokenizer
        self.options = options
        prompt_tokens = (
            tokenizer.encode(" " + options.initial_prompt.strip())
            if options.initial_prompt and options.initial_prompt.strip()
            else []
        )
        self.prompt = DecodePrompt.build(
            tokenizer, prompt_tokens, n_text_ctx=loaded.dims.n_text_ctx
        )
        self.rules = LogitRules(
            tokenizer, loaded.dims.n_vocab, suppress_blank=options.suppress_blank
        )

    def decode(
        self, chunks: Sequence[Chunk], cross: CrossKV, cancel: threading.Event | None = None
    ) -> FirstPass:
        """Decode a batch, and find the speech it skipped (see `recover`)."""
        per_row = self._decode_rows(chunks, cross, cancel)
        missing = (
            [
                m
                for chunk, row in zip(chunks, per_row, strict=True)
                for m in uncovered_speech(chunk, row)
            ]
            if self.options.recover_skipped_speech
            else []
        )
        return FirstPass([seg for row in per_row for seg in row], missing, max(1, len(chunks)))

    def recover(
        self, first: FirstPass, cancel: threading.Event | None = None
    ) -> list[TimedSegment]:
        """Decode the speech the first pass skipped; return all segments in time order.

        Separate from `decode` so that the caller can free the batch's keys/values first.
        """
        out = list(first.segments)
        if first.missing:
            out = self._recover(first.missing, out, first.batch, cancel)
        out.sort(key=lambda s: s.start)
        return out

    def within(
        self, segments: Sequence[TimedSegment], ranges: Sequence[tuple[float, float]]
    ) -> list[TimedSegment]:
        """The parts of ``segments`` whose words are centred inside one of ``ranges``."""
        out = []
        for start, end in ranges:
            out += [s for seg in segments if (s := self._select(seg, start, end, inside=True))]
        return sorted(out, key=lambda s: s.start)

    def _recover(
        self,
        missing: list[Chunk],
        out: list[TimedSegment],
        batch: int,
        cancel: threading.Event | None,
    ) -> list[TimedSegment]:
        """Decode stretches of skipped speech again and report what stays skipped.

        First packed into shared windows, each stretch followed by a second of silence and
        the window left with room at its end (speech running up to a window's end is what
        Whisper skipped in the first place); a stretch still without words after that gets a
        window of its own (also followed by silence), and what even that leaves is marked
        `unrecognised`. Words found in
        a stretch replace the implausibly long words the first pass had laid over it.
        """
        log.debug("Decoding %d stretches of skipped speech again", len(missing))
        padded = [_followed_by_silence(m) for m in missing]
        packed = list(pack_chunks(padded, PACKED_WINDOW_S))
        # Unsure decodes are not retried hotter here either (see below): with the first pass
        # holding rows on, what is left for recovery is mostly hard speech, and on an hour of
        # speech 5 such windows took 6 temperatures each for 3 more word errors in all.
        found = self._decode_all(packed, batch, cancel, retry_unsure=False)
        out, alone = self._take(missing, found, out, MIN_UNCOVERED_S)
        if alone:
            log.debug("Decoding %d stretches of skipped speech on their own", len(alone))
            # A short stretch that two decodes already missed is hard speech (mostly quiet
            # voices): every temperature is unsure of it, and hotter guesses were no better. On
            # an hour of speech, 8 such stretches took 21 of 32 fallback decodes for the same
            # word errors (issue 13). Loops are still retried.
            # Alone, too, a stretch is followed by silence: one running up to the window's end
            # came back as made-up words where the same stretch with silence after it came
            # back as what was said (a quiet FLEURS voice in continuous speech, seed 1400).
            padded = [_followed_by_silence(a) for a in alone]
            found = self._decode_all(padded, batch, cancel, retry_unsure=False)
            out, lost = self._take(alone, found, out, REPORT_UNRECOGNISED_S)
            out += [unrecognised(stretch) for stretch in lost]
        return out

    def _decode_all(
        self,
        chunks: list[Chunk],
        batch: int,
        cancel: threading.Event | None,
        *,
        retry_unsure: bool = True,
    ) -> list[TimedSegment]:
        """Encode and decode ``chunks``, at most ``batch`` windows' keys/values at a time."""
        out: list[TimedSegment] = []
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            cross = encode_batch(self.model, part, self.encoder_group, cancel)
            rows = self._decode_rows(part, cross, cancel, retry_unsure=retry_unsure)
            out += [seg for row in rows for seg in row]
        return out

    def _take(
        self,
        stretches: list[Chunk],
        found: list[TimedSegment],
        out: list[TimedSegment],
        min_seconds: float,
    ) -> tuple[list[TimedSegment], list[Chunk]]:
        """Put the words ``found`` in each stretch into ``out``; return what is still uncovered."""
        uncovered: list[Chunk] = []
        for stretch in stretches:
            start, end = stretch.start / SAMPLE_RATE, stretch.end / SAMPLE_RATE
            mine = [s for seg in found if (s := self._select(seg, start, end, inside=True))]
            if mine:
                out = [s for seg in out if (s := self._select(seg, start, end, inside=False))]
                out += mine
            uncovered += uncovered_speech(stretch, mine, min_seconds)
        return out, uncovered

    def _select(
        self, seg: TimedSegment, start: float, end: float, *, inside: bool
    ) -> TimedSegment | None:
        """``seg`` with only its words centred inside (or outside) ``start``-``end``.

        None when no word is left.
        """
        if not seg.words:
            within = start <= (seg.start + seg.end) / 2 <= end
            return seg if within == inside else None
        keep = [w for w in seg.words if (start <= (w.start + w.end) / 2 <= end) == inside]
        if len(keep) == len(seg.words):
            return seg
        if not keep:
            return None
        tokens = [t for w in keep for t in w.tokens]
        return dataclasses.replace(
            seg,
            start=keep[0].start,
            end=keep[-1].end,
            tokens=tokens,
            text=self.tokenizer.decode(tokens).strip(),
            words=keep,
            probs=[w.probability for w in keep],
        )

    def _decode_rows(
        self,
        chunks: Sequence[Chunk],
        cross: CrossKV,
        cancel: threading.Event | None,
        *,
        retry_unsure: bool = True,
    ) -> list[list[TimedSegment]]:
        """Decode, fall back where needed, split into segments and time the words, per chunk.

        ``retry_unsure``: also decode hotter when a decode is merely unsure (low mean
        log-probability); without it only loops and decodes out of budget are retried.
        """
        budgets = [
            token_budget(c.duration, self.prompt, self.model.dims.n_text_ctx) for c in chunks
        ]
        holds = [self._hold_until(c) for c in chunks]
        results = self._decode_with_fallback(cross, budgets, holds, cancel, retry_unsure)
        per_row: list[list[TimedSegment]] = []
        for chunk, result in zip(chunks, results, strict=True):
            per_row.append([] if self._is_silence(result) else self._segments(chunk, result))
        if self.options.word_timestamps:
            self._add_words(chunks, cross, per_row)
        return per_row

    # -- decoding ------------------------------------------------------------------------------
    def _hold_until(self, chunk: Chunk) -> int:
        # Part of recovering skipped speech (`engine.holding`); off, Whisper ends where it likes.
        if not self.options.recover_skipped_speech:
            return -1
        return hold_until(chunk, self.tokenizer.timestamp_begin)

    def _decode(
        self,
        cross: CrossKV,
        budgets: list[int],
        holds: list[int],
        temperature: float,
        cancel: threading.Event | None,
    ) -> list[RowResult]:
        if temperature == 0 and self.options.beam_size and self.options.beam_size > 1:
            return beam_decode(
                self.model,
                self.tokenizer,
                self.rules,
                cross,
                self.prompt,
                budgets,
                beam_size=self.options.beam_size,
                cancel=cancel,
            )
        greedy = greedy_decode_host if self.host_sampling else greedy_decode
        return greedy(
            self.model,
            self.tokenizer,
            self.rules,
            cross,
            self.prompt,
            budgets,
            temperature=temperature,
            cancel=cancel,
            # A loop fails `_needs_fallback` however it goes on: its remaining steps are waste.
            stop_repeats=self.options.max_repeated_ngram,
            hold_until=holds,
        )

    def _decode_with_fallback(
        self,
        cross: CrossKV,
        budgets: list[int],
        holds: list[int],
        cancel: threading.Event | None,
        retry_unsure: bool = True,
    ) -> list[RowResult]:
        temperatures = self.options.temperatures or (0.0,)
        results = self._decode(cross, budgets, holds, temperatures[0], cancel)
        results = [release_doubtful(r, self.tokenizer.eot) for r in results]
        for temperature in temperatures[1:]:
            retry = [i for i, r in enumerate(results) if self._needs_fallback(r, retry_unsure)]
            if not retry:
                break
            log.debug(
                "Re-decoding %d of %d windows at temperature %.1f",
                len(retry),
                len(results),
                temperature,
            )
            again = self._decode(
                take_rows(cross, retry),
                [budgets[i] for i in retry],
                [holds[i] for i in retry],
                temperature,
                cancel,
            )
            again = [release_doubtful(r, self.tokenizer.eot) for r in again]
            for i, r in zip(retry, again, strict=True):
                # Whisper keeps the last attempt; keeping the best one never does worse.
                results[i] = max((results[i], r), key=self._quality)
        return [trim_repetition(r, self.options.max_repeated_ngram) for r in results]

    def _quality(self, r: RowResult) -> tuple[bool, bool, bool, float]:
        """Sort key of attempts: not looping, within budget, not repetitive, then likelier."""
        o = self.options
        text = self.tokenizer.decode(r.tokens)
        return (
            repeated_ngram_run(r.tokens) <= o.max_repeated_ngram,
            not r.hit_budget,
            compression_ratio(text) <= o.compression_ratio_threshold,
            r.avg_logprob,
        )

    def _needs_fallback(self, r: RowResult, retry_unsure: bool = True) -> bool:
        o = self.options
        if self._is_silence(r):
            return False
        text = self.tokenizer.decode(r.tokens)
        return (
            r.hit_budget
            or compression_ratio(text) > o.compression_ratio_threshold
            or (retry_unsure and r.avg_logprob < o.logprob_threshold)
            or repeated_ngram_run(r.tokens) > o.max_repeated_ngram
        )

    def _is_silence(self, r: RowResult) -> bool:
        # Whisper's rule: a likely "no speech" counts only when the decode is also unsure.
        o = self.options
        return r.no_speech_prob > o.no_speech_threshold and r.avg_logprob < o.logprob_threshold

    # -- segments and words --------------------------------------------------------------------
    def _segments(self, chunk: Chunk, result: RowResult) -> list[TimedSegment]:
        ts_begin = self.tokenizer.timestamp_begin
        out: list[TimedSegment] = []
        start: float | None = None
        last_end = 0.0
        text: list[int] = []
        probs: list[float] = []
        all_probs = result.token_probs or (1.0,) * len(result.tokens)
        for token, prob in zip(result.tokens, all_probs, strict=True):
            if token < ts_begin:
                text.append(token)
                probs.append(prob)
                continue
            time = (token - ts_begin) * TIME_PRECISION
            if start is not None and text:
                out.append(self._segment(chunk, start, time, text, probs, result))
                text, probs, start, last_end = [], [], None, time
            else:
                start = time
        if text:  # text after the last timestamp: it runs to the end of the chunk
            begin = start if start is not None else last_end
            end = max(chunk.duration, begin)
            out.append(self._segment(chunk, begin, end, text, probs, result))
        return [s for s in out if s.text]

    def _segment(
        self,
        chunk: Chunk,
        start: float,
        end: float,
        tokens: list[int],
        probs: list[float],
        result: RowResult,
    ) -> TimedSegment:
        start = min(max(start, 0.0), chunk.duration)
        end = min(max(end, start), chunk.duration)
        text = self.tokenizer.decode(tokens).strip()
        return TimedSegment(
            chunk.source_seconds(start),
            chunk.source_seconds(end),
            tokens,
            text,
            result,
            probs=probs,
        )

    def _add_words(
        self, chunks: Sequence[Chunk], cross: CrossKV, per_row: list[list[TimedSegment]]
    ) -> None:
        rows = [i for i, segs in enumerate(per_row) if segs]
        if not rows:
            return
        texts = [[t for s in per_row[i] for t in s.tokens] for i in rows]
        probs = [[p for s in per_row[i] for p in s.probs] for i in rows]
        frames = [len(chunks[i].audio) // 160 for i in rows]
        # Every row usually has words: then no gathered copy of the keys/values (a batch's worth).
        kv = cross if len(rows) == len(per_row) else take_rows(cross, rows)
        aligned = align_words(self.model, self.tokenizer, kv, texts, probs, frames)
        for i, words in zip(rows, aligned, strict=True):
            chunk = chunks[i]
            median = clip_long_words(words)
            words = attach_punctuation(words)
            words = drop_words_in_silence(words, chunk)
            _distribute(per_row[i], words, chunk.source_seconds, median)
            fit_words(per_row[i], chunk)
            per_row[i] = split_at_pauses(per_row[i], self.tokenizer)


def _distribute(
    segments: list[TimedSegment],
    words: list[WordTiming],
    to_source: Callable[[float], float],
    median: float,
) -> None:
    """Give each segment its words (by token count) and reconcile segment and word times."""
    longest = median * 2
    index = 0
    for seg in segments:
        taken = 0
        while index < len(words) and taken < len(seg.tokens):
            w = words[index]
            taken += len(w.tokens)
            index += 1
            seg.words.append(
                WordTiming(w.word, w.tokens, to_source(w.start), to_source(w.end), w.probability)
            )
        if not seg.words:
            continue
        first, last = seg.words[0], seg.words[-1]
        # Whisper's heuristics: prefer the segment's own timestamps over an over-long edge word.
        if seg.start < first.end and seg.start - 0.5 > first.start:
            first.start = max(0.0, min(first.end - median, seg.start))
        else:
            seg.start = first.start
        if seg.end > last.start and seg.end + 0.5 < last.end:
            last.end = max(last.start + median, seg.end)
        else:
            seg.end = last.end
        if longest and first.end - first.start > longest * 2:
            first.start = first.end - longest

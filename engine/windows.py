"""Turn a batch of audio chunks into timed segments: encode once, decode, retry, align.

For each batch: log-mel and the encoder run once for all chunks; the cross-attention keys/values
are computed once and shared by the first decode, every temperature fallback (only the rows that
need it) and the word-timing pass. Chunks are independent (voice activity detection cut them at
pauses), so their segments are final as soon as the batch is done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import mlx.core as mx

from engine.decoding import (
    DecodePrompt,
    RowResult,
    beam_decode,
    compression_ratio,
    greedy_decode,
    repeated_ngram_run,
    take_rows,
)
from engine.guards import (
    drop_words_in_silence,
    fit_words,
    split_at_pauses,
    token_budget,
    trim_repetition,
)
from engine.loading import LoadedModel
from engine.logit_rules import LogitRules
from engine.mel import log_mel_batch
from engine.model import CrossKV, Whisper
from engine.options import TranscribeOptions
from engine.timing import WordTiming, align_words, attach_punctuation, clip_long_words
from engine.tokenizer import TIME_PRECISION, Tokenizer
from engine.vad import Chunk

__all__ = ["TimedSegment", "WindowDecoder", "encode_batch"]

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
    """

    start: float
    end: float
    tokens: list[int]
    text: str
    result: RowResult
    words: list[WordTiming] = field(default_factory=list)


def encode_batch(model: Whisper, chunks: Sequence[Chunk]) -> CrossKV:
    """Log-mel, encoder and cross-attention keys/values for a batch of chunks, evaluated."""
    mel = log_mel_batch([c.audio for c in chunks], model.dims.n_mels)
    features = model.encoder(mel.astype(model.dtype))
    cross = model.decoder.cross_kv(features)
    mx.eval(cross)
    return cross


class WindowDecoder:
    """Decodes batches of chunks with one model, tokenizer (language fixed) and options."""

    def __init__(
        self, loaded: LoadedModel, tokenizer: Tokenizer, options: TranscribeOptions
    ) -> None:
        """Prepare the prompt and logit rules shared by every batch."""
        self.model = loaded.model
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

    def process(
        self, chunks: Sequence[Chunk], cross: CrossKV, cancel: threading.Event | None = None
    ) -> list[TimedSegment]:
        """Decode, fall back where needed, split into segments and time the words."""
        budgets = [
            token_budget(c.duration, self.prompt, self.model.dims.n_text_ctx) for c in chunks
        ]
        results = self._decode_with_fallback(cross, budgets, cancel)
        per_row: list[list[TimedSegment]] = []
        for chunk, result in zip(chunks, results, strict=True):
            per_row.append([] if self._is_silence(result) else self._segments(chunk, result))
        if self.options.word_timestamps:
            self._add_words(chunks, cross, per_row)
        out = [seg for row in per_row for seg in row]
        out.sort(key=lambda s: s.start)
        return out

    # -- decoding ------------------------------------------------------------------------------
    def _decode(
        self, cross: CrossKV, budgets: list[int], temperature: float, cancel: threading.Event | None
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
        return greedy_decode(
            self.model,
            self.tokenizer,
            self.rules,
            cross,
            self.prompt,
            budgets,
            temperature=temperature,
            cancel=cancel,
        )

    def _decode_with_fallback(
        self, cross: CrossKV, budgets: list[int], cancel: threading.Event | None
    ) -> list[RowResult]:
        temperatures = self.options.temperatures or (0.0,)
        results = self._decode(cross, budgets, temperatures[0], cancel)
        for temperature in temperatures[1:]:
            retry = [i for i, r in enumerate(results) if self._needs_fallback(r)]
            if not retry:
                break
            log.debug(
                "Re-decoding %d of %d windows at temperature %.1f",
                len(retry),
                len(results),
                temperature,
            )
            again = self._decode(
                take_rows(cross, retry), [budgets[i] for i in retry], temperature, cancel
            )
            for i, r in zip(retry, again, strict=True):
                results[i] = r
        return [trim_repetition(r, self.options.max_repeated_ngram) for r in results]

    def _needs_fallback(self, r: RowResult) -> bool:
        o = self.options
        if self._is_silence(r):
            return False
        text = self.tokenizer.decode(r.tokens)
        return (
            r.hit_budget
            or compression_ratio(text) > o.compression_ratio_threshold
            or r.avg_logprob < o.logprob_threshold
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
        for token in result.tokens:
            if token < ts_begin:
                text.append(token)
                continue
            time = (token - ts_begin) * TIME_PRECISION
            if start is not None and text:
                out.append(self._segment(chunk, start, time, text, result))
                text, start, last_end = [], None, time
            else:
                start = time
        if text:  # text after the last timestamp: it runs to the end of the chunk
            begin = start if start is not None else last_end
            out.append(self._segment(chunk, begin, max(chunk.duration, begin), text, result))
        return [s for s in out if s.text]

    def _segment(
        self, chunk: Chunk, start: float, end: float, tokens: list[int], result: RowResult
    ) -> TimedSegment:
        start = min(max(start, 0.0), chunk.duration)
        end = min(max(end, start), chunk.duration)
        text = self.tokenizer.decode(tokens).strip()
        return TimedSegment(
            chunk.source_seconds(start), chunk.source_seconds(end), tokens, text, result
        )

    def _add_words(
        self, chunks: Sequence[Chunk], cross: CrossKV, per_row: list[list[TimedSegment]]
    ) -> None:
        rows = [i for i, segs in enumerate(per_row) if segs]
        if not rows:
            return
        texts = [[t for s in per_row[i] for t in s.tokens] for i in rows]
        frames = [len(chunks[i].audio) // 160 for i in rows]
        aligned = align_words(self.model, self.tokenizer, take_rows(cross, rows), texts, frames)
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

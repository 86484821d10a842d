"""The engine's front door: `Transcriber` turns a recording into a stream of segments.

    transcriber = Transcriber("tiny.en")            # on the thread that will use it
    info, segments = transcriber.transcribe("talk.m4a", TranscribeOptions(), cancel=event)
    for segment in segments:                         # final segments, in time order
        ...

Audio is decoded, resampled and cut into chunks by voice activity on a background thread while
the model works on the previous batch, so memory stays bounded however long the file is. Set the
cancel event to stop: the iterator raises `Cancelled` within one batch (usually a few steps).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path

import mlx.core as mx
import numpy as np
import numpy.typing as npt

from engine.audio import SAMPLE_RATE, AudioStream, open_audio
from engine.clips import clip_ranges, range_audio, shifted
from engine.decoding import compression_ratio
from engine.errors import Cancelled, EngineError
from engine.languages import LANGUAGES
from engine.loading import LoadedModel, load_model
from engine.model import CrossKV
from engine.models import ModelFiles, ModelSpec, check_task, resolve_model
from engine.options import TranscribeOptions
from engine.packing import pack_chunks
from engine.prefetch import prefetch
from engine.results import Progress, SegmentResult, TranscriptionInfo, WordResult
from engine.tokenizer import Tokenizer
from engine.vad import Chunk, Chunker
from engine.windows import TimedSegment, WindowDecoder, batch_sizes, encode_batch

__all__ = ["Transcriber"]

log = logging.getLogger(__name__)

AudioInput = str | Path | npt.NDArray[np.floating]
ProgressCallback = Callable[[Progress], None]
FIRST_BATCH = 2


class Transcriber:
    """A loaded Whisper model that transcribes recordings.

    MLX streams belong to the thread that creates them: build the Transcriber on the thread
    that will call `transcribe` (the app's worker thread does exactly that).
    """

    def __init__(
        self,
        model: str | Path | ModelFiles | LoadedModel,
        *,
        dtype: str | None = None,
        allow_download: bool = True,
    ) -> None:
        """Resolve (downloading if allowed) and load a model.

        Args:
            model: A catalogue name ("tiny.en"), a Hugging Face repo id, a local folder, or
                already resolved files / a loaded model.
            dtype: Compute dtype override ("float32", "float16"...).
            allow_download: Whether a missing model may be downloaded.

        Raises:
            ModelLoadError: The model cannot be found, downloaded or loaded.
        """
        self.spec: ModelSpec | None = None  # the catalogue entry, when the model is one
        if isinstance(model, LoadedModel):
            self.loaded = model
        else:
            files = (
                model
                if isinstance(model, ModelFiles)
                else resolve_model(model, allow_download=allow_download)
            )
            loaded = load_model(files.folder, tokenizer_path=files.tokenizer_path, dtype=dtype)
            self.loaded = dataclasses.replace(loaded, name=files.name or loaded.name)
            self.spec = files.spec

    @property
    def name(self) -> str:
        """The model's name."""
        return self.loaded.name

    @property
    def multilingual(self) -> bool:
        """Whether the model knows languages other than English."""
        return self.loaded.dims.is_multilingual

    def transcribe(
        self,
        audio: AudioInput,
        options: TranscribeOptions | None = None,
        *,
        cancel: threading.Event | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> tuple[TranscriptionInfo, Iterator[SegmentResult]]:
        """Start transcribing ``audio`` (a file path or 16 kHz mono float32 samples).

        The audio is opened and, when the language must be detected, the first batch is
        encoded before this returns, so problems with the file surface here and the info is
        complete.

        Raises:
            AudioDecodeError: The file cannot be decoded.
            EngineError: The options do not fit the model (e.g. German on an English-only one,
                or translation with a model not trained for it).
            Cancelled: The cancel event was set.
        """
        options = options or TranscribeOptions()
        check_task(self.spec, options.task)
        cancel = cancel or threading.Event()
        run = _Run(self.loaded, options, cancel, on_progress)
        return run.start(audio)


class _Run:
    """One transcription: audio in, segments out."""

    def __init__(
        self,
        loaded: LoadedModel,
        options: TranscribeOptions,
        cancel: threading.Event,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.loaded = loaded
        self.options = options
        self.cancel = cancel
        self.on_progress = on_progress
        default_batch, self.encoder_group = batch_sizes(
            loaded.dims, loaded.device, 4 if loaded.dtype == "float32" else 2
        )
        self.batch_size = max(1, options.batch_size or default_batch)
        self.started = time.perf_counter()
        self.duration = 0.0
        self.ranges = clip_ranges(options.clip_ranges)
        self.chunker = Chunker(options.vad)
        self.offset = 0  # where the chunker's stream starts (clip ranges)
        self.stream: AudioStream | None = None
        self.tokenizer = self._tokenizer(options)
        # The first batch is encoded early when the language must be detected; kept for reuse.
        self.first_cross: CrossKV | None = None

    def _tokenizer(self, options: TranscribeOptions) -> Tokenizer:
        base = self.loaded.tokenizer
        if not self.loaded.dims.is_multilingual:
            if options.language not in (None, "en", "english", "English"):
                raise EngineError(
                    f"The model {self.loaded.name} only knows English; choose a multilingual "
                    "model to transcribe other languages."
                )
            if options.task == "translate":
                raise EngineError(
                    f"The model {self.loaded.name} only knows English, so it cannot translate; "
                    "choose a multilingual model."
                )
            return base
        try:
            return base.with_language(options.language, options.task)
        except ValueError as e:
            raise EngineError(f"Unknown language {options.language!r}.") from e

    # -- audio ---------------------------------------------------------------------------------
    def _blocks(self, audio: AudioInput) -> Iterator[npt.NDArray[np.float32]]:
        if isinstance(audio, str | Path):
            self.stream = open_audio(audio)
            self.duration = self.stream.info.duration or 0.0
            return iter(self.stream)
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        # As the file decoders do (engine.audio.common.downmix): finite, within [-1, 1].
        samples = np.clip(np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
        self.duration = len(samples) / SAMPLE_RATE
        block = 30 * SAMPLE_RATE
        return (samples[i : i + block] for i in range(0, len(samples), block))

    def _chunks(self, blocks: Iterator[npt.NDArray[np.float32]]) -> Iterator[Chunk]:
        vad = self.options.vad
        chunks = self._vad_chunks(blocks)
        return pack_chunks(chunks, vad.max_chunk_s) if vad.enabled and vad.pack else chunks

    def _vad_chunks(self, blocks: Iterator[npt.NDArray[np.float32]]) -> Iterator[Chunk]:
        if self.ranges:
            yield from self._range_chunks(blocks)
            return
        for block in blocks:
            if self.cancel.is_set():
                return
            yield from self.chunker.feed(block)
        yield from self.chunker.flush()

    def _range_chunks(self, blocks: Iterator[npt.NDArray[np.float32]]) -> Iterator[Chunk]:
        """Chunks of the wanted ranges only, each range chunked as a stream of its own."""
        for offset, samples in range_audio(blocks, self.ranges):
            if self.cancel.is_set():
                return
            chunker = Chunker(self.options.vad)
            for chunk in chunker.feed(samples) + chunker.flush():
                yield shifted(chunk, offset)
            self.chunker = chunker  # progress: how far the last range got
            self.offset = offset

    def _batches(self, chunks: Iterator[Chunk]) -> Iterator[list[Chunk]]:
        # A small first batch puts the first segments on screen early; then full batches.
        size = min(FIRST_BATCH, self.batch_size)
        while batch := list(itertools.islice(chunks, size)):
            yield batch
            size = self.batch_size

    # -- the run -------------------------------------------------------------------------------
    def start(self, audio: AudioInput) -> tuple[TranscriptionInfo, Iterator[SegmentResult]]:
        blocks = self._blocks(audio)
        batches = prefetch(self._batches(self._chunks(blocks)), depth=2, stop=self.cancel)
        try:
            first = next(batches, None)
            language, probability = self._language(first)
        except BaseException:
            batches.close()
            self._close()
            raise
        info = TranscriptionInfo(
            language=language,
            language_probability=probability,
            duration=self.duration,
            model=self.loaded.name,
            device=self.loaded.device,
            batch_size=self.batch_size,
        )
        return info, self._segments(first, batches)

    def _language(self, first: list[Chunk] | None) -> tuple[str, float]:
        if self.tokenizer.language is not None:
            return self.tokenizer.language, 1.0
        if not first:
            return "en", 0.0
        self.first_cross = encode_batch(self.loaded.model, first, self.encoder_group, self.cancel)
        code, probability = _detect_language(
            self.loaded, self.tokenizer, self.first_cross, [c.duration for c in first]
        )
        log.info("Detected language %s (%.0f%%)", code, probability * 100)
        self.tokenizer = self.tokenizer.with_language(code, self.options.task)
        return code, probability

    def _segments(
        self, first: list[Chunk] | None, batches: Generator[list[Chunk], None, None]
    ) -> Iterator[SegmentResult]:
        decoder = WindowDecoder(self.loaded, self.tokenizer, self.options, self.encoder_group)
        counter = itertools.count()
        cross, self.first_cross = self.first_cross, None
        try:
            batch = first
            while batch:
                if self.cancel.is_set():
                    raise Cancelled("Transcription was cancelled.")
                if cross is None:
                    cross = encode_batch(self.loaded.model, batch, self.encoder_group, self.cancel)
                decoded = decoder.decode(batch, cross, self.cancel)
                cross = None  # freed before skipped speech is encoded: memory stays flat
                segments = decoder.recover(decoded, self.cancel)
                if self.ranges:
                    segments = decoder.within(segments, self.ranges)
                for seg in segments:
                    yield _result(next(counter), seg)
                self._report(batch[-1].end / SAMPLE_RATE)
                batch = next(batches, None)
            if self.cancel.is_set():
                raise Cancelled("Transcription was cancelled.")
            position = (self.offset + self.chunker.position) / SAMPLE_RATE
            self._report(max(self.duration, position))
        finally:
            batches.close()
            self._close()

    def _report(self, done: float) -> None:
        if self.on_progress is None:
            return
        total = max(self.duration, done)
        self.on_progress(Progress(done, total, time.perf_counter() - self.started))

    def _close(self) -> None:
        if self.stream is not None:
            self.stream.close()


def _detect_language(
    loaded: LoadedModel, tokenizer: Tokenizer, cross: CrossKV, weights: Sequence[float]
) -> tuple[str, float]:
    """The most likely language over the first batch, weighting chunks by duration."""
    model = loaded.model
    rows = len(weights)
    sot = mx.full((rows, 1), tokenizer.sot, dtype=mx.int32)
    logits = model.decoder(sot, cross, None)[:, 0]
    lang_tokens = mx.array(list(tokenizer.all_language_tokens))
    probs = np.array(mx.softmax(logits[:, lang_tokens], axis=-1))
    w = np.asarray(weights, dtype=np.float64)
    mean = (probs * (w / w.sum())[:, None]).sum(axis=0) if w.sum() > 0 else probs.mean(axis=0)
    best = int(np.argmax(mean))
    code = tokenizer.all_language_codes[best]
    return (code if code in LANGUAGES else "en"), float(mean[best])


def _result(index: int, seg: TimedSegment) -> SegmentResult:
    words = tuple(
        WordResult(w.word, w.start, max(w.end, w.start), w.probability) for w in seg.words
    )
    return SegmentResult(
        id=index,
        start=seg.start,
        end=max(seg.end, seg.start),
        text=seg.text,
        words=words,
        avg_logprob=seg.result.avg_logprob,
        no_speech_prob=seg.result.no_speech_prob,
        compression_ratio=compression_ratio(seg.text),
        temperature=seg.result.temperature,
        unrecognised=seg.unrecognised,
    )

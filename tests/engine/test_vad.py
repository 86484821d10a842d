from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.audio import SAMPLE_RATE, load_audio
from engine.options import VadOptions
from engine.vad import Chunk, Chunker

SR = SAMPLE_RATE
CLIPS = [
    "en/jfk.flac",
    "en/ls_test.flac",
    "en/pocketsphinx/goforward.wav",
    "en/cmu_arctic/aew_a0001.wav",
    "en/librivox_austen/sense_and_sensibility_01_austen_64kb-0880.wav",
    "de/fleurs/fleurs-de-001.ogg",
    "en/ljspeech/LJ050-0131.wav",
]
GAPS_S = [0.5, 8.0, 1.0, 3.0, 0.7, 5.0, 2.5]
# The applause that starts after "...for your country" is loud but no speech: not kept.
END_S = {"en/jfk.flac": 10.4}


@pytest.fixture(scope="module")
def clips(speech_dir: Path) -> list[np.ndarray]:
    audio = [load_audio(speech_dir / name) for name in CLIPS]
    return [a[: round(END_S.get(n, a.size / SR) * SR)] for n, a in zip(CLIPS, audio, strict=True)]


@pytest.fixture(scope="module")
def gapped(clips: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The clips with silences between them, and where each clip lies."""
    parts, spans, pos = [], [], 0
    for clip, gap in zip(clips, GAPS_S, strict=True):
        parts += [np.zeros(round(gap * SR), dtype=np.float32), clip]
        pos += round(gap * SR)
        spans.append((pos, pos + clip.size))
        pos += clip.size
    parts.append(np.zeros(4 * SR, dtype=np.float32))
    return np.concatenate(parts), spans


def run(audio: np.ndarray, block: int, options: VadOptions | None = None) -> list[Chunk]:
    chunker = Chunker(options or VadOptions())
    chunks = []
    for i in range(0, audio.size, block):
        chunks += chunker.feed(audio[i : i + block])
    return chunks + chunker.flush()


def active_span(clip: np.ndarray) -> tuple[int, int]:
    """First and last sample of a clip louder than 10 % of its peak: the speech, not its margin."""
    loud = np.flatnonzero(np.abs(clip) > 0.1 * np.abs(clip).max())
    return int(loud[0]), int(loud[-1]) + 1


def coverage(chunks: list[Chunk], length: int) -> np.ndarray:
    covered = np.zeros(length, dtype=bool)
    for chunk in chunks:
        covered[chunk.start : chunk.end] = True
    return covered


def assert_well_formed(chunks: list[Chunk], options: VadOptions, length: int) -> None:
    for chunk in chunks:
        assert chunk.audio.dtype == np.float32
        assert 0 < chunk.audio.size <= round(options.max_chunk_s * SR)
        assert chunk.end == chunk.start + chunk.audio.size <= length
        assert chunk.duration == pytest.approx(chunk.audio.size / SR)
        assert all(0 <= a < b <= chunk.audio.size for a, b in chunk.speech)
    for before, after in itertools.pairwise(chunks):
        assert before.end <= after.start  # in order, disjoint


def factor(lifted: np.ndarray, source: np.ndarray) -> float:
    """The one gain between ``lifted`` and ``source`` (checked to be one gain)."""
    x = source.astype(np.float64)
    gain = float(np.dot(lifted, x) / np.dot(x, x))
    np.testing.assert_allclose(lifted, gain * x, rtol=1e-5, atol=1e-7)
    return gain


def same_chunks(a: list[Chunk], b: list[Chunk]) -> bool:
    return len(a) == len(b) and all(
        x.start == y.start and x.speech == y.speech and np.array_equal(x.audio, y.audio)
        for x, y in zip(a, b, strict=True)
    )


def test_no_speech_is_lost_and_long_gaps_are_skipped(
    gapped: tuple[np.ndarray, list[tuple[int, int]]], clips: list[np.ndarray]
) -> None:
    audio, spans = gapped
    options = VadOptions()
    chunks = run(audio, 30 * SR, options)
    assert_well_formed(chunks, options, audio.size)
    covered = coverage(chunks, audio.size)
    edge = round(0.005 * SR)
    for (start, _), clip in zip(spans, clips, strict=True):
        a, b = active_span(clip)
        assert covered[start + a + edge : start + b - edge].all()
    for (_, prev_end), (next_start, _), gap in zip(spans, spans[1:], GAPS_S[1:], strict=False):
        if gap > options.max_pause_s + 2 * options.speech_pad_ms / 1000:
            middle = (prev_end + next_start) // 2
            assert not covered[middle - SR // 2 : middle + SR // 2].any(), f"{gap} s gap kept"
    for chunk in chunks:  # the chunk holds the stream's samples, these clips loud enough
        np.testing.assert_array_equal(chunk.audio, audio[chunk.start : chunk.end])


@pytest.mark.parametrize("block", [1000, 4097, 7 * SR + 3])
def test_block_size_does_not_change_the_chunks(
    gapped: tuple[np.ndarray, list[tuple[int, int]]], block: int
) -> None:
    audio, _ = gapped
    assert same_chunks(run(audio, block), run(audio, audio.size))


@pytest.mark.parametrize("max_chunk_s", [30.0, 10.0, 4.0])
def test_continuous_speech_is_cut_into_full_coverage(
    clips: list[np.ndarray], max_chunk_s: float
) -> None:
    audio = np.concatenate(clips * 2)  # ~100 s with only the clips' own short pauses
    options = replace(VadOptions(), max_chunk_s=max_chunk_s)
    chunks = run(audio, 30 * SR, options)
    assert_well_formed(chunks, options, audio.size)
    first, last = active_span(audio)
    assert coverage(chunks, audio.size)[first:last].all()
    assert len(chunks) >= audio.size / SR / max_chunk_s
    assert same_chunks(chunks, run(audio, 3 * SR + 11, options))


def test_speech_without_any_pause_is_cut_near_the_limit(clips: list[np.ndarray]) -> None:
    # The clips' speech, without their silent margins, mixed with itself shifted by 0.37 s and
    # 0.81 s: no pause anywhere (the neural VAD finds pauses of half a second), so cuts must
    # fall inside speech.
    base = np.concatenate([clip[slice(*active_span(clip))] for clip in clips])
    audio = (base + np.roll(base, round(0.37 * SR)) + np.roll(base, round(0.81 * SR))) / 3
    options = replace(VadOptions(), max_chunk_s=8.0)
    chunks = run(audio, 10 * SR, options)
    assert_well_formed(chunks, options, audio.size)
    for before, after in itertools.pairwise(chunks):
        assert before.end == after.start  # contiguous: cut inside speech, nothing skipped
    assert all(c.duration >= options.max_chunk_s / 2 for c in chunks[:-1])


def test_a_pause_early_in_long_speech_does_not_make_a_short_chunk(
    clips: list[np.ndarray],
) -> None:
    # Speech without pauses (as above) but for one of 1.5 s at 4 s. Cutting there would leave a
    # 4 s chunk, a whole encoder pass for 4 s of speech: the chunk is cut late, inside speech.
    base = np.concatenate([clip[slice(*active_span(clip))] for clip in clips])
    speech = (base + np.roll(base, round(0.37 * SR)) + np.roll(base, round(0.81 * SR))) / 3
    speech = speech[: 45 * SR]
    audio = np.concatenate([speech[: 4 * SR], np.zeros(round(1.5 * SR)), speech[4 * SR :]])
    options = VadOptions()
    chunks = run(audio.astype(np.float32), 10 * SR, options)
    assert_well_formed(chunks, options, audio.size)
    first, last = active_span(audio)
    assert coverage(chunks, audio.size)[first:last].all()
    assert len(chunks) == 2
    assert chunks[0].duration >= options.max_chunk_s * 2 / 3


def test_position_tracks_progress_with_bounded_buffering(
    gapped: tuple[np.ndarray, list[tuple[int, int]]],
) -> None:
    audio, _ = gapped
    options = VadOptions()
    chunker, fed, last, emitted_end = Chunker(options), 0, 0, 0
    bound = (options.max_chunk_s + options.max_pause_s + 5.0) * SR
    for i in range(0, audio.size, SR // 2):
        for chunk in chunker.feed(audio[i : i + SR // 2]):
            emitted_end = chunk.end
        fed = min(audio.size, i + SR // 2)
        assert last <= chunker.position <= fed
        assert emitted_end <= chunker.position or emitted_end == 0
        assert fed - chunker.position <= bound
        last = chunker.position
    chunker.flush()
    assert chunker.position == audio.size


def tone(freq: float, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def non_speech() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    minute = 60 * SR
    quiet = np.zeros(minute // 2, dtype=np.float32)
    return {
        "white noise": (0.1 * rng.standard_normal(minute)).astype(np.float32),
        "quiet white noise": (0.001 * rng.standard_normal(minute)).astype(np.float32),
        "440 Hz tone": tone(440, 60),
        "3 kHz tone": tone(3000, 60, 0.2),
        "DC offset": np.full(minute, 0.3, dtype=np.float32),
        "DC offset with hiss": (0.3 + 1e-4 * rng.standard_normal(minute)).astype(np.float32),
        "tone after silence": np.concatenate([quiet, tone(440, 30)]),
        "noise after silence": np.concatenate([quiet, 0.05 * rng.standard_normal(minute // 2)]),
        "clicks every 250 ms": np.where(np.arange(minute) % 4000 < 8, 0.8, 0.0),
    }


@pytest.mark.parametrize("name", list(non_speech()))
def test_noise_tones_and_offsets_give_no_speech(name: str) -> None:
    chunks = run(non_speech()[name], 30 * SR)
    assert sum(c.duration for c in chunks) <= 0.5, name


def test_ten_minutes_of_digital_silence_give_nothing() -> None:
    chunker = Chunker(VadOptions())
    block = np.zeros(30 * SR, dtype=np.float32)
    chunks = [c for _ in range(20) for c in chunker.feed(block)] + chunker.flush()
    assert chunks == []
    assert chunker.position == 600 * SR


@pytest.mark.parametrize(
    "change",
    ["quiet -30 dB", "clipped", "DC offset", "in noise"],
)
def test_degraded_speech_is_still_found(clips: list[np.ndarray], change: str) -> None:
    speech = clips[0]
    rng = np.random.default_rng(2)
    audio = {
        "quiet -30 dB": speech * 10 ** (-30 / 20),
        "clipped": np.clip(speech * 12, -1, 1),
        "DC offset": speech + 0.4,
        "in noise": speech + 0.01 * rng.standard_normal(speech.size),
    }[change].astype(np.float32)
    padded = np.concatenate([np.zeros(3 * SR, np.float32), audio, np.zeros(3 * SR, np.float32)])
    chunks = run(padded, 30 * SR)
    a, b = active_span(speech)
    assert coverage(chunks, padded.size)[3 * SR + a : 3 * SR + b].all()
    assert not coverage(chunks, padded.size)[: 2 * SR].any()


def test_quiet_speech_after_loud_speech_is_found(speech_dir: Path) -> None:
    # A loud reader, then a quiet one at -60 dBFS over -66 dBFS noise (as in the benchmark's
    # meetings): the energy VAD kept fragments of it, Silero alone scores it as background.
    loud = load_audio(speech_dir / "en/ls_test.flac")
    quiet = load_audio(speech_dir / "en/fleurs/fleurs-en-002.ogg")
    a, b = active_span(quiet)
    quiet = quiet * (10 ** (-60 / 20) / np.sqrt(np.mean(quiet[a:b] ** 2)))
    gap = np.zeros(SR, dtype=np.float32)
    audio = np.concatenate([gap, loud, gap, quiet, np.zeros(3 * SR, dtype=np.float32)])
    noise = 10 ** (-66 / 20) * np.random.default_rng(1).standard_normal(audio.size)
    audio = (audio + noise).astype(np.float32)
    chunks = run(audio, 30 * SR)
    covered = coverage(chunks, audio.size)
    start = 2 * SR + loud.size
    assert covered[start + a : start + b].all()
    assert not covered[: SR // 2].any()  # the noise before any speech is skipped
    # The quiet speech reaches the model lifted, the loud one as it was.
    chunk = next(c for c in chunks if c.start <= start + a < c.end)
    assert chunk.start < 2 * SR  # one chunk for both: a pause of 1 s is kept
    lo, hi = start + a - chunk.start, start + b - chunk.start
    assert factor(chunk.audio[lo:hi], audio[start + a : start + b]) > 10  # by over 20 dB
    a_loud, b_loud = (SR + x for x in active_span(loud))
    loud_part = chunk.audio[a_loud - chunk.start : b_loud - chunk.start]
    np.testing.assert_array_equal(loud_part, audio[a_loud:b_loud])
    unlifted = run(audio, 30 * SR, replace(VadOptions(), lift_quiet=False))
    assert same_chunks([replace(c, audio=audio[c.start : c.end]) for c in chunks], unlifted)
    # Without levelling (speaker turns) Silero hears the audio as it is and, as said above,
    # takes most of the quiet reader for background.
    unlevelled = coverage(run(audio, 30 * SR, replace(VadOptions(), level=False)), audio.size)
    assert unlevelled[start + a : start + b].mean() < 0.5


def test_disabled_vad_emits_fixed_windows_over_everything(
    gapped: tuple[np.ndarray, list[tuple[int, int]]],
) -> None:
    audio, _ = gapped
    options = replace(VadOptions(), enabled=False)
    chunks = run(audio, 7777, options)
    window = round(options.max_chunk_s * SR)
    assert [c.start for c in chunks] == list(range(0, audio.size, window))
    np.testing.assert_array_equal(np.concatenate([c.audio for c in chunks]), audio)
    assert all(c.speech == ((0, c.audio.size),) for c in chunks)


def test_empty_stream_and_flush_rules() -> None:
    chunker = Chunker(VadOptions())
    assert chunker.feed(np.zeros(0, dtype=np.float32)) == []
    assert chunker.flush() == []
    assert chunker.flush() == []
    with pytest.raises(RuntimeError):
        chunker.feed(np.zeros(10, dtype=np.float32))


def test_quiet_voice_right_after_a_loud_one_is_lifted_on_its_own(speech_dir: Path) -> None:
    # Continuous speech: 0.4 s between the voices, so their padded speech regions merge into
    # one; the quiet voice must still get its own gain, not the loud voice's (none).
    loud = load_audio(speech_dir / "en/ls_test.flac")
    quiet = load_audio(speech_dir / "en/fleurs/fleurs-en-002.ogg")
    a, b = active_span(quiet)
    quiet = quiet[a - SR // 10 : b + SR // 10]  # the clip's own silences cut short
    a, b = SR // 10, quiet.size - SR // 10
    quiet = quiet * (10 ** (-60 / 20) / np.sqrt(np.mean(quiet[a:b] ** 2)))
    gap = np.zeros(round(0.3 * SR), dtype=np.float32)
    audio = np.concatenate(
        [np.zeros(SR, np.float32), loud, gap, quiet, np.zeros(2 * SR, np.float32)]
    )
    audio = (audio + 1e-5 * np.random.default_rng(2).standard_normal(audio.size)).astype(np.float32)
    chunks = run(audio, 30 * SR)
    start = SR + loud.size + gap.size
    chunk = next(c for c in chunks if c.start <= start + a < c.end)
    assert len(chunk.speech) == 1  # one padded region for both voices
    lo, hi = start + a - chunk.start, start + b - chunk.start
    assert factor(chunk.audio[lo:hi], audio[start + a : start + b]) > 10
    a_loud, b_loud = (SR + x for x in active_span(loud))
    loud_part = chunk.audio[a_loud - chunk.start : b_loud - chunk.start]
    np.testing.assert_array_equal(loud_part, audio[a_loud:b_loud])

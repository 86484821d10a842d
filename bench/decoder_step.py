"""Issue 13 lever: one decoding step on the host in numpy, against the engine's MLX step.

    .venv/bin/python bench/decoder_step.py  # 16, 12, 8, 4, 2, 1 rows at positions 10, 60, 120
    .venv/bin/python bench/decoder_step.py --rows 16 --positions 60 --repeats 50 --out step.json

On the CPU a decoding step of tiny.en for 16 windows took about 23 ms, and the profile put ~8 ms
of it in MLX's per-operation overhead on tiny matrices (README, "Profile"). This measures what a
numpy step would give before anyone integrates one. Every implementation starts from one state:

- 16 real 30 s windows (the English clips of ``../shared/speech`` back to back in seeded rounds
  with 0.3-0.5 s gaps, as the dense sets are built), encoded by the engine (`encode_batch`), so
  the cross-attention keys and values are exactly the engine's;
- real tokens: the engine's greedy decode of those windows (`greedy_decode_host`), rows that end
  early padded with end-of-text (a step costs the same whatever the token);
- a self-attention cache filled by the engine up to the position measured.

(a) is the engine's step as `greedy_decode_host` runs it: ``model.decoder`` on the new tokens,
then ``np.array`` of the last logits (which evaluates the whole MLX graph). (b) is `HostDecoder`
below: the same step in float32 numpy, weights converted once, a preallocated cache, the
cross-attention keys and values read in place from the engine's buffers, numpy's matmuls on its
own bundled OpenBLAS with its default threads. (c) is (b) with numpy's OpenBLAS held to one
thread and the vocabulary projection done as one MLX matmul (MLX's BLAS, the system OpenBLAS).

Runs go in blocks of ``--block`` steps of one implementation, the order rotating (abc, bca,
cab...), with a pause before each block: two OpenBLAS thread pools on 2 cores slow each other
down for up to ~0.1 s after a switch (an MLX step right after a numpy one took ~110 ms instead
of 23), which no decode loop would see, as it runs hundreds of steps of one kind. The cache
offset is reset after each step. Min and median per step are reported, with (b) and (c) split
into their parts; their logits are checked against (a)'s (max abs difference, argmax per row).
"""

from __future__ import annotations

import engine  # first: it picks the BLAS before mlx loads (engine/blas.py)

# isort: split
import argparse
import ctypes
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import mlx.core as mx
import numpy as np
import numpy.typing as npt
from common import TINY_EN, BenchError, read_manifest

from engine.audio.stream import load_audio
from engine.decoding import DecodePrompt, take_rows
from engine.guards import token_budget
from engine.host_decoding import greedy_decode_host
from engine.kernels import _gelu_inplace, _softmax_inplace
from engine.loading import LoadedModel, load_model
from engine.logit_rules import LogitRules
from engine.model import CrossKV, KVCache
from engine.vad import SAMPLE_RATE, Chunk
from engine.windows import encode_batch

F32 = npt.NDArray[np.float32]
WINDOW_S = 30
PARTS = ("embedding", "self-attention", "cross-attention", "MLP", "LayerNorm + vocabulary")
LN_EPS = np.float32(1e-5)  # mlx.nn.LayerNorm's default, as in Whisper
SETTLE_S = 0.3  # pause before each block of runs (see `measure`)


@dataclass(frozen=True, slots=True)
class StepTiming:
    """Timings of one (rows, position) case, in milliseconds, keyed by implementation.

    Implementations: "a" the engine's MLX step; "b" the numpy step; "c" the numpy step with
    the vocabulary projection as one MLX matmul.

    Attributes:
        rows: Windows in the batch.
        position: Cache offset of the step (tokens already in the cache).
        repeats: Timed runs of each implementation.
        min_ms: Fastest run.
        median_ms: Median run.
        parts_median: (b)'s and (c)'s parts, median over runs of each part's time.
        max_abs_diff: Largest |logit - logit of (a)|.
        max_abs_logit: Largest |logit| of (a), for scale.
        argmax_agree: Rows whose argmax token is (a)'s.
    """

    rows: int
    position: int
    repeats: int
    min_ms: dict[str, float]
    median_ms: dict[str, float]
    parts_median: dict[str, dict[str, float]]
    max_abs_diff: dict[str, float]
    max_abs_logit: float
    argmax_agree: dict[str, int]


def _layer_norm(x: F32, weight: F32, bias: F32) -> F32:
    """LayerNorm over the last axis in float32 (mean, then variance of the centred values)."""
    centred = x - x.mean(axis=-1, keepdims=True)
    var = np.mean(np.square(centred), axis=-1, keepdims=True)
    centred *= 1.0 / np.sqrt(var + LN_EPS)
    centred *= weight
    centred += bias
    return centred


class HostDecoder:
    """Whisper's decoder step (one new token per row) in float32 numpy.

    Weights are numpy copies made once, projections transposed to (in, out) and the self-
    attention's query, key and value fused into one matmul; the self-attention cache is
    preallocated (layers, rows, heads, capacity, 64) as in `engine.model.KVCache`.
    """

    def __init__(self, loaded: LoadedModel, rows: int, capacity: int) -> None:
        """Copy the decoder's weights and allocate the cache."""
        d = loaded.model.decoder
        dims = loaded.dims
        self.n_head = dims.n_text_head
        self.head_dim = dims.n_text_state // dims.n_text_head
        self.embedding = np.array(d.token_embedding.weight, dtype=np.float32)
        self.embedding_mx = d.token_embedding.weight  # for variant (c)
        self.positions = np.array(d.positional_embedding, dtype=np.float32)
        self.ln = (np.array(d.ln.weight), np.array(d.ln.bias))
        self.layers = []
        for b in d.blocks:
            a, c = b.attn, b.cross_attn
            assert c is not None
            assert b.cross_attn_ln is not None
            zeros = np.zeros(dims.n_text_state, dtype=np.float32)
            self.layers.append(
                {
                    "attn_ln": (np.array(b.attn_ln.weight), np.array(b.attn_ln.bias)),
                    "qkv_w": np.ascontiguousarray(
                        np.concatenate(
                            [
                                np.array(a.query.weight),
                                np.array(a.key.weight),
                                np.array(a.value.weight),
                            ]
                        ).T
                    ),
                    "qkv_b": np.concatenate(
                        [np.array(a.query.bias), zeros, np.array(a.value.bias)]
                    ),
                    "out_w": np.ascontiguousarray(np.array(a.out.weight).T),
                    "out_b": np.array(a.out.bias),
                    "cross_ln": (np.array(b.cross_attn_ln.weight), np.array(b.cross_attn_ln.bias)),
                    "cq_w": np.ascontiguousarray(np.array(c.query.weight).T),
                    "cq_b": np.array(c.query.bias),
                    "cout_w": np.ascontiguousarray(np.array(c.out.weight).T),
                    "cout_b": np.array(c.out.bias),
                    "mlp_ln": (np.array(b.mlp_ln.weight), np.array(b.mlp_ln.bias)),
                    "w1": np.ascontiguousarray(np.array(b.mlp1.weight).T),
                    "b1": np.array(b.mlp1.bias),
                    "w2": np.ascontiguousarray(np.array(b.mlp2.weight).T),
                    "b2": np.array(b.mlp2.bias),
                }
            )
        shape = (len(self.layers), rows, self.n_head, capacity, self.head_dim)
        self.keys = np.zeros(shape, dtype=np.float32)
        self.values = np.zeros(shape, dtype=np.float32)

    def load_cache(self, cache: KVCache) -> None:
        """Take over the positions the engine's cache holds (same layout)."""
        n = cache.offset
        for i in range(len(self.layers)):
            self.keys[i, :, :, :n] = np.array(cache.keys[i][:, :, :n])
            self.values[i, :, :, :n] = np.array(cache.values[i][:, :, :n])

    def step(
        self,
        tokens: npt.NDArray[np.int64],
        offset: int,
        cross: Sequence[tuple[F32, F32]],
        marks: list[float] | None = None,
        *,
        mlx_vocab: bool = False,
    ) -> F32:
        """Logits (rows, n_vocab) for one new token per row at cache position ``offset``.

        ``cross``: per layer, the keys (rows, heads, 64, 1500) and values (rows, heads, 1500, 64)
        as `NumpyCpuKernels` keeps them. ``marks`` collects ``perf_counter`` after each part
        (embedding, then per layer self-attention, cross-attention, MLP, then the logits).
        ``mlx_vocab``: the vocabulary projection as one MLX matmul (MLX's BLAS), not numpy's.
        """
        rows, h, hd = len(tokens), self.n_head, self.head_dim
        n = h * hd
        scale = np.float32(hd**-0.5)
        end = offset + 1
        x = self.embedding[tokens] + self.positions[offset]
        if marks is not None:
            marks.append(time.perf_counter())
        for i, p in enumerate(self.layers):
            # Self-attention: fused q/k/v, the new key and value written into the cache.
            qkv = _layer_norm(x, *p["attn_ln"]) @ p["qkv_w"]
            qkv += p["qkv_b"]
            q = qkv[:, :n].reshape(rows, h, 1, hd) * scale
            self.keys[i, :rows, :, offset] = qkv[:, n : 2 * n].reshape(rows, h, hd)
            self.values[i, :rows, :, offset] = qkv[:, 2 * n :].reshape(rows, h, hd)
            scores = q @ self.keys[i, :rows, :, :end].swapaxes(-1, -2)  # (rows, h, 1, end)
            _softmax_inplace(scores)
            out = (scores @ self.values[i, :rows, :, :end]).reshape(rows, n) @ p["out_w"]
            out += p["out_b"]
            x = x + out
            if marks is not None:
                marks.append(time.perf_counter())
            # Cross-attention over the window's encoder output (keys pre-transposed).
            q = _layer_norm(x, *p["cross_ln"]) @ p["cq_w"]
            q += p["cq_b"]
            q *= scale
            keys, values = cross[i]
            scores = q.reshape(rows, h, 1, hd) @ keys  # (rows, h, 1, 1500)
            _softmax_inplace(scores)
            out = (scores @ values).reshape(rows, n) @ p["cout_w"]
            out += p["cout_b"]
            x = x + out
            if marks is not None:
                marks.append(time.perf_counter())
            # MLP with the exact (erf) GELU, the engine's numpy kernel.
            hidden = _layer_norm(x, *p["mlp_ln"]) @ p["w1"]
            hidden += p["b1"]
            _gelu_inplace(hidden)
            out = hidden @ p["w2"]
            out += p["b2"]
            x = x + out
            if marks is not None:
                marks.append(time.perf_counter())
        h = _layer_norm(x, *self.ln)
        if mlx_vocab:
            logits: F32 = np.array(mx.array(h) @ self.embedding_mx.T)
        else:
            logits = h @ self.embedding.T
        if marks is not None:
            marks.append(time.perf_counter())
        return logits


def dense_windows(count: int, seed: int = 0) -> list[Chunk]:
    """``count`` 30 s windows of continuous English speech: the clips in seeded rounds."""
    clips = [load_audio(c.path) for c in read_manifest("en")]
    rng = random.Random(seed)
    pieces: list[npt.NDArray[np.float32]] = []
    total, needed = 0, count * WINDOW_S * SAMPLE_RATE
    while total < needed:
        for audio in rng.sample(clips, len(clips)):
            gap = np.zeros(int(rng.uniform(0.3, 0.5) * SAMPLE_RATE), dtype=np.float32)
            pieces += [audio, gap]
            total += audio.size + gap.size
    stream = np.concatenate(pieces)
    size = WINDOW_S * SAMPLE_RATE
    return [Chunk(i * size, stream[i * size : (i + 1) * size], ((0, size),)) for i in range(count)]


def real_tokens(
    loaded: LoadedModel, cross: CrossKV, prompt: DecodePrompt, length: int
) -> tuple[npt.NDArray[np.int64], list[int], int]:
    """The engine's greedy decode of the windows, with the engine's token budget.

    Returns (rows, length) tokens (the prompt, the decoded tokens, end-of-text after them), each
    row's decoded length, and the budget.
    """
    tok = loaded.tokenizer
    rules = LogitRules(tok, loaded.dims.n_vocab)
    rows = cross[0][0].shape[0]
    budget = token_budget(WINDOW_S, prompt, loaded.dims.n_text_ctx)
    decoded = greedy_decode_host(loaded.model, tok, rules, cross, prompt, [budget] * rows)
    out = np.full((rows, length), tok.eot, dtype=np.int64)
    out[:, : len(prompt.tokens)] = prompt.tokens
    for i, r in enumerate(decoded):
        kept = r.tokens[: length - len(prompt.tokens)]
        out[i, len(prompt.tokens) : len(prompt.tokens) + len(kept)] = kept
    return out, [len(r.tokens) for r in decoded], budget


def rows_per_step(lengths: Sequence[int], budget: int) -> list[int]:
    """The rows of each decoder call after the prompt, replaying `greedy_decode_host`.

    A row samples end-of-text at step ``length`` (or stops at its budget); finished rows leave
    the batch once a quarter of it is done.
    """
    end = np.minimum(np.asarray(lengths), budget - 1)
    alive = np.arange(len(end))
    calls = []
    for step in range(budget):
        done = end[alive] <= step
        if done.all():
            break
        if done.sum() * 4 >= len(alive):
            alive = alive[~done]
        calls.append(len(alive))
    return calls


def batch_estimate(results: Sequence[StepTiming], calls: Sequence[int]) -> dict[str, float]:
    """Seconds of model steps for one batch's decoder calls, per implementation.

    Each call costs the median step at its row count, interpolated between the measured row
    counts (median over positions).
    """
    by_rows: dict[int, dict[str, list[float]]] = {}
    for r in results:
        for k, v in r.median_ms.items():
            by_rows.setdefault(r.rows, {}).setdefault(k, []).append(v)
    measured = sorted(by_rows)
    out = {}
    for k in "abc":
        ms = [statistics.median(by_rows[n][k]) for n in measured]
        out[k] = float(np.interp(calls, measured, ms).sum()) / 1e3
    return out


def measure(
    loaded: LoadedModel,
    cross: CrossKV,
    tokens: npt.NDArray[np.int64],
    position: int,
    capacity: int,
    repeats: int,
    block: int,
    blas: NumpyBlas,
) -> StepTiming:
    """Time (a), (b) and (c) for one step at cache offset ``position``, in alternating blocks."""
    model = loaded.model
    rows = tokens.shape[0]
    cache = model.new_cache(rows, capacity)
    model.decoder(mx.array(tokens[:, :position], dtype=mx.int32), cross, cache)
    mx.eval(cache.state())
    host = HostDecoder(loaded, rows, capacity)
    host.load_cache(cache)
    cross_np = [(np.asarray(k), np.asarray(v)) for k, v in cross]  # zero-copy views
    step_tokens = tokens[:, position]

    def run_mlx(marks: list[float]) -> F32:
        out = model.decoder(mx.array(step_tokens[:, None], dtype=mx.int32), cross, cache)[:, -1]
        logits = np.array(out, dtype=np.float32)  # evaluates the step, as the decode loop does
        marks.append(time.perf_counter())
        cache.offset = position
        return logits

    runs = {
        "a": run_mlx,
        "b": lambda marks: host.step(step_tokens, position, cross_np, marks),
        "c": lambda marks: host.step(step_tokens, position, cross_np, marks, mlx_vocab=True),
    }
    ref = runs["a"]([])
    got = {k: runs[k]([]) for k in "bc"}
    times: dict[str, list[float]] = {k: [] for k in runs}
    parts: dict[str, dict[str, list[float]]] = {k: {p: [] for p in PARTS} for k in "bc"}
    n_layer = len(host.layers)
    for r in range(math.ceil(repeats / block)):
        for which in "abc"[r % 3 :] + "abc"[: r % 3]:
            # Each implementation's BLAS threads spin for a while after their last call and
            # slow down the other one's (numpy's bundled OpenBLAS and MLX's system OpenBLAS
            # are two thread pools on 2 cores): let them settle, and run one step untimed.
            # (c) keeps numpy's matmuls on one thread: its small ones would wake a second pool.
            blas.set_threads(1 if which == "c" else blas.default_threads)
            time.sleep(SETTLE_S)
            runs[which]([])
            for _ in range(block):
                marks = [time.perf_counter()]
                runs[which](marks)
                times[which].append((marks[-1] - marks[0]) * 1e3)
                if which == "a":
                    continue
                d = np.diff(marks) * 1e3
                parts[which]["embedding"].append(d[0])
                for j, name in enumerate(PARTS[1:4]):
                    parts[which][name].append(float(d[1 + j : 1 + 3 * n_layer : 3].sum()))
                parts[which]["LayerNorm + vocabulary"].append(d[-1])
    result = StepTiming(
        rows=rows,
        position=position,
        repeats=len(times["a"]),
        min_ms={k: min(v) for k, v in times.items()},
        median_ms={k: statistics.median(v) for k, v in times.items()},
        parts_median={k: {p: statistics.median(v) for p, v in d.items()} for k, d in parts.items()},
        max_abs_diff={k: float(np.abs(v - ref).max()) for k, v in got.items()},
        max_abs_logit=float(np.abs(ref).max()),
        argmax_agree={k: int((v.argmax(-1) == ref.argmax(-1)).sum()) for k, v in got.items()},
    )
    blas.set_threads(blas.default_threads)
    return result


class NumpyBlas:
    """numpy's bundled OpenBLAS (scipy-openblas), reached through ctypes for its thread count."""

    def __init__(self) -> None:
        """Find the library numpy loaded (``numpy.libs``)."""
        libs = sorted((Path(np.__file__).parent.parent / "numpy.libs").glob("libscipy_openblas*"))
        if not libs:
            raise BenchError("numpy's bundled OpenBLAS not found; its thread count is unknown.")
        self.name = libs[0].name
        self._lib = ctypes.CDLL(str(libs[0]))  # the copy numpy loaded: same path, same handle
        self._lib.scipy_openblas_get_corename64_.restype = ctypes.c_char_p
        self.default_threads = self.threads()

    def threads(self) -> int:
        """Threads numpy's matmuls may use."""
        return int(self._lib.scipy_openblas_get_num_threads64_())

    def set_threads(self, n: int) -> None:
        """Let numpy's matmuls use ``n`` threads."""
        self._lib.scipy_openblas_set_num_threads64_(n)

    def describe(self) -> dict[str, Any]:
        """The library, its kernel and threads, and those of the BLAS MLX uses."""
        info: dict[str, Any] = {
            "numpy_openblas": self.name,
            "numpy_core": self._lib.scipy_openblas_get_corename64_().decode(),
            "numpy_threads": self.default_threads,
        }
        choice = engine.blas.blas_choice()
        info["mlx_blas"] = choice.library or "bundled"
        if choice.library:
            lib = ctypes.CDLL(choice.library)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info["mlx_core"] = lib.openblas_get_corename().decode()
            info["mlx_threads"] = lib.openblas_get_num_threads()
        return info


def table(results: Sequence[StepTiming]) -> str:
    """The Markdown table of the README: times in ms, min / median."""
    lines = [
        "| rows | position | (a) MLX | (b) numpy | (c) numpy + MLX vocab | saves (b, c) "
        "| (b) self-attn | cross-attn | MLP | LN + vocab | (c) LN + vocab "
        "| max abs diff (b, c) | argmax agree |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lo, med, p = r.min_ms, r.median_ms, r.parts_median
        lines.append(
            f"| {r.rows} | {r.position} | {lo['a']:.1f} / {med['a']:.1f} "
            f"| {lo['b']:.1f} / {med['b']:.1f} | {lo['c']:.1f} / {med['c']:.1f} "
            f"| {1 - med['b'] / med['a']:.0%}, {1 - med['c'] / med['a']:.0%} "
            f"| {p['b']['self-attention']:.2f} | {p['b']['cross-attention']:.2f} "
            f"| {p['b']['MLP']:.2f} | {p['b']['LayerNorm + vocabulary']:.2f} "
            f"| {p['c']['LayerNorm + vocabulary']:.2f} "
            f"| {r.max_abs_diff['b']:.0e}, {r.max_abs_diff['c']:.0e} "
            f"| {r.argmax_agree['b']}, {r.argmax_agree['c']} of {r.rows} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=TINY_EN)
    parser.add_argument("--rows", default="16,12,8,4,2,1", help="batch sizes (at most 16)")
    parser.add_argument("--positions", default="10,60,120", help="cache offsets to time")
    parser.add_argument("--repeats", type=int, default=200, help="timed runs of each, per case")
    parser.add_argument("--block", type=int, default=10, help="runs in a row of one implementation")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    rows = sorted({int(r) for r in args.rows.split(",")}, reverse=True)
    positions = [int(p) for p in args.positions.split(",")]
    if not TINY_EN.is_dir() and args.model == TINY_EN:
        raise BenchError(f"{TINY_EN} not found: the bench needs the shared tiny.en weights.")
    loaded = load_model(args.model)
    if loaded.device != "cpu":
        raise BenchError("This compares host steps: run it on a CPU machine.")
    windows = dense_windows(max(rows))
    t0 = time.perf_counter()
    cross = encode_batch(loaded.model, windows, group=2)
    encode_s = time.perf_counter() - t0
    prompt = DecodePrompt.build(loaded.tokenizer, n_text_ctx=loaded.dims.n_text_ctx)
    length = max(positions) + 1
    real_tokens(loaded, cross, prompt, length)  # warm-up: the first decode pays first-use costs
    t0 = time.perf_counter()
    tokens, decoded, budget = real_tokens(loaded, cross, prompt, length)
    decode_s = time.perf_counter() - t0
    calls = rows_per_step(decoded, budget)
    capacity = len(prompt.tokens) + loaded.dims.n_text_ctx // 2 + 1
    blas = NumpyBlas()
    print(
        f"encoded {len(windows)} windows in {encode_s:.1f} s; the engine decoded them in "
        f"{decode_s:.2f} s, tokens per row: {decoded}"
    )
    print(f"BLAS: {blas.describe()}; load average {os.getloadavg()}")
    results = []
    for n in rows:
        part = take_rows(cross, range(n))  # a copy, as when rows leave the engine's batch
        mx.eval(part)
        for position in positions:
            r = measure(
                loaded, part, tokens[:n], position, capacity, args.repeats, args.block, blas
            )
            results.append(r)
            lo, med = r.min_ms, r.median_ms
            print(
                f"rows {n:2d} position {position:3d} (min/median ms): "
                + ", ".join(f"{k} {lo[k]:.2f}/{med[k]:.2f}" for k in "abc")
                + f"; max |diff| {r.max_abs_diff} of {r.max_abs_logit:.1f}, "
                f"argmax agree {r.argmax_agree} of {n}",
                flush=True,
            )
    print(f"load average at the end {os.getloadavg()}\n")
    print(table(results))
    estimate = batch_estimate(results, calls)
    print(
        f"\nThis batch's decode: {len(calls)} steps after the prompt, rows per step "
        f"{calls[0]} -> {calls[-1]} (mean {statistics.mean(calls):.1f}); model steps at the "
        f"measured medians: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in estimate.items())
        + f" (b saves {1 - estimate['b'] / estimate['a']:.0%}, "
        f"c {1 - estimate['c'] / estimate['a']:.0%})"
    )
    if args.out:
        record = {
            "results": [asdict(r) for r in results],
            "blas": blas.describe(),
            "decoded_tokens": decoded,
            "rows_per_step": calls,
            "batch_estimate_s": estimate,
            "engine_decode_s": decode_s,
            "load_average_end": os.getloadavg(),
        }
        args.out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    bad = [r for r in results if max(r.max_abs_diff.values()) > 1e-5 * max(1.0, r.max_abs_logit)]
    if bad:
        print(f"logits differ beyond float32 tolerance in {len(bad)} cases", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)

"""Whisper's encoder and decoder in MLX.

Shaped for batched decoding: the encoder takes a batch of 30 s windows; the decoder keeps a
preallocated self-attention cache (`KVCache`) and takes cross-attention keys/values that are
computed once per window (`TextDecoder.cross_kv`) instead of at every step. Attention uses
``mx.fast.scaled_dot_product_attention``. Word timing needs the raw cross-attention scores of the
alignment heads, which the fused kernel does not expose; `TextDecoder.alignment_scores` computes
only those explicitly, in one teacher-forced pass over the final tokens.

The cross-attention keys are stored in whatever layout the kernels prefer (`engine.kernels`:
transposed on CPUs), so code outside the kernels treats them as opaque, apart from indexing rows.

Weight names follow the mlx-community layout, so ``model.load_weights`` takes those files as is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import mlx.core as mx
import mlx.nn as nn

from engine.kernels import Kernels, MlxKernels

__all__ = ["KVCache", "ModelDimensions", "Whisper"]

CrossKV = list[tuple[mx.array, mx.array]]
AUDIO_POSITIONS = 1500  # encoder positions of a 30 s window
HEAD_WIDTH = 64  # every Whisper model's attention heads
MIN_VOCAB, MAX_VOCAB = 51864, 51866  # English-only .. large-v3


@dataclass(frozen=True, slots=True)
class ModelDimensions:
    """A Whisper model's sizes, as in its ``config.json``.

    Attributes:
        n_mels: Mel bands of the input (80; 128 for large-v3 and turbo).
        n_audio_ctx: Encoder positions (1500 for 30 s).
        n_audio_state: Encoder width.
        n_audio_head: Encoder attention heads.
        n_audio_layer: Encoder blocks.
        n_vocab: Vocabulary size (51864 English-only, 51865/51866 multilingual).
        n_text_ctx: Decoder positions (448).
        n_text_state: Decoder width.
        n_text_head: Decoder attention heads.
        n_text_layer: Decoder blocks.
    """

    n_mels: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_vocab: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ModelDimensions:
        """Read the dimensions from a parsed ``config.json`` (extra keys are ignored).

        Raises:
            KeyError: A dimension is missing.
            ValueError: A dimension is not a positive whole number, or the sizes do not
                describe a Whisper model (attention heads 64 wide, 30 s windows...).
        """
        values: dict[str, int] = {}
        for f in fields(cls):
            value = config[f.name]
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{f.name} must be a positive whole number, not {value!r}")
            values[f.name] = value
        dims = cls(**values)
        dims.check()
        return dims

    def check(self) -> None:
        """Raise `ValueError` unless these sizes can be a Whisper model this engine runs."""
        if self.n_audio_ctx != AUDIO_POSITIONS:
            raise ValueError(f"n_audio_ctx is {self.n_audio_ctx}, not {AUDIO_POSITIONS} (30 s)")
        for width, heads, name in (
            (self.n_audio_state, self.n_audio_head, "audio"),
            (self.n_text_state, self.n_text_head, "text"),
        ):
            if width != HEAD_WIDTH * heads:
                raise ValueError(
                    f"n_{name}_state {width} is not {HEAD_WIDTH} x n_{name}_head ({heads}): "
                    f"Whisper's attention heads are {HEAD_WIDTH} wide"
                )
        if self.n_mels not in (80, 128):
            raise ValueError(f"n_mels is {self.n_mels}; Whisper uses 80 or 128")
        if not MIN_VOCAB <= self.n_vocab <= MAX_VOCAB or not 32 <= self.n_text_ctx <= 4096:
            raise ValueError(f"n_vocab {self.n_vocab} or n_text_ctx {self.n_text_ctx} is off")

    @property
    def is_multilingual(self) -> bool:
        """Whether the vocabulary has language tokens beyond English."""
        return self.n_vocab >= 51865

    @property
    def num_languages(self) -> int:
        """How many language tokens the vocabulary has (Whisper's formula)."""
        return self.n_vocab - 51765 - int(self.is_multilingual)


def sinusoids(length: int, channels: int, max_timescale: float = 10000.0) -> mx.array:
    """The encoder's fixed sinusoidal position embedding, (length, channels)."""
    increment = math.log(max_timescale) / (channels // 2 - 1)
    inv_timescales = mx.exp(-increment * mx.arange(channels // 2, dtype=mx.float32))
    scaled = mx.arange(length, dtype=mx.float32)[:, None] * inv_timescales[None, :]
    return mx.concatenate([mx.sin(scaled), mx.cos(scaled)], axis=1)


class KVCache:
    """Preallocated self-attention keys and values for every decoder layer.

    Growing a cache by concatenation copies it at every step; here each layer's buffer is
    allocated once for the longest sequence and written in place by slice assignment.
    """

    def __init__(
        self, n_layer: int, batch: int, n_head: int, head_dim: int, capacity: int, dtype: mx.Dtype
    ) -> None:
        """Allocate ``capacity`` positions for ``batch`` sequences."""
        shape = (batch, n_head, capacity, head_dim)
        self.keys = [mx.zeros(shape, dtype=dtype) for _ in range(n_layer)]
        self.values = [mx.zeros(shape, dtype=dtype) for _ in range(n_layer)]
        self.offset = 0
        self.capacity = capacity

    def update(self, layer: int, k: mx.array, v: mx.array) -> tuple[mx.array, mx.array]:
        """Store new positions for ``layer``; return all keys and values so far."""
        end = self.offset + k.shape[2]
        if end > self.capacity:
            raise ValueError(f"KV cache full ({self.capacity} positions)")
        self.keys[layer][:, :, self.offset : end, :] = k
        self.values[layer][:, :, self.offset : end, :] = v
        return self.keys[layer][:, :, :end, :], self.values[layer][:, :, :end, :]

    def advance(self, n: int) -> None:
        """Mark ``n`` more positions as filled (after every layer has stored them)."""
        self.offset += n

    def reorder(self, rows: mx.array) -> None:
        """Keep the rows (sequences) given by index, in that order (beam search)."""
        self.keys = [k[rows] for k in self.keys]
        self.values = [v[rows] for v in self.values]

    def state(self) -> list[mx.array]:
        """The buffers, for ``mx.eval``."""
        return [*self.keys, *self.values]


class MultiHeadAttention(nn.Module):
    """Whisper's attention: query/value/out with bias, key without."""

    def __init__(self, n_state: int, n_head: int, kernels: Kernels) -> None:
        """Create the projections."""
        super().__init__()
        self.n_head = n_head
        self.kernels = kernels
        self.query = nn.Linear(n_state, n_state)
        self.key = nn.Linear(n_state, n_state, bias=False)
        self.value = nn.Linear(n_state, n_state)
        self.out = nn.Linear(n_state, n_state)

    def heads(self, x: mx.array) -> mx.array:
        """(B, T, n_state) -> (B, n_head, T, head_dim)."""
        b, t, _ = x.shape
        return x.reshape(b, t, self.n_head, -1).transpose(0, 2, 1, 3)

    def merge(self, x: mx.array) -> mx.array:
        """(B, n_head, T, head_dim) -> (B, T, n_state)."""
        b, _, t, _ = x.shape
        return x.transpose(0, 2, 1, 3).reshape(b, t, -1)

    def attend(self, q: mx.array, k: mx.array, v: mx.array, mask: str | None) -> mx.array:
        """Scaled dot-product attention on head-split tensors, projected out."""
        out = self.kernels.attention(q, k, v, q.shape[-1] ** -0.5, mask)
        projected: mx.array = self.out(self.merge(out))
        return projected


class ResidualAttentionBlock(nn.Module):
    """Self-attention, optional cross-attention and an MLP, each with a pre-LayerNorm."""

    def __init__(
        self, n_state: int, n_head: int, kernels: Kernels, cross_attention: bool = False
    ) -> None:
        """Create the block."""
        super().__init__()
        self.kernels = kernels
        self.attn = MultiHeadAttention(n_state, n_head, kernels)
        self.attn_ln = nn.LayerNorm(n_state)
        self.cross_attn = MultiHeadAttention(n_state, n_head, kernels) if cross_attention else None
        self.cross_attn_ln = nn.LayerNorm(n_state) if cross_attention else None
        self.mlp1 = nn.Linear(n_state, 4 * n_state)
        self.mlp2 = nn.Linear(4 * n_state, n_state)
        self.mlp_ln = nn.LayerNorm(n_state)

    def mlp(self, x: mx.array) -> mx.array:
        """The feed-forward part (exact GELU, as Whisper was trained)."""
        # The hidden activations are a temporary nothing else refers to: GELU may overwrite them.
        out: mx.array = self.mlp2(self.kernels.gelu(self.mlp1(self.mlp_ln(x)), overwrite=True))
        return out

    def encode(self, x: mx.array) -> mx.array:
        """An encoder block: full (non-causal) self-attention."""
        a = self.attn
        h = self.attn_ln(x)
        x = x + a.attend(a.heads(a.query(h)), a.heads(a.key(h)), a.heads(a.value(h)), None)
        return x + self.mlp(x)

    def decode(
        self,
        x: mx.array,
        cross: tuple[mx.array, mx.array],
        cache: KVCache | None,
        layer: int,
        capture: Sequence[int] = (),
    ) -> tuple[mx.array, mx.array | None]:
        """A decoder block over new positions, reading and filling the cache.

        Returns the block's output and, when ``capture`` names heads, their raw scaled
        cross-attention scores (B, len(capture), T, n_audio_ctx).
        """
        a = self.attn
        h = self.attn_ln(x)
        q, k, v = a.heads(a.query(h)), a.heads(a.key(h)), a.heads(a.value(h))
        if cache is not None:
            k, v = cache.update(layer, k, v)
        x = x + a.attend(q, k, v, "causal" if x.shape[1] > 1 else None)
        assert self.cross_attn is not None
        assert self.cross_attn_ln is not None
        c = self.cross_attn
        q = c.heads(c.query(self.cross_attn_ln(x)))
        scale = q.shape[-1] ** -0.5
        x = x + c.out(c.merge(self.kernels.cross_attention(q, cross[0], cross[1], scale)))
        scores = None
        if capture:
            rows = mx.array(list(capture))
            scores = self.kernels.cross_scores(q[:, rows], cross[0][:, rows], scale)
        return x + self.mlp(x), scores


class AudioEncoder(nn.Module):
    """Two convolutions, a fixed position embedding and the encoder blocks."""

    def __init__(self, dims: ModelDimensions, dtype: mx.Dtype, kernels: Kernels) -> None:
        """Create the encoder."""
        super().__init__()
        self.kernels = kernels
        n_state = dims.n_audio_state
        self.conv1 = nn.Conv1d(dims.n_mels, n_state, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(n_state, n_state, kernel_size=3, stride=2, padding=1)
        self._positional_embedding = sinusoids(dims.n_audio_ctx, n_state).astype(dtype)
        self.blocks = [
            ResidualAttentionBlock(n_state, dims.n_audio_head, kernels)
            for _ in range(dims.n_audio_layer)
        ]
        self.ln_post = nn.LayerNorm(n_state)

    def __call__(self, mel: mx.array) -> mx.array:
        """(B, 3000, n_mels) log-mel -> (B, 1500, n_state) audio features."""
        x = self.kernels.gelu(self.conv1(mel), overwrite=True)
        x = self.kernels.gelu(self.conv2(x), overwrite=True)
        x = x + self._positional_embedding
        for block in self.blocks:
            x = block.encode(x)
        out: mx.array = self.ln_post(x)
        return out


class TextDecoder(nn.Module):
    """Token and position embeddings, the decoder blocks, and tied output logits."""

    def __init__(self, dims: ModelDimensions, kernels: Kernels) -> None:
        """Create the decoder."""
        super().__init__()
        n_state = dims.n_text_state
        self.n_head = dims.n_text_head
        self.token_embedding = nn.Embedding(dims.n_vocab, n_state)
        self.positional_embedding = mx.zeros((dims.n_text_ctx, n_state))
        self.blocks = [
            ResidualAttentionBlock(n_state, dims.n_text_head, kernels, cross_attention=True)
            for _ in range(dims.n_text_layer)
        ]
        self.ln = nn.LayerNorm(n_state)
        self.kernels = kernels

    def cross_kv(self, audio: mx.array) -> CrossKV:
        """Cross-attention keys and values of every layer, computed once per window.

        The keys come in the layout the kernels want (`Kernels.cross_keys`).
        """
        out: CrossKV = []
        for block in self.blocks:
            assert block.cross_attn is not None
            c = block.cross_attn
            keys = block.kernels.cross_keys(c.heads(c.key(audio)))
            out.append((keys, c.heads(c.value(audio))))
        return out

    def embed(self, tokens: mx.array, offset: int) -> mx.array:
        """Token plus position embeddings for positions ``offset...``."""
        positions = self.positional_embedding[offset : offset + tokens.shape[-1]]
        embedded: mx.array = self.token_embedding(tokens) + positions
        return embedded

    def logits(self, x: mx.array) -> mx.array:
        """Final LayerNorm and the tied output projection, in float32.

        A decoding step's rows may be padded with zeros for the projection (`Kernels.
        projection_rows`); the padding's logits are cut off before they are returned.
        """
        x = self.ln(x)
        rows = x.shape[0]
        padded = self.kernels.projection_rows(rows) if x.shape[1] == 1 else rows
        if padded > rows:
            x = mx.concatenate([x, mx.zeros((padded - rows, *x.shape[1:]), x.dtype)])
        out: mx.array = self.token_embedding.as_linear(x)[:rows]
        return out.astype(mx.float32)

    def __call__(self, tokens: mx.array, cross: CrossKV, cache: KVCache | None) -> mx.array:
        """Logits (B, T, n_vocab) for new ``tokens`` (B, T), continuing the cache."""
        offset = cache.offset if cache is not None else 0
        x = self.embed(tokens, offset)
        for i, block in enumerate(self.blocks):
            x, _ = block.decode(x, cross[i], cache, i)
        if cache is not None:
            cache.advance(tokens.shape[1])
        return self.logits(x)

    def alignment_scores(
        self, tokens: mx.array, cross: CrossKV, heads: Sequence[tuple[int, int]]
    ) -> mx.array:
        """Teacher-forced pass over whole sequences, returning the alignment heads' scores.

        Only the layers up to the last one with an alignment head run, and no logits are
        computed (word probabilities come from the decoding pass).

        Returns:
            The raw scaled cross-attention scores of the (layer, head) pairs,
            (B, len(heads), T, n_audio_ctx), before softmax.
        """
        by_layer: dict[int, list[int]] = {}
        for layer, head in heads:
            by_layer.setdefault(layer, []).append(head)
        x = self.embed(tokens, 0)
        captured: dict[tuple[int, int], mx.array] = {}
        for i, block in enumerate(self.blocks[: max(by_layer) + 1]):
            x, scores = block.decode(x, cross[i], None, i, by_layer.get(i, ()))
            if scores is not None:
                for j, head in enumerate(by_layer[i]):
                    captured[(i, head)] = scores[:, j]
        return mx.stack([captured[pair] for pair in heads], axis=1)


class Whisper(nn.Module):
    """The whole model plus its alignment heads."""

    def __init__(
        self, dims: ModelDimensions, dtype: mx.Dtype = mx.float32, kernels: Kernels | None = None
    ) -> None:
        """Create a model with uninitialised weights (load them with ``load_weights``)."""
        super().__init__()
        self.dims = dims
        self.dtype = dtype
        self.kernels = kernels or MlxKernels()
        self.encoder = AudioEncoder(dims, dtype, self.kernels)
        self.decoder = TextDecoder(dims, self.kernels)
        # Default as in Whisper: all heads of the second half of the decoder layers.
        half = dims.n_text_layer // 2
        self.alignment_heads: tuple[tuple[int, int], ...] = tuple(
            (layer, head)
            for layer in range(half, dims.n_text_layer)
            for head in range(dims.n_text_head)
        )

    def set_alignment_heads(self, heads: Sequence[tuple[int, int]]) -> None:
        """Use the tuned (layer, head) pairs shipped with the weights."""
        self.alignment_heads = tuple((int(layer), int(head)) for layer, head in heads)

    def new_cache(self, batch: int, capacity: int) -> KVCache:
        """A self-attention cache for ``batch`` sequences of up to ``capacity`` tokens."""
        d = self.dims
        return KVCache(
            d.n_text_layer,
            batch,
            d.n_text_head,
            d.n_text_state // d.n_text_head,
            min(capacity, d.n_text_ctx),
            self.dtype,
        )

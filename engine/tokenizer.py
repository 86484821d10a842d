"""Whisper's tokenizer: GPT-2 byte-level BPE (via tiktoken) plus Whisper's special tokens.

The vocabulary comes from the model folder: a Hugging Face ``tokenizer.json`` (what
mlx-community and openai repos ship) or a ``.tiktoken`` rank file (what openai/whisper bundles).
Either way the special tokens are appended exactly as openai/whisper's ``get_encoding`` does, so
their ids follow from the number of ordinary tokens and languages alone.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import logging
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import tiktoken

from engine.errors import ModelLoadError
from engine.languages import LANGUAGES, to_language_code
from engine.options import Task

__all__ = [
    "MULTILINGUAL_MIN_VOCAB",
    "N_TIMESTAMP_TOKENS",
    "TIME_PRECISION",
    "Tokenizer",
    "load_tokenizer",
    "tokenizer_from_hf_json",
    "tokenizer_from_tiktoken_file",
]

logger = logging.getLogger(__name__)

TIME_PRECISION: Final = 0.02  # seconds between two timestamp tokens
N_TIMESTAMP_TOKENS: Final = 1501  # <|0.00|> .. <|30.00|>
MULTILINGUAL_MIN_VOCAB: Final = 51865  # English-only models have 51864 tokens
# n_vocab - _VOCAB_BASE - multilingual = number of language tokens (as in openai/whisper).
_VOCAB_BASE: Final = 51765

# GPT-2's pre-tokenisation regex, as openai/whisper gives it to tiktoken.
_GPT2_PATTERN: Final = (
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
)
# Older Hugging Face tokenizers use other names for two of Whisper's tokens.
_HF_ALIASES: Final = {"<|nocaptions|>": "<|nospeech|>", "<|iw|>": "<|he|>"}
# Languages written without spaces: words are split at unicode code points instead.
_NO_SPACE_LANGUAGES: Final = frozenset({"zh", "ja", "th", "lo", "my", "yue"})
_REPLACEMENT_CHAR: Final = "\ufffd"


@dataclass(frozen=True, slots=True)
class Tokenizer:
    """Text <-> token ids for one Whisper model, with its special tokens.

    Build it with `load_tokenizer`; `with_language` gives a copy for another language or task.
    The ``init=False`` attributes are token ids derived from the encoding.

    Attributes:
        encoding: The tiktoken encoding: ordinary ranks plus Whisper's special tokens.
        multilingual: Whether the model has language and task tokens in its prompt.
        num_languages: Number of language tokens (99, or 100 from large-v3 on).
        language: Language code the prompt names ("en" for English-only models), or None
            before language detection.
        task: "transcribe" or "translate" (always "transcribe" for English-only models).
    """

    encoding: tiktoken.Encoding
    multilingual: bool
    num_languages: int
    language: str | None = None
    task: Task = "transcribe"
    eot: int = field(init=False)
    sot: int = field(init=False)
    translate: int = field(init=False)
    transcribe: int = field(init=False)
    sot_lm: int = field(init=False)
    sot_prev: int = field(init=False)
    no_speech: int = field(init=False)
    no_timestamps: int = field(init=False)
    timestamp_begin: int = field(init=False)
    all_language_codes: tuple[str, ...] = field(init=False)
    all_language_tokens: tuple[int, ...] = field(init=False)
    non_speech_tokens: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        special = self.encoding.encode_single_token
        codes = tuple(LANGUAGES)[: self.num_languages]
        derived: dict[str, object] = {
            "eot": special("<|endoftext|>"),
            "sot": special("<|startoftranscript|>"),
            "translate": special("<|translate|>"),
            "transcribe": special("<|transcribe|>"),
            "sot_lm": special("<|startoflm|>"),
            "sot_prev": special("<|startofprev|>"),
            "no_speech": special("<|nospeech|>"),
            "no_timestamps": special("<|notimestamps|>"),
            "timestamp_begin": special("<|0.00|>"),
            "all_language_codes": codes,
            "all_language_tokens": tuple(special(f"<|{code}|>") for code in codes),
            "non_speech_tokens": _non_speech_tokens(self.encoding),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        language = None if self.language is None else self._checked_language(self.language)
        if not self.multilingual:
            # English-only models have no language or task in their prompt.
            if language not in (None, "en") or self.task != "transcribe":
                raise ValueError(
                    f"this model only transcribes English (asked: {self.language}, {self.task})"
                )
            language = "en"
        object.__setattr__(self, "language", language)

    def _checked_language(self, language: str) -> str:
        code = to_language_code(language)
        if code not in self.all_language_codes:
            raise ValueError(f"this model does not know the language {language!r}")
        return code

    def with_language(self, language: str | None, task: Task | None = None) -> Tokenizer:
        """A copy for another language and task (sharing the encoding).

        Args:
            language: Code, name or alias ("de", "German"); None before language detection.
            task: "transcribe" or "translate"; None keeps the current task.

        Raises:
            ValueError: The model does not know the language, or is English-only and was asked
                for another language or to translate.
        """
        return dataclasses.replace(self, language=language, task=task or self.task)

    @property
    def sot_sequence(self) -> tuple[int, ...]:
        """The prompt start: sot, then (multilingual only) the language and the task."""
        if not self.multilingual:
            return (self.sot,)
        language = () if self.language is None else (self.language_token(self.language),)
        task = self.transcribe if self.task == "transcribe" else self.translate
        return (self.sot, *language, task)

    @property
    def sot_sequence_including_notimestamps(self) -> tuple[int, ...]:
        """`sot_sequence` followed by the no-timestamps token."""
        return (*self.sot_sequence, self.no_timestamps)

    def language_token(self, code: str) -> int:
        """The token id of a language ("de" -> <|de|>).

        Raises:
            ValueError: The model does not know the language.
        """
        index = self.all_language_codes.index(self._checked_language(code))
        return self.all_language_tokens[index]

    def encode(self, text: str) -> list[int]:
        """Token ids of ordinary text; "<|endoftext|>" in the text is just text."""
        return self.encoding.encode_ordinary(text)

    def decode(self, tokens: Sequence[int]) -> str:
        """Text of the ordinary tokens; special and timestamp tokens are dropped."""
        return self.encoding.decode([t for t in tokens if t < self.eot])

    def decode_with_timestamps(self, tokens: Sequence[int]) -> str:
        """Text of all tokens, special ones written out, timestamps as "<|1.08|>"."""
        return self.encoding.decode(tokens)

    def split_to_word_tokens(self, tokens: Sequence[int]) -> tuple[list[str], list[list[int]]]:
        """Group tokens into words, as Whisper's word timestamps need.

        Words start at a space or a punctuation mark; for languages written without spaces
        (Chinese, Japanese, Thai, Lao, Burmese, Cantonese) every complete character is a word.

        Returns:
            The words (with their leading space) and, for each, its tokens.
        """
        if self.language in _NO_SPACE_LANGUAGES:
            return self._split_on_unicode(tokens)
        return self._split_on_spaces(tokens)

    def _split_on_unicode(self, tokens: Sequence[int]) -> tuple[list[str], list[list[int]]]:
        # A token may end inside a multi-byte character: keep adding tokens until the text
        # decodes cleanly, unless the replacement character is really in the full text.
        # Unlike Whisper, tokens left over at the end (broken UTF-8) are kept as a last word.
        full = self.decode_with_timestamps(tokens)
        words: list[str] = []
        groups: list[list[int]] = []
        current: list[int] = []
        offset = 0
        for token in tokens:
            current.append(token)
            text = self.decode_with_timestamps(current)
            bad = text.find(_REPLACEMENT_CHAR)
            if bad < 0 or full[offset + bad : offset + bad + 1] == _REPLACEMENT_CHAR:
                words.append(text)
                groups.append(current)
                current = []
                offset += len(text)
        if current:
            words.append(self.decode_with_timestamps(current))
            groups.append(current)
        return words, groups

    def _split_on_spaces(self, tokens: Sequence[int]) -> tuple[list[str], list[list[int]]]:
        words: list[str] = []
        groups: list[list[int]] = []
        for text, group in zip(*self._split_on_unicode(tokens), strict=True):
            starts_word = (
                group[0] >= self.eot
                or text.startswith(" ")
                or text.strip() in string.punctuation
                or not words
            )
            if starts_word:
                words.append(text)
                groups.append(group)
            else:
                words[-1] += text
                groups[-1].extend(group)
        return words, groups


def _non_speech_tokens(encoding: tiktoken.Encoding) -> tuple[int, ...]:
    """Tokens to suppress so the model writes no speaker tags, music notes or captions.

    Same symbols and rules as openai/whisper's ``Tokenizer.non_speech_tokens``: a symbol is
    suppressed when it is a single token (alone or after a space); the musical symbols
    U+2640..U+267F always by their first token (they share their first UTF-8 bytes). Hyphen
    and apostrophe stay allowed inside words but not at a word start.
    """
    symbols = [*'"#()*+/:;<=>@[\\]^_`{|}~「」『』']
    symbols += ["<<", ">>", "<<<", ">>>", "--", "---", "-(", "-[", "('", '("', "((", "))"]
    symbols += ["(((", ")))", "[[", "]]", "{{", "}}", "♪♪", "♪♪♪"]
    musical = set("♩♪♫♬♭♮♯")
    result = {encoding.encode_ordinary(" -")[0], encoding.encode_ordinary(" '")[0]}
    for symbol in symbols + sorted(musical):
        for tokens in (encoding.encode_ordinary(symbol), encoding.encode_ordinary(" " + symbol)):
            if len(tokens) == 1 or symbol in musical:
                result.add(tokens[0])
    return tuple(sorted(result))


def _special_token_names(num_languages: int) -> list[str]:
    """Whisper's special tokens in vocabulary order (they follow the ordinary tokens)."""
    return [
        "<|endoftext|>",
        "<|startoftranscript|>",
        *[f"<|{code}|>" for code in tuple(LANGUAGES)[:num_languages]],
        "<|translate|>",
        "<|transcribe|>",
        "<|startoflm|>",
        "<|startofprev|>",
        "<|nospeech|>",
        "<|notimestamps|>",
        *[f"<|{i * TIME_PRECISION:.2f}|>" for i in range(N_TIMESTAMP_TOKENS)],
    ]


def _make_tokenizer(
    name: str,
    ranks: dict[bytes, int],
    multilingual: bool,
    num_languages: int,
    language: str | None,
    task: Task,
) -> Tokenizer:
    """Append Whisper's special tokens to the ordinary ranks, as openai/whisper does."""
    if sorted(ranks.values()) != list(range(len(ranks))):
        raise ModelLoadError(f"the tokenizer {name} is damaged: its token ids have gaps")
    if not 0 < num_languages <= len(LANGUAGES):
        raise ModelLoadError(f"a Whisper model cannot have {num_languages} languages")
    names = _special_token_names(num_languages)
    specials = {token: len(ranks) + i for i, token in enumerate(names)}
    encoding = tiktoken.Encoding(
        name=name,
        pat_str=_GPT2_PATTERN,
        mergeable_ranks=ranks,
        special_tokens=specials,
        explicit_n_vocab=len(ranks) + len(specials),
    )
    return Tokenizer(encoding, multilingual, num_languages, language, task)


def tokenizer_from_tiktoken_file(
    path: Path,
    *,
    multilingual: bool,
    num_languages: int,
    language: str | None = None,
    task: Task = "transcribe",
) -> Tokenizer:
    """Build a tokenizer from a ``.tiktoken`` rank file (lines of "base64-token rank").

    Args:
        path: The rank file (openai/whisper's ``gpt2.tiktoken`` or ``multilingual.tiktoken``).
        multilingual: Whether the model is multilingual.
        num_languages: Number of language tokens.
        language: Language code or name, or None.
        task: "transcribe" or "translate".

    Raises:
        ModelLoadError: The file cannot be read or is not a rank file.
    """
    try:
        lines = path.read_bytes().splitlines()
    except OSError as e:
        raise ModelLoadError(f"cannot read the tokenizer {path}: {e.strerror}") from e
    ranks: dict[bytes, int] = {}
    for number, line in enumerate(lines, 1):
        try:
            if line.strip():
                token, rank = line.split()
                ranks[base64.b64decode(token)] = int(rank)
        except (ValueError, binascii.Error) as e:
            raise ModelLoadError(f"the tokenizer {path} is damaged at line {number}") from e
    return _make_tokenizer(path.name, ranks, multilingual, num_languages, language, task)


def _gpt2_byte_decoder() -> dict[str, int]:
    """Inverse of GPT-2's ``bytes_to_unicode``: the printable stand-in of each byte -> byte."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    printable += range(ord("®"), ord("ÿ") + 1)
    decoder = {chr(b): b for b in printable}
    others = [b for b in range(256) if b not in decoder.values()]
    decoder.update({chr(256 + i): b for i, b in enumerate(others)})
    return decoder


def _check_merge_order(vocab: dict[str, int], merges: Sequence[Any]) -> None:
    # tiktoken merges the pair whose result has the lowest id; that equals Hugging Face's
    # BPE only when the merge list is in id order, as in GPT-2's.
    previous = -1
    for merge in merges:
        left, right = merge.split(" ") if isinstance(merge, str) else merge
        merged = vocab.get(left + right)
        if merged is None or merged < previous:
            raise ValueError(f"merge {left!r} + {right!r} is out of id order")
        previous = merged


def _hf_ranks(data: dict[str, Any], path: Path) -> tuple[dict[bytes, int], dict[str, int]]:
    """Ordinary ranks, and the ids the file gives Whisper's tokens, of a ``tokenizer.json``."""
    model = data["model"]
    if model.get("type", "BPE") != "BPE":
        raise ValueError(f"the model type is {model.get('type')}, not BPE")
    declared = {
        _HF_ALIASES.get(item["content"], item["content"]): int(item["id"])
        for item in data.get("added_tokens", [])
    }
    vocab: dict[str, int] = model["vocab"]
    _check_merge_order(vocab, model.get("merges", []))
    # Some files also list special tokens in the vocabulary: they are not ordinary tokens.
    whisper_names = {*_special_token_names(len(LANGUAGES)), *_HF_ALIASES}
    byte_of = _gpt2_byte_decoder()
    ranks: dict[bytes, int] = {}
    for text, rank in vocab.items():
        name = _HF_ALIASES.get(text, text)
        if name in declared or text in whisper_names:
            declared.setdefault(name, int(rank))
            continue
        try:
            ranks[bytes(byte_of[char] for char in text)] = int(rank)
        except KeyError as e:
            raise ValueError(f"token {text!r} is not byte-level BPE") from e
    logger.debug("%s: %d ordinary tokens, %d special tokens", path, len(ranks), len(declared))
    return ranks, declared


def tokenizer_from_hf_json(
    path: Path,
    *,
    multilingual: bool,
    num_languages: int,
    language: str | None = None,
    task: Task = "transcribe",
) -> Tokenizer:
    """Build a tokenizer from a Hugging Face byte-level BPE ``tokenizer.json``.

    The ordinary tokens keep their ids as ranks; Whisper's special tokens are appended in
    Whisper's order and checked against the file's ``added_tokens``.

    Args:
        path: The ``tokenizer.json`` file.
        multilingual: Whether the model is multilingual.
        num_languages: Number of language tokens.
        language: Language code or name, or None.
        task: "transcribe" or "translate".

    Raises:
        ModelLoadError: The file cannot be read, is not a byte-level BPE tokenizer, or its
            special tokens are not where Whisper's are.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ranks, declared = _hf_ranks(data, path)
    except OSError as e:
        raise ModelLoadError(f"cannot read the tokenizer {path}: {e.strerror}") from e
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ModelLoadError(f"the tokenizer {path} is damaged or not Whisper's: {e}") from e
    tokenizer = _make_tokenizer(path.name, ranks, multilingual, num_languages, language, task)
    encoding = tokenizer.encoding
    wrong = [
        name
        for name, id_ in declared.items()
        if name in encoding.special_tokens_set and encoding.encode_single_token(name) != id_
    ]
    if wrong:
        raise ModelLoadError(
            f"the tokenizer {path} puts {', '.join(wrong[:3])} at other ids than the model "
            "expects: the model folder mixes files of different models"
        )
    return tokenizer


def load_tokenizer(
    model_dir: Path, *, n_vocab: int, language: str | None = None, task: Task = "transcribe"
) -> Tokenizer:
    """The tokenizer of a model, from its ``tokenizer.json`` or ``*.tiktoken``.

    Args:
        model_dir: The model folder, or the tokenizer file itself (downloaded models keep it
            apart from the weights when the weights' repository has none).
        n_vocab: The vocabulary size in the model's ``config.json``.
        language: Language code or name, or None (English-only models: always "en").
        task: "transcribe" or "translate".

    Raises:
        ModelLoadError: No tokenizer in the folder, a damaged one, or one of another model.
    """
    multilingual = n_vocab >= MULTILINGUAL_MIN_VOCAB
    num_languages = n_vocab - _VOCAB_BASE - int(multilingual)
    build = tokenizer_from_hf_json
    path = model_dir if model_dir.is_file() else model_dir / "tokenizer.json"
    if model_dir.is_file() and path.suffix == ".tiktoken":
        build = tokenizer_from_tiktoken_file
    elif not path.is_file():
        build = tokenizer_from_tiktoken_file
        wanted = "multilingual.tiktoken" if multilingual else "gpt2.tiktoken"
        found = sorted(model_dir.glob("*.tiktoken"))
        named = [p for p in found if p.name == wanted]
        if not named and len(found) != 1:
            raise ModelLoadError(
                f"the model folder {model_dir} has no tokenizer (tokenizer.json or {wanted}): "
                "download the model again"
            )
        path = (named or found)[0]
    try:
        tokenizer = build(
            path,
            multilingual=multilingual,
            num_languages=num_languages,
            language=language,
            task=task,
        )
    except ModelLoadError as e:
        raise ModelLoadError(f"{str(e).rstrip('.')}; delete the model and download it again") from e
    if tokenizer.encoding.n_vocab != n_vocab:
        raise ModelLoadError(
            f"the tokenizer has {tokenizer.encoding.n_vocab} tokens but the model expects "
            f"{n_vocab}: the model folder mixes files of different models; delete the model "
            "and download it again"
        )
    return tokenizer

"""Whisper's tokenizer: built from the model folder, checked against openai/whisper's rank files."""

from __future__ import annotations

import base64
import json
import shutil
import string
from pathlib import Path

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import ModelLoadError
from engine.languages import LANGUAGES, TO_LANGUAGE_CODE, language_name, to_language_code
from engine.tokenizer import (
    MULTILINGUAL_MIN_VOCAB,
    N_TIMESTAMP_TOKENS,
    Tokenizer,
    load_tokenizer,
    tokenizer_from_hf_json,
    tokenizer_from_tiktoken_file,
)

TINY_EN_VOCAB = 51864
TINY_VOCAB = 51865  # tiny ... large-v2
LARGE_V3_VOCAB = 51866

TEXTS = [
    "And so my fellow Americans, ask not what your country can do for you.",
    "Hello, world! Isn't it great? I'd say we'll see... (maybe) [really] {no} <tag>",
    "1234567890 3.14159 -42 1,000,000 2024-05-06 12:30:45 $9.99 50% #1",
    "  leading, trailing  \t tabs\n\nnew lines   and    runs of spaces   ",
    "emoji: 🎉👍🏽 👨‍👩‍👧‍👦 🇫🇷 ♪♪♪ ☃",
    "Accents: café naïve résumé Ångström Zoë São Paulo Łódź Dvořák",
    "German: Straße, Größe, Fußball, weiß",
    "French ligatures: œuvre, Œdipe, ﬁn, ﬂeur, æther",
    "Русский текст: Съешь же ещё этих мягких французских булок.",
    "Ελληνικά: Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
    "العربية: نص حكيم له سر قاطع وذو شأن عظيم",
    "עברית: דג סקרן שט בים מאוכזב ולפתע מצא חברה",
    "हिन्दी: ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले",
    "中文：我们今天去公园玩，天气很好。",
    "日本語：いろはにほへと ちりぬるを、カタカナも漢字も。",
    "한국어: 다람쥐 헌 쳇바퀴에 타고파",
    "ไทย: เป็นมนุษย์สุดประเสริฐเลิศคุณค่า",
    "def f(x):\n    return {'a': [1, 2]}  # comment <|endoftext|> && x != y; i++",
    "",
    " ",
    "'s 't 're 've 'm 'll 'd 'S ''",
]


def _reference_encoding(path: Path) -> tiktoken.Encoding:
    """An encoding built the way openai/whisper builds it, straight from a rank file."""
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in path.read_text().splitlines() if line)
    }
    return tiktoken.Encoding(
        name="reference",
        pat_str=r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
        mergeable_ranks=ranks,
        special_tokens={"<|endoftext|>": len(ranks)},
    )


@pytest.fixture(scope="module")
def gpt2_reference(reference_dir: Path) -> tiktoken.Encoding:
    return _reference_encoding(reference_dir / "gpt2.tiktoken")


@pytest.fixture(scope="module")
def tiny_en(tiny_en_model: Path) -> Tokenizer:
    return load_tokenizer(tiny_en_model, n_vocab=TINY_EN_VOCAB)


@pytest.fixture(scope="module")
def multilingual(reference_dir: Path) -> Tokenizer:
    return tokenizer_from_tiktoken_file(
        reference_dir / "multilingual.tiktoken", multilingual=True, num_languages=99
    )


def _added_tokens(model_dir: Path) -> dict[str, int]:
    data = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    return {item["content"]: item["id"] for item in data["added_tokens"]}


# --- English-only vocabulary from tokenizer.json vs openai/whisper's gpt2.tiktoken ---------


@pytest.mark.parametrize("text", TEXTS)
def test_hf_json_encodes_like_reference(
    tiny_en: Tokenizer, gpt2_reference: tiktoken.Encoding, text: str
) -> None:
    ids = tiny_en.encode(text)
    assert ids == gpt2_reference.encode_ordinary(text)
    assert tiny_en.decode(ids) == text


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400))
def test_hf_json_encodes_random_unicode_like_reference(
    tiny_en: Tokenizer, gpt2_reference: tiktoken.Encoding, text: str
) -> None:
    assert tiny_en.encode(text) == gpt2_reference.encode_ordinary(text)


def test_hf_json_token_bytes_equal_reference(
    tiny_en: Tokenizer, gpt2_reference: tiktoken.Encoding
) -> None:
    n = gpt2_reference.n_vocab - 1  # ordinary tokens only
    assert tiny_en.eot == n
    ours = [tiny_en.encoding.decode_single_token_bytes(i) for i in range(n)]
    assert ours == [gpt2_reference.decode_single_token_bytes(i) for i in range(n)]


def test_tiny_en_special_tokens(tiny_en: Tokenizer, tiny_en_model: Path) -> None:
    assert not tiny_en.multilingual
    assert tiny_en.num_languages == 99
    assert (tiny_en.eot, tiny_en.sot) == (50256, 50257)
    assert (tiny_en.translate, tiny_en.transcribe) == (50357, 50358)
    assert (tiny_en.sot_lm, tiny_en.sot_prev) == (50359, 50360)
    assert (tiny_en.no_speech, tiny_en.no_timestamps) == (50361, 50362)
    assert tiny_en.timestamp_begin == 50363
    assert tiny_en.timestamp_begin + N_TIMESTAMP_TOKENS - 1 == TINY_EN_VOCAB - 1
    assert tiny_en.sot_sequence == (tiny_en.sot,)
    assert tiny_en.sot_sequence_including_notimestamps == (tiny_en.sot, tiny_en.no_timestamps)
    assert tiny_en.language == "en"
    # The ids agree with the ones the Hugging Face file itself declares.
    added = _added_tokens(tiny_en_model)
    assert added["<|nocaptions|>"] == tiny_en.no_speech  # older names of Whisper's tokens
    assert added["<|iw|>"] == tiny_en.language_token("he")
    aliases = {"<|nocaptions|>": "<|nospeech|>", "<|iw|>": "<|he|>"}
    for name, id_ in added.items():
        assert tiny_en.decode_with_timestamps([id_]) == aliases.get(name, name)


def test_english_only_refuses_other_languages_and_translation(tiny_en: Tokenizer) -> None:
    with pytest.raises(ValueError, match="only transcribes English"):
        tiny_en.with_language("de")
    with pytest.raises(ValueError, match="only transcribes English"):
        tiny_en.with_language("en", "translate")
    assert tiny_en.with_language("English").sot_sequence == (tiny_en.sot,)


# --- multilingual vocabulary from a .tiktoken file -------------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_multilingual_round_trip(multilingual: Tokenizer, reference_dir: Path, text: str) -> None:
    ids = multilingual.encode(text)
    assert multilingual.decode(ids) == text
    assert ids == _reference_encoding(reference_dir / "multilingual.tiktoken").encode_ordinary(text)


@pytest.mark.parametrize("n_vocab", [TINY_VOCAB, LARGE_V3_VOCAB])
def test_multilingual_special_tokens(reference_dir: Path, tmp_path: Path, n_vocab: int) -> None:
    shutil.copy(reference_dir / "multilingual.tiktoken", tmp_path)
    tokenizer = load_tokenizer(tmp_path, n_vocab=n_vocab, language="fr")
    shift = n_vocab - TINY_VOCAB  # large-v3 adds Cantonese before the task tokens
    assert tokenizer.multilingual
    assert tokenizer.num_languages == 99 + shift
    assert (tokenizer.eot, tokenizer.sot) == (50257, 50258)
    assert tokenizer.language_token("en") == 50259
    assert (tokenizer.translate, tokenizer.transcribe) == (50358 + shift, 50359 + shift)
    assert (tokenizer.sot_lm, tokenizer.sot_prev) == (50360 + shift, 50361 + shift)
    assert (tokenizer.no_speech, tokenizer.no_timestamps) == (50362 + shift, 50363 + shift)
    assert tokenizer.timestamp_begin == 50364 + shift
    assert tokenizer.timestamp_begin + N_TIMESTAMP_TOKENS == n_vocab
    codes = list(LANGUAGES)[: tokenizer.num_languages]
    assert tokenizer.all_language_codes == tuple(codes)
    for index, code in enumerate(codes):
        token = tokenizer.language_token(code)
        assert token == tokenizer.sot + 1 + index == tokenizer.all_language_tokens[index]
        assert tokenizer.decode_with_timestamps([token]) == f"<|{code}|>"
    french = tokenizer.language_token("fr")
    assert tokenizer.sot_sequence == (tokenizer.sot, french, tokenizer.transcribe)
    assert tokenizer.sot_sequence_including_notimestamps[-1] == tokenizer.no_timestamps


def test_cantonese_needs_large_v3(multilingual: Tokenizer) -> None:
    assert "yue" not in multilingual.all_language_codes
    with pytest.raises(ValueError, match="yue"):
        multilingual.with_language("yue")


def test_with_language_accepts_names_and_aliases(multilingual: Tokenizer) -> None:
    german = multilingual.with_language("German", "translate")
    assert german.language == "de"
    assert german.sot_sequence == (
        multilingual.sot,
        multilingual.language_token("de"),
        multilingual.translate,
    )
    assert german.encoding is multilingual.encoding
    assert multilingual.with_language("castilian").language == "es"
    assert german.with_language(None).sot_sequence == (multilingual.sot, multilingual.translate)
    with pytest.raises(ValueError, match="klingon"):
        multilingual.with_language("klingon")


def test_decode_drops_special_tokens_and_marks_timestamps(multilingual: Tokenizer) -> None:
    text_ids = multilingual.encode(" Hello world.")
    begin = multilingual.timestamp_begin
    tokens = [*multilingual.sot_sequence, begin, *text_ids, begin + 54, multilingual.eot]
    assert multilingual.decode(tokens) == " Hello world."
    marked = multilingual.decode_with_timestamps(tokens)
    assert marked.endswith("<|0.00|> Hello world.<|1.08|><|endoftext|>")
    assert multilingual.decode_with_timestamps([begin + N_TIMESTAMP_TOKENS - 1]) == "<|30.00|>"


def test_encode_treats_special_token_text_as_text(multilingual: Tokenizer) -> None:
    ids = multilingual.encode("<|endoftext|>")
    assert multilingual.eot not in ids
    assert multilingual.decode(ids) == "<|endoftext|>"


def test_non_speech_tokens(multilingual: Tokenizer) -> None:
    suppressed = set(multilingual.non_speech_tokens)
    assert list(multilingual.non_speech_tokens) == sorted(suppressed)
    assert multilingual.encode(" -")[0] in suppressed
    assert multilingual.encode(" '")[0] in suppressed
    for symbol in ["(", "[", '"', "♪", " ♪"]:
        assert multilingual.encode(symbol)[0] in suppressed
    for kept in [",", ".", "?", "!", " the", "-", "'"]:
        assert multilingual.encode(kept)[0] not in suppressed
    assert all(token < multilingual.eot for token in suppressed)


def _multilingual_hf_json(reference_dir: Path, tiny_en_model: Path, path: Path) -> None:
    """Write the multilingual ranks as a tokenizer.json in the newer Hugging Face style."""
    english = json.loads((tiny_en_model / "tokenizer.json").read_text(encoding="utf-8"))
    gpt2 = _reference_encoding(reference_dir / "gpt2.tiktoken")
    # The first 256 tokens are the single bytes: they give GPT-2's byte -> character table.
    char_of = {
        gpt2.decode_single_token_bytes(id_)[0]: text
        for text, id_ in english["model"]["vocab"].items()
        if id_ < 256
    }
    ranks = _reference_encoding(reference_dir / "multilingual.tiktoken")
    vocab = {
        "".join(char_of[byte] for byte in ranks.decode_single_token_bytes(id_)): id_
        for id_ in range(ranks.eot_token)
    }
    vocab["<|endoftext|>"] = ranks.eot_token  # listed in the vocabulary too, as openai's are
    names = ["<|endoftext|>", "<|startoftranscript|>", *[f"<|{c}|>" for c in list(LANGUAGES)[:99]]]
    names += ["<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>"]
    names += ["<|nospeech|>", "<|notimestamps|>", *[f"<|{i * 0.02:.2f}|>" for i in range(1501)]]
    added = [{"id": ranks.eot_token + i, "content": name} for i, name in enumerate(names)]
    data = {"model": {"type": "BPE", "vocab": vocab}, "added_tokens": added}
    path.write_text(json.dumps(data), encoding="utf-8")


def test_multilingual_hf_json_equals_tiktoken_file(
    multilingual: Tokenizer, reference_dir: Path, tiny_en_model: Path, tmp_path: Path
) -> None:
    _multilingual_hf_json(reference_dir, tiny_en_model, tmp_path / "tokenizer.json")
    from_json = load_tokenizer(tmp_path, n_vocab=TINY_VOCAB)
    for name in ["eot", "sot", "transcribe", "no_speech", "timestamp_begin", "non_speech_tokens"]:
        assert getattr(from_json, name) == getattr(multilingual, name)
    assert from_json.all_language_tokens == multilingual.all_language_tokens
    for text in TEXTS:
        assert from_json.encode(text) == multilingual.encode(text)


# --- words -----------------------------------------------------------------------------------


def test_split_english_words(tiny_en: Tokenizer) -> None:
    text = " And so, my fellow Americans: ask not what your country's worth is."
    tokens = [*tiny_en.encode(text), tiny_en.timestamp_begin + 100]
    words, groups = tiny_en.split_to_word_tokens(tokens)
    assert [t for group in groups for t in group] == tokens
    assert "".join(words) == tiny_en.decode_with_timestamps(tokens)
    for word, group in zip(words, groups, strict=True):
        assert tiny_en.decode_with_timestamps(group) == word
        assert word.startswith(" ") or word in string.punctuation or group[0] >= tiny_en.eot
    assert " country's" in words  # the apostrophe does not split a word
    assert words.count(",") == 1


def test_split_chinese_into_characters(multilingual: Tokenizer) -> None:
    chinese = multilingual.with_language("zh")
    text = "我们今天去公园玩，天气很好。鬱"
    tokens = chinese.encode(text)
    words, groups = chinese.split_to_word_tokens(tokens)
    assert "".join(words) == text
    assert [t for group in groups for t in group] == tokens
    assert any(len(group) > 1 for group in groups)  # some characters take several tokens
    for word, group in zip(words, groups, strict=True):
        assert "\ufffd" not in word
        assert chinese.decode(group) == word


@settings(max_examples=200, deadline=None)
@given(data=st.data(), language=st.sampled_from(["en", "zh", "ja"]))
def test_split_keeps_every_token(
    multilingual: Tokenizer, data: st.DataObject, language: str
) -> None:
    # Arbitrary ids include byte fragments that never form valid UTF-8.
    ids = st.integers(0, multilingual.encoding.n_vocab - 1)
    tokens = data.draw(st.lists(ids, max_size=40))
    tokenizer = multilingual.with_language(language)
    words, groups = tokenizer.split_to_word_tokens(tokens)
    assert [t for group in groups for t in group] == tokens
    assert len(words) == len(groups)
    assert all(group for group in groups)


# --- loading errors --------------------------------------------------------------------------


def test_missing_tokenizer(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="has no tokenizer"):
        load_tokenizer(tmp_path, n_vocab=TINY_EN_VOCAB)


@pytest.mark.parametrize(
    "content",
    [
        "{ not json",
        "[]",
        json.dumps({"model": {"type": "Unigram", "vocab": []}}),
        json.dumps({"model": {"type": "BPE", "vocab": {"a": 0, "b": 2}}}),
        json.dumps({"model": {"type": "BPE", "vocab": {"\u4e00": 0}}}),
    ],
)
def test_corrupt_tokenizer_json(tmp_path: Path, content: str) -> None:
    (tmp_path / "tokenizer.json").write_text(content, encoding="utf-8")
    with pytest.raises(ModelLoadError, match="tokenizer"):
        load_tokenizer(tmp_path, n_vocab=TINY_EN_VOCAB)


def test_corrupt_tiktoken_file(tmp_path: Path) -> None:
    (tmp_path / "gpt2.tiktoken").write_text("IQ== 0\nnot a rank line at all\n")
    with pytest.raises(ModelLoadError, match="damaged at line 2"):
        load_tokenizer(tmp_path, n_vocab=TINY_EN_VOCAB)


def test_vocabulary_size_mismatch(tiny_en_model: Path) -> None:
    with pytest.raises(ModelLoadError, match="51864 tokens but the model expects 51865"):
        load_tokenizer(tiny_en_model, n_vocab=MULTILINGUAL_MIN_VOCAB)


def test_tiktoken_file_of_another_model(reference_dir: Path, tmp_path: Path) -> None:
    shutil.copy(reference_dir / "multilingual.tiktoken", tmp_path)
    with pytest.raises(ModelLoadError, match="mixes files of different models"):
        load_tokenizer(tmp_path, n_vocab=TINY_EN_VOCAB)


def test_added_tokens_at_other_ids(tiny_en_model: Path, tmp_path: Path) -> None:
    data = json.loads((tiny_en_model / "tokenizer.json").read_text(encoding="utf-8"))
    for item in data["added_tokens"]:
        if item["content"] == "<|transcribe|>":
            item["id"] += 1
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="transcribe"):
        tokenizer_from_hf_json(path, multilingual=False, num_languages=99)


# --- languages -------------------------------------------------------------------------------


def test_language_table() -> None:
    assert len(LANGUAGES) == 100
    assert list(LANGUAGES)[:3] == ["en", "zh", "de"]
    assert list(LANGUAGES)[-1] == "yue"
    assert all(TO_LANGUAGE_CODE[name] == code for code, name in LANGUAGES.items())
    assert to_language_code(" Mandarin ") == "zh"
    assert to_language_code("FR") == "fr"
    assert language_name("ht") == "Haitian Creole"
    assert language_name("xx") == "xx"
    with pytest.raises(ValueError, match="klingon"):
        to_language_code("klingon")

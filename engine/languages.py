"""Whisper's languages: codes, English names and the aliases people type.

The order of `LANGUAGES` is the order of the language tokens in Whisper's vocabulary (the
n-th entry is token ``sot + 1 + n``), so it must never be sorted or edited. Source: the
``LANGUAGES`` table of openai/whisper ``whisper/tokenizer.py``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["LANGUAGES", "TO_LANGUAGE_CODE", "language_name", "to_language_code"]

LANGUAGES: Final = MappingProxyType(
    {
        "en": "english",
        "zh": "chinese",
        "de": "german",
        "es": "spanish",
        "ru": "russian",
        "ko": "korean",
        "fr": "french",
        "ja": "japanese",
        "pt": "portuguese",
        "tr": "turkish",
        "pl": "polish",
        "ca": "catalan",
        "nl": "dutch",
        "ar": "arabic",
        "sv": "swedish",
        "it": "italian",
        "id": "indonesian",
        "hi": "hindi",
        "fi": "finnish",
        "vi": "vietnamese",
        "he": "hebrew",
        "uk": "ukrainian",
        "el": "greek",
        "ms": "malay",
        "cs": "czech",
        "ro": "romanian",
        "da": "danish",
        "hu": "hungarian",
        "ta": "tamil",
        "no": "norwegian",
        "th": "thai",
        "ur": "urdu",
        "hr": "croatian",
        "bg": "bulgarian",
        "lt": "lithuanian",
        "la": "latin",
        "mi": "maori",
        "ml": "malayalam",
        "cy": "welsh",
        "sk": "slovak",
        "te": "telugu",
        "fa": "persian",
        "lv": "latvian",
        "bn": "bengali",
        "sr": "serbian",
        "az": "azerbaijani",
        "sl": "slovenian",
        "kn": "kannada",
        "et": "estonian",
        "mk": "macedonian",
        "br": "breton",
        "eu": "basque",
        "is": "icelandic",
        "hy": "armenian",
        "ne": "nepali",
        "mn": "mongolian",
        "bs": "bosnian",
        "kk": "kazakh",
        "sq": "albanian",
        "sw": "swahili",
        "gl": "galician",
        "mr": "marathi",
        "pa": "punjabi",
        "si": "sinhala",
        "km": "khmer",
        "sn": "shona",
        "yo": "yoruba",
        "so": "somali",
        "af": "afrikaans",
        "oc": "occitan",
        "ka": "georgian",
        "be": "belarusian",
        "tg": "tajik",
        "sd": "sindhi",
        "gu": "gujarati",
        "am": "amharic",
        "yi": "yiddish",
        "lo": "lao",
        "uz": "uzbek",
        "fo": "faroese",
        "ht": "haitian creole",
        "ps": "pashto",
        "tk": "turkmen",
        "nn": "nynorsk",
        "mt": "maltese",
        "sa": "sanskrit",
        "lb": "luxembourgish",
        "my": "myanmar",
        "bo": "tibetan",
        "tl": "tagalog",
        "mg": "malagasy",
        "as": "assamese",
        "tt": "tatar",
        "haw": "hawaiian",
        "ln": "lingala",
        "ha": "hausa",
        "ba": "bashkir",
        "jw": "javanese",
        "su": "sundanese",
        # Only in large-v3 and later (n_vocab 51866): the 100th language token.
        "yue": "cantonese",
    }
)

# Names and the aliases Whisper accepts, lower case, mapped to codes.
TO_LANGUAGE_CODE: Final = MappingProxyType(
    {
        **{name: code for code, name in LANGUAGES.items()},
        "burmese": "my",
        "valencian": "ca",
        "flemish": "nl",
        "haitian": "ht",
        "letzeburgesch": "lb",
        "pushto": "ps",
        "panjabi": "pa",
        "moldavian": "ro",
        "moldovan": "ro",
        "sinhalese": "si",
        "castilian": "es",
        "mandarin": "zh",
    }
)


def language_name(code: str) -> str:
    """The English name of a language, capitalised for display.

    Args:
        code: A Whisper language code ("en", "yue"...).

    Returns:
        The name ("English", "Haitian Creole"), or the code itself when it is unknown, so a
        display never fails on a code from a newer model.
    """
    name = LANGUAGES.get(code.lower())
    return name.title() if name is not None else code


def to_language_code(language: str) -> str:
    """The Whisper code of a language given by code, name or alias, in any case.

    Args:
        language: "de", "German", "castilian"...

    Returns:
        The code ("de", "es"...).

    Raises:
        ValueError: The language is not one Whisper knows.
    """
    key = language.strip().lower()
    if key in LANGUAGES:
        return key
    if key in TO_LANGUAGE_CODE:
        return TO_LANGUAGE_CODE[key]
    raise ValueError(f"Whisper does not know the language {language!r}")

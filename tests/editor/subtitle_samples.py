"""Transcripts for the subtitle layout, writer and importer tests: a fixed one and a strategy."""

from __future__ import annotations

from hypothesis import strategies as st

from editor.transcript import MediaInfo, Segment, Transcript, Word


def spoken(text: str, start_ms: int, *, ms_per_char: int = 60, gap_ms: int = 40) -> list[Word]:
    """Words of ``text`` (split on spaces, "|" marks a 1.2 s pause) as if spoken steadily."""
    words: list[Word] = []
    t = start_ms
    for token in text.split(" "):
        if token == "|":
            t += 1200
            continue
        end = t + ms_per_char * len(token)
        words.append(Word(" " + token, t, end, 0.9))  # Whisper-style leading space
        t = end + gap_ms
    return words


def unspaced(text: str, start_ms: int, *, ms_per_char: int = 150) -> list[Word]:
    """One word per character without separators, as Whisper gives Chinese or Japanese."""
    return [
        Word(ch, start_ms + i * ms_per_char, start_ms + (i + 1) * ms_per_char, 0.8)
        for i, ch in enumerate(text)
    ]


def sample_transcript() -> Transcript:
    """The fixed transcript behind the golden files: punctuation, speakers, long segments,
    non-ASCII text, "-->" and markup characters in the text, a pause, CJK and a long word."""
    ana = (
        "Welcome back to the show. Today we're talking about subtitles, timing, and why "
        "reading speed matters so much for viewers who rely on them every single day."
    )
    bjorn = "Thanks, Ana! Ça va? Naïve café owners say “déjà vu” — but A --> B is an arrow."
    markup = "Write <b> & </b> literally, please."
    paused = "So, the first part. | And the second part, after a pause."
    long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis-and-then-some is long."
    segments = [
        Segment(tuple(spoken(ana, 1_000)), "Ana"),
        Segment(tuple(spoken(bjorn, 12_500)), "Björn Ås"),
        Segment(tuple(spoken("Hmm.", 18_600)), None),
        Segment(tuple(spoken(markup, 19_500)), "Ana"),
        Segment(tuple(spoken(paused, 23_000)), "Ana"),
        Segment(tuple(unspaced("你好，世界。这是一个测试。", 30_000)), None),
        Segment(tuple(spoken(long_word, 33_000)), "Björn Ås"),
        Segment(tuple(spoken("Bye.", 3_723_400)), "Ana"),  # past an hour
    ]
    return Transcript(
        tuple(segments),
        language="en",
        media=MediaInfo("show.mp3", duration_ms=3_725_000),
    )


# -- hypothesis ------------------------------------------------------------------------------------

#: Word bodies: letters, punctuation that matters to the layout, markup characters, non-ASCII.
WORD_BODY = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABC0123456789.,!?;:-'&<é中")),
    min_size=1,
    max_size=14,
)
SPEAKERS = st.sampled_from([None, "Ana", "Björn Ås", "A <b> & C"])


@st.composite
def transcripts(
    draw: st.DrawFn,
    *,
    word_body: st.SearchStrategy[str] = WORD_BODY,
    max_words: int = 30,
    spaced: bool = False,
) -> Transcript:
    """Random valid transcripts: gaps, pauses, touching words, words with and without spaces
    (only with spaces when ``spaced``), up to ``max_words`` words a segment."""
    segments: list[Segment] = []
    t = draw(st.integers(0, 5_000))
    for _ in range(draw(st.integers(0, 6))):
        words: list[Word] = []
        for _ in range(draw(st.integers(1, max_words))):
            t += draw(st.sampled_from([0, 0, 10, 150, 400, 900, 3_000]))
            duration = draw(st.integers(1, 1_500))
            sep = " " if spaced else draw(st.sampled_from([" ", " ", " ", ""]))
            words.append(Word(sep + draw(word_body), t, t + duration))
            t += duration
        segments.append(Segment(tuple(words), draw(SPEAKERS)))
        t += draw(st.integers(0, 3_000))
    return Transcript(tuple(segments), language="en")

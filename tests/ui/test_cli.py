"""The headless ``transcribe`` command (`ui.cli`), run in-process on the real tiny.en weights."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import srt
import webvtt

from ui.cli import EXIT_FAILED, EXIT_USAGE, main


def words_of(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def test_jfk_gives_the_known_sentence_with_timed_words(
    tiny_en_model: Path, jfk_flac: Path, jfk_text: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code = main(
        [str(jfk_flac), "--model", str(tiny_en_model), "--offline", "--quiet",
         "--format", "json,srt,vtt,txt", "--output-dir", str(out)]
    )  # fmt: skip
    assert code == 0
    result = json.loads((out / "jfk.json").read_text(encoding="utf-8"))
    assert words_of(result["text"]) == words_of(jfk_text)
    assert result["language"] == "en"
    words = [w for segment in result["segments"] for w in segment["words"]]
    assert words_of(" ".join(w["word"] for w in words)) == words_of(jfk_text)
    times = [t for w in words for t in (w["start"], w["end"])]
    assert times == sorted(times)  # monotonic, no overlaps
    assert all(w["end"] > w["start"] for w in words)
    assert times[0] >= 0.0
    assert times[-1] <= 11.0  # inside the 11 s recording
    assert all(0.0 <= w["probability"] <= 1.0 for w in words)
    cues = list(srt.parse((out / "jfk.srt").read_text(encoding="utf-8")))
    assert words_of(" ".join(c.content for c in cues)) == words_of(jfk_text)
    vtt = webvtt.read(str(out / "jfk.vtt"))
    assert words_of(" ".join(c.text for c in vtt)) == words_of(jfk_text)
    assert words_of((out / "jfk.txt").read_text(encoding="utf-8")) == words_of(jfk_text)


def test_a_failing_file_is_reported_and_the_others_go_on(
    tiny_en_model: Path, jfk_flac: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken recording.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 20)
    out = tmp_path / "out"
    code = main(
        [str(broken), str(jfk_flac), "--model", str(tiny_en_model), "--offline", "--quiet",
         "--format", "txt", "--output-dir", str(out)]
    )  # fmt: skip
    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if x.startswith("error:")]
    assert "broken recording.wav" in line
    assert len(line) > len(f"error: {broken}: ") + 10  # a reason, not just the name
    assert "Traceback" not in err
    assert (out / "jfk.txt").is_file()
    assert not (out / "broken recording.txt").exists()


def test_a_missing_model_says_so_without_a_traceback(
    jfk_flac: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([str(jfk_flac), "--model", str(tmp_path / "no-model"), "--offline", "--quiet"])
    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert "cannot load the model" in err
    assert "Traceback" not in err


def test_an_unknown_format_is_a_usage_error(
    jfk_flac: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(jfk_flac), "--format", "docx", "--offline"]) == EXIT_USAGE
    assert "docx" in capsys.readouterr().err

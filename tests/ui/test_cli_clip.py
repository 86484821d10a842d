"""``transcribe --clip-timestamps``: only the words inside the given ranges are written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ui.cli import EXIT_USAGE, build_parser, job_from_args, main


def words_of(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def test_ranges_are_parsed_and_checked() -> None:
    args = build_parser().parse_args(["x.wav", "--clip-timestamps", "30,45,60.5,75"])
    assert job_from_args(args).options.clip_ranges == ((30.0, 45.0), (60.5, 75.0))
    assert job_from_args(build_parser().parse_args(["x.wav"])).options.clip_ranges == ()
    for bad in ("30", "30,20", "a,b", "30,45,50", "-1,3"):
        with pytest.raises(ValueError, match="--clip-timestamps"):
            job_from_args(build_parser().parse_args(["x.wav", f"--clip-timestamps={bad}"]))


def test_a_bad_range_is_a_usage_error(jfk_flac: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(jfk_flac), "--clip-timestamps", "8,2"]) == EXIT_USAGE
    assert "--clip-timestamps" in capsys.readouterr().err


def test_only_words_inside_the_range_are_written(
    tiny_en_model: Path, jfk_flac: Path, jfk_text: str, tmp_path: Path
) -> None:
    code = main(
        [str(jfk_flac), "--model", str(tiny_en_model), "--offline", "--quiet",
         "--format", "json", "--output-dir", str(tmp_path), "--clip-timestamps", "3.5,7.5"]
    )  # fmt: skip
    assert code == 0
    result = json.loads((tmp_path / "jfk.json").read_text(encoding="utf-8"))
    words = [w for segment in result["segments"] for w in segment["words"]]
    assert words
    assert all(3.5 <= (w["start"] + w["end"]) / 2 <= 7.5 for w in words)
    said = " ".join(words_of(jfk_text))
    got = " ".join(words_of(" ".join(w["word"] for w in words)))
    assert got in said  # a stretch of the sentence, in order
    assert 0 < len(got.split()) < len(said.split())

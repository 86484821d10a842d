"""The headless ``transcribe`` command (`ui.cli`), run in-process on the real tiny.en weights."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
import srt
import webvtt

from engine.speakers import SpeakerOptions
from ui.cli import EXIT_FAILED, EXIT_USAGE, build_parser, job_from_args, main


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
    assert main([str(jfk_flac), "--format", "pdf", "--offline"]) == EXIT_USAGE
    assert "pdf" in capsys.readouterr().err


def test_diarize_finds_two_speakers_and_writes_rttm_json_docx_and_markdown(
    tiny_en_model: Path, two_speakers_wav: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code = main(
        [str(two_speakers_wav), "--model", str(tiny_en_model), "--offline", "--quiet",
         "--diarize", "--format", "rttm,json,docx,md,txt,srt,vtt", "--output-dir", str(out)]
    )  # fmt: skip
    assert code == 0
    lines = (out / "sample.rttm").read_text(encoding="utf-8").splitlines()
    fields = [line.split() for line in lines]
    assert all(len(f) == 10 and f[0] == "SPEAKER" and f[1] == "sample" for f in fields)
    assert {f[7] for f in fields} == {"SPEAKER_00", "SPEAKER_01"}
    starts = [float(f[3]) for f in fields]
    assert starts == sorted(starts)
    assert all(float(f[4]) > 0 for f in fields)
    result = json.loads((out / "sample.json").read_text(encoding="utf-8"))
    assert {s["speaker"] for s in result["segments"]} == {"SPEAKER_00", "SPEAKER_01"}
    document = docx.Document(str(out / "sample.docx"))
    assert document.paragraphs[0].text == "sample"
    turns = [p for p in document.paragraphs if p.runs and p.runs[0].bold]
    assert {p.runs[0].text for p in turns} == {"SPEAKER_00", "SPEAKER_01"}
    assert len(turns) >= 4  # a conversation, not two monologues
    assert "**SPEAKER\\_01** · 00:00:" in (out / "sample.md").read_text(encoding="utf-8")
    # TXT, SRT and VTT name speakers as they do for speakers set by hand.
    assert "SPEAKER_00: " in (out / "sample.txt").read_text(encoding="utf-8")
    cues = list(srt.parse((out / "sample.srt").read_text(encoding="utf-8")))
    assert any(c.content.startswith("SPEAKER_01: ") for c in cues)
    vtt = webvtt.read(str(out / "sample.vtt"))
    assert {c.voice for c in vtt} == {"SPEAKER_00", "SPEAKER_01"}


def test_speaker_counts_imply_diarize_and_are_checked() -> None:
    args = build_parser().parse_args(["x.wav", "--speakers", "3"])
    assert job_from_args(args).speakers == SpeakerOptions(num_speakers=3)
    args = build_parser().parse_args(["x.wav", "--min-speakers", "2", "--max-speakers", "4"])
    assert job_from_args(args).speakers == SpeakerOptions(min_speakers=2, max_speakers=4)
    assert job_from_args(build_parser().parse_args(["x.wav"])).speakers is None
    for bad in (["--speakers", "0"], ["--min-speakers", "5", "--max-speakers", "2"],
                ["--speakers", "2", "--max-speakers", "3"]):  # fmt: skip
        with pytest.raises(ValueError, match="speakers"):
            job_from_args(build_parser().parse_args(["x.wav", *bad]))


def test_a_bad_speaker_count_is_a_usage_error(
    jfk_flac: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(jfk_flac), "--min-speakers", "3", "--max-speakers", "2"]) == EXIT_USAGE
    assert "--min-speakers" in capsys.readouterr().err


def test_an_english_only_model_warns_about_other_speech(
    tiny_en_model: Path, speech_dir: Path, jfk_flac: Path, tmp_path: Path, capsys
) -> None:
    portuguese = speech_dir / "pt" / "fleurs" / "fleurs-pt-000.ogg"
    code = main(
        [str(jfk_flac), str(portuguese), "--model", str(tiny_en_model), "--offline", "--quiet",
         "--format", "txt", "--output-dir", str(tmp_path)]
    )  # fmt: skip
    assert code == 0  # a warning, not a failure: the words are written all the same
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1, warnings
    assert "fleurs-pt-000.ogg" in warnings[0]
    assert "multilingual" in warnings[0]

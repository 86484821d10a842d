"""Who-spoke-when accuracy and speed of `engine.speakers` on real meetings (issue 12).

Scores DER (`der.py`: missed + false alarm + confusion over reference speech, overlap scored,
optimal one-to-one speaker mapping) at collars 0 s and 0.25 s on ``<repo>/../shared/diarization``
(nine AMI excerpts, CC BY 4.0, scored inside their UEM; pyannote's two-speaker sample.wav, MIT),
for our system with an estimated count and two baselines: everyone one speaker (the same speech
regions, one label) and the true speaker count given. Also the speaker-count accuracy and the
seconds of compute per minute of audio, and (``--transcribe``) tiny.en's transcription time on
the same files for the overhead. ``--tune`` sweeps the clustering threshold on the AMI excerpts
except ``HELD_OUT``, which is reported apart.

    .venv/bin/python bench/diarization.py [--tune] [--transcribe]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from der import Score, read_rttm, read_uem, score

import engine  # noqa: F401  (decides the BLAS before mlx is imported)
from engine.speakers import SpeakerOptions, identify_speakers
from engine.speakers.clustering import cluster_embeddings
from engine.speakers.extract import embed_speech
from engine.speakers.ge2e import Ge2eEncoder
from engine.speakers.turns import speaker_turns

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "diarization"
AMI = [f"trn0{i}" for i in range(1, 10)]
HELD_OUT = "trn09"  # never seen while tuning the threshold
THRESHOLDS = (0.6, 0.65, 0.67, 0.69, 0.71, 0.75)


def load_references() -> tuple[dict, dict]:
    ref = read_rttm(DATA / "ami-excerpts.rttm") | read_rttm(DATA / "sample.rttm")
    uem = read_uem(DATA / "ami-excerpts.uem")
    uem["sample"] = [(0.0, 30.0)]
    return ref, uem


def run(files, ref, uem, options_for, encoder):
    rows = {}
    for name in files:
        began = time.perf_counter()
        turns = identify_speakers(DATA / f"{name}.wav", options_for(name), embedder=encoder)
        seconds = time.perf_counter() - began
        hyp = [(t.start, t.end, t.speaker) for t in turns]
        a, b = uem[name][0]
        inside = {who for s, e, who in hyp if e > a and s < b}
        rows[name] = {
            "0": score(ref[name], hyp, uem[name], 0.0),
            "0.25": score(ref[name], hyp, uem[name], 0.25),
            "found": len(inside),
            "true": len({t[2] for t in ref[name]}),
            "seconds": seconds,
        }
    return rows


def total(rows, names, collar):
    out = Score(0, 0, 0, 0)
    for n in names:
        out = out + rows[n][collar]
    return out


def tune(ref, uem, encoder) -> None:
    tuning = [f for f in AMI if f != HELD_OUT]
    windows = {f: embed_speech(DATA / f"{f}.wav", encoder, window_s=0.8) for f in AMI}
    print(f"| threshold | DER 0.25 s, 8 tuning files | DER 0.25 s, {HELD_OUT} (held out) |")
    print("|---|---|---|")
    for th in THRESHOLDS:
        scores = {}
        for f in AMI:
            w = windows[f]
            labels = cluster_embeddings(w.embeddings, 1, len(w.embeddings), th)
            hyp = [(t.start, t.end, t.speaker) for t in speaker_turns(w, labels)]
            scores[f] = score(ref[f], hyp, uem[f], 0.25)
        tuned = sum((scores[f] for f in tuning), Score(0, 0, 0, 0))
        print(f"| {th} | {100 * tuned.der:.1f} % | {100 * scores[HELD_OUT].der:.1f} % |")


def transcription_seconds(files) -> float:
    from engine.options import TranscribeOptions
    from engine.transcriber import Transcriber

    model = DATA.parent / "models" / "whisper-tiny.en-mlx"
    transcriber = Transcriber(model, allow_download=False)
    began = time.perf_counter()
    for name in files:
        _, segments = transcriber.transcribe(DATA / f"{name}.wav", TranscribeOptions(language="en"))
        list(segments)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--transcribe", action="store_true")
    args = parser.parse_args()
    ref, uem = load_references()
    encoder = Ge2eEncoder.load()
    if args.tune:
        tune(ref, uem, encoder)
    files = [*AMI, "sample"]
    identify_speakers(DATA / "sample.wav", embedder=encoder)  # warm-up: first-call costs
    systems = {
        "ours (count estimated)": lambda n: SpeakerOptions(),
        "baseline: one speaker": lambda n: SpeakerOptions(num_speakers=1),
        "baseline: true count given": lambda n: SpeakerOptions(
            num_speakers=len({t[2] for t in ref[n]})
        ),
    }
    results = {label: run(files, ref, uem, fn, encoder) for label, fn in systems.items()}
    ours = results["ours (count estimated)"]
    print(
        "\n| file | speakers (true / found) | "
        + " | ".join(f"{label}: DER 0 s / 0.25 s" for label in systems)
        + " |"
    )
    print("|---|---|" + "---|" * len(systems))
    for n in files:
        cells = [
            f"{100 * r[n]['0'].der:.1f} / {100 * r[n]['0.25'].der:.1f}" for r in results.values()
        ]
        mark = " (held out)" if n == HELD_OUT else ""
        print(f"| {n}{mark} | {ours[n]['true']} / {ours[n]['found']} | " + " | ".join(cells) + " |")
    for label, names in (
        ("AMI, all 9", AMI),
        ("AMI without trn09", [f for f in AMI if f != HELD_OUT]),
    ):
        cells = []
        for r in results.values():
            a, b = total(r, names, "0"), total(r, names, "0.25")
            cells.append(f"**{100 * a.der:.1f} / {100 * b.der:.1f}**")
        print(f"| {label} (pooled) | | " + " | ".join(cells) + " |")
    for collar in ("0", "0.25"):
        s = total(ours, AMI, collar)
        print(
            f"\nours, AMI, collar {collar} s: missed {100 * s.missed / s.reference:.1f} %, "
            f"false alarm {100 * s.false_alarm / s.reference:.1f} %, "
            f"confusion {100 * s.confusion / s.reference:.1f} % of {s.reference:.1f} s"
        )
    right = sum(ours[n]["found"] == ours[n]["true"] for n in files)
    print(f"speaker count right: {right} of {len(files)} files")
    audio_min = 30.0 * len(files) / 60
    spent = sum(ours[n]["seconds"] for n in files)
    print(f"speaker identification: {spent / audio_min:.2f} s per audio minute")
    if args.transcribe:
        transcription_seconds(["sample"])  # warm-up
        t = transcription_seconds(files)
        print(
            f"tiny.en transcription: {t / audio_min:.2f} s per audio minute; "
            f"speakers add {100 * spent / t:.0f} %"
        )


if __name__ == "__main__":
    main()

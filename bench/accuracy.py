"""Issue 3's acceptance check: we make no more word errors than mlx-whisper on the same weights.

    .venv/bin/python bench/accuracy.py                    # the English clips of ../shared/speech
    .venv/bin/python bench/accuracy.py ~/recordings       # plus folders of audio + .txt
    .venv/bin/python bench/accuracy.py --no-clips DIR     # only the folders

Both systems transcribe the same 16 kHz WAVs (converted by ffmpeg) with tiny.en: ours from the
shared folder, mlx-whisper from its float32 copy with OpenBLAS (the same numbers on the same
BLAS). Per file it prints the reference's word count and each system's word errors (after the
shared normalisation, `common.normalize`), then the totals, and checks:

1. our total WER <= mlx-whisper's, and
2. on at least 95 % of the files we make no more errors than mlx-whisper.

Exit status: 0 when both hold, 1 when one fails, 2 when the check could not run. In an extra
folder, every audio file with a ``.txt`` of the same name beside it is used (the ``.txt`` holds
the reference transcript); files without one are skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from audio_sets import AUDIO, Item, clip_items, to_wav16k, wav_duration
from common import BenchError, wer
from scoring import Scored, score
from systems import make_systems, run_once

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".opus", ".mp3", ".m4a", ".aac", ".mp4", ".webm"}
MIN_NO_WORSE = 0.95


def folder_items(folder: Path) -> list[Item]:
    """Audio files of ``folder`` (recursively) that have a ``.txt`` reference beside them."""
    if not folder.is_dir():
        raise BenchError(f"{folder} is not a folder.")
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    items = []
    for path in sorted(folder.rglob("*")):
        reference = path.with_suffix(".txt")
        if path.suffix.lower() not in AUDIO_SUFFIXES or not reference.is_file():
            continue
        name = str(path.relative_to(folder).with_suffix(""))
        target = AUDIO / "extra" / digest / f"{name.replace('/', '_')}.wav"
        if not target.is_file() or target.stat().st_mtime < path.stat().st_mtime:
            to_wav16k(path, target)
        text = reference.read_text(encoding="utf-8").strip()
        items.append(Item(name, target, wav_duration(target), text))
    if not items:
        raise BenchError(f"{folder} holds no audio file with a .txt reference beside it.")
    return items


def print_table(ours: list[Scored], theirs: list[Scored]) -> None:
    """Per-file errors, worst difference marked."""
    width = max(len(s.name) for s in ours)
    print(f"{'file':<{width}}  ref words  ours  mlx-whisper")
    for a, b in zip(ours, theirs, strict=True):
        mark = "  <- more errors than mlx-whisper" if a.errors > b.errors else ""
        print(f"{a.name:<{width}}  {a.reference_words:>9}  {a.errors:>4}  {b.errors:>11}{mark}")


def check(ours: list[Scored], theirs: list[Scored]) -> bool:
    """Print the totals and the two criteria; True when both hold."""
    words = sum(s.reference_words for s in ours)
    ours_wer = wer(sum(s.errors for s in ours), words)
    theirs_wer = wer(sum(s.errors for s in theirs), words)
    no_worse = sum(a.errors <= b.errors for a, b in zip(ours, theirs, strict=True)) / len(ours)
    total_ok = ours_wer <= theirs_wer
    share_ok = no_worse >= MIN_NO_WORSE
    print(f"\n{len(ours)} files, {words} reference words")
    print(f"WER: ours {100 * ours_wer:.2f} %, mlx-whisper {100 * theirs_wer:.2f} %")
    print(f"[{'ok' if total_ok else 'FAIL'}] our total WER <= mlx-whisper's")
    print(
        f"[{'ok' if share_ok else 'FAIL'}] no more errors than mlx-whisper on "
        f"{100 * no_worse:.1f} % of files (needed: {100 * MIN_NO_WORSE:.0f} %)"
    )
    return total_ok and share_ok


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("folders", nargs="*", type=Path, help="extra folders of audio + .txt")
    p.add_argument("--no-clips", action="store_true", help="skip the ../shared English clips")
    p.add_argument("--batch-size", type=int, default=None, help="our engine's batch size")
    args = p.parse_args(argv)
    try:
        items = [] if args.no_clips else clip_items()
        for folder in args.folders:
            items += folder_items(folder)
        if not items:
            raise BenchError("Nothing to check: give a folder or drop --no-clips.")
        ours_system, mlxw_system = make_systems(["ours", "mlxw"], batch_size=args.batch_size)
        ours = score(run_once(ours_system, tuple(items), "accuracy", 0).files)
        theirs = score(run_once(mlxw_system, tuple(items), "accuracy", 0).files)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print_table(ours, theirs)
    return 0 if check(ours, theirs) else 1


if __name__ == "__main__":
    sys.exit(main())

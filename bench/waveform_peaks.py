"""Seconds and peak memory of the waveform timeline's peaks for a long recording (issue 15).

    .venv/bin/python bench/waveform_peaks.py [--hours 3] [--media FILE]

Without ``--media`` it makes ``--hours`` of speech in /tmp (the 10-minute dense meeting, looped,
as 64 kbit/s AAC in .m4a: decoded by ffmpeg, as a phone or Zoom recording is) and reuses it on
the next run. The peaks are computed as the app computes them (`PeakLoader`'s path: the engine's
streaming decoder in `BLOCK_SECONDS` blocks into a `PeakBuilder`), then saved to and loaded from
a cache folder. Prints the wall time, the process's resident memory before and at its peak
(ru_maxrss), the peak of the ffmpeg child, and the bytes the peaks hold; the goal is memory that
does not grow with the length (a few MB of peaks over the interpreter's own).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SOURCE = REPO / "bench" / "work" / "audio" / "meeting-dense10min.wav"


def rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory so far of this process (or its reaped children), in MiB."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def current_rss_mib() -> float:
    """Resident memory now (Linux), else the peak so far."""
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
    except OSError:
        return rss_mib()
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return kib / 1024


def make_recording(hours: float) -> Path:
    """``hours`` of the dense meeting looped, as AAC in /tmp (made once)."""
    target = Path(tempfile.gettempdir()) / f"waveform-bench-{hours:g}h.m4a"
    if target.is_file():
        return target
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None or not SOURCE.is_file():
        sys.exit(f"needs ffmpeg and {SOURCE} (or pass --media)")
    print(f"making {target} ({hours:g} h of {SOURCE.name} looped)...", flush=True)
    partial = target.with_suffix(".partial.m4a")
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-stream_loop", "-1", "-i", str(SOURCE),
         "-t", str(round(hours * 3600)), "-c:a", "aac", "-b:a", "64k", str(partial)],
        check=True,
    )  # fmt: skip
    partial.replace(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--media", type=Path, help="a recording to use instead of the loop")
    args = parser.parse_args()
    media = args.media or make_recording(args.hours)

    import engine  # noqa: F401  (the BLAS choice, as in the app)
    from engine.audio import open_audio
    from ui.timeline.peak_cache import load_peaks, save_peaks
    from ui.timeline.peak_loader import BLOCK_SECONDS
    from ui.timeline.peaks import PeakBuilder

    before = current_rss_mib()
    started = time.perf_counter()
    with open_audio(media, block_seconds=BLOCK_SECONDS) as stream:
        builder = PeakBuilder(stream.info.duration)
        for block in stream:
            builder.add(block)
    peaks = builder.finish()
    seconds = time.perf_counter() - started
    peak_rss = rss_mib()
    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        cached = save_peaks(Path(folder), media, peaks)
        save_s = time.perf_counter() - t
        t = time.perf_counter()
        loaded = load_peaks(Path(folder), media)
        load_s = time.perf_counter() - t
        size = cached.stat().st_size if cached else 0
    assert loaded is not None
    assert loaded.duration_ms == peaks.duration_ms
    hours = peaks.duration_ms / 3_600_000
    print(f"recording:        {media} ({hours:.2f} h, decoded by {stream.info.decoder})")
    print(
        f"peaks computed:   {seconds:.1f} s ({peaks.duration_ms / 1000 / seconds:.0f}x real time)"
    )
    print(f"RSS before:       {before:.1f} MiB")
    print(f"RSS peak:         {peak_rss:.1f} MiB (+{peak_rss - before:.1f} MiB while computing)")
    print(f"ffmpeg peak RSS:  {rss_mib(resource.RUSAGE_CHILDREN):.1f} MiB (child process)")
    print(f"peaks held:       {builder.nbytes / 2**20:.1f} MiB (all pyramid levels)")
    print(f"cache file:       {size / 2**20:.1f} MiB, saved in {save_s * 1000:.0f} ms, "
          f"loaded in {load_s * 1000:.0f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Writing results: the machine's description, the JSON record, Markdown, the README section."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import socket
from pathlib import Path
from typing import Any

from common import REPO, RESULTS
from scoring import Row
from systems import RunResult

README = REPO / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
ATTRIBUTION = (
    "Audio: the English clips of `../shared/speech` (see its manifest): FLEURS (Google) and "
    "LibriSpeech excerpts are CC BY 4.0; LibriVox readings, LJSpeech and the 1961 inaugural "
    "address are public domain; CMU ARCTIC is under a BSD-style licence (Carnegie Mellon "
    "University); pocketsphinx test clips come with the CMU pocketsphinx repository "
    "(BSD-style). The long files are these clips concatenated with pauses."
)


def _first_match(path: str, pattern: str) -> str | None:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(pattern, text, re.MULTILINE)
    return m.group(1).strip() if m else None


def machine(blas: str, load_at_start: tuple[float, ...]) -> dict[str, Any]:
    """The facts a reader needs to compare numbers across machines."""
    mem_kib = _first_match("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    os_name = _first_match("/etc/os-release", r'^PRETTY_NAME="?([^"\n]*)') or platform.system()
    try:
        mlx = importlib.metadata.version("mlx")
    except importlib.metadata.PackageNotFoundError:
        mlx = "not installed"
    return {
        "cpu": _first_match("/proc/cpuinfo", r"^model name\s*:\s*(.*)$") or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem_kib) / 2**20, 1) if mem_kib else None,
        "os": f"{os_name} ({platform.system()} {platform.release()})",
        "python": platform.python_version(),
        "mlx": mlx,
        "blas": blas,
        "host": socket.gethostname(),
        "load_average_start": [round(x, 2) for x in load_at_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
    }


def _run_record(run: RunResult) -> dict[str, Any]:
    # Texts are kept (they are small and let a reader check the scoring); words are not.
    return {
        "system": run.system,
        "set": run.set_name,
        "repetition": run.repetition,
        "load_s": round(run.load_s, 3),
        "wall_s": round(run.wall_s, 3),
        "peak_rss_kib": run.peak_rss_kib,
        "config": run.config,
        "files": [
            {
                "name": f.item.name,
                "duration_s": round(f.item.duration_s, 3),
                "wall_s": round(f.wall_s, 3),
                "segments": len(f.segments),
                "words": sum(len(s["words"]) for s in f.segments),
                "text": f.text,
            }
            for f in run.files
        ],
    }


def write_json(
    tag: str, info: dict[str, Any], options: dict[str, Any], rows: list[Row], runs: list[RunResult]
) -> Path:
    """Write ``bench/results/<date>-<host>[-tag][-N].json``; returns its path.

    A later run the same day gets the next free ``-N``: the README may cite the earlier file.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{dt.date.today().isoformat()}-{info['host']}{'-' + tag if tag else ''}"
    path = RESULTS / f"{stem}.json"
    n = 1
    while path.exists():
        n += 1
        path = RESULTS / f"{stem}-{n}.json"
    record = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": info,
        "options": options,
        "rows": [dataclasses.asdict(r) for r in rows],
        "runs": [_run_record(r) for r in runs],
    }
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def _returned(r: Row) -> str:
    if r.wer is None or not r.reference_words:
        return "—"
    return f"{r.returned_words} / {r.reference_words}"


def table(rows: list[Row]) -> str:
    """The results as a Markdown table."""
    head = (
        "| set | audio | system | wall (median) | x real time | load | peak RSS | WER "
        "| words returned / said | same text as mlx-whisper | ≤ mlx-whisper's errors | runs |\n"
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = [
        f"| {r.set_name} | {r.audio_s:.0f} s | {r.label} | {r.wall_s:.1f} s "
        f"| {r.x_real_time:.1f}x | {r.load_s:.1f} s | {r.peak_rss_mib:.0f} MiB | {_pct(r.wer)} "
        f"| {_returned(r)} | {_pct(r.same_text)} | {_pct(r.no_more_errors)} | {r.repetitions} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


def machine_lines(info: dict[str, Any], date: str) -> str:
    """The machine as a short Markdown list."""
    start = ", ".join(str(x) for x in info["load_average_start"])
    end = ", ".join(str(x) for x in info["load_average_end"])
    return (
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, "
        f"{info['os']}\n"
        f"- Python {info['python']}, MLX {info['mlx']}, BLAS for MLX: {info['blas']}\n"
        f"- Date: {date}; load average (1, 5, 15 min) at start: {start}; at end: {end}\n"
    )


def section(info: dict[str, Any], rows: list[Row], notes: list[str]) -> str:
    """The machine, the table and the notes: the body of ``latest.md`` and of the README."""
    date = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    body = "\n".join(f"- {n}" for n in notes)
    return f"{machine_lines(info, date)}\n{table(rows)}\n{body}\n"


def markdown(title: str, body: str) -> str:
    """The whole ``latest.md``."""
    return (
        f"# {title}\n\n{body}\nHow to read and reproduce this: `bench/README.md`.\n\n"
        f"{ATTRIBUTION}\n"
    )


def readme_section(body: str, record: Path) -> str:
    """What goes between the README's bench markers."""
    return (
        f"{body}\nFull record: `bench/results/{record.name}`; how to read and reproduce it: "
        f"`bench/README.md`.\n\n{ATTRIBUTION}\n"
    )


def update_readme(section: str, readme: Path = README) -> None:
    """Replace the text between the bench markers (adding a Performance section if missing)."""
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    block = f"{START}\n{section.strip()}\n{END}"
    if START in text and END in text and text.index(START) < text.index(END):
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + f"\n\n## Performance\n\n{block}\n"
    readme.write_text(text, encoding="utf-8")

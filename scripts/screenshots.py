"""Take the README's screenshots by driving the real app under Xvfb (``make screenshots``).

    python scripts/screenshots.py [--model DIR] [--out docs/screenshots]

Without a display the script runs itself again under ``xvfb-run`` (1440x900, 24 bits) with the
xcb platform. It queues ../shared/speech/en/jfk.flac, a longer recording it builds from clips of
../shared/speech with pauses between them, and one more clip, transcribes them with the tiny
model, edits a transcript, plays it, and saves:

- empty.png: the window before anything is opened;
- queue.png: the queue at work (one file done, one being transcribed, one waiting);
- editing.png: an edited transcript during playback (the spoken word highlighted, a
  low-confidence word shaded), light colours;
- editing-dark.png: the same in dark colours.

Settings and autosaves go to a temporary folder: a person's own are never touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SPEECH = REPO.parent / "shared" / "speech"
MODEL = REPO.parent / "shared" / "models" / "whisper-tiny.en-mlx"
UNDER_XVFB = "TRANSCRIPT_EDITOR_SCREENSHOTS_XVFB"
SCREEN = "-screen 0 1440x900x24"
WINDOW_SIZE = (1280, 800)
PAUSE_S = 2.5  # longer than the engine's longest kept pause: every clip is a chunk of its own
SAMPLE_RATE = 16_000
READING = [
    "en/librivox_austen/sense_and_sensibility_01_austen_64kb-0870.wav",
    "en/librivox_austen/sense_and_sensibility_01_austen_64kb-0880.wav",
    "en/librivox_austen/sense_and_sensibility_01_austen_64kb-0890.wav",
    "en/librivox_austen/sense_and_sensibility_01_austen_64kb-0920.wav",
    "en/librivox_austen/sense_and_sensibility_01_austen_64kb-0930.wav",
]
TRAVEL = [f"en/fleurs/fleurs-en-00{i}.ogg" for i in range(5)]
MAX_PNG_BYTES = 300_000


def main() -> int:
    args = parse_args()
    if not os.environ.get(UNDER_XVFB) and not os.environ.get("DISPLAY"):
        return rerun_under_xvfb()
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    return take_screenshots(args.model, args.out)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, default=MODEL, help="Whisper model folder (tiny.en)")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    return p.parse_args()


def rerun_under_xvfb() -> int:
    if shutil.which("xvfb-run") is None:
        print("xvfb-run is not installed (apt install xvfb); taking the screenshots offscreen")
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        args = parse_args()
        return take_screenshots(args.model, args.out)
    env = {**os.environ, UNDER_XVFB: "1", "QT_QPA_PLATFORM": "xcb"}
    command = ["xvfb-run", "-a", "-s", SCREEN, sys.executable, __file__, *sys.argv[1:]]
    return subprocess.run(command, env=env, check=False).returncode


def build_recording(clips: list[str], target: Path) -> Path:
    """Concatenate clips (16 kHz mono) with pauses between them into a WAV file."""
    from engine.audio import load_audio

    pause = np.zeros(int(PAUSE_S * SAMPLE_RATE), dtype=np.float32)
    parts: list[np.ndarray] = [pause[: SAMPLE_RATE // 2]]
    for clip in clips:
        parts += [load_audio(SPEECH / clip), pause]
    sf.write(target, np.concatenate(parts), SAMPLE_RATE, subtype="PCM_16")
    return target


def take_screenshots(model: Path, out: Path) -> int:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from ui.app import configure_app

    if not (model / "config.json").is_file():
        print(f"No Whisper model in {model}: pass --model DIR")
        return 1
    work = Path(tempfile.mkdtemp(prefix="screenshots-"))
    app = QApplication(sys.argv[:1])
    configure_app(app, "light")
    # Settings in the temporary folder, under a name of their own.
    QCoreApplication.setOrganizationName("TranscriptEditorScreenshots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work))
    out.mkdir(parents=True, exist_ok=True)
    try:
        Session(app, model, work, out).run()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for png in sorted(out.glob("*.png")):
        size = png.stat().st_size
        flag = "  (over 300 KB!)" if size > MAX_PNG_BYTES else ""
        print(f"{png.relative_to(REPO)}: {size // 1024} KB{flag}")
    return 0


class Session:
    """One run of the app, step by step."""

    def __init__(self, app, model: Path, work: Path, out: Path) -> None:  # type: ignore[no-untyped-def]
        from ui.settings import AppSettings
        from ui.window.main_window import MainWindow

        self.app = app
        self.out = out
        self.work = work
        # One chunk per batch: the transcript streams in a few steps, as with a longer recording.
        settings = AppSettings(model=str(model), batch_size=1, autosave_interval_s=3600)
        self.window = MainWindow(settings, autosave_dir=work / "autosave")
        self.window.resize(*WINDOW_SIZE)
        self.window.move(80, 50)

    def run(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        w = self.window
        w.show()
        self.wait(lambda: w.workspace.runner.loaded_model is not None, 120)
        self.settle(0.5)
        self.save("empty.png")
        self.queue_files()
        self.edit_and_play()
        self.save("editing.png")
        self.dark()
        self.save("editing-dark.png")
        QMessageBox.question = staticmethod(  # type: ignore[method-assign]
            lambda *a, **k: QMessageBox.StandardButton.Discard
        )
        w.close()

    # -- steps ---------------------------------------------------------------------------------
    def queue_files(self) -> None:
        from ui.queue.item_model import JobState

        w = self.window
        reading = build_recording(READING, self.work / "austen-reading.wav")
        travel = build_recording(TRAVEL, self.work / "travel-notes.wav")
        ids = w.commands.add_files(
            [SPEECH / "en" / "jfk.flac", reading, travel, SPEECH / "en/ls_test.flac"]
        )
        model = w.workspace.queue_model
        self.wait(lambda: model.item(ids[1]).state is JobState.DONE, 300)
        w.show_session(ids[2])  # watch the next one stream in

        def halfway() -> bool:
            session = w.workspace.session(ids[2])
            streamed = session is not None and len(session.document.transcript.segments) >= 2
            return streamed and 0.3 <= model.item(ids[2]).progress <= 0.85

        self.wait(halfway, 300)
        w.statusBar().clearMessage()
        self.save("queue.png", settle=0.0)
        self.wait(lambda: all(it.state is JobState.DONE for it in model.items()), 600)
        self.reading_id = ids[1]

    def edit_and_play(self) -> None:
        from editor.commands import ReplaceWordText, SetSpeaker
        from ui.transcript.undo import push_edit

        w = self.window
        w.show_session(self.reading_id)
        session = w.workspace.session(self.reading_id)
        assert session is not None
        transcript = session.document.transcript
        n = len(transcript.segments)
        push_edit(session.undo_stack, session.document, SetSpeaker(tuple(range(n)), "Narrator"))
        for si, wi, word in transcript.words():
            if word.stripped.lower().strip(".,") in ("mister", "mr"):
                push_edit(session.undo_stack, session.document, ReplaceWordText(si, wi, " Mr."))
                break
        probabilities = sorted(word.probability for _, _, word in transcript.words())
        # Shade the least certain word or two, as the default threshold would in a longer file.
        threshold = min(max(0.5, probabilities[min(1, len(probabilities) - 1)] + 0.01), 0.7)
        w.store.set(low_confidence_threshold=threshold)
        spoken = session.document.transcript.segments[min(2, n - 1)].words[3]
        w.player.seek(spoken.start_ms, play=True)
        self.settle(0.4)
        w.editor.setFocus()
        w.statusBar().clearMessage()

    def dark(self) -> None:
        from ui.app import apply_color_scheme

        apply_color_scheme("dark")
        self.settle(0.3)
        self.window.statusBar().clearMessage()

    # -- helpers -------------------------------------------------------------------------------
    def save(self, name: str, settle: float = 0.2) -> None:
        self.settle(settle)
        path = self.out / name
        self.window.grab().save(str(path), "PNG", 0)  # 0: smallest file
        print(f"saved {path}")

    def settle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def wait(self, condition: Callable[[], bool], timeout_s: float) -> None:
        end = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("the app did not get there in time")
            self.app.processEvents()
            time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main())

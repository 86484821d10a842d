from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal, qInstallMessageHandler, qWarning
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMessageBox
from shell_fakes import make_not_audio, make_wav

from ui import app as app_module
from ui.app import apply_color_scheme, build_parser, install_error_handlers, main, setup_logging
from ui.queue.item_model import JobState
from ui.window.error_reporter import ErrorReporter

REPO = Path(__file__).resolve().parents[2]


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


# -- the headless self-test ---------------------------------------------------------------------
@pytest.mark.model
@pytest.mark.slow
def test_self_test_transcribes_without_a_display(tiny_en_model, jfk_flac) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    env["WAYLAND_DISPLAY"] = ""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.app",
            "--self-test",
            str(jfk_flac),
            "--model",
            str(tiny_en_model),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ask not what your country can do for you" in normalised(done.stdout)


@pytest.mark.model
def test_self_test_fails_in_words_on_a_bad_file(tiny_en_model, tmp_path, capsys) -> None:
    bad = make_not_audio(tmp_path / "notes.wav")
    assert main(["--self-test", str(bad), "--model", str(tiny_en_model)]) == 1
    err = capsys.readouterr().err
    assert "notes.wav" in err
    assert "Traceback" not in err


def test_self_test_fails_in_words_without_a_model(tmp_path, capsys) -> None:
    media = make_wav(tmp_path / "a.wav")
    assert main(["--self-test", str(media), "--model", str(tmp_path / "no-model")]) == 1
    assert "no-model" in capsys.readouterr().err


# -- the window from the command line -----------------------------------------------------------
def test_files_on_the_command_line_are_queued(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(
        "ui.window.main_window.default_autosave_dir", lambda: tmp_path / "autosave", raising=True
    )
    files = [make_wav(tmp_path / "one.wav"), make_wav(tmp_path / "two.wav")]
    # A model folder that does not exist: nothing is downloaded, the queue waits for a model.
    args = build_parser().parse_args([*map(str, files), "--model", str(tmp_path / "none")])
    window = app_module.start_window(args)
    qtbot.addWidget(window)
    model = window.workspace.queue_model
    assert [it.name for it in model.items()] == ["one.wav", "two.wav"]
    qtbot.waitUntil(lambda: model.items()[0].state is JobState.FAILED)
    assert window.workspace.runner.paused
    assert str(tmp_path / "none") in model.items()[0].error
    window.close()


# -- errors, logging, colours -------------------------------------------------------------------
@pytest.fixture
def hooks(monkeypatch):
    """Install the app's hooks; restore Python's and Qt's afterwards."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.informativeText()) or 0)
    install_error_handlers()
    yield shown
    qInstallMessageHandler(None)


def test_an_uncaught_error_is_logged_and_shown(qtbot, hooks, caplog) -> None:
    class Emitter(QObject):
        fired = Signal()

    def broken() -> None:
        raise ZeroDivisionError("nothing to divide")

    emitter = Emitter()
    emitter.fired.connect(broken)
    with caplog.at_level(logging.ERROR):
        emitter.fired.emit()  # an exception in a slot: Qt cannot propagate it
    qtbot.waitUntil(lambda: len(hooks) == 1)
    assert "nothing to divide" in hooks[0]
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_an_error_on_another_thread_is_shown_on_the_gui_thread(qtbot, hooks) -> None:
    def fail() -> None:
        raise RuntimeError("worker broke")

    thread = threading.Thread(target=fail)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: any("worker broke" in text for text in hooks))
    assert "RuntimeError: worker broke" in ErrorReporter.instance().shown


def test_qt_warnings_go_to_the_log(hooks, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="qt"):
        qWarning("a Qt warning for the log")
    assert any(r.name == "qt" and "a Qt warning" in r.getMessage() for r in caplog.records)


def test_logging_goes_to_a_rotating_file(tmp_path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_logging(tmp_path / "logs")
        logging.getLogger("ui.test").warning("written to the file")
        for handler in root.handlers:
            handler.flush()
        assert path is not None
        assert "written to the file" in path.read_text(encoding="utf-8")
    finally:
        for handler in set(root.handlers) - set(before):
            root.removeHandler(handler)
            handler.close()


def test_light_and_dark_colours(qapp) -> None:
    original = QApplication.palette()
    try:
        apply_color_scheme("dark")
        assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 100
        apply_color_scheme("light")
        assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 180
    finally:
        QApplication.setPalette(original)


def test_files_the_system_opens_are_queued(qtbot) -> None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QFileOpenEvent

    from ui.app import install_file_open_handler

    opened: list[list[Path]] = []
    install_file_open_handler(opened.append)
    QCoreApplication.sendEvent(QCoreApplication.instance(), QFileOpenEvent("/tmp/talk.m4a"))
    assert opened == [[Path("/tmp/talk.m4a")]]

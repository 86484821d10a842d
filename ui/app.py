"""The ``transcript-editor`` command: the desktop app.

    transcript-editor [FILES...]                     # open the window; queue FILES
    transcript-editor --self-test FILE --model PATH  # transcribe headless, print the text

The self-test creates no window and needs no display (packaging runs it to check a build). The
app logs to a rotating file in the app data folder and to stderr, and an unexpected error is
logged and shown in a dialog instead of ending the app.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Final

__all__ = ["apply_color_scheme", "install_error_handlers", "main", "self_test", "setup_logging"]

log = logging.getLogger(__name__)

ORGANIZATION: Final = "TranscriptEditor"
APPLICATION: Final = "transcript-editor"
ICON_PATH: Final = Path(__file__).resolve().parent / "resources" / "icon.svg"
LOG_BYTES: Final = 1_000_000
LOG_BACKUPS: Final = 3
_following_system = threading.Event()  # connected to the system's colour scheme changes once


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(
        prog="transcript-editor",
        description="Transcribe recordings with Whisper and correct the transcripts.",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="recordings to queue")
    p.add_argument("--self-test", type=Path, metavar="FILE", help="transcribe FILE headless")
    p.add_argument("--model", default=None, help="model name or folder (default: the setting)")
    p.add_argument(
        "--theme",
        choices=("system", "light", "dark"),
        default="system",
        help="colours (default: follow the system)",
    )
    p.add_argument("--verbose", "-v", action="store_true", help="log more to stderr")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app (or the self-test); returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.self_test is not None:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        return self_test(args.self_test, args.model)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    configure_app(app, args.theme)
    setup_logging(log_folder(), verbose=args.verbose)
    install_error_handlers()
    window = start_window(args)
    window.show()
    return app.exec()


def self_test(media: Path, model: str | None) -> int:
    """Transcribe ``media`` without a window and print the text; 0 on success, else 1."""
    from editor.errors import EditorError
    from engine.errors import EngineError
    from engine.models import default_model
    from engine.transcriber import Transcriber
    from ui.files.convert import transcript_from_results

    try:
        transcriber = Transcriber(model or default_model())
        info, segments = transcriber.transcribe(media)
        transcript = transcript_from_results(list(segments), info, media)
    except (EngineError, EditorError) as e:
        print(f"transcript-editor: {e}", file=sys.stderr)  # noqa: T201 - the command's output
        return 1
    print(transcript.text)  # noqa: T201 - the command's output
    return 0


def configure_app(app: object, theme: str = "system") -> None:
    """Name the app (for QSettings and data folders), set its icon, style and colours."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication, QIcon

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setApplicationDisplayName("Transcript Editor")
    QGuiApplication.setDesktopFileName(APPLICATION)
    QGuiApplication.setWindowIcon(QIcon(str(ICON_PATH)))
    apply_color_scheme(theme)


def apply_color_scheme(theme: str = "system") -> None:
    """Fusion with light or dark colours on Linux (following the system); native elsewhere."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from ui.window.palette import dark_palette, light_palette

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if sys.platform.startswith("linux") or theme != "system":
        app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()
    dark = theme == "dark" or (theme == "system" and hints.colorScheme() == Qt.ColorScheme.Dark)
    app.setPalette(dark_palette() if dark else light_palette())
    if theme == "system" and not _following_system.is_set():
        _following_system.set()
        hints.colorSchemeChanged.connect(lambda _scheme: apply_color_scheme("system"))


def start_window(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Create the main window from the parsed arguments: queue the files, offer recovery."""
    import dataclasses

    from PySide6.QtCore import QTimer

    from ui.settings import SettingsStore, load_settings
    from ui.window.main_window import MainWindow

    settings = load_settings()
    if args.model:
        settings = dataclasses.replace(settings, model=args.model)
    window = MainWindow(SettingsStore(settings))
    if args.files:
        window.commands.open_paths(args.files)
    install_file_open_handler(window.commands.open_paths)
    QTimer.singleShot(0, window.commands.offer_recovery)
    return window


def install_file_open_handler(open_paths: Callable[[list[Path]], None]) -> None:
    """Queue files that the system asks the running app to open.

    On macOS, "Open With" and dropping on the Dock icon arrive as ``QEvent.FileOpen`` events,
    not as command-line arguments.
    """
    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtGui import QFileOpenEvent

    class FileOpenFilter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
                open_paths([Path(event.file())])
                return True
            return False

    app = QCoreApplication.instance()
    if app is not None:
        handler = FileOpenFilter(app)
        app.installEventFilter(handler)


# -- logging and errors --------------------------------------------------------------------------
def log_folder() -> Path:
    """``<app data>/logs``."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "logs"


def setup_logging(folder: Path, *, verbose: bool = False) -> Path | None:
    """Log to a rotating file in ``folder`` (INFO) and to stderr (WARNING, INFO if verbose).

    Returns:
        The log file, or None when it cannot be created (stderr only then).
    """
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.INFO if verbose else logging.WARNING)
    stderr.setFormatter(fmt)
    root.addHandler(stderr)
    path = folder / f"{APPLICATION}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as e:
        log.warning("cannot write the log file %s: %s", path, e)
        return None
    handler.setFormatter(fmt)
    root.addHandler(handler)
    return path


def install_error_handlers() -> None:
    """Log uncaught exceptions (any thread) and Qt's messages; show errors in a dialog."""
    from PySide6.QtCore import qInstallMessageHandler

    from ui.window.error_reporter import ErrorReporter, qt_message_handler

    reporter = ErrorReporter.instance()

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.error("Unexpected error", exc_info=(kind, value, tb))
        reporter.report(f"{kind.__name__}: {value}", "".join(traceback.format_tb(tb)))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        hook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
    qInstallMessageHandler(qt_message_handler)


if __name__ == "__main__":
    sys.exit(main())

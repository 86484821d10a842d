"""Fetching model files from the Hugging Face Hub into its cache, with progress and cancel.

Files land in the Hugging Face cache (``HF_HUB_CACHE``) exactly as huggingface_hub lays them out,
so other tools share them; this module writes nowhere else. What an interrupted download leaves
is huggingface_hub's business: 2.x deletes its partial file (Xet keeps a chunk cache to resume
from), older versions keep a resumable ``.incomplete`` blob. Complete files stay cached, so a
retry fetches only what is missing.

Progress: ``hf_hub_download(tqdm_class=...)`` (huggingface_hub >= 1.1) creates one progress bar
per file from the class it is given. Ours draws nothing and hands the bytes to a
`ProgressTracker`. Files are fetched one after another, so the tracker always knows the current
file and the cancel event is honoured at every chunk and between files. (``snapshot_download``
only passes its ``tqdm_class`` to aggregate bars with no file names, or, before 2.x, to a bar
counting files, so it is used here only to plan: ``dry_run=True``.)
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

from huggingface_hub import (
    constants,
    hf_hub_download,
    scan_cache_dir,
    snapshot_download,
    try_to_load_from_cache,
)
from huggingface_hub.errors import (
    CacheNotFound,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.file_download import repo_folder_name

from engine.errors import Cancelled, EngineError, ModelChecksumError, ModelLoadError

__all__ = [
    "DownloadProgress",
    "ProgressTracker",
    "RepoPlan",
    "cached_file",
    "cached_snapshot",
    "delete_repo",
    "fetch",
    "hub_cache_dir",
    "hub_offline",
    "plan_fetch",
    "repo_size_on_disk",
    "sha256_of",
]

logger = logging.getLogger(__name__)

_MB: Final = 1024 * 1024
_CANCEL_POLL_S: Final = 0.2  # how often the Xet watcher looks at the cancel event
_HASH_CHUNK: Final = 8 * _MB  # bytes read at a time when checking a checksum
_TRUE_VALUES: Final = frozenset({"1", "on", "yes", "true"})


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """How far a model download has come.

    Attributes:
        downloaded_bytes: Bytes of this download on disk so far (never decreases).
        total_bytes: Bytes the whole download needs, None if the Hub did not say. It can grow
            once when a tokenizer turns out to be needed from a second repository.
        file: Name of the file being fetched ("weights.safetensors").
    """

    downloaded_bytes: int
    total_bytes: int | None
    file: str

    @property
    def fraction(self) -> float | None:
        """Share done, 0 to 1, or None while the total is unknown."""
        if not self.total_bytes:
            return None
        return min(1.0, self.downloaded_bytes / self.total_bytes)


@dataclass(frozen=True, slots=True)
class RepoPlan:
    """What fetching a repository's files takes, as the Hub listed it.

    Attributes:
        repo: Repository id ("mlx-community/whisper-small-mlx").
        commit: The commit the files are fetched from.
        folder: The cache snapshot folder the files appear in.
        files: Every file that matched the patterns, cached or not.
        missing: (file name, size in bytes or None) of each file still to fetch.
    """

    repo: str
    commit: str
    folder: Path
    files: tuple[str, ...]
    missing: tuple[tuple[str, int | None], ...]

    @property
    def missing_bytes(self) -> int:
        """Bytes still to fetch (files of unknown size count as 0)."""
        return sum(size or 0 for _, size in self.missing)


def hub_cache_dir() -> Path:
    """The Hugging Face cache folder, from the environment as it is now.

    huggingface_hub reads ``HF_HUB_CACHE``/``HF_HOME`` once, at import; reading them here again
    lets settings (and tests) point the app elsewhere later.
    """
    if cache := os.environ.get("HF_HUB_CACHE"):
        return Path(cache).expanduser()
    if home := os.environ.get("HF_HOME"):
        return Path(home).expanduser() / "hub"
    return Path(constants.HF_HUB_CACHE)


def hub_offline() -> bool:
    """Whether Hugging Face offline mode (``HF_HUB_OFFLINE=1``) is on, now or at import."""
    env = os.environ.get("HF_HUB_OFFLINE", "").strip().lower()
    return env in _TRUE_VALUES or bool(constants.HF_HUB_OFFLINE)


def cached_snapshot(repo: str, patterns: Sequence[str], revision: str | None = None) -> Path | None:
    """The cached snapshot folder of a repository, without any network; None if not cached.

    The folder may lack some files (an interrupted download): the caller checks what it needs.
    ``revision`` asks for that commit's snapshot; None for the one ``main`` last pointed at.
    """
    try:
        folder = snapshot_download(
            repo,
            allow_patterns=list(patterns),
            cache_dir=hub_cache_dir(),
            local_files_only=True,
            revision=revision,
        )
    except LocalEntryNotFoundError as e:
        # IncompleteSnapshotError (huggingface_hub >= 2) names a snapshot that the cache's own
        # file list calls incomplete; what is there may still be all a model needs.
        partial = getattr(e, "snapshot_path", None)
        return Path(partial) if partial else None
    except ValueError:
        return None
    except OSError as e:
        logger.warning("Cannot read the Hugging Face cache for %s: %s", repo, e)
        return None
    return Path(folder)


def cached_file(repo: str, filename: str) -> Path | None:
    """A file of a repository's cached snapshot, without any network; None if not cached."""
    try:
        path = try_to_load_from_cache(repo, filename, cache_dir=hub_cache_dir())
    except (ValueError, OSError):
        return None
    return Path(path) if isinstance(path, str) else None


def plan_fetch(repo: str, patterns: Sequence[str], revision: str | None = None) -> RepoPlan:
    """Ask the Hub which files of a repository match the patterns and which are not cached.

    ``revision`` pins the commit to fetch; None takes whatever ``main`` is now.

    Raises:
        ModelLoadError: No connection, unknown or gated repository, or no matching files.
    """
    try:
        infos = snapshot_download(
            repo,
            allow_patterns=list(patterns),
            cache_dir=hub_cache_dir(),
            dry_run=True,
            revision=revision,
            tqdm_class=cast(Any, _ProgressBar),  # the dry run draws bars too, by default
        )
    except Exception as e:  # the Hub client raises many types; all mean "cannot download"
        raise _hub_error(e, repo) from e
    if not infos:
        raise ModelLoadError(
            f"{repo} on Hugging Face has none of the files a model needs ({', '.join(patterns)})"
        )
    first = infos[0]
    folder = Path(first.local_path)
    for _ in Path(first.filename).parts:
        folder = folder.parent
    return RepoPlan(
        repo=repo,
        commit=first.commit_hash,
        folder=folder,
        files=tuple(info.filename for info in infos),
        missing=tuple((i.filename, i.file_size) for i in infos if i.will_download),
    )


class ProgressTracker:
    """Adds up the bytes of every file of one download and reports them, never going back.

    ``on_progress`` is called from the thread that moves the bytes, which may be a download
    thread of huggingface_hub: keep it quick and thread-safe (emitting a Qt signal is).
    """

    def __init__(
        self,
        on_progress: Callable[[DownloadProgress], None] | None,
        cancel: threading.Event | None,
    ) -> None:
        self._on_progress = on_progress
        self._cancel = cancel
        self._owner = threading.get_ident()
        self._lock = threading.Lock()
        self._sizes: dict[str, int | None] = {}
        self._done: dict[str, int] = {}
        self._reported = -1
        self._file = ""

    @property
    def cancel_event(self) -> threading.Event | None:
        """The event that asks the download to stop, if any."""
        return self._cancel

    @property
    def cancelled(self) -> bool:
        """Whether the caller asked to stop."""
        return self._cancel is not None and self._cancel.is_set()

    def check_cancelled(self) -> None:
        """Raise `Cancelled` if asked to stop and this is the thread that started the download.

        Other threads (hf_xet's progress callbacks) only swallow exceptions, so they never raise.
        """
        if self.cancelled and threading.get_ident() == self._owner:
            raise Cancelled("the model download was cancelled")

    def expect(self, plan: RepoPlan) -> None:
        """Count a plan's missing files in the total."""
        with self._lock:
            for name, size in plan.missing:
                key = f"{plan.repo}/{name}"
                self._sizes[key] = size
                self._done.setdefault(key, 0)

    def moved(self, key: str, file: str, position: float) -> None:
        """A file's progress bar is at ``position`` bytes."""
        self.check_cancelled()
        with self._lock:
            size = self._sizes.get(key)
            value = max(0, int(position))
            if size is not None:
                value = min(value, size)
            # A retry rewinds its bar (update(-resume_size)): keep the furthest point reached.
            self._done[key] = max(self._done.get(key, 0), value)
            self._report(file)

    def finished(self, key: str, file: str) -> None:
        """A file is complete."""
        with self._lock:
            self._done[key] = max(self._done.get(key, 0), self._sizes.get(key) or 0)
            self._report(file)

    def _report(self, file: str) -> None:
        downloaded = sum(self._done.values())
        if downloaded <= self._reported and file == self._file:
            return
        self._reported = max(self._reported, downloaded)
        self._file = file
        sizes = self._sizes.values()
        total = None if any(size is None for size in sizes) else sum(s or 0 for s in sizes)
        if self._on_progress is not None:
            self._on_progress(DownloadProgress(self._reported, total, file))


def fetch(
    plan: RepoPlan, tracker: ProgressTracker, sha256: Mapping[str, str] | None = None
) -> Path:
    """Download a plan's missing files into the cache, one after another.

    Args:
        plan: What to fetch (`plan_fetch`).
        tracker: Receives the progress and holds the cancel event.
        sha256: Expected checksums by file name; each such file is checked as soon as it is
            downloaded, and deleted from the cache when it differs.

    Returns:
        The snapshot folder holding the files.

    Raises:
        Cancelled: The cancel event was set; the cache keeps what it can resume.
        ModelChecksumError: A file differs from its checksum; it is no longer in the cache.
        ModelLoadError: No connection, disk full, refused access...
    """
    _check_disk_space(plan)
    with _abort_xet_when_cancelled(tracker.cancel_event):
        for name, size in plan.missing:
            tracker.check_cancelled()
            key = f"{plan.repo}/{name}"
            logger.info("Downloading %s from %s (%s bytes)", name, plan.repo, size)
            tracker.moved(key, name, 0)
            try:
                path = hf_hub_download(
                    plan.repo,
                    name,
                    revision=plan.commit,
                    cache_dir=hub_cache_dir(),
                    # Duck-typed, not a tqdm subclass: huggingface_hub accepts any class
                    # that "mimics its behavior", and ours must never draw.
                    tqdm_class=cast(Any, _bar_class(tracker, key, name)),
                )
            except Cancelled:
                raise
            except Exception as e:  # the Hub client raises many types; all mean "cannot download"
                if tracker.cancelled:
                    raise Cancelled("the model download was cancelled") from e
                raise _hub_error(e, plan.repo) from e
            if sha256 and name in sha256:
                _verify(Path(path), sha256[name], plan.repo, tracker)
            tracker.finished(key, name)
    return plan.folder


def sha256_of(path: Path, check_cancelled: Callable[[], None] | None = None) -> str:
    """The hex sha256 of a file, read in chunks; ``check_cancelled`` runs between them."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
            if check_cancelled is not None:
                check_cancelled()
    return digest.hexdigest()


def _verify(path: Path, expected: str, repo: str, tracker: ProgressTracker) -> None:
    """Check a downloaded file against its pinned checksum; delete it from the cache if wrong.

    huggingface_hub does not check what it downloads against the Hub's sha256, so a damaged
    transfer, a proxy or a replaced file would otherwise be loaded as the model (issue 16).
    """
    try:
        actual = sha256_of(path, tracker.check_cancelled)
    except OSError as e:
        raise ModelLoadError(f"cannot read the downloaded {path.name} of {repo}: {e}") from e
    if actual == expected.lower():
        logger.info("%s of %s matches its pinned sha256", path.name, repo)
        return
    _discard(path)
    raise ModelChecksumError(
        f"the downloaded {path.name} of {repo} is not the file this app was checked with "
        f"(its checksum is {actual[:12]}…, expected {expected[:12]}…), so it was deleted. "
        "Try the download again; if this keeps happening, the network or the repository "
        "changed the file: please report it"
    )


def _discard(path: Path) -> None:
    """Remove a cached file: the snapshot entry and the blob it points at."""
    blob = path.resolve()
    for target in (path, blob):
        try:
            target.unlink(missing_ok=True)
        except OSError as e:
            logger.warning("Cannot delete the rejected file %s: %s", target, e)


class _ProgressBar:
    """Enough of tqdm's interface for huggingface_hub's download loops; draws nothing."""

    def __init__(self, *_args: object, total: float | None = None, initial: float = 0, **_kw: Any):
        self.n: float = initial
        self.total = total
        self.format_dict: dict[str, object] = {}  # read by the Hub's transfer-rate helper
        self._moved()

    def _moved(self) -> None:
        """Report ``self.n``; overridden per file by `_bar_class`."""

    def update(self, n: float | None = 1) -> None:
        """Advance by ``n`` bytes (negative when a retry starts over)."""
        self.n += n or 0
        self._moved()

    # Having `update_transfer` makes huggingface_hub feed Xet downloads into this one bar
    # instead of creating a second one for network bytes.
    def update_transfer(self, n: float | None = 1) -> None:
        """Network bytes (Xet); the bytes written to disk are what counts here."""

    def set_postfix_str(self, *_args: object, **_kw: object) -> None:
        """Ignored: nothing is drawn."""

    set_transfer_postfix_str = set_description = set_description_str = set_postfix_str
    refresh = close = set_postfix_str

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _bar_class(tracker: ProgressTracker, key: str, file: str) -> type[_ProgressBar]:
    """A progress bar class whose bars report one file's bytes to the tracker."""

    class _FileProgressBar(_ProgressBar):
        def _moved(self) -> None:
            tracker.moved(key, file, self.n)

    return _FileProgressBar


@contextmanager
def _abort_xet_when_cancelled(cancel: threading.Event | None) -> Iterator[None]:
    """Abort Xet transfers when ``cancel`` is set, from a watcher thread.

    hf_xet downloads in Rust and only logs exceptions raised by its progress callbacks, so
    raising `Cancelled` from a bar cannot stop it; aborting the Xet session does (it is what
    huggingface_hub does on Ctrl-C). Plain HTTP downloads stop at the bar's exception instead.
    """
    if cancel is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(_CANCEL_POLL_S):
            if cancel.is_set():
                _abort_xet()
                return

    watcher = threading.Thread(target=watch, name="model-download-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _abort_xet() -> None:
    try:
        # Private, but there is no public way to stop a Xet transfer in flight.
        from huggingface_hub.utils._xet import abort_xet_session
    except ImportError:  # another huggingface_hub version: the download stops at the next file
        return
    logger.info("Download cancelled: aborting Xet transfers")
    abort_xet_session()  # type: ignore[no-untyped-call]


def _check_disk_space(plan: RepoPlan) -> None:
    need = plan.missing_bytes
    if not need:
        return
    target = hub_cache_dir()
    while not target.exists() and target != target.parent:
        target = target.parent
    free = shutil.disk_usage(target).free
    if free < need:
        raise ModelLoadError(
            f"not enough free disk space to download {plan.repo}: it needs about "
            f"{need // _MB} MB and {free // _MB} MB are free in {target}; free some space and "
            "try again"
        )


def _hub_error(error: BaseException, repo: str) -> ModelLoadError:
    """A message a person understands for an exception of the Hub client."""
    chain = _exception_chain(error)
    url = f"https://huggingface.co/{repo}"
    if any(isinstance(e, GatedRepoError) for e in chain):
        return ModelLoadError(
            f"{repo} is gated on Hugging Face: ask for access at {url}, log in with "
            "`hf auth login`, and try again"
        )
    if any(isinstance(e, RepositoryNotFoundError | RevisionNotFoundError) for e in chain):
        return ModelLoadError(
            f"{repo} was not found on Hugging Face: check the model name (the repository may "
            "also be private or removed)"
        )
    http = next((e for e in chain if isinstance(e, HfHubHTTPError)), None)
    if http is not None:
        status = http.response.status_code
        if status in (401, 403):
            return ModelLoadError(
                f"Hugging Face refused access to {repo} (error {status}): log in with "
                "`hf auth login` if the model needs it, and try again"
            )
        return ModelLoadError(
            f"Hugging Face answered with error {status} for {repo}: try again later"
        )
    if any(isinstance(e, OSError) and e.errno == errno.ENOSPC for e in chain):
        return ModelLoadError(
            f"the disk is full while downloading {repo}: free some space and try again"
        )
    if any(_is_connection_error(e) for e in chain):
        return ModelLoadError(
            f"{repo} is not downloaded yet and there is no connection to Hugging Face: "
            "check the internet connection and try again"
        )
    return ModelLoadError(f"downloading {repo} failed: {error}")


def _exception_chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _is_connection_error(error: BaseException) -> bool:
    # httpx (huggingface_hub 1.x) and httpx2 (2.x) both derive network failures from a class
    # named TransportError; matching the name works with either without importing them.
    return isinstance(error, ConnectionError | TimeoutError | LocalEntryNotFoundError) or any(
        cls.__name__ == "TransportError" for cls in type(error).__mro__
    )


def repo_size_on_disk(repo: str) -> int:
    """Bytes a repository's cached files take (all revisions and partial downloads)."""
    blobs = hub_cache_dir() / repo_folder_name(repo_id=repo, repo_type="model") / "blobs"
    try:
        return sum(path.stat().st_size for path in blobs.iterdir() if path.is_file())
    except FileNotFoundError:
        return 0


def delete_repo(repo: str) -> int:
    """Remove a repository from the Hugging Face cache, every revision of it.

    Returns:
        Bytes freed (0 when it was not cached).

    Raises:
        EngineError: The files could not be deleted.
    """
    try:
        cache = scan_cache_dir(hub_cache_dir())
    except CacheNotFound:
        return 0
    revisions = [
        revision.commit_hash
        for cached in cache.repos
        if cached.repo_id == repo and cached.repo_type == "model"
        for revision in cached.revisions
    ]
    if not revisions:
        return 0
    strategy = cache.delete_revisions(*revisions)
    try:
        strategy.execute()
    except OSError as e:
        raise EngineError(f"cannot delete {repo} from {hub_cache_dir()}: {e.strerror}") from e
    logger.info(
        "Deleted %s from the Hugging Face cache (%d bytes)", repo, strategy.expected_freed_size
    )
    return strategy.expected_freed_size

"""Pin the catalogue's models: write each one's current commit and weights sha256.

For maintainers, online: ``python scripts/pin_models.py [NAME ...]`` asks the Hugging Face Hub
for the head commit of each catalogue repository and the sha256 the Hub keeps for its weights
file (Git LFS records it), then rewrites ``engine/model_pins.py``. Without names it pins every
model; with names it (re)pins those and keeps the others as they were.

Check a model (transcribe something with it) before committing its pin: a pin says "this exact
file is the one we tested", and the app rejects any other.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.model_pins import PINS  # noqa: E402
from engine.models import CATALOGUE, ModelSpec  # noqa: E402

PINS_FILE = REPO / "engine" / "model_pins.py"
WEIGHT_FILES = ("weights.safetensors", "weights.npz")  # as engine/models.py prefers them

log = logging.getLogger("pin_models")


class HubApi(Protocol):
    """The one call of huggingface_hub.HfApi this script needs (tests pass a fake)."""

    def model_info(self, repo_id: str, *, files_metadata: bool) -> Any: ...


class PinError(Exception):
    """The Hub did not give what a pin needs."""


def pin_for(api: HubApi, spec: ModelSpec) -> tuple[str, str]:
    """(commit, weights sha256) of a catalogue model's repository as the Hub has it now."""
    info = api.model_info(spec.repo, files_metadata=True)
    files = {sibling.rfilename: sibling for sibling in info.siblings or ()}
    weights = next((name for name in WEIGHT_FILES if name in files), None)
    if weights is None:
        raise PinError(f"{spec.repo} has no {' or '.join(WEIGHT_FILES)}")
    sha = getattr(files[weights].lfs, "sha256", None)  # a BlobLfsInfo; None when not in LFS
    if not sha or not info.sha:
        raise PinError(f"the Hub gave no commit or sha256 for {spec.repo}/{weights}")
    return str(info.sha), str(sha)


def render(pins: dict[str, tuple[str, str]]) -> str:
    """The text of engine/model_pins.py holding ``pins``, in catalogue order."""
    text = PINS_FILE.read_text(encoding="utf-8")
    head = text[: text.index("PINS: Final")]
    order = [s.name for s in CATALOGUE]
    names = sorted(pins, key=lambda n: order.index(n) if n in order else len(order))
    if not names:
        return head + "PINS: Final[dict[str, tuple[str, str]]] = {}\n"
    lines = ["PINS: Final[dict[str, tuple[str, str]]] = {"]
    for name in names:
        commit, sha = pins[name]
        lines += [f'    "{name}": (', f'        "{commit}",', f'        "{sha}",', "    ),"]
    return head + "\n".join([*lines, "}"]) + "\n"


def pin(api: HubApi, names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The current pins with those of ``names`` asked of the Hub again."""
    pins = dict(PINS)
    for name in names:
        spec = next((s for s in CATALOGUE if s.name == name), None)
        if spec is None:
            raise PinError(f"{name} is not in the catalogue")
        pins[name] = pin_for(api, spec)
        log.info("%s: %s, weights sha256 %s", name, *pins[name])
    return {name: p for name, p in pins.items() if any(s.name == name for s in CATALOGUE)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="catalogue names (default: all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from huggingface_hub import HfApi

    try:
        pins = pin(HfApi(), args.names or [s.name for s in CATALOGUE])
    except PinError as e:
        log.error("%s", e)
        return 1
    PINS_FILE.write_text(render(pins), encoding="utf-8")
    log.info("Wrote %d pins to %s: check the models, then commit it", len(pins), PINS_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())

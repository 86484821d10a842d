"""Helpers for the fuzz tests: strategies that damage valid files the way disks, downloads and
editors do, and the checks every fuzzed error message must pass."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

# Bytes that parsers treat specially: NUL, line ends, high bits, separators, digits.
_INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\r", b"\n", b"\r\n", b"-->", b":", b"9" * 12]


@st.composite
def mutated(draw: st.DrawFn, valid: bytes, max_steps: int = 6) -> bytes:
    """``valid`` after a few random cuts, bit flips, insertions, duplications and overwrites."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, max_steps))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat", "special"]))
        if op == "truncate":
            del data[at:]
        elif op == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 256))]
        elif op == "special":
            piece = draw(st.sampled_from(_INTERESTING))
            data[at : at + len(piece)] = piece
    return bytes(data)


def damaged(valid: bytes) -> st.SearchStrategy[bytes]:
    """Mutations of ``valid``, arbitrary bytes, and ``valid`` cut at any point."""
    cut = st.integers(0, len(valid)).map(lambda n: valid[:n])
    return st.one_of(mutated(valid), st.binary(max_size=2000), cut)


def write_as(folder: str | Path, data: bytes, ext: str, stem: str = "fuzzed") -> Path:
    """``data`` written to ``folder``/``stem``.``ext`` (no extension when ``ext`` is empty)."""
    path = Path(folder) / (f"{stem}.{ext}" if ext else stem)
    path.write_bytes(data)
    return path


def assert_plain(message: str) -> None:
    """An error message a person can read: there, on one line, and no traceback."""
    assert message
    assert "\n" not in message.strip()
    assert "Traceback" not in message

"""Read a GGUF file's metadata keys without loading the model (pure Python, header only).

Used to refuse a base model (no ``tokenizer.chat_template``) before a model server is started for
it: a model without a chat template would be silently mis-prompted in another model's format.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

#: GGUF value types: the struct format of each fixed-size scalar
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


class GGUFError(ValueError):
    """The file is not a GGUF model (or is truncated)."""


def _read(f: BinaryIO, fmt: str) -> tuple:
    size = struct.calcsize(fmt)
    raw = f.read(size)
    if len(raw) != size:
        raise GGUFError("truncated GGUF header")
    return struct.unpack(fmt, raw)


def _string(f: BinaryIO) -> str:
    (n,) = _read(f, "<Q")
    return f.read(n).decode("utf-8", errors="replace")


def _value(f: BinaryIO, kind: int, keep: bool) -> object:
    if kind in _SCALARS:
        return _read(f, "<" + _SCALARS[kind])[0]
    if kind == _STRING:
        return _string(f)
    if kind == _ARRAY:
        inner, n = _read(f, "<IQ")
        if inner in _SCALARS and not keep:
            f.seek(n * struct.calcsize(_SCALARS[inner]), 1)  # skip big arrays (token scores) unread
            return None
        items = [_value(f, inner, keep) for _ in range(n)]
        return items if keep else None
    raise GGUFError(f"unknown GGUF value type {kind}")


def metadata(path: Path, keys: set[str] | None = None) -> dict[str, object]:
    """The file's metadata: every key, with the value of those in ``keys`` (others map to None)."""
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise GGUFError(f"{path} is not a GGUF model file")
        version, _tensors, count = _read(f, "<IQQ")
        if version < 2:
            raise GGUFError(f"{path}: GGUF version {version} is too old")
        out: dict[str, object] = {}
        for _ in range(count):
            key = _string(f)
            (kind,) = _read(f, "<I")
            out[key] = _value(f, kind, keys is None or key in keys)
        return out


def chat_template(path: Path) -> str | None:
    """The model's own chat template, or None (a base model, or one converted without it)."""
    value = metadata(path, {"tokenizer.chat_template"}).get("tokenizer.chat_template")
    return value if isinstance(value, str) and value.strip() else None

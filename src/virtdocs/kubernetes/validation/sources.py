"""Where manifests come from: files, folders (recursively) and stdin.

The edge of the package: it touches the file system and turns every I/O
problem into one :class:`~virtdocs.errors.UserError` line naming the path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from virtdocs.errors import UserError

#: What a folder is searched for.
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"


@dataclass(frozen=True)
class Source:
    """One input: the name errors will show (a path or ``-``) and its text."""

    name: str
    text: str


def decode(data: bytes, name: str) -> str:
    """UTF-8 text, or a UserError for binary data."""
    if b"\0" in data:
        raise UserError(f"{name}: not a text file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(f"{name}: not UTF-8 text (byte {error.start + 1})") from None


def _read_file(path: Path) -> Source:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file or folder") from None
    except PermissionError:
        raise UserError(f"{path}: permission denied") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror or error}") from None
    return Source(str(path), decode(data, str(path)))


def _folder_files(folder: Path) -> list[Path]:
    found = sorted(
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in MANIFEST_SUFFIXES and path.is_file()
    )
    if not found:
        raise UserError(f"{folder}: no *.yaml, *.yml or *.json files in this folder")
    return found


def read_sources(paths: Sequence[str], stdin: BinaryIO) -> list[Source]:
    """Read every input in order; a folder expands to its manifest files, sorted."""
    sources: list[Source] = []
    for raw in paths:
        if raw == STDIN:
            text = decode(stdin.read(), STDIN)  # messages name stdin "-", as it was given
            if not text.strip():
                raise UserError("-: stdin is empty; pipe a manifest in or name a file")
            sources.append(Source(STDIN, text))
            continue
        path = Path(raw)
        if path.is_dir():
            sources.extend(_read_file(file) for file in _folder_files(path))
        else:
            sources.append(_read_file(path))
    return sources

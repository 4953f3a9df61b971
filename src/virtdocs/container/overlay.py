"""Overlay filesystem semantics: read-only lower layers, one writable upper.

Reads fall through to the highest layer that has the path. The first write
to a lower file copies it up whole into the upper layer (the lower stays
untouched and shared). Deleting a lower file leaves a whiteout in the upper
layer that hides it. ``diff()`` lists changes as ``docker diff`` does and
``to_layer()`` turns the upper layer into an OCI changeset (``docker commit``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from virtdocs.container.layers import Entry, Layer, apply_layers, normalize, whiteout_for
from virtdocs.errors import UserError


@dataclass
class Overlay:
    """A container's root filesystem: ``lower`` is the image, ``upper`` its own."""

    lower_layers: list[Layer]
    upper: dict[str, Entry] = field(default_factory=dict)
    whiteouts: set[str] = field(default_factory=set)
    copied_up: list[str] = field(default_factory=list)
    copied_up_bytes: int = 0

    def __post_init__(self) -> None:
        self.lower = apply_layers(self.lower_layers)

    def _lookup(self, path: str) -> Entry | None:
        path = normalize(path)
        if path in self.upper:
            return self.upper[path]
        node = path
        while node != "/":
            if node in self.whiteouts:
                return None
            node = posixpath.dirname(node)
        return self.lower.get(path) if path != "/" else Entry(None, 0o755)

    def exists(self, path: str) -> bool:
        return self._lookup(path) is not None

    def read(self, path: str) -> bytes:
        entry = self._lookup(path)
        if entry is None:
            raise UserError(f"{path}: No such file or directory")
        if entry.is_dir:
            raise UserError(f"{path}: Is a directory")
        assert entry.data is not None
        return entry.data

    def listdir(self, path: str) -> list[str]:
        base = normalize(path)
        entry = self._lookup(base)
        if entry is None or not entry.is_dir:
            raise UserError(f"{path}: No such file or directory")
        prefix = base.rstrip("/") + "/"
        names = {
            p[len(prefix) :].split("/")[0]
            for p in [*self.lower, *self.upper]
            if p.startswith(prefix)
        }
        return sorted(n for n in names if self.exists(prefix + n))

    def write(self, path: str, data: bytes, *, append: bool = False) -> str:
        """Write a file; returns ``copy-up``, ``create`` or ``update``."""
        path = normalize(path)
        parent = posixpath.dirname(path)
        if not self.exists(parent):
            raise UserError(f"{path}: No such file or directory")
        current = self._lookup(path)
        if current is not None and current.is_dir:
            raise UserError(f"{path}: Is a directory")
        if path in self.upper:
            action = "update"
        elif current is not None:
            # Copy-up: the whole lower file is copied before the first change.
            assert current.data is not None
            action = "copy-up"
            self.copied_up.append(path)
            self.copied_up_bytes += len(current.data)
        else:
            action = "create"
        old = current.data if (append and current is not None and current.data) else b""
        self.whiteouts.discard(path)
        self.upper[path] = Entry(old + data, current.mode if current else 0o644)
        return action

    def mkdir(self, path: str) -> None:
        path = normalize(path)
        if self.exists(path):
            raise UserError(f"mkdir: cannot create directory {path!r}: File exists")
        if not self.exists(posixpath.dirname(path)):
            raise UserError(f"mkdir: cannot create directory {path!r}: No such file or directory")
        self.whiteouts.discard(path)
        self.upper[path] = Entry(None, 0o755)

    def delete(self, path: str) -> None:
        """``rm -r``: drop from the upper layer and white out anything below."""
        path = normalize(path)
        if not self.exists(path):
            raise UserError(f"rm: cannot remove {path!r}: No such file or directory")
        for p in [p for p in self.upper if p == path or p.startswith(path + "/")]:
            del self.upper[p]
        if path in self.lower:
            self.whiteouts.add(path)

    def diff(self) -> list[str]:
        """``docker diff``: ``A`` added, ``C`` changed, ``D`` deleted; parents of
        changes count as changed."""
        marks: dict[str, str] = {}
        for path in self.upper:
            marks[path] = "C" if path in self.lower else "A"
        for path in self.whiteouts:
            marks[path] = "D"
        for path in list(marks):
            node = posixpath.dirname(path)
            while node != "/":
                marks.setdefault(node, "C")
                node = posixpath.dirname(node)
        return [f"{mark} {path}" for path, mark in sorted(marks.items())]

    def to_layer(self, comment: str = "") -> Layer:
        """The upper layer as a changeset: files plus ``.wh.`` whiteouts."""
        entries = dict(self.upper)
        for path in self.whiteouts:
            entries[whiteout_for(path)] = Entry(b"", 0o644)
        return Layer(entries, comment)

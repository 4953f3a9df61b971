"""Image layers as real tar archives, addressed by the sha256 of their bytes.

A layer is a changeset (OCI image-spec, layer.md): files added or changed,
and deletions recorded as *whiteout* files named ``.wh.<name>``; the special
``.wh..wh..opq`` marks a directory as opaque (hide everything below it).
Archives are written with fixed metadata (mtime 0, uid/gid 0, sorted names,
no compression) so the same content always has the same digest.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass

from virtdocs.errors import UserError

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar"


@dataclass(frozen=True)
class Entry:
    """A regular file (``data``) or a directory (``data is None``)."""

    data: bytes | None
    mode: int = 0o644

    @property
    def is_dir(self) -> bool:
        return self.data is None


def normalize(path: str) -> str:
    """Absolute, normalized POSIX path; rejects escaping the root."""
    if not path.startswith("/"):
        raise UserError(f"layer path {path!r} must be absolute")
    clean = posixpath.normpath(path)
    return "/" if clean in ("/", "//") else clean


def whiteout_for(path: str) -> str:
    """``/etc/motd`` is deleted by a layer holding ``/etc/.wh.motd``.

    >>> whiteout_for("/etc/motd")
    '/etc/.wh.motd'
    """
    head, tail = posixpath.split(normalize(path))
    return posixpath.join(head, WHITEOUT_PREFIX + tail)


@dataclass(frozen=True)
class Layer:
    """A changeset: path → entry, whiteouts included as empty files."""

    entries: Mapping[str, Entry]
    comment: str = ""

    def tar_bytes(self) -> bytes:
        """The layer as an uncompressed tar with deterministic metadata."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path in sorted(_with_parents(self.entries)):
                entry = self.entries.get(path, Entry(None, 0o755))
                info = tarfile.TarInfo(path.lstrip("/") + ("/" if entry.is_dir else ""))
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                info.mode = entry.mode
                if entry.is_dir:
                    info.type = tarfile.DIRTYPE
                    tar.addfile(info)
                else:
                    assert entry.data is not None
                    info.size = len(entry.data)
                    tar.addfile(info, io.BytesIO(entry.data))
            end = tar.offset
        # Keep the two zero blocks that end an archive but drop tarfile's padding
        # to a 10 KiB record, as Go's archive/tar (used by Docker) writes layers.
        return buffer.getvalue()[: end + 2 * tarfile.BLOCKSIZE]

    @property
    def digest(self) -> str:
        """``sha256:<hex>`` of the tar; for an uncompressed layer this is also
        the ``diff_id`` the image config lists."""
        return "sha256:" + hashlib.sha256(self.tar_bytes()).hexdigest()

    @property
    def size(self) -> int:
        return len(self.tar_bytes())

    @classmethod
    def from_tar(cls, data: bytes) -> Layer:
        """Read a layer back from tar bytes (the round trip keeps the digest)."""
        entries: dict[str, Entry] = {}
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            for member in tar.getmembers():
                path = normalize("/" + member.name.rstrip("/"))
                if member.isdir():
                    entries[path] = Entry(None, member.mode)
                else:
                    handle = tar.extractfile(member)
                    entries[path] = Entry(handle.read() if handle else b"", member.mode)
        return cls(entries)


def _with_parents(entries: Mapping[str, Entry]) -> set[str]:
    paths: set[str] = set()
    for path in entries:
        node = normalize(path)
        while node != "/":
            paths.add(node)
            node = posixpath.dirname(node)
    return paths


def layer_from_files(files: Mapping[str, str | bytes | None], comment: str = "") -> Layer:
    """Build a layer from ``path → content``; ``None`` content means delete
    (a whiteout), a path ending in ``/`` an empty directory."""
    entries: dict[str, Entry] = {}
    for path, content in files.items():
        if content is None:
            entries[whiteout_for(path)] = Entry(b"", 0o644)
        elif path.endswith("/") and path != "/":
            entries[normalize(path)] = Entry(None, 0o755)
        else:
            data = content.encode() if isinstance(content, str) else content
            mode = 0o755 if normalize(path).startswith(("/bin/", "/usr/bin/", "/sbin/")) else 0o644
            entries[normalize(path)] = Entry(data, mode)
    return Layer(entries, comment)


def apply_layers(layers: list[Layer]) -> dict[str, Entry]:
    """Flatten layers (bottom first) into one tree, honouring whiteouts.

    >>> base = layer_from_files({"/etc/motd": "hi", "/etc/hosts": "h"})
    >>> top = layer_from_files({"/etc/motd": None})
    >>> sorted(apply_layers([base, top]))
    ['/etc', '/etc/hosts']
    """
    tree: dict[str, Entry] = {}
    for layer in layers:
        for path in sorted(layer.entries):
            head, name = posixpath.split(path)
            if name == OPAQUE_MARKER:
                for old in [p for p in tree if p.startswith(head.rstrip("/") + "/")]:
                    del tree[old]
            elif name.startswith(WHITEOUT_PREFIX):
                gone = posixpath.join(head, name[len(WHITEOUT_PREFIX) :])
                for old in [p for p in tree if p == gone or p.startswith(gone + "/")]:
                    del tree[old]
        for path, entry in layer.entries.items():
            if not posixpath.basename(path).startswith(WHITEOUT_PREFIX):
                tree[path] = entry
        for parent in _with_parents(layer.entries):
            tree.setdefault(parent, Entry(None, 0o755))
    return {p: e for p, e in tree.items() if not posixpath.basename(p).startswith(WHITEOUT_PREFIX)}

"""OCI images: a manifest that points at a config and at layers, by digest.

``docker pull`` fetches the manifest for ``name:tag``, then each blob it does
not already have; layers shared with images already present are reported as
``Already exists`` and stored once. An image's ID is its config's digest.
Media types are those of the OCI image-spec v1.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from virtdocs.container.layers import LAYER_MEDIA_TYPE, Layer, layer_from_files
from virtdocs.errors import UserError

MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json"


def canonical_json(value: object) -> bytes:
    """Stable bytes for hashing: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def short_id(digest: str) -> str:
    """The 12 hex characters Docker shows.

    >>> short_id("sha256:0123456789abcdef0123")
    '0123456789ab'
    """
    return digest.removeprefix("sha256:")[:12]


def split_reference(ref: str) -> tuple[str, str]:
    """``alpine`` → ``("alpine", "latest")``; ``alpine:3.20`` → ``("alpine", "3.20")``."""
    last = ref.rsplit("/", maxsplit=1)[-1]
    name, tag = (ref.rsplit(":", 1)[0], last.split(":", 1)[1]) if ":" in last else (ref, "latest")
    if not name or not tag:
        raise UserError("invalid reference format")
    if name != name.lower():
        # distribution/reference names the path after adding Docker Hub's "library/".
        path = name if "/" in name else f"library/{name}"
        raise UserError(f"invalid reference format: repository name ({path}) must be lowercase")
    return name, tag


@dataclass(frozen=True)
class Image:
    """An image: its layers (bottom first) and runtime defaults."""

    name: str
    tag: str
    layers: tuple[Layer, ...]
    cmd: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    workdir: str = "/"

    @property
    def config(self) -> dict[str, object]:
        return {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": list(self.cmd), "Env": list(self.env), "WorkingDir": self.workdir},
            "rootfs": {"type": "layers", "diff_ids": [layer.digest for layer in self.layers]},
            "history": [{"created_by": layer.comment} for layer in self.layers],
        }

    @property
    def config_bytes(self) -> bytes:
        return canonical_json(self.config)

    @property
    def id(self) -> str:
        """Docker's image ID: the config digest."""
        return sha256(self.config_bytes)

    @property
    def manifest(self) -> dict[str, object]:
        return {
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "config": {
                "mediaType": CONFIG_MEDIA_TYPE,
                "digest": self.id,
                "size": len(self.config_bytes),
            },
            "layers": [
                {"mediaType": LAYER_MEDIA_TYPE, "digest": layer.digest, "size": layer.size}
                for layer in self.layers
            ],
        }

    @property
    def digest(self) -> str:
        """The manifest digest, printed by ``docker pull`` as ``Digest:``."""
        return sha256(canonical_json(self.manifest))

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers)


@dataclass
class Registry:
    """A local, simulated registry: ``name:tag`` → image."""

    images: dict[str, Image] = field(default_factory=dict)

    def push(self, image: Image) -> None:
        self.images[f"{image.name}:{image.tag}"] = image

    def resolve(self, name: str, tag: str) -> Image | None:
        return self.images.get(f"{name}:{tag}")

    def has_repository(self, name: str) -> bool:
        return any(ref.rpartition(":")[0] == name for ref in self.images)

    @classmethod
    def from_toml(cls, path: Path) -> Registry:
        """Load images from a TOML file (see ``examples/containers/registry.toml``).

        Each ``[[image]]`` has ``ref``, optional ``base`` (another ref whose
        layers come first), ``cmd``, ``env`` and ``[[image.layer]]`` tables with
        ``comment`` and ``files`` (path → text; ``false`` deletes the path).
        """
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:  # strerror alone: the path is already in front
            raise UserError(f"{path}: {error.strerror or error}") from None
        except tomllib.TOMLDecodeError as error:
            raise UserError(f"{path}: {error}") from None
        registry = cls()
        for number, spec in enumerate(data.get("image", []), start=1):
            where = f"{path}: image #{number}"
            if "ref" not in spec:
                raise UserError(f"{where}: missing 'ref'")
            name, tag = split_reference(spec["ref"])
            base_layers: tuple[Layer, ...] = ()
            if "base" in spec:
                base_name, base_tag = split_reference(spec["base"])
                base = registry.resolve(base_name, base_tag)
                if base is None:
                    raise UserError(f"{where}: base {spec['base']!r} must be defined earlier")
                base_layers = base.layers
            layers = tuple(
                layer_from_files(
                    {p: (None if c is False else c) for p, c in layer.get("files", {}).items()},
                    layer.get("comment", ""),
                )
                for layer in spec.get("layer", [])
            )
            registry.push(
                Image(
                    name,
                    tag,
                    base_layers + layers,
                    tuple(spec.get("cmd", ())),
                    tuple(spec.get("env", ())),
                    spec.get("workdir", "/"),
                )
            )
        return registry


@dataclass
class ImageStore:
    """The engine's local content store: every blob once, by digest."""

    blobs: dict[str, int] = field(default_factory=dict)
    images: dict[str, Image] = field(default_factory=dict)

    def has(self, digest: str) -> bool:
        return digest in self.blobs

    def add(self, image: Image) -> list[tuple[str, bool]]:
        """Store an image; returns ``(layer digest, already present)`` per layer."""
        report = []
        for layer in image.layers:
            present = layer.digest in self.blobs
            self.blobs.setdefault(layer.digest, layer.size)
            report.append((layer.digest, present))
        self.images[f"{image.name}:{image.tag}"] = image
        return report

    def get(self, name: str, tag: str) -> Image | None:
        return self.images.get(f"{name}:{tag}")

    def disk_usage(self) -> tuple[int, int]:
        """(bytes stored, bytes if every image kept its own copy of each layer)."""
        naive = sum(image.size for image in self.images.values())
        return sum(self.blobs.values()), naive

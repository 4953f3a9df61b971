"""OCI-style images: tar layers by sha256, manifests, configs, shared layers."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from virtdocs.container.images import (
    CONFIG_MEDIA_TYPE,
    MANIFEST_MEDIA_TYPE,
    Image,
    ImageStore,
    Registry,
    split_reference,
)
from virtdocs.container.layers import Layer, apply_layers, layer_from_files
from virtdocs.errors import UserError


def test_digest_is_sha256_of_the_real_tar_bytes() -> None:
    layer = layer_from_files({"/etc/motd": "hello\n"})
    data = layer.tar_bytes()
    assert layer.digest == "sha256:" + hashlib.sha256(data).hexdigest()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert set(members) == {"etc", "etc/motd"}  # tarfile strips the trailing slash
    motd = members["etc/motd"]
    assert (motd.mtime, motd.uid, motd.gid, motd.uname) == (0, 0, 0, "")


def test_digests_are_deterministic_and_content_addressed() -> None:
    a = layer_from_files({"/a": "1", "/b": "2"})
    b = layer_from_files({"/b": "2", "/a": "1"})
    c = layer_from_files({"/a": "1", "/b": "3"})
    assert a.digest == b.digest != c.digest
    assert Layer.from_tar(a.tar_bytes()).digest == a.digest


def test_whiteouts_follow_the_oci_layer_spec() -> None:
    base = layer_from_files({"/etc/motd": "hi", "/etc/app/a.conf": "a", "/etc/app/b.conf": "b"})
    deletes = layer_from_files({"/etc/motd": None})
    assert "/etc/.wh.motd" in deletes.entries
    assert "/etc/motd" not in apply_layers([base, deletes])
    opaque = Layer({"/etc/app/.wh..wh..opq": deletes.entries["/etc/.wh.motd"]})
    tree = apply_layers([base, opaque])
    assert "/etc/app/a.conf" not in tree and "/etc/app" in tree and "/etc/motd" in tree
    gone_dir = layer_from_files({"/etc/app": None})
    assert not any(path.startswith("/etc/app") for path in apply_layers([base, gone_dir]))


def test_manifest_and_config_point_at_their_blobs(registry: Registry) -> None:
    image = registry.resolve("nginx", "1.27-alpine")
    assert image is not None
    manifest = image.manifest
    assert manifest["schemaVersion"] == 2 and manifest["mediaType"] == MANIFEST_MEDIA_TYPE
    config = manifest["config"]
    assert isinstance(config, dict)
    assert config["mediaType"] == CONFIG_MEDIA_TYPE
    assert config["digest"] == "sha256:" + hashlib.sha256(image.config_bytes).hexdigest()
    assert json.loads(image.config_bytes)["rootfs"]["diff_ids"] == [
        layer.digest for layer in image.layers
    ]
    layers = manifest["layers"]
    assert isinstance(layers, list)
    assert [entry["size"] for entry in layers] == [len(x.tar_bytes()) for x in image.layers]


def test_shared_layers_are_stored_once(registry: Registry) -> None:
    store = ImageStore()
    for name, tag in (("alpine", "3.20"), ("nginx", "1.27-alpine"), ("app", "1.0")):
        image = registry.resolve(name, tag)
        assert image is not None
        report = store.add(image)
        assert next(present for _, present in report) is (name != "alpine")
    stored, naive = store.disk_usage()
    base = registry.resolve("alpine", "3.20")
    assert base is not None
    assert naive - stored == 2 * base.layers[0].size  # the base layer, saved twice


def test_references() -> None:
    assert split_reference("alpine") == ("alpine", "latest")
    assert split_reference("localhost:5000/team/app:2") == ("localhost:5000/team/app", "2")
    with pytest.raises(UserError, match=r"repository name \(library/Alpine\) must be lowercase"):
        split_reference("Alpine")
    with pytest.raises(UserError, match=r"repository name \(team/App\) must be lowercase"):
        split_reference("team/App:1")
    with pytest.raises(UserError, match="invalid reference format"):
        split_reference("alpine:")


def test_registry_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "r.toml"
    bad.write_text('[[image]]\nref = "x:1"\nbase = "y:1"\n')
    with pytest.raises(UserError, match="must be defined earlier"):
        Registry.from_toml(bad)
    bad.write_text("[[image]\n")
    with pytest.raises(UserError, match=str(bad)):
        Registry.from_toml(bad)
    bad.write_text('[[image]]\ncmd = ["x"]\n')
    with pytest.raises(UserError, match="missing 'ref'"):
        Registry.from_toml(bad)


def test_image_id_is_config_digest() -> None:
    image = Image("x", "1", (layer_from_files({"/a": "1"}),), ("a",))
    assert image.id == image.manifest["config"]["digest"]  # type: ignore[index]

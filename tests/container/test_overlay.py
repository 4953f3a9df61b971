"""Overlay semantics: copy-up, whiteouts, diff, commit."""

from __future__ import annotations

import pytest

from virtdocs.container.layers import apply_layers, layer_from_files
from virtdocs.container.overlay import Overlay
from virtdocs.errors import UserError


def _fs() -> Overlay:
    base = layer_from_files({"/etc/motd": "hi\n", "/etc/hosts": "h\n", "/bin/sh": "sh"})
    return Overlay([base])


def test_first_write_copies_up_and_leaves_the_lower_alone() -> None:
    fs = _fs()
    lower_digest = fs.lower_layers[0].digest
    assert fs.write("/etc/motd", b"bye\n") == "copy-up"
    assert fs.write("/etc/motd", b"again\n") == "update"
    assert fs.write("/etc/new", b"x") == "create"
    assert fs.read("/etc/motd") == b"again\n"
    assert fs.copied_up == ["/etc/motd"] and fs.copied_up_bytes == 3
    assert fs.lower_layers[0].digest == lower_digest
    assert fs.lower["/etc/motd"].data == b"hi\n"


def test_delete_leaves_a_whiteout() -> None:
    fs = _fs()
    fs.delete("/etc/motd")
    assert not fs.exists("/etc/motd")
    assert fs.listdir("/etc") == ["hosts"]
    layer = fs.to_layer()
    assert "/etc/.wh.motd" in layer.entries
    assert "/etc/motd" not in apply_layers([*fs.lower_layers, layer])
    fs.write("/etc/motd", b"back\n")  # recreating a deleted file clears the whiteout
    assert fs.read("/etc/motd") == b"back\n"


def test_docker_diff_marks() -> None:
    fs = _fs()
    fs.write("/etc/motd", b"x")
    fs.mkdir("/srv")
    fs.write("/srv/app", b"y")
    fs.delete("/bin/sh")
    assert fs.diff() == ["C /bin", "D /bin/sh", "C /etc", "C /etc/motd", "A /srv", "A /srv/app"]


def test_errors_read_like_the_shell() -> None:
    fs = _fs()
    with pytest.raises(UserError, match="No such file"):
        fs.read("/nope")
    with pytest.raises(UserError, match="Is a directory"):
        fs.read("/etc")
    with pytest.raises(UserError, match="No such file"):
        fs.write("/missing/dir/file", b"x")
    with pytest.raises(UserError, match="File exists"):
        fs.mkdir("/etc")
    with pytest.raises(UserError, match="cannot remove"):
        fs.delete("/nope")

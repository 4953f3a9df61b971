"""User namespaces: id maps in the format of /proc/PID/uid_map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.container.kernel import Kernel
from virtdocs.container.namespaces import NsType
from virtdocs.container.userns import OVERFLOW_ID, IdMap
from virtdocs.errors import UserError


def test_root_inside_is_unprivileged_outside() -> None:
    kernel = Kernel()
    user = kernel.clone(kernel.init, ("sh",), uid=1000).process
    assert user is not None
    child = kernel.clone(user, ("sh",), frozenset({NsType.USER})).process
    assert child is not None
    # Before a map is written every id is unmapped: the overflow id.
    assert kernel.uid_in_namespace(child) == OVERFLOW_ID
    kernel.set_id_maps(child, "0 1000 1", "0 1000 1")
    assert kernel.uid_in_namespace(child) == 0
    assert child.uid == 1000
    assert kernel.uid_map_text(child) == "         0       1000          1\n"
    with pytest.raises(UserError, match="already written"):
        kernel.set_id_maps(child, "0 1000 1", "0 1000 1")


def test_render_matches_kernel_format() -> None:
    # user_namespaces(7): three fields, each right-aligned in 10 columns.
    assert IdMap.parse("0 100000 65536").render() == "         0     100000      65536\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 100000", "uid_map:1: expected"),
        ("0 -1 5", "uid_map:1: expected"),
        ("0 100 0", "empty or too large"),
        ("0 100 10\n5 500 10", "overlap on the inside side"),
        ("", "at least one line"),
    ],
)
def test_bad_maps_name_the_line(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        IdMap.parse(text)


def test_at_most_340_lines() -> None:
    # user_namespaces(7): the limit is 340 lines since Linux 4.15.
    lines = "\n".join(f"{i} {100000 + i} 1" for i in range(341))
    with pytest.raises(UserError, match="341 lines, the kernel allows 340"):
        IdMap.parse(lines)
    assert len(IdMap.parse("\n".join(lines.splitlines()[:340])).extents) == 340


@settings(max_examples=50, deadline=None)
@given(
    inside=st.integers(0, 10**6),
    outside=st.integers(0, 10**6),
    count=st.integers(1, 10**5),
    offset=st.integers(0, 10**5),
)
def test_mapping_round_trips(inside: int, outside: int, count: int, offset: int) -> None:
    idmap = IdMap.parse(f"{inside} {outside} {count}")
    uid = inside + offset % count
    host = idmap.to_outside(uid)
    assert host == outside + offset % count
    assert idmap.to_inside(host) == uid
    assert idmap.to_outside(inside + count) is None

"""The reader's host, read through an injected root (never the real one)."""

from __future__ import annotations

from pathlib import Path

from virtdocs.container.host import read_host

SAMPLE = Path(__file__).resolve().parents[2] / "examples/containers/host-root"


def test_sample_tree() -> None:
    view = read_host(SAMPLE)
    assert view.namespaces["pid"] == "pid:[4026531836]"
    assert len(view.namespaces) == 8
    assert view.cgroup == "/user.slice/user-1000.slice/session-2.scope"
    assert view.limits == {"cpu.max": "max 100000", "memory.max": "max", "pids.max": "4915"}
    assert view.problems == ()


def test_symlinks_are_read_as_links(tmp_path: Path) -> None:
    ns = tmp_path / "proc/self/ns"
    ns.mkdir(parents=True)
    (ns / "uts").symlink_to("uts:[4026531838]")
    assert read_host(tmp_path).namespaces == {"uts": "uts:[4026531838]"}


def test_missing_everything_is_said_plainly(tmp_path: Path) -> None:
    view = read_host(tmp_path)
    assert view.namespaces == {} and view.cgroup is None
    assert any("not Linux" in p for p in view.problems)
    assert "note: /proc/self/cgroup is not readable" in view.lines()


def test_cgroup_v1_and_hybrid(tmp_path: Path) -> None:
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/cgroup").write_text("4:memory:/x\n")
    assert any("cgroup v1" in p for p in read_host(tmp_path).problems)
    (tmp_path / "proc/self/cgroup").write_text("4:memory:/x\n0::/\n")
    unified = tmp_path / "sys/fs/cgroup/unified"
    unified.mkdir(parents=True)
    (unified / "cgroup.controllers").write_text("\n")
    view = read_host(tmp_path)
    assert any("hybrid" in p for p in view.problems) and view.controllers == ""

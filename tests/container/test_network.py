"""Network namespaces, veth pairs and a bridge."""

from __future__ import annotations

import ipaddress

import pytest

from virtdocs.container.kernel import Kernel
from virtdocs.container.namespaces import NsType
from virtdocs.container.network import mac_for
from virtdocs.errors import UserError


def _two_containers() -> tuple[Kernel, int, int, int]:
    kernel = Kernel()
    host = kernel.init.ns[NsType.NET].inode
    a = kernel.clone(kernel.init, ("a",), frozenset({NsType.NET})).process
    b = kernel.clone(kernel.init, ("b",), frozenset({NsType.NET})).process
    assert a is not None and b is not None
    net = kernel.network
    bridge = net.add_bridge(host, "br0")
    net.add_address(bridge, "10.0.0.1/24")
    bridge.up = True
    for proc, ip, name in ((a, "10.0.0.2/24", "veth-a"), (b, "10.0.0.3/24", "veth-b")):
        ns = proc.ns[NsType.NET].inode
        outside, inside = net.add_veth(host, name, ns, "eth0")
        net.set_master(outside, bridge)
        net.add_address(inside, ip)
        outside.up = inside.up = True
    return kernel, host, a.ns[NsType.NET].inode, b.ns[NsType.NET].inode


def test_new_namespace_has_only_lo_and_it_is_down() -> None:
    kernel = Kernel()
    child = kernel.clone(kernel.init, ("sh",), frozenset({NsType.NET})).process
    assert child is not None
    ns = child.ns[NsType.NET].inode
    assert [link.name for link in kernel.network.links(ns)] == ["lo"]
    assert kernel.network.ping(ns, "127.0.0.1").reason == "lo is DOWN"
    kernel.network.link(ns, "lo").up = True
    assert kernel.network.ping(ns, "127.0.0.1").reachable


def test_containers_reach_each_other_through_the_bridge() -> None:
    kernel, _host, a, _b = _two_containers()
    result = kernel.network.ping(a, "10.0.0.3")
    assert result.reachable
    assert [hop.split("@")[0] for hop in result.hops] == ["eth0", "veth-a", "br0", "veth-b", "eth0"]
    assert kernel.network.ping(a, "10.0.0.1").reachable  # the host, via the bridge
    assert kernel.network.ping(a, "192.168.1.1").reason == "Network is unreachable"


def test_a_down_link_breaks_the_path() -> None:
    kernel, host, a, _b = _two_containers()
    kernel.network.link(host, "veth-b").up = False
    assert kernel.network.ping(a, "10.0.0.3").reason == "Destination Host Unreachable"


def test_removing_a_namespace_removes_the_veth_peer() -> None:
    kernel, host, a, _ = _two_containers()
    kernel.network.remove_namespace(a)
    assert "veth-a" not in [link.name for link in kernel.network.links(host)]


def test_docker_style_mac() -> None:
    assert mac_for(ipaddress.IPv4Address("172.17.0.2")) == "02:42:ac:11:00:02"


def test_bad_input() -> None:
    kernel, host, a, _ = _two_containers()
    with pytest.raises(UserError, match="invalid address"):
        kernel.network.add_address(kernel.network.link(a, "eth0"), "10.0.0.300/24")
    with pytest.raises(UserError, match="Cannot find device"):
        kernel.network.link(a, "eth9")
    with pytest.raises(UserError, match="already exists"):
        kernel.network.add_bridge(host, "br0")

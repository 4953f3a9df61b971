"""Network namespaces joined by veth pairs and a Linux bridge.

A new network namespace has only a loopback device, and it starts DOWN
(network_namespaces(7)). Docker's default wiring gives each container one end
of a veth pair (``eth0`` inside) and plugs the other end into the ``docker0``
bridge on the host; the bridge owns the gateway address. A packet therefore
reaches another container as ``eth0 → vethA → docker0 → vethB → eth0``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum

from virtdocs.errors import UserError


class LinkKind(StrEnum):
    LOOPBACK = "loopback"
    VETH = "veth"
    BRIDGE = "bridge"


@dataclass(eq=False)
class Link:
    """A network device in one namespace (identified by the namespace inode)."""

    name: str
    kind: LinkKind
    netns: int
    mac: str
    up: bool = False
    addresses: list[ipaddress.IPv4Interface] = field(default_factory=list)
    peer: Link | None = None
    master: Link | None = None

    def label(self, names: dict[int, str] | None = None) -> str:
        """``eth0@web``: the device and the namespace's name (or inode)."""
        return f"{self.name}@{(names or {}).get(self.netns, self.netns)}"


@dataclass(frozen=True)
class PingResult:
    """An expected outcome, as a value: reachable or not, the hops, the reason."""

    reachable: bool
    hops: tuple[str, ...]
    reason: str


def mac_for(address: ipaddress.IPv4Address) -> str:
    """Docker (before 26.0) derived a container's MAC from its IPv4 address.

    >>> mac_for(ipaddress.IPv4Address("172.17.0.2"))
    '02:42:ac:11:00:02'
    """
    return "02:42:" + ":".join(f"{b:02x}" for b in address.packed)


class Network:
    """Every link of every network namespace on one host."""

    def __init__(self) -> None:
        self._links: dict[int, dict[str, Link]] = {}
        self._gateways: dict[int, ipaddress.IPv4Address] = {}
        self._next_mac = 1
        #: Friendly names for namespaces, used only to label hops.
        self.names: dict[int, str] = {}

    def add_namespace(self, netns: int) -> None:
        """A fresh namespace: a loopback device, DOWN, with 127.0.0.1/8."""
        lo = Link("lo", LinkKind.LOOPBACK, netns, "00:00:00:00:00:00")
        lo.addresses.append(ipaddress.IPv4Interface("127.0.0.1/8"))
        self._links[netns] = {"lo": lo}

    def remove_namespace(self, netns: int) -> None:
        """Destroying a namespace destroys its veth ends, and so their peers."""
        for link in list(self._links.pop(netns, {}).values()):
            if link.peer is not None:
                self._links.get(link.peer.netns, {}).pop(link.peer.name, None)
        self._gateways.pop(netns, None)

    def links(self, netns: int) -> list[Link]:
        return list(self._stack(netns).values())

    def link(self, netns: int, name: str) -> Link:
        stack = self._stack(netns)
        if name not in stack:
            raise UserError(f"Cannot find device {name!r} in network namespace {netns}")
        return stack[name]

    def _stack(self, netns: int) -> dict[str, Link]:
        if netns not in self._links:
            raise UserError(f"network namespace {netns} does not exist")
        return self._links[netns]

    def _mac(self) -> str:
        value, self._next_mac = self._next_mac, self._next_mac + 1
        return "02:00:" + ":".join(f"{b:02x}" for b in value.to_bytes(4, "big"))

    def _add(self, link: Link) -> Link:
        stack = self._stack(link.netns)
        if link.name in stack:
            raise UserError(f"device {link.name!r} already exists in namespace {link.netns}")
        stack[link.name] = link
        return link

    def add_bridge(self, netns: int, name: str) -> Link:
        """``ip link add NAME type bridge``."""
        return self._add(Link(name, LinkKind.BRIDGE, netns, self._mac()))

    def add_veth(self, netns_a: int, name_a: str, netns_b: int, name_b: str) -> tuple[Link, Link]:
        """``ip link add A type veth peer name B`` then move B to another namespace."""
        a = self._add(Link(name_a, LinkKind.VETH, netns_a, self._mac()))
        b = self._add(Link(name_b, LinkKind.VETH, netns_b, self._mac()))
        a.peer, b.peer = b, a
        return a, b

    def set_master(self, port: Link, bridge: Link) -> None:
        """``ip link set PORT master BRIDGE`` (both in the same namespace)."""
        if bridge.kind is not LinkKind.BRIDGE or bridge.netns != port.netns:
            raise UserError(f"{bridge.name} is not a bridge in the namespace of {port.name}")
        port.master = bridge

    def add_address(self, link: Link, cidr: str) -> None:
        """``ip addr add CIDR dev LINK``."""
        try:
            link.addresses.append(ipaddress.IPv4Interface(cidr))
        except ValueError as error:
            raise UserError(f"invalid address {cidr!r}: {error}") from None
        if link.kind is LinkKind.VETH and link.mac.startswith("02:00:"):
            link.mac = mac_for(link.addresses[-1].ip)

    def set_default_route(self, netns: int, gateway: str) -> None:
        """``ip route add default via GATEWAY``."""
        self._stack(netns)
        self._gateways[netns] = ipaddress.IPv4Address(gateway)

    def ping(self, netns: int, destination: str) -> PingResult:
        """Follow a packet from namespace ``netns`` to ``destination``.

        Local addresses need ``lo`` up; others need an UP link whose subnet
        holds the destination (or the default gateway), then a path of UP
        devices across veth pairs and bridges to whoever owns the address.
        """
        dst = ipaddress.IPv4Address(destination)
        stack = self._stack(netns)
        for link in stack.values():
            if any(a.ip == dst for a in link.addresses):
                if stack["lo"].up:
                    return PingResult(True, ("lo",), "local address")
                return PingResult(False, (), "lo is DOWN")
        egress = self._egress(netns, dst)
        if egress is None:
            return PingResult(False, (), "Network is unreachable")
        return self._walk(egress, dst)

    def _egress(self, netns: int, dst: ipaddress.IPv4Address) -> Link | None:
        targets = [dst]
        if netns in self._gateways:
            targets.append(self._gateways[netns])
        for target in targets:
            for link in self._stack(netns).values():
                if (
                    link.up
                    and link.kind is not LinkKind.LOOPBACK
                    and any(target in a.network for a in link.addresses)
                ):
                    return link
        return None

    def _walk(self, start: Link, dst: ipaddress.IPv4Address) -> PingResult:
        # Breadth-first over the layer-2 segment: veth ends reach their peer,
        # ports reach their bridge, a bridge reaches all its ports.
        parents: dict[int, Link | None] = {id(start): None}
        queue = [start]
        while queue:
            link = queue.pop(0)
            if link is not start and any(a.ip == dst for a in link.addresses):
                hops: list[str] = []
                node: Link | None = link
                while node is not None:
                    hops.append(node.label(self.names))
                    node = parents[id(node)]
                return PingResult(True, tuple(reversed(hops)), "reachable")
            for nxt in self._neighbours(link):
                if nxt.up and id(nxt) not in parents:
                    parents[id(nxt)] = link
                    queue.append(nxt)
        return PingResult(False, (start.label(self.names),), "Destination Host Unreachable")

    def _neighbours(self, link: Link) -> list[Link]:
        found: list[Link] = []
        if link.peer is not None:
            found.append(link.peer)
        if link.master is not None:
            found.append(link.master)
        if link.kind is LinkKind.BRIDGE:
            found.extend(p for p in self._links[link.netns].values() if p.master is link)
        return found

    def ip_brief(self, netns: int) -> str:
        """Like ``ip -brief address``: name, state, addresses."""
        rows = []
        for link in self._stack(netns).values():
            name = link.name
            state = "UP" if link.up else "DOWN"
            if link.kind is LinkKind.LOOPBACK and link.up:
                state = "UNKNOWN"  # the kernel reports lo's operstate as UNKNOWN
            rows.append(f"{name:<16} {state:<14} " + " ".join(str(a) for a in link.addresses))
        return "\n".join(r.rstrip() for r in rows)

"""kube-proxy: turn a Service address into one of its ready endpoints.

iptables mode writes one rule per endpoint; rule ``i`` of ``n`` (counting from 0)
matches with probability ``1/(n−i)``, so the first takes 1/n of the traffic, the
second 1/(n−1) of the rest, … and the last takes whatever reaches it — every
endpoint gets 1/n. IPVS mode's default scheduler is round robin
(https://kubernetes.io/docs/reference/networking/virtual-ips/).

>>> [round(p, 4) for _, p in iptables_rules(["a", "b", "c"])]
[0.3333, 0.5, 1.0]
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from virtdocs.errors import UserError
from virtdocs.kubernetes.apiserver.store import Store
from virtdocs.kubernetes.controllers.endpointslice import SERVICE_NAME_LABEL

MODES = ("iptables", "ipvs")
#: Where a connection goes when a Service has no ready endpoint: kube-proxy installs a
#: REJECT rule, so the client is refused at once (an outcome, not an error).
REJECTED = "(rejected)"


def iptables_rules(endpoints: Sequence[str]) -> list[tuple[str, float]]:
    """(endpoint, probability that its rule matches given that earlier ones did not)."""
    count = len(endpoints)
    return [(endpoint, 1.0 / (count - i)) for i, endpoint in enumerate(endpoints)]


def iptables_save(service: str, endpoints: Sequence[str]) -> str:
    """The KUBE-SVC chain as kube-proxy writes it (``--probability %0.10f``)."""
    lines = []
    for i, (endpoint, probability) in enumerate(iptables_rules(endpoints)):
        statistic = (
            ""
            if i == len(endpoints) - 1
            else f"-m statistic --mode random --probability {probability:0.10f} "
        )
        lines.append(
            f'-A KUBE-SVC-{service.upper()} -m comment --comment "default/{service} -> '
            f'{endpoint}" {statistic}-j KUBE-SEP-{i + 1}'
        )
    return "\n".join(lines)


def pick_iptables(endpoints: Sequence[str], rng: random.Random) -> str:
    for endpoint, probability in iptables_rules(endpoints):
        if rng.random() < probability:
            return endpoint
    raise AssertionError("the last rule always matches")


class RoundRobin:
    """IPVS ``rr``: each new connection goes to the next real server in turn."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def pick(self, service: str, endpoints: Sequence[str]) -> str:
        position = self._next.get(service, 0) % len(endpoints)
        self._next[service] = position + 1
        return endpoints[position]


class Proxy:
    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store = store
        self.rng = rng
        self.round_robin = RoundRobin()

    def endpoints(self, namespace: str, service: str) -> list[tuple[str, str]]:
        """Ready endpoints of a Service as (pod IP, pod name), in slice order."""
        found = []
        for endpoint_slice in self.store.list("endpointslices", namespace):
            if endpoint_slice["metadata"].get("labels", {}).get(SERVICE_NAME_LABEL) != service:
                continue
            for endpoint in endpoint_slice.get("endpoints") or []:
                if endpoint["conditions"].get("ready"):
                    found.append((endpoint["addresses"][0], endpoint["targetRef"]["name"]))
        return found

    def resolve(self, address: str) -> tuple[str, str]:
        """Which Service an ``IP:port`` reaches, as kube-proxy's rules match it: a ClusterIP
        and port, any node's IP and a node port, or a load balancer's IP and port."""
        host, _, port_text = address.rpartition(":")
        if not host or not port_text.isdigit():
            raise UserError(f"address: {address!r} is not IP:port")
        port = int(port_text)
        node_ips = {
            a["address"]
            for node in self.store.list("nodes")
            for a in node["status"].get("addresses") or []
            if a["type"] == "InternalIP"
        }
        for service in self.store.list("services"):
            spec = service["spec"]
            ingress = service.get("status", {}).get("loadBalancer", {}).get("ingress") or []
            for entry in spec.get("ports") or []:
                via_cluster_ip = host == spec.get("clusterIP") and port == entry["port"]
                via_node_port = host in node_ips and port == entry.get("nodePort")
                via_balancer = port == entry["port"] and any(i.get("ip") == host for i in ingress)
                if via_cluster_ip or via_node_port or via_balancer:
                    return service["metadata"]["namespace"], service["metadata"]["name"]
        raise UserError(f"address: nothing listens on {address} (no Service has it)")

    def send(
        self, namespace: str, service: str, count: int, *, mode: str = "iptables"
    ) -> Counter[str]:
        if mode not in MODES:
            raise UserError(f"mode: {mode!r} is not one of {', '.join(MODES)}")
        self.store.get("services", namespace, service)  # NotFound if there is none
        ready = self.endpoints(namespace, service)
        if not ready:
            return Counter({REJECTED: count})
        names = [name for _, name in ready]
        hits: Counter[str] = Counter(dict.fromkeys(names, 0))
        for _ in range(count):
            if mode == "iptables":
                hits[pick_iptables(names, self.rng)] += 1
            else:
                hits[self.round_robin.pick(f"{namespace}/{service}", names)] += 1
        return hits

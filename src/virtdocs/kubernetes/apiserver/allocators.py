"""The Service registry's allocators: a ClusterIP from the service CIDR and a node
port from the node-port range, both picked at random (seeded) as the API server does."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.apiserver import errors
from virtdocs.kubernetes.apiserver.resources import by_kind

Object = dict[str, Any]


class ServiceAllocator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.network = ipaddress.ip_network(defaults.SERVICE_CIDR)
        self.used_ips: set[str] = set()
        self.used_ports: set[int] = set()

    def first_ip(self) -> str:
        """The ``kubernetes`` Service always gets the first address (10.96.0.1)."""
        address = str(self.network.network_address + 1)
        self.used_ips.add(address)
        return address

    def prepare(self, service: Object) -> None:
        """Fill in ``clusterIP(s)`` and node ports before the Service is stored."""
        spec = service.setdefault("spec", {})
        name = service["metadata"].get("name", "")
        resource = by_kind("Service")
        assert resource is not None
        wanted = spec.get("clusterIP")
        if wanted and wanted != "None":
            if wanted in self.used_ips or ipaddress.ip_address(wanted) not in self.network:
                raise errors.invalid(
                    resource,
                    name,
                    f'spec.clusterIPs: Invalid value: []string{{"{wanted}"}}: failed to allocate '
                    f"IP {wanted}: provided IP is already allocated",
                )
            address = wanted
        elif wanted == "None":
            address = "None"
        else:
            while True:
                offset = self.rng.randrange(2, self.network.num_addresses - 1)
                address = str(self.network.network_address + offset)
                if address not in self.used_ips:
                    break
        if address != "None":
            self.used_ips.add(address)
        spec["clusterIP"] = address
        spec["clusterIPs"] = [address]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            low, high = defaults.NODE_PORT_RANGE
            for port in spec.get("ports") or []:
                if "nodePort" in port:
                    if port["nodePort"] in self.used_ports:
                        raise errors.invalid(
                            resource,
                            name,
                            f"spec.ports[0].nodePort: Invalid value: {port['nodePort']}: provided "
                            "port is already allocated",
                        )
                else:
                    while (candidate := self.rng.randint(low, high)) in self.used_ports:
                        pass
                    port["nodePort"] = candidate
                self.used_ports.add(port["nodePort"])

    def release(self, service: Object) -> None:
        spec = service.get("spec", {})
        self.used_ips.discard(spec.get("clusterIP", ""))
        for port in spec.get("ports") or []:
            self.used_ports.discard(port.get("nodePort", -1))

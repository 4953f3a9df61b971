"""The cloud-controller-manager's service controller: a ``LoadBalancer`` Service gets a
cloud load balancer and its external IP, after the provider takes a moment to build it."""

from __future__ import annotations

import ipaddress

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.controllers.base import Context


class CloudServiceController:
    name = "service-controller"

    def __init__(self, context: Context) -> None:
        self.context = context
        self._pool = ipaddress.ip_network(defaults.LOAD_BALANCER_POOL)
        self._next = 10
        self._ready_at: dict[str, float] = {}

    def sync(self) -> None:
        store = self.context.store
        now = self.context.clock.now
        for service in store.list("services"):
            if service["spec"].get("type") != "LoadBalancer":
                continue
            if service.get("status", {}).get("loadBalancer", {}).get("ingress"):
                continue
            uid = service["metadata"]["uid"]
            if uid not in self._ready_at:
                self._ready_at[uid] = now + defaults.LOAD_BALANCER_PROVISION_SECONDS
                self.context.recorder.record(
                    service, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer", self.name
                )
                self.context.wake_at(self._ready_at[uid])
                continue
            if now < self._ready_at[uid]:
                continue
            address = str(self._pool.network_address + self._next)
            self._next += 1
            service.setdefault("status", {})["loadBalancer"] = {
                "ingress": [{"ip": address, "ipMode": "VIP"}]
            }
            store.update(service)
            self.context.recorder.record(
                service, "Normal", "EnsuredLoadBalancer", "Ensured load balancer", self.name
            )

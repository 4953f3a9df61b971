"""The EndpointSlice (and legacy Endpoints) controller: for each Service with a
selector, list the pods behind it and whether each is ready to receive traffic."""

from __future__ import annotations

from typing import Any

from virtdocs.kubernetes.controllers.base import Context, Object, owner_reference, pod_ready
from virtdocs.kubernetes.selectors import LabelSelector

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def _target_port(service_port: Object, pod: Object) -> int | None:
    target = service_port.get("targetPort", service_port["port"])
    if isinstance(target, int):
        return target
    for container in pod["spec"].get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target:
                return int(port["containerPort"])
    return None


class EndpointSliceController:
    name = "endpointslice-controller"

    def __init__(self, context: Context) -> None:
        self.context = context

    def sync(self) -> None:
        store = self.context.store
        services = store.list("services")
        names = {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in services}
        for legacy in store.list("endpoints"):
            # Endpoints carry no owner reference; the controller removes the orphans itself.
            meta = legacy["metadata"]
            if (meta["namespace"], meta["name"]) not in names:
                store.remove("endpoints", meta["namespace"], meta["name"])
        for service in services:
            selector = service["spec"].get("selector")
            if not selector:
                continue
            namespace = service["metadata"]["namespace"]
            pods = [
                p
                for p in store.list("pods", namespace, labels=LabelSelector.from_labels(selector))
                if p.get("status", {}).get("podIP")
                and p["status"].get("phase") not in ("Succeeded", "Failed")
            ]
            endpoints: list[Object] = []
            ports: list[Object] = []
            for pod in pods:
                terminating = "deletionTimestamp" in pod["metadata"]
                ready = pod_ready(pod) and not terminating
                endpoints.append(
                    {
                        "addresses": [pod["status"]["podIP"]],
                        "conditions": {
                            "ready": ready,
                            "serving": pod_ready(pod),
                            "terminating": terminating,
                        },
                        "nodeName": pod["spec"]["nodeName"],
                        "targetRef": {
                            "kind": "Pod",
                            "name": pod["metadata"]["name"],
                            "namespace": namespace,
                            "uid": pod["metadata"]["uid"],
                        },
                    }
                )
            for port in service["spec"].get("ports") or []:
                number = next((n for p in pods if (n := _target_port(port, p)) is not None), None)
                entry: dict[str, Any] = {"port": number, "protocol": port.get("protocol", "TCP")}
                entry["name"] = port.get("name", "")
                ports.append(entry)
            self._write_slice(service, endpoints, ports)
            self._write_endpoints(service, endpoints, ports)

    def _write_slice(self, service: Object, endpoints: list[Object], ports: list[Object]) -> None:
        store = self.context.store
        namespace = service["metadata"]["namespace"]
        name = service["metadata"]["name"]
        existing = [
            s
            for s in store.list("endpointslices", namespace)
            if s["metadata"].get("labels", {}).get(SERVICE_NAME_LABEL) == name
        ]
        body = {"addressType": "IPv4", "endpoints": endpoints, "ports": ports}
        if existing:
            current = existing[0]
            if {k: current.get(k) for k in body} != body:
                current.update(body)
                store.update(current)
            return
        store.create(
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "generateName": f"{name}-",
                    "namespace": namespace,
                    "labels": {
                        SERVICE_NAME_LABEL: name,
                        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                    },
                    "ownerReferences": [owner_reference(service)],
                },
                **body,
            }
        )

    def _write_endpoints(
        self, service: Object, endpoints: list[Object], ports: list[Object]
    ) -> None:
        store = self.context.store
        namespace = service["metadata"]["namespace"]
        name = service["metadata"]["name"]

        def address(e: Object) -> Object:
            return {"ip": e["addresses"][0], "nodeName": e["nodeName"], "targetRef": e["targetRef"]}

        def order(a: Object) -> tuple[str, str]:
            # RepackSubsets sorts addresses by IP (as bytes, so "10.0.0.10" < "10.0.0.9"), then UID.
            return a["ip"], a["targetRef"]["uid"]

        # ShouldPodBeInEndpoints: a terminating pod leaves Endpoints at once (it stays in the
        # EndpointSlice, flagged terminating), unless the Service publishes not-ready addresses.
        listed = [
            e
            for e in endpoints
            if not e["conditions"]["terminating"] or service["spec"].get("publishNotReadyAddresses")
        ]
        subset: Object = {}
        ready = sorted((address(e) for e in listed if e["conditions"]["ready"]), key=order)
        not_ready = sorted((address(e) for e in listed if not e["conditions"]["ready"]), key=order)
        if ready:
            subset["addresses"] = ready
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        if subset:
            subset["ports"] = [{k: v for k, v in p.items() if v not in ("", None)} for p in ports]
        body: Object = {"subsets": [subset]} if subset else {}
        if store.exists("endpoints", namespace, name):
            current = store.get("endpoints", namespace, name)
            if current.get("subsets") != body.get("subsets"):
                current.pop("subsets", None)
                current.update(body)
                store.update(current)
            return
        store.create(
            {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "labels": dict(service["metadata"].get("labels") or {}),
                },
                **body,
            }
        )

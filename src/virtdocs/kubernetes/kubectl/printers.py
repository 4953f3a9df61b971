"""``kubectl get`` tables: the columns and cell formats of kubectl's printers
(pkg/printers/internalversion/printers.go)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from virtdocs.kubernetes.clock import parse_rfc3339
from virtdocs.kubernetes.kubectl.duration import human_duration
from virtdocs.kubernetes.selectors import LabelSelector

Object = dict[str, Any]
Row = list[str]


def age(obj_time: str | None, now: float) -> str:
    """translateTimestampSince: ``<unknown>`` for a missing time."""
    if not obj_time:
        return "<unknown>"
    return human_duration(now - parse_rfc3339(obj_time))


def _limited(items: list[str], limit: int = 3) -> str:
    text = ",".join(items[:limit])
    return f"{text} + {len(items) - limit} more..." if len(items) > limit else text


def pod_status(pod: Object) -> tuple[str, int, int, str]:
    """(STATUS, ready containers, restarts, last restart time) as printPod computes them."""
    status = pod.get("status", {})
    reason = status.get("reason") or status.get("phase", "Pending")
    ready = restarts = 0
    last_restart = ""
    has_running = False
    for container in reversed(status.get("containerStatuses") or []):
        restarts += int(container.get("restartCount", 0))
        terminated_before = (container.get("lastState") or {}).get("terminated")
        if terminated_before and terminated_before.get("finishedAt", "") > last_restart:
            last_restart = terminated_before["finishedAt"]
        state = container.get("state") or {}
        if state.get("waiting", {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif "terminated" in state:
            terminated = state["terminated"]
            reason = terminated.get("reason") or f"ExitCode:{terminated.get('exitCode', 0)}"
        elif container.get("ready") and "running" in state:
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        ready_condition = any(c["type"] == "Ready" for c in status.get("conditions") or [])
        reason = "Running" if ready_condition else "NotReady"
    if "deletionTimestamp" in pod["metadata"]:
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif status.get("phase") not in ("Succeeded", "Failed"):
            reason = "Terminating"
    return reason, ready, restarts, last_restart


def pod_row(pod: Object, now: float, wide: bool) -> Row:
    reason, ready, restarts, last = pod_status(pod)
    total = len(pod["spec"].get("containers") or [])
    restarts_text = str(restarts)
    if restarts and last:
        restarts_text = f"{restarts} ({age(last, now)} ago)"
    row = [
        pod["metadata"]["name"],
        f"{ready}/{total}",
        reason,
        restarts_text,
        age(pod["metadata"]["creationTimestamp"], now),
    ]
    if wide:
        row += [
            pod.get("status", {}).get("podIP") or "<none>",
            pod["spec"].get("nodeName") or "<none>",
            pod.get("status", {}).get("nominatedNodeName") or "<none>",
            "<none>",
        ]
    return row


def _containers(template_spec: Object) -> list[str]:
    containers = template_spec.get("containers") or []
    return [
        ",".join(c["name"] for c in containers),
        ",".join(c.get("image", "") for c in containers),
    ]


def _selector_text(selector: Object | None) -> str:
    text = str(LabelSelector.from_api(selector))
    return text or "<none>"


def deployment_row(d: Object, now: float, wide: bool) -> Row:
    status = d.get("status", {})
    row = [
        d["metadata"]["name"],
        f"{status.get('readyReplicas', 0)}/{d['spec'].get('replicas', 1)}",
        str(status.get("updatedReplicas", 0)),
        str(status.get("availableReplicas", 0)),
        age(d["metadata"]["creationTimestamp"], now),
    ]
    if wide:
        row += [
            *_containers(d["spec"]["template"]["spec"]),
            _selector_text(d["spec"].get("selector")),
        ]
    return row


def replicaset_row(rs: Object, now: float, wide: bool) -> Row:
    status = rs.get("status", {})
    row = [
        rs["metadata"]["name"],
        str(rs["spec"].get("replicas", 1)),
        str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)),
        age(rs["metadata"]["creationTimestamp"], now),
    ]
    if wide:
        row += [
            *_containers(rs["spec"]["template"]["spec"]),
            _selector_text(rs["spec"].get("selector")),
        ]
    return row


def service_ports(service: Object) -> str:
    parts = []
    for port in service["spec"].get("ports") or []:
        node_port = f":{port['nodePort']}" if port.get("nodePort") else ""
        parts.append(f"{port['port']}{node_port}/{port.get('protocol', 'TCP')}")
    return ",".join(parts)  # makePortString: an empty cell when there are no ports


def external_ip(service: Object) -> str:
    kind = service["spec"].get("type", "ClusterIP")
    if kind == "ExternalName":
        return str(service["spec"].get("externalName", ""))
    external = list(service["spec"].get("externalIPs") or [])
    if kind == "LoadBalancer":
        ingress = service.get("status", {}).get("loadBalancer", {}).get("ingress") or []
        external = [i.get("ip") or i.get("hostname", "") for i in ingress] + external
        return ",".join(external) if external else "<pending>"
    return ",".join(external) if external else "<none>"


def service_row(service: Object, now: float, wide: bool) -> Row:
    row = [
        service["metadata"]["name"],
        service["spec"].get("type", "ClusterIP"),
        service["spec"].get("clusterIP") or "<none>",
        external_ip(service),
        service_ports(service),
        age(service["metadata"]["creationTimestamp"], now),
    ]
    if wide:
        selector = service["spec"].get("selector") or {}
        row.append(",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>")
    return row


def endpoints_text(endpoints: Object) -> str:
    """formatEndpoints: ``<none>`` only without subsets; only not-ready addresses print empty."""
    if not endpoints.get("subsets"):
        return "<none>"
    found = []
    for subset in endpoints.get("subsets") or []:
        addresses = [a["ip"] for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:
            found += addresses
        for port in ports:
            found += [f"{ip}:{port['port']}" for ip in addresses]
    return _limited(found)


def endpoints_row(endpoints: Object, now: float, wide: bool) -> Row:
    return [
        endpoints["metadata"]["name"],
        endpoints_text(endpoints),
        age(endpoints["metadata"]["creationTimestamp"], now),
    ]


def endpointslice_row(eps: Object, now: float, wide: bool) -> Row:
    # formatDiscoveryPorts: a port without a number shows its name, or "*".
    ports = [
        str(p["port"]) if p.get("port") is not None else str(p.get("name") or "*")
        for p in eps.get("ports") or []
    ]
    addresses = [a for e in eps.get("endpoints") or [] for a in e.get("addresses") or []]
    return [
        eps["metadata"]["name"],
        eps.get("addressType", "IPv4"),
        ",".join(ports) or "<unset>",
        _limited(addresses) if addresses else "<unset>",
        age(eps["metadata"]["creationTimestamp"], now),
    ]


def node_status(node: Object) -> str:
    """printNode: ``Ready`` or ``NotReady`` (a Ready condition of False *or* Unknown);
    ``Unknown`` only when there is no Ready condition at all."""
    ready = next((c for c in node["status"].get("conditions") or [] if c["type"] == "Ready"), None)
    status = "Unknown" if ready is None else "Ready" if ready["status"] == "True" else "NotReady"
    if node["spec"].get("unschedulable"):
        status += ",SchedulingDisabled"
    return status


def node_roles(node: Object) -> str:
    """findNodeRoles: ``node-role.kubernetes.io/<role>`` keys and a ``kubernetes.io/role`` value."""
    roles: set[str] = set()
    for key, value in (node["metadata"].get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/") and key.split("/", 1)[1]:
            roles.add(key.split("/", 1)[1])
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def node_row(node: Object, now: float, wide: bool) -> Row:
    info = node["status"]["nodeInfo"]
    row = [
        node["metadata"]["name"],
        node_status(node),
        node_roles(node),
        age(node["metadata"]["creationTimestamp"], now),
        info["kubeletVersion"],
    ]
    if wide:
        addresses = {a["type"]: a["address"] for a in node["status"].get("addresses") or []}
        row += [
            addresses.get("InternalIP", "<none>"),
            addresses.get("ExternalIP", "<none>"),
            info["osImage"],
            info["kernelVersion"],
            info["containerRuntimeVersion"],
        ]
    return row


def event_object(event: Object) -> str:
    involved = event["involvedObject"]
    return f"{involved['kind'].lower()}/{involved['name']}"


def event_row(event: Object, now: float, wide: bool) -> Row:
    """printEvent: LAST SEEN is the last time alone; the count shows only in the wide COUNT
    column (``kubectl describe`` and ``kubectl events`` are the ones that print "(x2 over 5s)")."""
    last = age(event.get("lastTimestamp") or event.get("firstTimestamp"), now)
    if not wide:
        return [last, event["type"], event["reason"], event_object(event), event["message"].strip()]
    return [
        last,
        event["type"],
        event["reason"],
        event_object(event),
        event["involvedObject"].get("fieldPath", ""),
        event["source"]["component"],
        event["message"].strip(),
        age(event.get("firstTimestamp"), now),
        str(event.get("count", 1)),
        event["metadata"]["name"],
    ]


def namespace_row(ns: Object, now: float, wide: bool) -> Row:
    return [
        ns["metadata"]["name"],
        ns.get("status", {}).get("phase", "Active"),
        age(ns["metadata"]["creationTimestamp"], now),
    ]


Printer = Callable[[Object, float, bool], Row]

#: resource name -> (columns, wide-only columns, row function)
TABLES: dict[str, tuple[list[str], list[str], Printer]] = {
    "pods": (
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        pod_row,
    ),
    "deployments": (
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        deployment_row,
    ),
    "replicasets": (
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        replicaset_row,
    ),
    "services": (
        ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
        ["SELECTOR"],
        service_row,
    ),
    "endpoints": (["NAME", "ENDPOINTS", "AGE"], [], endpoints_row),
    "endpointslices": (["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], [], endpointslice_row),
    "nodes": (
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
        node_row,
    ),
    "events": (["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], [], event_row),
    "namespaces": (["NAME", "STATUS", "AGE"], [], namespace_row),
}

#: ``kubectl get events -o wide`` replaces the columns rather than adding to them.
EVENT_WIDE_COLUMNS = [
    "LAST SEEN",
    "TYPE",
    "REASON",
    "OBJECT",
    "SUBOBJECT",
    "SOURCE",
    "MESSAGE",
    "FIRST SEEN",
    "COUNT",
    "NAME",
]

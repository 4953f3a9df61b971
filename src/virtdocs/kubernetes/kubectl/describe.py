"""``kubectl describe``: the layout of staging/src/k8s.io/kubectl/pkg/describe/describe.go.

Lines are written with tabs between label and value and aligned by the same
tabwriter rules as kubectl (``minwidth=0, padding=2``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from virtdocs.kubernetes.clock import EPOCH, parse_rfc3339
from virtdocs.kubernetes.controllers.base import controller_of
from virtdocs.kubernetes.controllers.deployment import revision_of
from virtdocs.kubernetes.controllers.endpointslice import SERVICE_NAME_LABEL
from virtdocs.kubernetes.kubectl.printers import age, external_ip, node_roles
from virtdocs.kubernetes.kubectl.tabwriter import tabwrite
from virtdocs.kubernetes.quantity import format_cpu, format_memory, memory_bytes, milli_cpu
from virtdocs.kubernetes.selectors import LabelSelector

if TYPE_CHECKING:
    from virtdocs.kubernetes.cluster import Cluster

Object = dict[str, Any]


def rfc1123z(stamp: str) -> str:
    """Go's ``time.RFC1123Z``: ``Mon, 01 Jan 2024 00:00:05 +0000``."""
    return (EPOCH + timedelta(seconds=parse_rfc3339(stamp))).strftime("%a, %d %b %Y %H:%M:%S +0000")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, level: int, text: str) -> None:
        self.lines.append("  " * level + text)

    def multiline(self, level: int, title: str, items: list[str]) -> None:
        """printLabelsMultiline: the first item beside the title, the rest below it."""
        if not items:
            self.write(level, f"{title}:\t<none>")
            return
        self.write(level, f"{title}:\t{items[0]}")
        for item in items[1:]:
            self.write(level, f"\t{item}")

    def render(self) -> str:
        return tabwrite(self.lines, minwidth=0, padding=2)


def _labels(obj: Object) -> list[str]:
    return [f"{k}={v}" for k, v in sorted((obj["metadata"].get("labels") or {}).items())]


def _annotations(obj: Object) -> list[str]:
    return [f"{k}: {v}" for k, v in sorted((obj["metadata"].get("annotations") or {}).items())]


def _toleration(raw: Object) -> str:
    text = str(raw.get("key", ""))
    if raw.get("value"):
        text += f"={raw['value']}"
    if raw.get("effect"):
        text += f":{raw['effect']}"
    if raw.get("operator") == "Exists" and not raw.get("value"):
        text += " op=Exists" if raw.get("key") or raw.get("effect") else "op=Exists"
    if raw.get("tolerationSeconds") is not None:
        text += f" for {raw['tolerationSeconds']}s"
    return text


def _events(w: _Writer, cluster: Cluster, obj: Object) -> None:
    uid = obj["metadata"].get("uid")
    events = [
        e
        for e in cluster.store.list("events", obj["metadata"].get("namespace", "default"))
        if e["involvedObject"].get("uid") == uid
    ]
    if not events:
        w.write(0, "Events:\t<none>")
        return
    events.sort(key=lambda e: parse_rfc3339(e["lastTimestamp"]))
    w.write(0, "Events:")
    w.write(1, "Type\tReason\tAge\tFrom\tMessage")
    w.write(1, "----\t------\t----\t----\t-------")
    now = cluster.now
    for e in events:
        interval = age(e["firstTimestamp"], now)
        if int(e.get("count", 1)) > 1:
            interval = (
                f"{age(e['lastTimestamp'], now)} (x{e['count']} over "
                f"{age(e['firstTimestamp'], now)})"
            )
        w.write(
            1,
            f"{e['type']}\t{e['reason']}\t{interval}\t{e['source']['component']}\t{e['message'].strip()}",
        )


def _ports(container: Object) -> tuple[str, str]:
    ports = container.get("ports") or []
    if not ports:
        return "<none>", "<none>"
    port = ",".join(f"{p['containerPort']}/{p.get('protocol', 'TCP')}" for p in ports)
    host = ",".join(f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}" for p in ports)
    return port, host


def _state(w: _Writer, title: str, state: Object) -> None:
    if "running" in state:
        w.write(2, f"{title}:\tRunning")
        w.write(3, f"Started:\t{rfc1123z(state['running']['startedAt'])}")
    elif "waiting" in state:
        w.write(2, f"{title}:\tWaiting")
        w.write(3, f"Reason:\t{state['waiting'].get('reason', '')}")
    elif "terminated" in state:
        t = state["terminated"]
        w.write(2, f"{title}:\tTerminated")
        w.write(3, f"Reason:\t{t.get('reason', '')}")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}")
        w.write(3, f"Started:\t{rfc1123z(t['startedAt'])}")
        w.write(3, f"Finished:\t{rfc1123z(t['finishedAt'])}")
    else:
        w.write(2, f"{title}:\t<none>" if title == "Last State" else f"{title}:\tWaiting")


def _resources(w: _Writer, level: int, container: Object) -> None:
    resources = container.get("resources") or {}
    for title in ("limits", "requests"):
        values = resources.get(title) or {}
        if values:
            w.write(level, f"{title.capitalize()}:")
            for key, value in sorted(values.items()):
                w.write(level + 1, f"{key}:\t{value}")


def _probe(probe: Object) -> str:
    if "httpGet" in probe:
        action = (
            f"http-get http://:{probe['httpGet'].get('port')}{probe['httpGet'].get('path', '/')}"
        )
    elif "tcpSocket" in probe:
        action = f"tcp-socket :{probe['tcpSocket'].get('port')}"
    elif "exec" in probe:
        action = "exec [" + " ".join(probe["exec"].get("command") or []) + "]"
    else:
        action = "unknown"
    return (
        f"{action} delay={probe.get('initialDelaySeconds', 0)}s "
        f"timeout={probe.get('timeoutSeconds', 1)}s "
        f"period={probe.get('periodSeconds', 10)}s #success={probe.get('successThreshold', 1)} "
        f"#failure={probe.get('failureThreshold', 3)}"
    )


def _containers(w: _Writer, spec: Object, statuses: list[Object] | None, template: bool) -> None:
    by_name = {s["name"]: s for s in statuses or []}
    w.write(1 if template else 0, "Containers:")
    for container in spec.get("containers") or []:
        w.write(1, f"{' ' if template else ''}{container['name']}:")
        status = by_name.get(container["name"])
        if status is not None and status.get("containerID"):
            w.write(2, f"Container ID:\t{status['containerID']}")
        w.write(2, f"Image:\t{container.get('image', '')}")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}")
        port, host = _ports(container)
        w.write(2, f"Port:\t{port}")
        w.write(2, f"Host Port:\t{host}")
        for title, key in (("Command", "command"), ("Args", "args")):
            if container.get(key):
                w.write(2, f"{title}:")
                for word in container[key]:
                    w.write(3, str(word))
        if status is not None:
            _state(w, "State", status.get("state") or {})
            _state(w, "Last State", status.get("lastState") or {})
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}")
        _resources(w, 2, container)
        if container.get("readinessProbe"):
            w.write(2, f"Readiness:\t{_probe(container['readinessProbe'])}")
        env = container.get("env") or []
        if env:
            w.write(2, "Environment:")
            for item in env:
                w.write(3, f"{item['name']}:\t{item.get('value', '')}")
        else:
            w.write(2, "Environment:\t<none>")
        w.write(2, "Mounts:\t<none>")


def describe_pod(cluster: Cluster, pod: Object) -> str:
    w = _Writer()
    meta, spec, status = pod["metadata"], pod["spec"], pod.get("status", {})
    w.write(0, f"Name:\t{meta['name']}")
    w.write(0, f"Namespace:\t{meta['namespace']}")
    w.write(0, f"Priority:\t{spec.get('priority', 0)}")
    w.write(0, f"Service Account:\t{spec.get('serviceAccountName', 'default')}")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}" if node else "Node:\t<none>")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}")
    w.multiline(0, "Labels", _labels(pod))
    w.multiline(0, "Annotations", _annotations(pod))
    if "deletionTimestamp" in meta:
        w.write(0, f"Status:\tTerminating (lasts {age(meta['deletionTimestamp'], cluster.now)})")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 30)}s")
    else:
        w.write(0, f"Status:\t{status.get('phase', 'Pending')}")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}")
    w.write(0, f"IP:\t{status.get('podIP', '')}")
    if status.get("podIPs"):
        w.write(0, "IPs:")
        for ip in status["podIPs"]:
            w.write(1, f"IP:\t{ip['ip']}")
    else:
        w.write(0, "IPs:\t<none>")
    owner = controller_of(pod)
    if owner is not None:
        w.write(0, f"Controlled By:\t{owner['kind']}/{owner['name']}")
    _containers(w, spec, status.get("containerStatuses") or [], template=False)
    if status.get("conditions"):
        w.write(0, "Conditions:")
        w.write(1, "Type\tStatus")
        for condition in status["conditions"]:
            w.write(1, f"{condition['type']} \t{condition['status']} ")
    w.write(0, "Volumes:\t<none>")
    w.write(0, f"QoS Class:\t{status.get('qosClass', 'BestEffort')}")
    selector = [f"{k}={v}" for k, v in sorted((spec.get("nodeSelector") or {}).items())]
    w.write(0, f"Node-Selectors:\t{','.join(selector) or '<none>'}")
    w.multiline(0, "Tolerations", [_toleration(t) for t in spec.get("tolerations") or []])
    _events(w, cluster, pod)
    return w.render()


def _template(w: _Writer, template: Object) -> None:
    w.write(0, "Pod Template:")
    labels = [
        f"{k}={v}" for k, v in sorted((template.get("metadata", {}).get("labels") or {}).items())
    ]
    w.multiline(1, "Labels", labels)
    spec = template.get("spec", {})
    _containers(w, spec, None, template=True)
    w.write(1, "Volumes:\t<none>")
    selector = [f"{k}={v}" for k, v in sorted((spec.get("nodeSelector") or {}).items())]
    w.write(1, f"Node-Selectors:\t{','.join(selector) or '<none>'}")
    w.multiline(1, "Tolerations", [_toleration(t) for t in spec.get("tolerations") or []])


def describe_deployment(cluster: Cluster, d: Object) -> str:
    w = _Writer()
    meta, spec, status = d["metadata"], d["spec"], d.get("status", {})
    w.write(0, f"Name:\t{meta['name']}")
    w.write(0, f"Namespace:\t{meta['namespace']}")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta['creationTimestamp'])}")
    w.multiline(0, "Labels", _labels(d))
    w.multiline(0, "Annotations", _annotations(d))
    w.write(0, f"Selector:\t{LabelSelector.from_api(spec.get('selector'))}")
    w.write(
        0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} "
        "updated | "
        f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
        f"{status.get('unavailableReplicas', 0)} unavailable",
    )
    strategy = spec.get("strategy", {})
    w.write(0, f"StrategyType:\t{strategy.get('type', 'RollingUpdate')}")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}")
    if strategy.get("type") == "RollingUpdate":
        rolling = strategy.get("rollingUpdate") or {}
        w.write(
            0,
            f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable')} max unavailable, "
            f"{rolling.get('maxSurge')} max surge",
        )
    _template(w, spec["template"])
    if status.get("conditions"):
        w.write(0, "Conditions:")
        w.write(1, "Type\tStatus\tReason")
        w.write(1, "----\t------\t------")
        for condition in status["conditions"]:
            w.write(1, f"{condition['type']} \t{condition['status']}\t{condition['reason']}")
    replicasets = sorted(
        (
            rs
            for rs in cluster.store.list("replicasets", meta["namespace"])
            if (controller_of(rs) or {}).get("uid") == meta["uid"]
        ),
        key=revision_of,
    )
    current = str(revision_of(d))
    new = [rs for rs in replicasets if str(revision_of(rs)) == current]
    old = [
        rs
        for rs in replicasets
        if rs not in new and (rs["spec"].get("replicas") or rs.get("status", {}).get("replicas"))
    ]

    def created(rs: Object) -> str:
        have, want = rs.get("status", {}).get("replicas", 0), rs["spec"].get("replicas", 0)
        return f"{rs['metadata']['name']} ({have}/{want} replicas created)"

    w.write(0, f"OldReplicaSets:\t{', '.join(created(rs) for rs in old) or '<none>'}")
    w.write(0, f"NewReplicaSet:\t{created(new[0]) if new else '<none>'}")
    _events(w, cluster, d)
    return w.render()


def describe_service(cluster: Cluster, service: Object) -> str:
    w = _Writer()
    meta, spec = service["metadata"], service["spec"]
    w.write(0, f"Name:\t{meta['name']}")
    w.write(0, f"Namespace:\t{meta['namespace']}")
    w.multiline(0, "Labels", _labels(service))
    w.multiline(0, "Annotations", _annotations(service))
    selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items()))
    w.write(0, f"Selector:\t{selector or '<none>'}")
    w.write(0, f"Type:\t{spec.get('type', 'ClusterIP')}")
    w.write(0, f"IP Family Policy:\t{spec.get('ipFamilyPolicy', 'SingleStack')}")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or ['IPv4'])}")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or [])}")
    if spec.get("type") == "LoadBalancer" and external_ip(service) != "<pending>":
        w.write(0, f"LoadBalancer Ingress:\t{external_ip(service)} (VIP)")
    slices = [
        s
        for s in cluster.store.list("endpointslices", meta["namespace"])
        if s["metadata"].get("labels", {}).get(SERVICE_NAME_LABEL) == meta["name"]
    ]
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{port['port']}/{protocol}")
        w.write(0, f"TargetPort:\t{port.get('targetPort', port['port'])}/{protocol}")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}")
        addresses = [
            f"{e['addresses'][0]}:{p['port']}"
            for s in slices
            for p in s.get("ports") or []
            if p.get("name", "") == port.get("name", "") and p.get("port") is not None
            for e in s.get("endpoints") or []
            if e["conditions"].get("ready")
        ]
        if meta["name"] == "kubernetes" and not slices:
            endpoints = cluster.store.get("endpoints", meta["namespace"], "kubernetes")
            addresses = [
                f"{a['ip']}:{p['port']}"
                for s in endpoints.get("subsets") or []
                for p in s["ports"]
                for a in s["addresses"]
            ]
        more = f" + {len(addresses) - 3} more..." if len(addresses) > 3 else ""
        w.write(0, f"Endpoints:\t{','.join(addresses[:3])}{more}")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}")
    w.write(0, f"Internal Traffic Policy:\t{spec.get('internalTrafficPolicy', 'Cluster')}")
    _events(w, cluster, service)
    return w.render()


def _percent(part: int, whole: int) -> int:
    return int(part * 100 / whole) if whole else 0


def describe_node(cluster: Cluster, node: Object) -> str:
    w = _Writer()
    meta, spec, status = node["metadata"], node["spec"], node["status"]
    w.write(0, f"Name:\t{meta['name']}")
    w.write(0, f"Roles:\t{node_roles(node)}")
    w.multiline(0, "Labels", _labels(node))
    w.multiline(0, "Annotations", _annotations(node))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta['creationTimestamp'])}")
    taints = [_toleration({**t, "operator": "Equal"}) for t in spec.get("taints") or []]
    w.multiline(0, "Taints", taints)
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}")
    w.write(0, "Lease:")
    w.write(1, f"HolderIdentity:\t{meta['name']}")
    w.write(1, "AcquireTime:\t<unset>")
    renewed = cluster.lease_renewed(meta["name"])
    renew_time = (EPOCH + timedelta(seconds=int(renewed))).strftime("%a, %d %b %Y %H:%M:%S +0000")
    w.write(1, f"RenewTime:\t{renew_time}")
    w.write(0, "Conditions:")
    w.write(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage")
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------")
    for c in status["conditions"]:
        w.write(
            1,
            f"{c['type']} \t{c['status']} \t{rfc1123z(c['lastHeartbeatTime'])} "
            f"\t{rfc1123z(c['lastTransitionTime'])} \t{c['reason']} \t{c['message']}",
        )
    w.write(0, "Addresses:")
    for address in status["addresses"]:
        w.write(1, f"{address['type']}:\t{address['address']}")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        w.write(0, f"{title}:")
        for name, value in sorted(status[key].items()):
            w.write(1, f"{name}:\t{value}")
    info = status["nodeInfo"]
    w.write(0, "System Info:")
    for title, key in (
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ):
        w.write(1, f"{title}:\t{info[key]}")
    w.write(0, f"PodCIDR:\t{spec.get('podCIDR', '')}")
    w.write(0, f"PodCIDRs:\t{','.join(spec.get('podCIDRs') or [])}")
    pods = [
        p
        for p in cluster.store.list("pods")
        if p["spec"].get("nodeName") == meta["name"]
        and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")
    ]
    cpu_total = milli_cpu(status["allocatable"]["cpu"])
    mem_total = memory_bytes(status["allocatable"]["memory"])
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---")
    sums = {"cpu_req": 0, "cpu_lim": 0, "mem_req": 0, "mem_lim": 0}
    for pod in pods:
        values = {"cpu_req": 0, "cpu_lim": 0, "mem_req": 0, "mem_lim": 0}
        for c in pod["spec"].get("containers") or []:
            resources = c.get("resources") or {}
            values["cpu_req"] += milli_cpu((resources.get("requests") or {}).get("cpu", 0))
            values["cpu_lim"] += milli_cpu((resources.get("limits") or {}).get("cpu", 0))
            values["mem_req"] += memory_bytes((resources.get("requests") or {}).get("memory", 0))
            values["mem_lim"] += memory_bytes((resources.get("limits") or {}).get("memory", 0))
        for key, value in values.items():
            sums[key] += value
        w.write(
            1,
            f"{pod['metadata']['namespace']}\t{pod['metadata']['name']}\t\t"
            f"{format_cpu(values['cpu_req'])} ({_percent(values['cpu_req'], cpu_total)}%)\t"
            f"{format_cpu(values['cpu_lim'])} ({_percent(values['cpu_lim'], cpu_total)}%)\t"
            f"{format_memory(values['mem_req'])} ({_percent(values['mem_req'], mem_total)}%)\t"
            f"{format_memory(values['mem_lim'])} ({_percent(values['mem_lim'], mem_total)}%)\t"
            f"{age(pod['metadata']['creationTimestamp'], cluster.now)}",
        )
    w.write(0, "Allocated resources:")
    w.write(1, "(Total limits may be over 100 percent, i.e., overcommitted.)")
    w.write(1, "Resource\tRequests\tLimits")
    w.write(1, "--------\t--------\t------")
    w.write(
        1,
        f"cpu\t{format_cpu(sums['cpu_req'])} ({_percent(sums['cpu_req'], cpu_total)}%)\t"
        f"{format_cpu(sums['cpu_lim'])} ({_percent(sums['cpu_lim'], cpu_total)}%)",
    )
    w.write(
        1,
        f"memory\t{format_memory(sums['mem_req'])} ({_percent(sums['mem_req'], mem_total)}%)\t"
        f"{format_memory(sums['mem_lim'])} ({_percent(sums['mem_lim'], mem_total)}%)",
    )
    _events(w, cluster, node)
    return w.render()


def describe_replicaset(cluster: Cluster, rs: Object) -> str:
    w = _Writer()
    meta, spec, status = rs["metadata"], rs["spec"], rs.get("status", {})
    w.write(0, f"Name:\t{meta['name']}")
    w.write(0, f"Namespace:\t{meta['namespace']}")
    w.write(0, f"Selector:\t{LabelSelector.from_api(spec.get('selector'))}")
    w.multiline(0, "Labels", _labels(rs))
    w.multiline(0, "Annotations", _annotations(rs))
    owner = controller_of(rs)
    if owner is not None:
        w.write(0, f"Controlled By:\t{owner['kind']}/{owner['name']}")
    w.write(
        0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 1)} desired"
    )
    pods = [
        p
        for p in cluster.store.list("pods", meta["namespace"])
        if (controller_of(p) or {}).get("uid") == meta["uid"]
    ]
    phases = {
        phase: sum(1 for p in pods if p.get("status", {}).get("phase") == phase)
        for phase in ("Running", "Pending", "Succeeded", "Failed")
    }
    w.write(0, "Pods Status:\t" + " / ".join(f"{count} {phase}" for phase, count in phases.items()))
    _template(w, spec["template"])
    _events(w, cluster, rs)
    return w.render()


DESCRIBERS: dict[str, Callable[[Cluster, Object], str]] = {
    "pods": describe_pod,
    "deployments": describe_deployment,
    "services": describe_service,
    "nodes": describe_node,
    "replicasets": describe_replicaset,
}

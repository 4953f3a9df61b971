"""What the API server fills in when a manifest leaves a field out (its defaulting and
the admission plugins that run on every cluster), so ``kubectl get -o yaml`` shows it.

>>> d = default_object({"apiVersion": "apps/v1", "kind": "Deployment",
...     "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [
...     {"name": "web", "image": "nginx"}]}}}})
>>> d["spec"]["strategy"]
{'type': 'RollingUpdate', 'rollingUpdate': {'maxSurge': '25%', 'maxUnavailable': '25%'}}
>>> d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"]
'Always'
"""

from __future__ import annotations

import copy
from typing import Any

from virtdocs.kubernetes import defaults

Object = dict[str, Any]


def _default_container(container: Object) -> None:
    image = str(container.get("image", ""))
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    # "If you omit the tag or use :latest, imagePullPolicy is Always"
    # (https://kubernetes.io/docs/concepts/containers/images/#imagepullpolicy-defaulting).
    container.setdefault("imagePullPolicy", "Always" if tag in ("", "latest") else "IfNotPresent")
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")


def default_pod_spec(spec: Object) -> None:
    for container in spec.get("containers") or []:
        _default_container(container)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", defaults.POD_TERMINATION_GRACE_SECONDS)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", defaults.SCHEDULER_NAME)
    spec.setdefault("securityContext", {})


def _admit_pod(pod: Object) -> None:
    """Admission: service account and the DefaultTolerationSeconds tolerations."""
    spec = pod.setdefault("spec", {})
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("priority", 0)
    spec.setdefault("enableServiceLinks", True)
    tolerations = spec.setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(t.get("key") == key for t in tolerations):
            tolerations.append(
                {
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": defaults.DEFAULT_TOLERATION_SECONDS,
                }
            )
    pod.setdefault("status", {}).setdefault("phase", "Pending")
    pod["status"].setdefault("qosClass", qos_class(spec))


def qos_class(spec: Object) -> str:
    """Guaranteed, Burstable or BestEffort, from requests and limits
    (https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/)."""
    containers = spec.get("containers") or []
    requests = [c.get("resources", {}).get("requests") or {} for c in containers]
    limits = [c.get("resources", {}).get("limits") or {} for c in containers]
    if not any(requests) and not any(limits):
        return "BestEffort"
    guaranteed = all(
        lim.get("cpu") is not None
        and lim.get("memory") is not None
        and req.get("cpu", lim["cpu"]) == lim["cpu"]
        and req.get("memory", lim["memory"]) == lim["memory"]
        for req, lim in zip(requests, limits, strict=True)
    )
    return "Guaranteed" if guaranteed else "Burstable"


def _default_template(spec: Object) -> None:
    template = spec.setdefault("template", {})
    template.setdefault("metadata", {})
    default_pod_spec(template.setdefault("spec", {}))


def _default_deployment(obj: Object) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", defaults.DEPLOYMENT_REPLICAS)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxSurge", defaults.DEPLOYMENT_MAX_SURGE)
        rolling.setdefault("maxUnavailable", defaults.DEPLOYMENT_MAX_UNAVAILABLE)
    spec.setdefault("revisionHistoryLimit", defaults.DEPLOYMENT_REVISION_HISTORY_LIMIT)
    spec.setdefault("progressDeadlineSeconds", defaults.DEPLOYMENT_PROGRESS_DEADLINE_SECONDS)
    _default_template(spec)


def _default_replicaset(obj: Object) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    _default_template(spec)


def _default_service(obj: Object) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
    obj.setdefault("status", {}).setdefault("loadBalancer", {})


def _default_pod(pod: Object) -> None:
    default_pod_spec(pod.setdefault("spec", {}))
    _admit_pod(pod)


_BY_KIND = {
    "Pod": _default_pod,
    "Deployment": _default_deployment,
    "ReplicaSet": _default_replicaset,
    "Service": _default_service,
}


def default_object(obj: Object) -> Object:
    """A copy of ``obj`` with the API server's defaults filled in."""
    result = copy.deepcopy(obj)
    result.setdefault("metadata", {})
    handler = _BY_KIND.get(str(result.get("kind")))
    if handler is not None:
        handler(result)
    return result

"""A whole simulated cluster on one deterministic clock.

>>> cluster = Cluster(nodes=2, seed=1)
>>> print(cluster.apply('''
... apiVersion: v1
... kind: Pod
... metadata:
...   name: web
... spec:
...   containers:
...   - name: web
...     image: nginx:1.27
... '''))
pod/web created
>>> cluster.advance(5)
>>> print(cluster.kubectl("get pods"))
NAME   READY   STATUS    RESTARTS   AGE
web    1/1     Running   0          5s
"""

from __future__ import annotations

import copy
import random
import shlex
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from virtdocs.errors import UserError
from virtdocs.kubernetes.apiserver.allocators import ServiceAllocator
from virtdocs.kubernetes.apiserver.defaulting import default_object
from virtdocs.kubernetes.apiserver.errors import (
    ApiError,
    immutable_selector,
    pod_update_forbidden,
)
from virtdocs.kubernetes.apiserver.store import Store, Watch, resource_of
from virtdocs.kubernetes.clock import Clock
from virtdocs.kubernetes.controllers import Controller
from virtdocs.kubernetes.controllers.base import Context
from virtdocs.kubernetes.controllers.deployment import DeploymentController
from virtdocs.kubernetes.controllers.endpointslice import EndpointSliceController
from virtdocs.kubernetes.controllers.garbagecollector import GarbageCollector
from virtdocs.kubernetes.controllers.nodelifecycle import NodeLifecycleController
from virtdocs.kubernetes.controllers.replicaset import ReplicaSetController
from virtdocs.kubernetes.controllers.service import CloudServiceController
from virtdocs.kubernetes.events import EventRecorder
from virtdocs.kubernetes.kubectl.output import KubectlOutput
from virtdocs.kubernetes.kubelet import Kubelet
from virtdocs.kubernetes.nodes import NodeSpec, node_object
from virtdocs.kubernetes.proxy import Proxy
from virtdocs.kubernetes.scheduler.component import SchedulerComponent
from virtdocs.kubernetes.scheduler.framework import NodeTable
from virtdocs.kubernetes.scheduler.scheduler import Scheduler

Object = dict[str, Any]

#: Give up if control loops keep writing without reaching a fixed point (a bug).
_MAX_SETTLE_ROUNDS = 200


#: PodSpec fields the system sets after creation; a manifest that leaves them out keeps them.
_SYSTEM_POD_FIELDS = frozenset({"nodeName"})


def _check_pod_update(current: Object, desired: Object) -> None:
    """Refuse what ValidatePodUpdate refuses: any PodSpec change beyond container images,
    activeDeadlineSeconds, and tolerations added to the existing ones."""
    old, new = current["spec"], desired["spec"]

    def without_images(containers: list[Object]) -> list[Object]:
        return [{k: v for k, v in c.items() if k != "image"} for c in containers]

    same = without_images(old.get("containers") or []) == without_images(
        new.get("containers") or []
    ) and all(t in (new.get("tolerations") or []) for t in old.get("tolerations") or [])
    for key in (set(old) | set(new)) - {"containers", "tolerations", "activeDeadlineSeconds"}:
        if key in _SYSTEM_POD_FIELDS and key not in new:
            continue
        same = same and old.get(key) == new.get(key)
    if not same:
        raise pod_update_forbidden(resource_of(current), current["metadata"]["name"])


class Cluster:
    """API server, scheduler, controllers, kubelets and kube-proxy, all simulated.

    ``nodes`` is a count (``node-1`` … with :data:`~virtdocs.kubernetes.defaults`
    sizes) or a list of :class:`NodeSpec`. Everything random (names, IPs, tie
    breaks) comes from ``seed``.
    """

    def __init__(self, nodes: int | Sequence[NodeSpec] = 3, *, seed: int = 0) -> None:
        if isinstance(nodes, int):
            if nodes < 0:
                raise UserError(f"nodes: must be 0 or more, got {nodes}")
            specs: list[NodeSpec] = [NodeSpec(f"node-{i}") for i in range(1, nodes + 1)]
        else:
            specs = list(nodes)
        self.seed = seed
        self.clock = Clock()
        self.store = Store(self.clock, seed=seed)
        self.recorder = EventRecorder(self.store)
        self.context = Context(self.store, self.clock, self.recorder)
        self.allocator = ServiceAllocator(random.Random(seed + 1))
        self.store.prepare_create["services"] = self.allocator.prepare
        self.store.on_delete["services"] = self.allocator.release
        self.kubelets: dict[str, Kubelet] = {}
        self.scheduler = SchedulerComponent(
            self.context, Scheduler(NodeTable.build(), random.Random(seed + 2))
        )
        self.node_lifecycle = NodeLifecycleController(self.context, self.lease_renewed)
        self.controllers: list[Controller] = [
            DeploymentController(self.context),
            ReplicaSetController(self.context),
            EndpointSliceController(self.context),
            CloudServiceController(self.context),
            self.node_lifecycle,
            GarbageCollector(self.context),
        ]
        self.proxy = Proxy(self.store, random.Random(seed + 3))
        self._bootstrap()
        for spec in specs:
            self.add_node(spec)

    # -- set-up ------------------------------------------------------------------------------
    def _bootstrap(self) -> None:
        self.store.create(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": "default"},
                "status": {"phase": "Active"},
            }
        )
        self.store.create(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": "kube-system"},
                "status": {"phase": "Active"},
            }
        )
        service = default_object(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": "kubernetes",
                    "labels": {"component": "apiserver", "provider": "kubernetes"},
                },
                "spec": {
                    "clusterIP": self.allocator.first_ip(),
                    "ports": [{"name": "https", "port": 443, "targetPort": 6443}],
                },
            }
        )
        self.allocator.used_ips.discard(service["spec"]["clusterIP"])
        self.store.create(service)
        # The control plane (API server at 10.0.0.2) is the endpoint of that Service.
        self.store.create(
            {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {
                    "name": "kubernetes",
                    "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
                },
                "subsets": [
                    {
                        "addresses": [{"ip": "10.0.0.2"}],
                        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
                    }
                ],
            }
        )

    def add_node(self, spec: NodeSpec) -> None:
        """Register a node and start its kubelet."""
        index = len(self.kubelets) + 1
        node = self.store.create(node_object(spec, index, self.clock.now))
        self.kubelets[spec.name] = Kubelet(spec.name, node["spec"]["podCIDR"], self.context)
        self.settle()

    def add_controller(self, controller: Controller) -> None:
        """Run ``controller`` with the cluster's other control loops from now on (after the
        built-in ones, in the order added), as an operator's controller would."""
        if any(existing is controller for existing in self.controllers):
            raise ValueError(f"controller {controller.name!r} is already running")
        self.controllers.append(controller)
        self.settle()

    def lease_renewed(self, node: str) -> float:
        """When ``node``'s kubelet last renewed its Lease (now, while it is alive)."""
        kubelet = self.kubelets.get(node)
        return kubelet.renew_time() if kubelet is not None else self.clock.now

    # -- the loop ----------------------------------------------------------------------------
    def _components(self) -> list[Controller]:
        return [self.scheduler, *self.kubelets.values(), *self.controllers]

    def settle(self) -> None:
        """Run every control loop until none of them has anything left to write (no time
        passes); needed only after writing to ``store`` directly."""
        for _ in range(_MAX_SETTLE_ROUNDS):
            before = self.store.revision
            for component in self._components():
                component.sync()
            if self.store.revision == before:
                return
        raise RuntimeError("control loops did not settle: a controller keeps rewriting state")

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass, handling every event on the way."""
        if seconds < 0:
            raise UserError(f"advance: seconds must be >= 0, got {seconds}")
        target = self.clock.now + seconds
        while (when := self.clock.next_time()) is not None and when <= target:
            self.clock.step()
            self.settle()
        self.clock.now = target
        self.settle()

    def run_until(self, predicate: Any, *, timeout: float = 600.0) -> bool:
        """Advance event by event until ``predicate()`` holds; False on timeout."""
        self.settle()  # let the loops see any write made directly to the store
        deadline = self.clock.now + timeout
        while not predicate():
            when = self.clock.next_time()
            if when is None or when > deadline:
                self.clock.now = max(self.clock.now, min(deadline, when or deadline))
                self.settle()
                return bool(predicate())
            self.clock.step()
            self.settle()
        return True

    @property
    def now(self) -> float:
        """Seconds of simulated time since the cluster was created."""
        return self.clock.now

    # -- the API -----------------------------------------------------------------------------
    def apply(self, manifest_text: str, *, source: str = "<string>") -> str:
        """``kubectl apply -f``: validate every document, then create or update each.

        Returns kubectl's lines (``deployment.apps/web created``); an invalid
        manifest raises :class:`UserError` naming ``source:line`` and nothing is applied.
        """
        from virtdocs.kubernetes.validation import format_error, validate_text

        results = validate_text(manifest_text, source)
        for result in results:
            if result.status != "valid":
                if result.errors:
                    raise UserError(" ".join(format_error(result, result.errors[0]).split()))
                raise UserError(f"{source}:{result.line}: cannot be applied ({result.status})")
        lines = [
            self._apply_one(result.document) for result in results if result.document is not None
        ]
        self.settle()
        return "\n".join(lines)

    def apply_file(self, path: str | Path) -> str:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise UserError(f"{file}: cannot read: {error.strerror}") from error
        return self.apply(text, source=str(file))

    def _apply_one(self, document: Object) -> str:
        obj = default_object(document)
        resource = resource_of(obj)
        meta = obj["metadata"]
        group = f".{resource.group}" if resource.group else ""
        label = f"{resource.kind.lower()}{group}/{meta['name']}"
        namespace = meta.get("namespace", "default")
        if not self.store.exists(resource, namespace, meta["name"]):
            self.store.create(obj)
            return f"{label} created"
        current = self.store.get(resource, namespace, meta["name"])
        if resource.kind == "Pod":
            _check_pod_update(current, obj)
        if resource.kind in ("Deployment", "ReplicaSet") and (
            obj["spec"].get("selector") != current["spec"].get("selector")
        ):
            raise immutable_selector(resource, meta["name"], obj["spec"].get("selector") or {})
        merged = self._merge(resource.kind, current, obj)
        if merged == current:
            return f"{label} unchanged"
        self.store.update(merged)
        return f"{label} configured"

    @staticmethod
    def _merge(kind: str, current: Object, desired: Object) -> Object:
        merged = dict(current)
        merged["metadata"] = dict(current["metadata"])
        for field in ("labels", "annotations"):
            system = {
                k: v
                for k, v in (current["metadata"].get(field) or {}).items()
                if "kubernetes.io/" in k
            }
            if desired["metadata"].get(field) or system:
                merged["metadata"][field] = {**system, **(desired["metadata"].get(field) or {})}
        spec = dict(desired.get("spec") or {})
        if kind == "Service":
            for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                if key in current["spec"]:
                    spec[key] = current["spec"][key]
        if kind == "Pod":
            # Only images, added tolerations and activeDeadlineSeconds change in place
            # (_check_pod_update has refused anything else).
            spec = copy.deepcopy(current["spec"])  # a shallow copy would edit ``current`` too
            for new, old in zip(
                desired["spec"].get("containers") or [], spec.get("containers") or [], strict=False
            ):
                old["image"] = new.get("image", old["image"])
            for key in ("tolerations", "activeDeadlineSeconds"):
                if key in desired["spec"]:
                    spec[key] = desired["spec"][key]
        if kind == "Deployment" and "replicas" not in (desired.get("spec") or {}):
            spec["replicas"] = current["spec"]["replicas"]
        merged["spec"] = spec
        return merged

    def watch(self, resource: str, namespace: str | None = None) -> Watch:
        """A watch on ``resource`` from now on: read its events with ``.drain()``."""
        return self.store.watch(resource, namespace)

    def kubectl(self, command: str) -> str:
        """What ``kubectl COMMAND`` would print (stdout and stderr together)."""
        return self.run_kubectl(command).text

    def run_kubectl(self, command: str) -> KubectlOutput:
        """``kubectl COMMAND`` with stdout, stderr and exit code apart."""
        from virtdocs.kubernetes.kubectl.commands import run

        words = shlex.split(command)
        if words and words[0] == "kubectl":
            words = words[1:]
        return run(self, words)

    # -- faults and traffic --------------------------------------------------------------------
    def fail_node(self, name: str) -> None:
        """The node stops answering: its kubelet no longer renews its lease."""
        self._kubelet(name).stop()
        self.settle()

    def recover_node(self, name: str) -> None:
        self._kubelet(name).start()
        self.settle()

    def _kubelet(self, name: str) -> Kubelet:
        if name not in self.kubelets:
            raise ApiError("NotFound", 404, f'nodes "{name}" not found')
        return self.kubelets[name]

    def send_requests(
        self, target: str, count: int, *, mode: str = "iptables", namespace: str = "default"
    ) -> Counter[str]:
        """Send ``count`` connections and count how many each Pod got. ``target`` is a
        Service name or an address: ``ClusterIP:port``, ``nodeIP:nodePort`` or the load
        balancer's ``IP:port``."""
        if ":" in target:
            namespace, target = self.proxy.resolve(target)
        return self.proxy.send(namespace, target, count, mode=mode)

"""The kubelet: runs the pods bound to its node and reports their status.

Container states follow https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/:
Waiting (ContainerCreating, CrashLoopBackOff) → Running → Terminated. A container that
exits is restarted according to ``restartPolicy``; after the first restart each one
waits 10 s, 20 s, 40 s … up to 5 minutes (CrashLoopBackOff).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.clock import Timer, rfc3339
from virtdocs.kubernetes.controllers.base import Context
from virtdocs.kubernetes.programs import behaviour
from virtdocs.kubernetes.selectors import FieldSelector

Object = dict[str, Any]


@dataclass
class _Container:
    name: str
    image: str
    state: str = "waiting"  # waiting, running, terminated
    reason: str = "ContainerCreating"
    message: str = ""
    started_at: float = 0.0
    finished_at: float = 0.0
    exit_code: int = 0
    restarts: int = 0
    backoff_restarts: int = 0  # restarts since the back-off was last reset
    last_terminated: Object | None = None
    ready: bool = False
    container_id: str = ""
    timers: list[Timer] = field(default_factory=list)


@dataclass
class _Pod:
    uid: str
    namespace: str
    name: str
    ip: str
    started: float
    containers: list[_Container]
    stopping: bool = False


def backoff_delay(restarts: int) -> float:
    """Seconds before restart number ``restarts + 1`` (the first restart is immediate).

    >>> [backoff_delay(n) for n in range(7)]
    [0.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0]
    """
    if restarts == 0:
        return 0.0
    delay = defaults.RESTART_BACKOFF_INITIAL * 2.0 ** (restarts - 1)
    return float(min(delay, defaults.RESTART_BACKOFF_MAX))


class Kubelet:
    """One node's agent. ``alive=False`` models a crashed or cut-off node."""

    name = "kubelet"

    def __init__(self, node: str, pod_cidr: str, context: Context) -> None:
        self.node = node
        self.context = context
        self.alive = True
        self.lease = 0.0
        self.images: set[str] = set()
        self._pods: dict[str, _Pod] = {}
        self._mine = FieldSelector((("spec.nodeName", True, node),))
        self._addresses = ipaddress.ip_network(pod_cidr).hosts()
        next(self._addresses)  # .1 is the node's bridge

    # -- node health -------------------------------------------------------------------------
    def renew_time(self) -> float:
        """When the node lease was last renewed: now while alive (every 10 s)."""
        if self.alive:
            self.lease = self.context.clock.now
        return self.lease

    def stop(self) -> None:
        """The node goes dark: no more lease renewals, status updates or restarts."""
        self.renew_time()
        heartbeat = defaults.NODE_HEARTBEAT_SECONDS
        self.lease = (self.context.clock.now // heartbeat) * heartbeat
        self.alive = False
        # The node controller will notice when the grace period runs out.
        self.context.wake_at(self.lease + defaults.NODE_MONITOR_GRACE_SECONDS)
        for pod in self._pods.values():
            for container in pod.containers:
                for timer in container.timers:
                    timer.cancel()

    def start(self) -> None:
        self.alive = True
        store = self.context.store
        node = store.get("nodes", None, self.node)
        for condition in node["status"]["conditions"]:
            ready = condition["type"] == "Ready"
            condition.update(
                status="True" if ready else "False",
                reason="KubeletReady"
                if ready
                else "KubeletHas"
                + {
                    "MemoryPressure": "SufficientMemory",
                    "DiskPressure": "NoDiskPressure",
                    "PIDPressure": "SufficientPID",
                }[condition["type"]],
                message="kubelet is posting ready status" if ready else condition["message"],
                lastTransitionTime=rfc3339(self.context.clock.now),
            )
        node["spec"]["taints"] = [
            t
            for t in node["spec"].get("taints") or []
            if t["key"] != "node.kubernetes.io/unreachable"
        ]
        store.update(node)
        self.context.recorder.record(
            node, "Normal", "NodeReady", f"Node {self.node} status is now: NodeReady", "kubelet"
        )
        for pod in list(self._pods.values()):
            for container in pod.containers:
                if container.state == "running":
                    self._schedule_exit(pod, container)
            self._publish(pod)

    # -- the sync loop -----------------------------------------------------------------------
    def sync(self) -> None:
        if not self.alive:
            return
        store = self.context.store
        seen = set()
        for pod in store.list("pods", fields=self._mine):
            uid = pod["metadata"]["uid"]
            seen.add(uid)
            record = self._pods.get(uid)
            if "deletionTimestamp" in pod["metadata"]:
                if record is None:
                    store.remove("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
                elif not record.stopping:
                    self._stop(record)
                continue
            if record is None:
                self._admit(pod)
            else:
                self._follow_images(record, pod)
        for uid in [u for u in self._pods if u not in seen]:
            self._forget(self._pods[uid])

    def _admit(self, pod: Object) -> None:
        now = self.context.clock.now
        record = _Pod(
            uid=pod["metadata"]["uid"],
            namespace=pod["metadata"]["namespace"],
            name=pod["metadata"]["name"],
            ip=str(next(self._addresses)),
            started=now,
            containers=[_Container(c["name"], c["image"]) for c in pod["spec"]["containers"]],
        )
        self._pods[record.uid] = record
        self._publish(record)
        for container in record.containers:
            self._pull_and_start(record, container)

    def _follow_images(self, record: _Pod, pod: Object) -> None:
        """An image changed in the spec (the one in-place Pod update): stop that container
        and start it again from the new image, which counts as a restart."""
        for spec in pod["spec"]["containers"]:
            container = next((c for c in record.containers if c.name == spec["name"]), None)
            if container is None or container.image == spec["image"]:
                continue
            for timer in container.timers:
                timer.cancel()
            container.timers.clear()
            was_running = container.state == "running"
            self._event(
                record,
                "Normal",
                "Killing",
                f"Container {container.name} definition changed, will be restarted",
            )
            container.image = spec["image"]
            container.ready = False

            def replaced(
                container: _Container = container, was_running: bool = was_running
            ) -> None:
                now = self.context.clock.now
                if was_running:  # it stops cleanly on SIGTERM, as CONTAINER_STOP_SECONDS models
                    container.last_terminated = {
                        "exitCode": 0,
                        "reason": "Completed",
                        "startedAt": rfc3339(container.started_at),
                        "finishedAt": rfc3339(now),
                        "containerID": container.container_id,
                    }
                    container.restarts += 1
                container.state, container.reason, container.message = (
                    "waiting",
                    "ContainerCreating",
                    "",
                )
                self._pull_and_start(record, container)
                self._publish(record)

            self._later(container, defaults.CONTAINER_STOP_SECONDS, replaced)
            self._publish(record)

    def _spec(self, record: _Pod, name: str) -> Object:
        pod = self.context.store.get("pods", record.namespace, record.name)
        return next(c for c in pod["spec"]["containers"] if c["name"] == name)

    def _event(self, record: _Pod, kind: str, reason: str, message: str) -> None:
        if self.context.store.exists("pods", record.namespace, record.name):
            pod = self.context.store.get("pods", record.namespace, record.name)
            self.context.recorder.record(pod, kind, reason, message, "kubelet")

    def _later(self, container: _Container, delay: float, action: Any) -> None:
        container.timers.append(self.context.clock.call_later(delay, action))

    def _pull_and_start(self, record: _Pod, container: _Container) -> None:
        spec = self._spec(record, container.name)
        policy = spec.get("imagePullPolicy", "IfNotPresent")
        if policy == "Always" or container.image not in self.images:
            self._event(record, "Normal", "Pulling", f'Pulling image "{container.image}"')
            pull = defaults.IMAGE_PULL_SECONDS

            def pulled() -> None:
                self.images.add(container.image)
                self._event(
                    record,
                    "Normal",
                    "Pulled",
                    f'Successfully pulled image "{container.image}" in {pull:g}s ({pull:g}s '
                    "including waiting)",
                )
                self._create(record, container)

            self._later(container, pull, pulled)
        else:
            self._event(
                record,
                "Normal",
                "Pulled",
                f'Container image "{container.image}" already present on machine',
            )
            self._create(record, container)

    def _create(self, record: _Pod, container: _Container) -> None:
        self._event(record, "Normal", "Created", f"Created container {container.name}")
        self._later(
            container, defaults.CONTAINER_START_SECONDS, lambda: self._run(record, container)
        )

    def _run(self, record: _Pod, container: _Container) -> None:
        if record.stopping:
            return
        now = self.context.clock.now
        container.state, container.reason, container.message = "running", "", ""
        container.started_at = now
        container.container_id = (
            "containerd://"
            + hashlib.sha256(
                f"{record.uid}/{container.name}/{container.restarts}".encode()
            ).hexdigest()
        )
        self._event(record, "Normal", "Started", f"Started container {container.name}")
        spec = self._spec(record, container.name)
        probe = spec.get("readinessProbe")
        if probe is None:
            container.ready = True
        else:
            container.ready = False
            delay = float(probe.get("initialDelaySeconds", 0)) or float(
                probe.get("periodSeconds", 10)
            )

            def probed() -> None:
                if container.state == "running":
                    container.ready = True
                    self._publish(record)

            self._later(container, delay, probed)
        self._schedule_exit(record, container)
        self._publish(record)

    def _schedule_exit(self, record: _Pod, container: _Container) -> None:
        spec = self._spec(record, container.name)
        plan = behaviour([*(spec.get("command") or []), *(spec.get("args") or [])])
        if plan.runs_for is None:
            return
        remaining = max(container.started_at + plan.runs_for - self.context.clock.now, 0.0)
        self._later(container, remaining, lambda: self._exit(record, container, plan.exit_code))

    def _exit(self, record: _Pod, container: _Container, code: int) -> None:
        now = self.context.clock.now
        container.state = "terminated"
        container.reason = "Completed" if code == 0 else "Error"
        container.exit_code = code
        container.finished_at = now
        container.ready = False
        pod = self.context.store.get("pods", record.namespace, record.name)
        policy = pod["spec"].get("restartPolicy", "Always")
        if policy == "Always" or (policy == "OnFailure" and code != 0):
            if now - container.started_at >= defaults.RESTART_BACKOFF_RESET:
                container.backoff_restarts = 0  # ran long enough: forgive past crashes
            delay = backoff_delay(container.backoff_restarts)
            container.last_terminated = {
                "exitCode": code,
                "reason": container.reason,
                "startedAt": rfc3339(container.started_at),
                "finishedAt": rfc3339(now),
                "containerID": container.container_id,
            }
            if delay > 0:
                container.state, container.reason = "waiting", "CrashLoopBackOff"
                container.message = (
                    f"back-off {delay:g}s restarting failed "
                    f"container={container.name} pod={record.name}_{record.namespace}({record.uid})"
                )
                self._event(
                    record,
                    "Warning",
                    "BackOff",
                    f"Back-off restarting failed container {container.name} in pod "
                    f"{record.name}_{record.namespace}({record.uid})",
                )

            def restart() -> None:
                container.restarts += 1
                container.backoff_restarts += 1
                self._pull_and_start(record, container)
                self._publish(record)

            self._later(container, delay, restart)
        self._publish(record)

    def _stop(self, record: _Pod) -> None:
        record.stopping = True
        for container in record.containers:
            for timer in container.timers:
                timer.cancel()
            if container.state == "running":
                self._event(record, "Normal", "Killing", f"Stopping container {container.name}")

        def gone() -> None:
            if self.context.store.exists("pods", record.namespace, record.name):
                self.context.store.remove("pods", record.namespace, record.name)
            self._forget(record)

        self.context.clock.call_later(defaults.CONTAINER_STOP_SECONDS, gone)

    def _forget(self, record: _Pod) -> None:
        self._pods.pop(record.uid, None)

    # -- status ------------------------------------------------------------------------------
    def _publish(self, record: _Pod) -> None:
        """Write the pod's status as the kubelet's status manager would."""
        store = self.context.store
        if not self.alive or not store.exists("pods", record.namespace, record.name):
            return
        pod = store.get("pods", record.namespace, record.name)
        if pod["metadata"].get("uid") != record.uid:
            return
        now = rfc3339(self.context.clock.now)
        status = pod.setdefault("status", {})
        node = store.get("nodes", None, self.node)
        status["hostIP"] = node["status"]["addresses"][0]["address"]
        status["hostIPs"] = [{"ip": status["hostIP"]}]
        status["podIP"] = record.ip
        status["podIPs"] = [{"ip": record.ip}]
        status["startTime"] = rfc3339(record.started)
        status["phase"] = self._phase(record, pod["spec"].get("restartPolicy", "Always"))
        containers_ready = all(c.ready for c in record.containers)
        finished = status["phase"] in ("Succeeded", "Failed")
        wanted = {
            "PodReadyToStartContainers": "True",
            "Initialized": "True",
            "Ready": "True" if containers_ready and not finished else "False",
            "ContainersReady": "True" if containers_ready and not finished else "False",
            "PodScheduled": "True",
        }
        conditions = {c["type"]: c for c in status.get("conditions") or []}
        for kind, value in wanted.items():
            condition = conditions.setdefault(
                kind,
                {"type": kind, "status": value, "lastProbeTime": None, "lastTransitionTime": now},
            )
            if condition["status"] != value:
                condition.update(status=value, lastTransitionTime=now)
            if kind in ("Ready", "ContainersReady") and value == "False" and not finished:
                waiting = [c.name for c in record.containers if not c.ready]
                condition["reason"] = "ContainersNotReady"
                condition["message"] = f"containers with unready status: [{' '.join(waiting)}]"
            else:
                condition.pop("reason", None)
                condition.pop("message", None)
        status["conditions"] = [conditions[k] for k in wanted]
        status["containerStatuses"] = [self._container_status(c) for c in record.containers]
        store.update(pod)

    @staticmethod
    def _phase(record: _Pod, policy: str) -> str:
        states = [c.state for c in record.containers]
        if all(s == "terminated" for s in states):
            codes = [c.exit_code for c in record.containers]
            return "Succeeded" if not any(codes) else "Failed"
        if any(c.started_at or c.restarts for c in record.containers) and all(
            c.state != "waiting" or c.reason == "CrashLoopBackOff" or c.restarts
            for c in record.containers
        ):
            return "Running"
        return "Pending"

    @staticmethod
    def _container_status(container: _Container) -> Object:
        if container.state == "running":
            state: Object = {"running": {"startedAt": rfc3339(container.started_at)}}
        elif container.state == "terminated":
            state = {
                "terminated": {
                    "exitCode": container.exit_code,
                    "reason": container.reason,
                    "startedAt": rfc3339(container.started_at),
                    "finishedAt": rfc3339(container.finished_at),
                    "containerID": container.container_id,
                }
            }
        else:
            state = {
                "waiting": {
                    "reason": container.reason,
                    **({"message": container.message} if container.message else {}),
                }
            }
        status: Object = {
            "name": container.name,
            "image": container.image,
            "imageID": "",
            "ready": container.ready,
            "restartCount": container.restarts,
            "started": container.state == "running",
            "state": state,
            "lastState": {"terminated": container.last_terminated}
            if container.last_terminated
            else {},
        }
        if container.container_id:
            status["containerID"] = container.container_id
        if container.started_at:
            repository = container.image.split(":")[0]
            if "/" not in repository:
                repository = f"docker.io/library/{repository}"
            status["imageID"] = (
                f"{repository}@sha256:{hashlib.sha256(container.image.encode()).hexdigest()}"
            )
        return status

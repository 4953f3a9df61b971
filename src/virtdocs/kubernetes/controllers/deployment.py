"""The Deployment controller: one ReplicaSet per pod template, rolled from old to new.

RollingUpdate follows pkg/controller/deployment/rolling.go: scale the new ReplicaSet
up while the total stays within ``replicas + maxSurge``, then scale old ones down
while at least ``replicas − maxUnavailable`` pods stay available. Recreate scales
every old ReplicaSet to zero first.
"""

from __future__ import annotations

import copy
import json
import math

from virtdocs.errors import UserError
from virtdocs.kubernetes.clock import parse_rfc3339, rfc3339
from virtdocs.kubernetes.controllers.base import Context, Object, is_owned_by, owner_reference

REVISION = "deployment.kubernetes.io/revision"
#: Annotations that describe one object and are never copied between a Deployment and its
#: ReplicaSets (skipCopyAnnotation in pkg/controller/deployment/util; kubectl's rollback
#: skips the same set when it restores a revision's annotations).
NOT_COPIED = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    }
)
HASH_LABEL = "pod-template-hash"
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def resolve_fenceposts(
    max_surge: int | str, max_unavailable: int | str, replicas: int
) -> tuple[int, int]:
    """Absolute (maxSurge, maxUnavailable): percentages of ``replicas``, surge rounded
    up and unavailable rounded down; both zero would deadlock, so unavailable becomes 1.

    >>> resolve_fenceposts("25%", "25%", 10)
    (3, 2)
    >>> resolve_fenceposts("25%", "25%", 1)
    (1, 0)
    """
    surge = _scaled(max_surge, replicas, round_up=True)
    unavailable = _scaled(max_unavailable, replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _scaled(value: int | str, total: int, *, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.endswith("%") or not text[:-1].isdigit():
        raise UserError(
            f"invalid value for IntOrString: invalid type: string is not a percentage: {text!r}"
        )
    exact = int(text[:-1]) * total / 100
    return math.ceil(exact) if round_up else math.floor(exact)


def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def template_hash(template: Object, collision_count: int = 0) -> str:
    """A pod-template-hash like the controller's: FNV-32a of the template (and the
    collision count), written as its decimal digits through ``SafeEncodeString``.
    The bytes hashed are this simulator's JSON, so values differ from a real cluster's."""
    data = json.dumps(_without_hash(template), sort_keys=True).encode()
    if collision_count:
        data += str(collision_count).encode()
    return "".join(_ALPHANUMS[ord(c) % len(_ALPHANUMS)] for c in str(fnv32a(data)))


def _without_hash(template: Object) -> Object:
    clean = copy.deepcopy(template)
    labels = clean.get("metadata", {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
    return clean


def _copied_annotations(d: Object) -> dict[str, str]:
    """The Deployment's annotations its new ReplicaSet carries (``kubernetes.io/change-cause``
    among them, which is what ``rollout history`` prints)."""
    return {
        k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k not in NOT_COPIED
    }


def _complete(d: Object) -> bool:
    """DeploymentComplete: every replica updated and available, the latest spec observed."""
    status = d.get("status", {})
    replicas = int(d["spec"]["replicas"])
    return (
        int(status.get("updatedReplicas", 0)) == replicas
        and int(status.get("replicas", 0)) == replicas
        and int(status.get("availableReplicas", 0)) == replicas
        and int(status.get("observedGeneration", 0)) >= int(d["metadata"].get("generation", 1))
    )


def max_replicas(d: Object) -> int:
    """The ``deployment.kubernetes.io/max-replicas`` annotation: replicas + maxSurge."""
    replicas = int(d["spec"]["replicas"])
    if d["spec"]["strategy"]["type"] == "Recreate":
        return replicas
    rolling = d["spec"]["strategy"].get("rollingUpdate") or {}
    surge, _ = resolve_fenceposts(
        rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%"), replicas
    )
    return replicas + surge


def revision_of(obj: Object) -> int:
    return int(obj["metadata"].get("annotations", {}).get(REVISION, "0") or 0)


class DeploymentController:
    name = "deployment-controller"

    def __init__(self, context: Context) -> None:
        self.context = context

    def sync(self) -> None:
        for deployment in self.context.store.list("deployments"):
            if "deletionTimestamp" not in deployment["metadata"]:
                self._sync_one(deployment)

    # -- one deployment ------------------------------------------------------------------------
    def _replicasets(self, d: Object) -> tuple[Object | None, list[Object]]:
        owned = [
            rs
            for rs in self.context.store.list("replicasets", d["metadata"]["namespace"])
            if is_owned_by(rs, d)
        ]
        wanted = _without_hash(d["spec"]["template"])
        new = next((rs for rs in owned if _without_hash(rs["spec"]["template"]) == wanted), None)
        old = [rs for rs in owned if new is None or rs["metadata"]["uid"] != new["metadata"]["uid"]]
        old.sort(
            key=lambda rs: (
                parse_rfc3339(rs["metadata"]["creationTimestamp"]),
                rs["metadata"]["name"],
            )
        )
        return new, old

    def _sync_one(self, d: Object) -> None:
        if d["spec"].get("paused"):
            return
        new, old = self._replicasets(d)
        new = self._ensure_new(d, new, old)
        replicas = int(d["spec"]["replicas"])
        if d["spec"]["strategy"]["type"] == "Recreate":
            if any(int(rs["spec"]["replicas"]) > 0 for rs in old):
                for rs in old:
                    self._scale(d, rs, 0)
            elif not any(self._active_pods(rs) for rs in old):
                self._scale(d, new, replicas)
        else:
            rolling = d["spec"]["strategy"].get("rollingUpdate") or {}
            surge, unavailable = resolve_fenceposts(
                rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%"), replicas
            )
            if not self._scale_up_new(d, new, old, replicas, surge):
                self._scale_down_old(d, new, old, replicas, unavailable)
        self._cleanup(d)
        self._update_status(d, surge_unavailable=self._fenceposts(d))

    def _fenceposts(self, d: Object) -> int:
        if d["spec"]["strategy"]["type"] == "Recreate":
            return 0
        rolling = d["spec"]["strategy"].get("rollingUpdate") or {}
        return resolve_fenceposts(
            rolling.get("maxSurge", "25%"),
            rolling.get("maxUnavailable", "25%"),
            int(d["spec"]["replicas"]),
        )[1]

    def _ensure_new(self, d: Object, new: Object | None, old: list[Object]) -> Object:
        store = self.context.store
        top = max((revision_of(rs) for rs in old), default=0)
        if new is not None:
            # Reusing an old template (rollout undo) gives its ReplicaSet the next revision.
            annotations = new["metadata"].setdefault("annotations", {})
            copied = _copied_annotations(d)
            if revision_of(new) <= top or any(annotations.get(k) != v for k, v in copied.items()):
                annotations.update(copied)
                annotations[REVISION] = str(max(top + 1, revision_of(new)))
                new = store.update(new)
            self._set_revision(d, revision_of(new))
            return new
        template = copy.deepcopy(d["spec"]["template"])
        collisions = int(d.get("status", {}).get("collisionCount", 0))
        pod_hash = template_hash(template, collisions)
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = pod_hash
        selector = copy.deepcopy(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
        replicas = (
            0 if old or d["spec"]["strategy"]["type"] == "Recreate" else int(d["spec"]["replicas"])
        )
        if old and d["spec"]["strategy"]["type"] != "Recreate":
            rolling = d["spec"]["strategy"].get("rollingUpdate") or {}
            surge, _ = resolve_fenceposts(
                rolling.get("maxSurge", "25%"),
                rolling.get("maxUnavailable", "25%"),
                int(d["spec"]["replicas"]),
            )
            current = sum(int(rs["spec"]["replicas"]) for rs in old)
            replicas = max(
                0, min(int(d["spec"]["replicas"]) + surge - current, int(d["spec"]["replicas"]))
            )
        rs: Object = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{d['metadata']['name']}-{pod_hash}",
                "namespace": d["metadata"]["namespace"],
                "labels": dict(template["metadata"]["labels"]),
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": str(d["spec"]["replicas"]),
                    "deployment.kubernetes.io/max-replicas": str(max_replicas(d)),
                    REVISION: str(top + 1),
                },
                "ownerReferences": [owner_reference(d)],
            },
            "spec": {"replicas": replicas, "selector": selector, "template": template},
        }
        rs["metadata"]["annotations"].update(_copied_annotations(d))
        created = store.create(rs)
        if replicas:
            self._event(d, f"Scaled up replica set {created['metadata']['name']} to {replicas}")
        self._set_revision(d, top + 1)
        self._progress(
            d, "NewReplicaSetCreated", f'Created new replica set "{created["metadata"]["name"]}"'
        )
        return created

    def _set_revision(self, d: Object, revision: int) -> None:
        current = self.context.store.get(
            "deployments", d["metadata"]["namespace"], d["metadata"]["name"]
        )
        annotations = current["metadata"].setdefault("annotations", {})
        if annotations.get(REVISION) != str(revision):
            annotations[REVISION] = str(revision)
            self.context.store.update(current)

    def _active_pods(self, rs: Object) -> int:
        """Pods of ``rs`` still running, terminating ones included (Recreate waits for them)."""
        return sum(
            1
            for p in self.context.store.list("pods", rs["metadata"]["namespace"])
            if is_owned_by(p, rs)
            and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")
        )

    def _scale(self, d: Object, rs: Object, replicas: int) -> bool:
        store = self.context.store
        current = store.get("replicasets", rs["metadata"]["namespace"], rs["metadata"]["name"])
        before = int(current["spec"]["replicas"])
        annotations = current["metadata"].setdefault("annotations", {})
        annotations["deployment.kubernetes.io/desired-replicas"] = str(d["spec"]["replicas"])
        annotations["deployment.kubernetes.io/max-replicas"] = str(max_replicas(d))
        if before == replicas:
            return False
        current["spec"]["replicas"] = replicas
        store.update(current)
        direction = "up" if replicas > before else "down"
        self._event(
            d,
            f"Scaled {direction} replica set {current['metadata']['name']} to {replicas} from "
            f"{before}",
        )
        return True

    def _event(self, d: Object, message: str) -> None:
        self.context.recorder.record(d, "Normal", "ScalingReplicaSet", message, self.name)

    def _scale_up_new(
        self, d: Object, new: Object, old: list[Object], replicas: int, surge: int
    ) -> bool:
        current_new = int(
            self.context.store.get(
                "replicasets", new["metadata"]["namespace"], new["metadata"]["name"]
            )["spec"]["replicas"]
        )
        if current_new > replicas:
            return self._scale(d, new, replicas)
        if current_new == replicas:
            return False
        total = current_new + sum(int(rs["spec"]["replicas"]) for rs in old)
        room = replicas + surge - total
        if room <= 0:
            return False
        return self._scale(d, new, current_new + min(room, replicas - current_new))

    def _scale_down_old(
        self, d: Object, new: Object, old: list[Object], replicas: int, unavailable: int
    ) -> None:
        store = self.context.store
        new = store.get("replicasets", new["metadata"]["namespace"], new["metadata"]["name"])
        old = [
            store.get("replicasets", rs["metadata"]["namespace"], rs["metadata"]["name"])
            for rs in old
        ]
        everything = [new, *old]
        all_pods = sum(int(rs["spec"]["replicas"]) for rs in everything)
        min_available = replicas - unavailable
        new_unavailable = int(new["spec"]["replicas"]) - int(
            new.get("status", {}).get("availableReplicas", 0)
        )
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return
        # First remove old pods that are not available anyway: it costs no availability.
        for rs in old:
            if max_scaled_down <= 0:
                break
            spec = int(rs["spec"]["replicas"])
            unhealthy = spec - int(rs.get("status", {}).get("availableReplicas", 0))
            cut = min(max_scaled_down, max(unhealthy, 0))
            if cut > 0:
                self._scale(d, rs, spec - cut)
                rs["spec"]["replicas"] = spec - cut
                max_scaled_down -= cut
        available = sum(int(rs.get("status", {}).get("availableReplicas", 0)) for rs in everything)
        budget = available - min_available
        for rs in old:
            if budget <= 0:
                break
            spec = int(rs["spec"]["replicas"])
            cut = min(spec, budget)
            if cut > 0:
                self._scale(d, rs, spec - cut)
                budget -= cut

    def _cleanup(self, d: Object) -> None:
        """cleanupDeployment: once a rollout is complete, delete the oldest old ReplicaSets
        beyond ``revisionHistoryLimit``; of those oldest, any still running pods is kept."""
        d = self.context.store.get("deployments", d["metadata"]["namespace"], d["metadata"]["name"])
        if not _complete(d):
            return
        limit = int(d["spec"].get("revisionHistoryLimit", 10))
        _, old = self._replicasets(d)
        alive = sorted(
            (rs for rs in old if "deletionTimestamp" not in rs["metadata"]), key=revision_of
        )
        for rs in alive[: max(len(alive) - limit, 0)]:
            if int(rs["spec"]["replicas"]) or rs.get("status", {}).get("replicas"):
                continue
            self.context.store.remove(
                "replicasets", rs["metadata"]["namespace"], rs["metadata"]["name"]
            )

    # -- status --------------------------------------------------------------------------------
    def _progress(self, d: Object, reason: str, message: str, status: str = "True") -> None:
        current = self.context.store.get(
            "deployments", d["metadata"]["namespace"], d["metadata"]["name"]
        )
        self._set_condition(current, "Progressing", status, reason, message)
        self.context.store.update(current)

    def _set_condition(self, d: Object, kind: str, status: str, reason: str, message: str) -> bool:
        now = rfc3339(self.context.clock.now)
        conditions = d.setdefault("status", {}).setdefault("conditions", [])
        for condition in conditions:
            if condition["type"] == kind:
                if (condition["status"], condition["reason"], condition["message"]) == (
                    status,
                    reason,
                    message,
                ):
                    return False
                if condition["status"] != status:
                    condition["lastTransitionTime"] = now
                condition.update(status=status, reason=reason, message=message, lastUpdateTime=now)
                return True
        conditions.append(
            {
                "type": kind,
                "status": status,
                "lastUpdateTime": now,
                "lastTransitionTime": now,
                "reason": reason,
                "message": message,
            }
        )
        return True

    def _update_status(self, d: Object, surge_unavailable: int) -> None:
        store = self.context.store
        current = store.get("deployments", d["metadata"]["namespace"], d["metadata"]["name"])
        new, old = self._replicasets(current)
        everything = [rs for rs in [new, *old] if rs is not None]
        replicas = int(current["spec"]["replicas"])
        status = current.setdefault("status", {})
        before = {
            k: int(status.get(k, 0))
            for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")
        }
        total = sum(int(rs.get("status", {}).get("replicas", 0)) for rs in everything)
        available = sum(int(rs.get("status", {}).get("availableReplicas", 0)) for rs in everything)
        counts = {
            "replicas": total,
            "updatedReplicas": int(new.get("status", {}).get("replicas", 0)) if new else 0,
            "readyReplicas": sum(
                int(rs.get("status", {}).get("readyReplicas", 0)) for rs in everything
            ),
            "availableReplicas": available,
        }
        status.update({"observedGeneration": current["metadata"].get("generation", 1), **counts})
        spec_total = sum(int(rs["spec"]["replicas"]) for rs in everything)
        status["unavailableReplicas"] = max(spec_total - available, 0)
        for key in [k for k, v in status.items() if v == 0 and k != "observedGeneration"]:
            del status[key]  # zero counts are omitted, as in the API's JSON
        if available >= replicas - surge_unavailable:
            self._set_condition(
                current,
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            )
        else:
            self._set_condition(
                current,
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            )
        name = new["metadata"]["name"] if new else ""
        complete = (
            counts["updatedReplicas"] == replicas and available == replicas and total == replicas
        )
        progressing = next(
            (c for c in status.get("conditions", []) if c["type"] == "Progressing"), None
        )
        deadline = int(current["spec"].get("progressDeadlineSeconds", 600))
        if complete:
            self._set_condition(
                current,
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{name}" has successfully progressed.',
            )
        elif (
            counts != before
            or progressing is None
            or progressing["reason"] == "NewReplicaSetAvailable"
        ):
            self._set_condition(
                current,
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                f'ReplicaSet "{name}" is progressing.',
            )
            for condition in status["conditions"]:
                if condition["type"] == "Progressing":  # progress resets the deadline clock
                    condition["lastUpdateTime"] = rfc3339(self.context.clock.now)
            self.context.wake_at(self.context.clock.now + deadline + 1)
        elif progressing["reason"] != "ProgressDeadlineExceeded":
            since = parse_rfc3339(progressing["lastUpdateTime"])
            if self.context.clock.now > since + deadline:
                self._set_condition(
                    current,
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    f'ReplicaSet "{name}" has timed out progressing.',
                )
            else:
                self.context.wake_at(since + deadline + 1)
        order = {"Available": 0, "Progressing": 1, "ReplicaFailure": 2}
        status["conditions"].sort(key=lambda c: order.get(c["type"], 3))
        store.update(current)

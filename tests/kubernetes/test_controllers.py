"""Controllers on a simulated cluster: self-healing, rollouts, rollback, nodes, GC."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kubernetes.scenario import deployment, service
from virtdocs.errors import UserError
from virtdocs.kubernetes import Cluster
from virtdocs.kubernetes.controllers.base import pod_ready


def pods(cluster: Cluster, app: str = "web") -> list[dict[str, Any]]:
    return [
        p for p in cluster.store.list("pods") if p["metadata"].get("labels", {}).get("app") == app
    ]


def replicasets(cluster: Cluster) -> dict[str, int]:
    return {
        rs["metadata"]["name"]: rs["spec"]["replicas"] for rs in cluster.store.list("replicasets")
    }


def test_apply_reports_created_unchanged_configured() -> None:
    cluster = Cluster(nodes=2)
    assert cluster.apply(deployment()) == "deployment.apps/web created"
    assert cluster.apply(deployment()) == "deployment.apps/web unchanged"
    assert cluster.apply(deployment(replicas=5)) == "deployment.apps/web configured"


def test_apply_goes_through_the_validator() -> None:
    cluster = Cluster(nodes=1)
    bad = deployment().replace("containerPort: 80", "containerPort: 70000")
    with pytest.raises(UserError, match=r"^manifest.yaml:\d+:\d+: Deployment/web: "):
        cluster.apply(bad, source="manifest.yaml")
    assert cluster.store.list("deployments") == []


def test_a_replicaset_replaces_a_deleted_pod() -> None:
    cluster = Cluster(nodes=2, seed=3)
    cluster.apply(deployment(replicas=3))
    cluster.advance(10)
    victim = pods(cluster)[0]["metadata"]["name"]
    assert cluster.kubectl(f"delete pod {victim}") == f'pod "{victim}" deleted'
    cluster.advance(10)
    names = [p["metadata"]["name"] for p in pods(cluster)]
    assert len(names) == 3 and victim not in names
    assert all(pod_ready(p) for p in pods(cluster))


def test_rolling_update_stays_within_surge_and_unavailability() -> None:
    cluster = Cluster(nodes=3, seed=1)
    cluster.apply(deployment(replicas=4))
    cluster.advance(10)
    cluster.kubectl("set image deployment/web web=nginx:1.27")
    worst_total, worst_available = 0, 4
    for _ in range(200):
        live = [p for p in pods(cluster) if "deletionTimestamp" not in p["metadata"]]
        worst_total = max(worst_total, len(live))
        worst_available = min(worst_available, sum(pod_ready(p) for p in live))
        if not cluster.clock.step():
            break
        cluster.settle()
    # 4 replicas: maxSurge 25 % -> 1 (rounded up), maxUnavailable 25 % -> 1 (rounded down)
    assert worst_total <= 5
    assert worst_available >= 3
    images = {p["spec"]["containers"][0]["image"] for p in pods(cluster)}
    assert images == {"nginx:1.27"}


def test_recreate_stops_every_old_pod_first() -> None:
    cluster = Cluster(nodes=2, seed=1)
    cluster.apply(deployment(replicas=2, strategy="Recreate"))
    cluster.advance(10)
    cluster.kubectl("set image deployment/web web=nginx:1.27")
    seen_mixed = False
    for _ in range(200):
        images = {p["spec"]["containers"][0]["image"] for p in pods(cluster)}
        seen_mixed = seen_mixed or len(images) > 1
        if not cluster.clock.step():
            break
        cluster.settle()
    assert not seen_mixed
    assert cluster.kubectl("get deploy web").splitlines()[1].split()[1] == "2/2"


def test_rollout_undo_reuses_the_old_replicaset_as_a_new_revision() -> None:
    cluster = Cluster(nodes=3, seed=2)
    cluster.apply(deployment(replicas=2))
    cluster.advance(10)
    first = set(replicasets(cluster))
    cluster.kubectl("set image deployment/web web=nginx:1.27")
    cluster.kubectl("rollout status deployment/web")
    assert cluster.kubectl("rollout undo deployment/web") == "deployment.apps/web rolled back"
    cluster.kubectl("rollout status deployment/web")
    sets = replicasets(cluster)
    assert len(sets) == 2
    (old_name,) = first
    assert sets[old_name] == 2
    assert cluster.kubectl("rollout history deployment/web") == (
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>"
    )
    assert cluster.kubectl("rollout undo deployment/web --to-revision=9") == (
        "error: unable to find specified revision 9 in history"
    )


def test_revision_history_limit_prunes_old_replicasets() -> None:
    cluster = Cluster(nodes=2)
    cluster.apply(deployment(replicas=1, extra_spec="  revisionHistoryLimit: 2\n"))
    cluster.advance(5)
    for version in range(20, 25):
        cluster.kubectl(f"set image deployment/web web=nginx:1.{version}")
        cluster.kubectl("rollout status deployment/web")
    assert len(replicasets(cluster)) == 3  # the current one and 2 old ones


def test_a_rollout_that_cannot_progress_exceeds_its_deadline() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(deployment(replicas=1, extra_spec="  progressDeadlineSeconds: 60\n"))
    cluster.advance(5)
    huge = '        resources:\n          requests:\n            cpu: "64"\n'
    cluster.apply(
        deployment(replicas=1, extra_spec="  progressDeadlineSeconds: 60\n", container_extra=huge)
    )
    assert cluster.kubectl("rollout status deployment/web").splitlines()[-1] == (
        'error: deployment "web" exceeded its progress deadline'
    )
    events = cluster.kubectl("get events --field-selector metadata.namespace=default")
    assert "0/1 nodes are available: 1 Insufficient cpu." in events


def test_a_lost_node_is_marked_unknown_and_its_pods_replaced() -> None:
    cluster = Cluster(nodes=3, seed=1)
    cluster.apply(deployment(replicas=3))
    cluster.advance(10)
    on_node_1 = [p["metadata"]["name"] for p in pods(cluster) if p["spec"]["nodeName"] == "node-1"]
    assert on_node_1
    cluster.fail_node("node-1")
    cluster.advance(39)
    assert "node-1   Ready" in cluster.kubectl("get nodes")  # still inside the 40 s grace
    cluster.advance(2)
    assert "node-1   Unknown" in cluster.kubectl("get nodes")
    cluster.advance(298)  # tolerationSeconds 300 not yet over
    assert all(p["spec"]["nodeName"] for p in pods(cluster))
    assert len([p for p in pods(cluster) if "deletionTimestamp" not in p["metadata"]]) == 3
    cluster.advance(10)
    live = [p for p in pods(cluster) if "deletionTimestamp" not in p["metadata"]]
    assert len(live) == 3 and all(p["spec"]["nodeName"] != "node-1" for p in live)


def test_deleting_a_deployment_collects_its_replicasets_and_pods() -> None:
    cluster = Cluster(nodes=2)
    cluster.apply(deployment(replicas=2))
    cluster.advance(5)
    assert cluster.kubectl("delete deployment web") == 'deployment.apps "web" deleted'
    cluster.advance(5)
    assert replicasets(cluster) == {} and pods(cluster) == []


def test_orphan_cascade_keeps_the_pods() -> None:
    cluster = Cluster(nodes=2)
    cluster.apply(deployment(replicas=2))
    cluster.advance(5)
    rs = next(iter(replicasets(cluster)))
    cluster.kubectl(f"delete rs {rs} --cascade=orphan")
    cluster.advance(5)
    # The Deployment makes a new ReplicaSet, which adopts the orphans rather than adding pods.
    assert len(pods(cluster)) == 2


def test_endpoints_follow_readiness() -> None:
    probe = (
        "        readinessProbe:\n          httpGet:\n            path: /\n            port: 80\n"
        "          initialDelaySeconds: 20\n"
    )
    cluster = Cluster(nodes=2, seed=1)
    cluster.apply(deployment(replicas=2, container_extra=probe))
    cluster.apply(service())
    cluster.advance(10)
    assert cluster.kubectl("get endpoints web").splitlines()[1].split()[1] == "<none>"
    cluster.advance(20)
    assert len(cluster.kubectl("get endpoints web").splitlines()[1].split()[1].split(",")) == 2


def test_load_balancer_gets_an_external_ip_from_the_cloud_controller() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(service(kind="LoadBalancer"))
    assert "<pending>" in cluster.kubectl("get svc web")
    cluster.advance(5)
    assert "203.0.113.10" in cluster.kubectl("get svc web")


def test_deleting_a_service_removes_its_endpoints_and_slices() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(deployment(replicas=1))
    cluster.apply(service())
    cluster.advance(5)
    assert cluster.store.exists("endpoints", "default", "web")
    assert cluster.kubectl("delete service web") == 'service "web" deleted'
    assert not cluster.store.exists("endpoints", "default", "web")
    assert cluster.store.list("endpointslices") == []
    assert cluster.kubectl("get endpoints -o name") == "endpoints/kubernetes"


def test_a_watch_through_the_cluster_sees_scheduling_and_deletion() -> None:
    cluster = Cluster(nodes=1)
    watch = cluster.watch("pods")
    cluster.apply(deployment(replicas=1))
    cluster.advance(5)
    cluster.kubectl("delete deployment web")
    cluster.advance(5)
    events = watch.drain()
    assert events[0].type == "ADDED" and "nodeName" not in events[0].object["spec"]
    assert events[1].object["spec"]["nodeName"] == "node-1"
    assert events[-1].type == "DELETED"
    versions = [e.resource_version for e in events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)

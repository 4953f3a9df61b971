"""Controllers on a simulated cluster: self-healing, rollouts, rollback, nodes, GC."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kubernetes.scenario import deployment, pod, service
from virtdocs.errors import UserError
from virtdocs.kubernetes import Cluster
from virtdocs.kubernetes.apiserver.errors import ApiError
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
    # The Ready condition turns Unknown; kubectl prints any non-True Ready as NotReady.
    ready = next(
        c
        for c in cluster.store.get("nodes", None, "node-1")["status"]["conditions"]
        if c["type"] == "Ready"
    )
    assert (ready["status"], ready["reason"]) == ("Unknown", "NodeStatusUnknown")
    assert "node-1   NotReady" in cluster.kubectl("get nodes")
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
    # Both pods are listed, but only as notReadyAddresses: kubectl prints an empty cell
    # (formatEndpoints prints <none> only when there are no subsets at all).
    endpoints = cluster.store.get("endpoints", "default", "web")
    assert [len(s.get("notReadyAddresses", [])) for s in endpoints["subsets"]] == [2]
    assert cluster.kubectl("get endpoints web").splitlines()[1].split() == ["web", "10s"]
    cluster.advance(20)
    cells = cluster.kubectl("get endpoints web").splitlines()[1].split()
    assert len(cells[1].split(",")) == 2
    assert cells[1].split(",") == sorted(cells[1].split(","))  # RepackSubsets sorts by IP


def test_endpoints_drop_a_terminating_pod_but_its_slice_keeps_it() -> None:
    cluster = Cluster(nodes=1, seed=1)
    cluster.apply(deployment(replicas=1))
    cluster.apply(service())
    cluster.advance(10)
    name = pods(cluster)[0]["metadata"]["name"]
    cluster.kubectl(f"delete pod {name} --wait=false")
    endpoints = cluster.store.get("endpoints", "default", "web")
    listed = [
        a["targetRef"]["name"]
        for s in endpoints.get("subsets", [])
        for k in ("addresses", "notReadyAddresses")
        for a in s.get(k, [])
    ]
    assert name not in listed
    (eps,) = cluster.store.list("endpointslices")
    mine = [e for e in eps["endpoints"] if e["targetRef"]["name"] == name]
    assert [e["conditions"] for e in mine] == [
        {"ready": False, "serving": True, "terminating": True}
    ]


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


def test_add_controller_runs_a_loop_with_the_others() -> None:
    class Counter:
        name = "counting-controller"

        def __init__(self) -> None:
            self.syncs = 0

        def sync(self) -> None:
            self.syncs += 1

    cluster = Cluster(nodes=1)
    counter = Counter()
    cluster.add_controller(counter)
    assert counter.syncs > 0 and cluster.controllers[-1] is counter
    before = counter.syncs
    cluster.advance(1)
    assert counter.syncs > before
    with pytest.raises(ValueError, match="already running"):
        cluster.add_controller(counter)


def test_change_cause_follows_revisions_through_an_undo() -> None:
    def annotated(image: str, cause: str) -> str:
        manifest = deployment(replicas=2, image=image)
        return manifest.replace(
            "metadata:\n  name: web\n",
            f"metadata:\n  name: web\n  annotations:\n    kubernetes.io/change-cause: {cause}\n",
            1,
        )

    cluster = Cluster(nodes=3, seed=2)
    cluster.apply(annotated("nginx:1.26", "first"))
    cluster.kubectl("rollout status deployment/web")
    cluster.apply(annotated("nginx:1.27", "second"))
    cluster.kubectl("rollout status deployment/web")
    assert cluster.kubectl("rollout undo deployment/web") == "deployment.apps/web rolled back"
    cluster.kubectl("rollout status deployment/web")
    # Revision 1 came back as revision 3, carrying its own change-cause again.
    assert cluster.kubectl("rollout history deployment/web") == (
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         second\n3         first"
    )


def test_replicasets_carry_max_replicas_and_cleanup_waits_for_completion() -> None:
    cluster = Cluster(nodes=3, seed=2)
    cluster.apply(deployment(replicas=4))
    cluster.kubectl("rollout status deployment/web")
    (rs,) = cluster.store.list("replicasets")
    annotations = rs["metadata"]["annotations"]
    # 4 replicas + maxSurge 25 % of 4 rounded up (1).
    assert annotations["deployment.kubernetes.io/desired-replicas"] == "4"
    assert annotations["deployment.kubernetes.io/max-replicas"] == "5"
    d = cluster.store.get("deployments", "default", "web")
    d["spec"]["revisionHistoryLimit"] = 0
    cluster.store.update(d)
    cluster.kubectl("set image deployment/web web=nginx:1.27")
    assert len(replicasets(cluster)) == 2  # mid-rollout: the old one is still needed
    cluster.kubectl("rollout status deployment/web")
    assert len(replicasets(cluster)) == 1  # complete: no history is kept


def test_a_pod_update_may_change_images_only() -> None:
    cluster = Cluster(nodes=1)
    assert cluster.apply(pod("p", command='["sleep", "3600"]')) == "pod/p created"
    cluster.advance(5)
    changed_image = pod("p", command='["sleep", "3600"]').replace("busybox:1.36", "busybox:1.37")
    assert cluster.apply(changed_image) == "pod/p configured"
    assert cluster.store.get("pods", "default", "p")["spec"]["nodeName"] == "node-1"
    with pytest.raises(UserError) as caught:
        cluster.apply(pod("p", command='["sleep", "60"]'))
    assert str(caught.value).startswith(
        'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than '
        "`spec.containers[*].image`,"
    )
    # kubectl frames an Invalid error its own way.
    assert isinstance(caught.value, ApiError)
    assert caught.value.kubectl_text.startswith('The Pod "p" is invalid: spec: Forbidden:')
    assert cluster.store.get("pods", "default", "p")["spec"]["containers"][0]["command"] == [
        "sleep",
        "3600",
    ]


def test_relabelling_a_pod_out_of_its_replicaset_releases_it() -> None:
    cluster = Cluster(nodes=2, seed=3)
    cluster.apply(deployment(replicas=2))
    cluster.advance(10)
    name = pods(cluster)[0]["metadata"]["name"]
    assert cluster.kubectl(f"label pod {name} app=quarantine --overwrite") == f"pod/{name} labeled"
    cluster.advance(10)
    stray = cluster.store.get("pods", "default", name)
    assert "ownerReferences" not in stray["metadata"]  # released, still running
    assert len(pods(cluster)) == 2 and name not in {p["metadata"]["name"] for p in pods(cluster)}
    cluster.kubectl("delete deployment web")
    cluster.advance(60)
    assert [p["metadata"]["name"] for p in cluster.store.list("pods")] == [name]


def test_a_deployment_selector_is_immutable() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(deployment(replicas=1))
    moved = deployment(replicas=1).replace("app: web", "app: web2")
    with pytest.raises(ApiError) as caught:
        cluster.apply(moved)
    assert caught.value.kubectl_text == (
        'The Deployment "web" is invalid: spec.selector: Invalid value: '
        'v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
    )
    assert cluster.store.get("deployments", "default", "web")["spec"]["selector"] == {
        "matchLabels": {"app": "web"}
    }

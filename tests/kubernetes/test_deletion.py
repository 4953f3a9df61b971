"""Pod deletion as the pod registry decides it (CheckGracefulDelete in
pkg/registry/core/pod/strategy.go): graceful only for a pod a kubelet is running."""

from __future__ import annotations

from pathlib import Path

from tests.kubernetes.scenario import pod
from virtdocs.kubernetes import Cluster
from virtdocs.kubernetes.apiserver.store import Store
from virtdocs.kubernetes.clock import Clock

WEB = Path("examples/serverless/web-deployment.yaml")


def statuses(cluster: Cluster) -> dict[str, str]:
    """Pod name → STATUS column of ``kubectl get pods``."""
    lines = cluster.kubectl("get pods").splitlines()[1:]
    return {line.split()[0]: line.split()[2] for line in lines}


def test_scaling_down_deletes_pending_pods_at_once() -> None:
    # 2 nodes × 2 CPUs hold four 1-CPU pods; the 5th and 6th stay Pending.
    cluster = Cluster(nodes=2)
    cluster.apply_file(WEB)
    cluster.kubectl("scale deployment/web --replicas=4")
    cluster.advance(10)
    assert sorted(statuses(cluster).values()) == ["Running"] * 4
    cluster.kubectl("scale deployment/web --replicas=6")
    cluster.advance(10)
    assert sorted(statuses(cluster).values()) == ["Pending"] * 2 + ["Running"] * 4
    watch = cluster.watch("pods")
    cluster.kubectl("scale deployment/web --replicas=4")
    # Unscheduled pods go first (controller.ActivePods order) and leave in the same instant.
    deleted = [e for e in watch.drain() if e.type == "DELETED"]
    assert [e.object["status"]["phase"] for e in deleted] == ["Pending", "Pending"]
    assert all("deletionTimestamp" not in e.object["metadata"] for e in deleted)
    assert sorted(statuses(cluster).values()) == ["Running"] * 4
    cluster.advance(120)
    assert sorted(statuses(cluster).values()) == ["Running"] * 4


def test_the_issue_reproduction_leaves_no_terminating_pod() -> None:
    cluster = Cluster(nodes=2)
    cluster.apply_file(WEB)  # 6 replicas: 4 run, 2 pending
    cluster.kubectl("scale deployment/web --replicas=4")
    cluster.advance(60)
    assert sorted(statuses(cluster).values()) == ["Running"] * 4


def test_kubectl_delete_of_a_pending_pod_removes_it() -> None:
    cluster = Cluster(nodes=0)
    cluster.apply(pod("lonely"))
    assert statuses(cluster) == {"lonely": "Pending"}
    assert cluster.kubectl("delete pod lonely") == 'pod "lonely" deleted'
    assert cluster.kubectl("get pods") == "No resources found in default namespace."


def test_a_bound_pod_is_deleted_gracefully_by_its_kubelet() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(pod("busy", command='["sleep", "3600"]'))
    cluster.advance(10)
    # --wait=false: look before kubectl's wait would let the grace period play out.
    assert cluster.kubectl("delete pod busy --wait=false") == 'pod "busy" deleted'
    assert statuses(cluster) == {"busy": "Terminating"}
    cluster.advance(5)
    assert statuses(cluster) == {}


def test_finished_and_zero_grace_pods_are_removed_at_once() -> None:
    store = Store(Clock())
    bound = {"nodeName": "node-1", "containers": [{"name": "c", "image": "busybox"}]}
    for name, extra in (
        ("done", {"status": {"phase": "Succeeded"}}),
        ("failed", {"status": {"phase": "Failed"}}),
        ("now", {"spec": {**bound, "terminationGracePeriodSeconds": 0}}),
    ):
        store.create(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": bound, **extra}
        )
        store.mark_deleting("pods", "default", name)
        assert not store.exists("pods", "default", name), name
    store.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "running"},
            "spec": bound,
            "status": {"phase": "Running"},
        }
    )
    marked = store.mark_deleting("pods", "default", "running")
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30
    assert store.exists("pods", "default", "running")

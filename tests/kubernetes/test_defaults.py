"""The simulator's defaults against the documented Kubernetes values they model."""

from __future__ import annotations

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.apiserver.defaulting import default_object
from virtdocs.kubernetes.controllers.deployment import resolve_fenceposts
from virtdocs.kubernetes.kubelet import backoff_delay
from virtdocs.kubernetes.scheduler.profile import (
    DEFAULT_PLUGINS,
    default_profile,
    num_feasible_nodes_to_find,
)

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
        },
    },
}


def test_deployment_defaults_are_the_documented_ones() -> None:
    # https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
    spec = default_object(DEPLOYMENT)["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
    }
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600


def test_max_surge_rounds_up_and_max_unavailable_rounds_down() -> None:
    # 25 % of 10 is 2.5: surge 3 (up), unavailable 2 (down), as the Deployment docs say.
    assert resolve_fenceposts("25%", "25%", 10) == (3, 2)
    assert resolve_fenceposts("25%", "25%", 4) == (1, 1)
    assert resolve_fenceposts("25%", "25%", 3) == (1, 0)
    assert resolve_fenceposts(0, 0, 3) == (0, 1)  # both zero would block, so 1 unavailable


def test_default_plugin_weights_match_default_plugins_go() -> None:
    weights = {name: weight for name, weight in DEFAULT_PLUGINS if weight is not None}
    assert weights == {
        "TaintToleration": 3,
        "NodeAffinity": 2,
        "NodeResourcesFit": 1,
        "PodTopologySpread": 2,
        "InterPodAffinity": 2,
        "NodeResourcesBalancedAllocation": 1,
        "ImageLocality": 1,
    }
    profile = default_profile()
    assert [p.name for p in profile.filters] == [
        "NodeUnschedulable",
        "NodeName",
        "TaintToleration",
        "NodeAffinity",
        "NodeResourcesFit",
    ]
    assert [(p.name, w) for p, w in profile.scores] == [
        ("TaintToleration", 3),
        ("NodeAffinity", 2),
        ("NodeResourcesFit", 1),
        ("NodeResourcesBalancedAllocation", 1),
    ]


def test_num_feasible_nodes_to_find_follows_the_adaptive_rule() -> None:
    # Every node below 100; else max(50 - n/125, 5) percent, never fewer than 100 nodes.
    assert num_feasible_nodes_to_find(1) == 1
    assert num_feasible_nodes_to_find(99) == 99
    assert num_feasible_nodes_to_find(100) == 100  # 49 % of 100 = 49, floored at 100
    assert num_feasible_nodes_to_find(1000) == 420  # 42 %
    assert num_feasible_nodes_to_find(5000) == 500  # 10 %
    assert num_feasible_nodes_to_find(6000) == 300  # 50 - 48 = 2 -> 5 %
    assert num_feasible_nodes_to_find(1000, percentage=70) == 700


def test_other_documented_defaults() -> None:
    assert defaults.NODE_MAX_PODS == 110
    assert defaults.POD_TERMINATION_GRACE_SECONDS == 30
    assert defaults.DEFAULT_TOLERATION_SECONDS == 300
    assert (defaults.NON_ZERO_MILLI_CPU, defaults.NON_ZERO_MEMORY) == (100, 200 * 2**20)
    assert defaults.NODE_PORT_RANGE == (30000, 32767)


def test_pod_admission_adds_the_default_tolerations() -> None:
    pod = default_object(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}}
    )
    assert pod["spec"]["tolerations"] == [
        {
            "key": "node.kubernetes.io/not-ready",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
        {
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
    ]
    assert pod["spec"]["restartPolicy"] == "Always"
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


def test_crash_loop_back_off_doubles_from_ten_seconds_to_five_minutes() -> None:
    assert [backoff_delay(n) for n in range(1, 8)] == [10, 20, 40, 80, 160, 300, 300]

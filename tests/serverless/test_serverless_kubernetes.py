"""Serverless Kubernetes: a virtual node billed per pod, and a Knative-style service."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from virtdocs.errors import UserError
from virtdocs.kubernetes import Cluster
from virtdocs.serverless.billing import fargate_task_cost
from virtdocs.serverless.knative import KnativeService
from virtdocs.serverless.kpa_sim import simulate_kpa
from virtdocs.serverless.virtual_node import KUBERNETES_OVERHEAD_GB, VirtualNode, fargate_size

ROOT = Path(__file__).parents[2]


def test_fargate_sizes_round_up_to_the_documented_table() -> None:
    assert fargate_size(0.25, 0.5) == (0.25, 0.5)
    assert fargate_size(0.25, 1.5) == (0.25, 2.0)  # 0.25 vCPU has only 0.5, 1 and 2 GB
    assert fargate_size(0.3, 0.5) == (0.5, 1.0)
    assert fargate_size(4, 30) == (4.0, 30.0)
    assert fargate_size(4, 31) == (8.0, 32.0)  # 8 vCPU sizes step by 4 GB from 16 GB
    assert fargate_size(9, 1) == (16.0, 32.0)
    with pytest.raises(UserError, match="no Fargate task size"):
        fargate_size(16, 121)
    assert KUBERNETES_OVERHEAD_GB == 0.25  # EKS on Fargate adds 256 MB per pod


def test_tainted_virtual_node_takes_only_pods_that_tolerate_it() -> None:
    cluster = Cluster(nodes=0, seed=3)
    VirtualNode(cluster)
    cluster.apply((ROOT / "examples/serverless/web-deployment.yaml").read_text())
    cluster.advance(10)
    assert cluster.kubectl("get pods").count("Pending") == 6
    cluster.apply((ROOT / "examples/serverless/web-deployment-virtual.yaml").read_text())
    cluster.advance(30)
    pods = cluster.kubectl("get pods -o wide")
    assert pods.count("virtual-kubelet") == 6 and pods.count("Running") == 6


def test_pods_are_billed_per_second_with_a_minimum() -> None:
    cluster = Cluster(nodes=0, seed=1)
    node = VirtualNode(cluster, taint=False)
    cluster.apply((ROOT / "examples/serverless/web-deployment.yaml").read_text())
    cluster.advance(600)
    bills = node.bills()
    assert len(bills) == 6 and all(b.running for b in bills)
    # 1 CPU and 512Mi + 256 MB of overhead round up to the 1 vCPU / 2 GB size.
    assert {(b.vcpu, b.memory_gb) for b in bills} == {(1.0, 2.0)}
    assert all(b.cost == pytest.approx(fargate_task_cost(b.seconds, 1, 2)) for b in bills)
    assert node.total() == pytest.approx(sum(b.cost for b in bills))
    cluster.kubectl("scale deployment/web --replicas=0")
    cluster.advance(5)
    stopped = node.bills()
    assert not any(b.running for b in stopped)
    total = node.total()
    cluster.advance(3600)
    assert node.total() == total  # nothing runs, nothing is billed
    brief = Cluster(nodes=0, seed=2)
    short = VirtualNode(brief, taint=False)
    brief.apply((ROOT / "examples/serverless/web-deployment.yaml").read_text())
    brief.advance(5)
    brief.kubectl("delete deployment web")
    brief.advance(5)
    assert {b.seconds for b in short.bills()} == {60.0}  # the one-minute minimum


def test_knative_service_scales_from_zero_to_zero_like_the_kpa_model() -> None:
    cluster = Cluster(nodes=0, seed=1)
    node = VirtualNode(cluster)
    service = KnativeService(cluster, "hello", "ghcr.io/knative/helloworld-go:latest")
    load = [0.0] * 10 + [200.0] * 60 + [0.0] * 120
    samples = service.run(load, service_time=1.0)
    assert samples[0].ready == 0
    assert max(s.ready for s in samples) == 3
    assert samples[-1].ready == 0
    assert "No resources found" in cluster.kubectl("get pods")
    # The cluster starts pods in 3 s (2 s image pull + 1 s container start), so the
    # pure KPA model with a 3 s pod start asks for the same pods at the same times.
    model = simulate_kpa(load, 1.0, initial_pods=0, pod_start=3.0)
    assert [s.desired for s in samples] == [m.desired for m in model]
    assert len(node.bills()) == 3 and node.total() > 0


def test_knative_service_rejects_bad_load() -> None:
    cluster = Cluster(nodes=0, seed=1)
    VirtualNode(cluster)
    service = KnativeService(cluster, "hello", "nginx:1.27")
    with pytest.raises(UserError, match=r"rates\[0\] = -1"):
        service.run([-1.0], 1.0)
    with pytest.raises(UserError, match="service_time"):
        service.run([1.0], 0.0)


def test_the_page_shows_the_example_manifests_verbatim() -> None:
    page = (ROOT / "docs/serverless/kubernetes.md").read_text()
    blocks = re.findall(r"```yaml[^\n]*\n(.*?)```", page, re.DOTALL)
    for name in ("web-deployment.yaml", "web-deployment-virtual.yaml"):
        assert (ROOT / "examples/serverless" / name).read_text() in blocks, name

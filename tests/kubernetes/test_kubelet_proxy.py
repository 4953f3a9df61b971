"""Kubelet container states and restarts; kube-proxy's two balancing modes."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from tests.kubernetes.scenario import deployment, pod, service
from virtdocs.errors import UserError
from virtdocs.kubernetes import Cluster
from virtdocs.kubernetes.programs import Behaviour, behaviour
from virtdocs.kubernetes.proxy import RoundRobin, iptables_rules, iptables_save, pick_iptables


def status(cluster: Cluster, name: str) -> tuple[str, str]:
    row = cluster.kubectl(f"get pod {name}").splitlines()[1].split()
    return row[2], row[3]


def test_crash_loop_back_off_waits_longer_each_time() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(pod("crash", command='["sh", "-c", "exit 1"]'))
    # pull 2 s + start 1 s, exit at once; restart 1 is immediate, then 10 s, 20 s, 40 s...
    # restarts happen at t = 3, 14, 35, 76 (each start takes 1 s before the exit)
    cluster.advance(3)
    assert status(cluster, "crash") == ("Error", "1")
    cluster.advance(2)
    assert status(cluster, "crash")[0] == "CrashLoopBackOff"
    restarts = []
    for _ in range(8):
        cluster.advance(10)
        restarts.append(int(status(cluster, "crash")[1]))
    assert restarts == [2, 2, 3, 3, 3, 3, 3, 4]  # at t = 15, 25, ..., 85


def test_restart_policy_decides_what_happens_on_exit() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(pod("done", command='["sleep", "5"]', restart="Never"))
    cluster.apply(pod("fails", command='["false"]', restart="OnFailure"))
    cluster.advance(10)
    assert status(cluster, "done") == ("Completed", "0")
    assert cluster.store.get("pods", "default", "done")["status"]["phase"] == "Succeeded"
    assert status(cluster, "fails")[0] in ("CrashLoopBackOff", "Error")


def test_programs_are_read_from_the_command() -> None:
    assert behaviour(["nginx", "-g", "daemon off;"]) == Behaviour(None)
    assert behaviour(["/bin/sh", "-c", "exit 3"]) == Behaviour(0.0, 3)
    assert behaviour(["sleep", "3600"]) == Behaviour(3600.0, 0)


def test_iptables_probabilities_are_one_over_n_minus_i() -> None:
    assert [p for _, p in iptables_rules("abcd")] == [1 / 4, 1 / 3, 1 / 2, 1.0]
    rules = iptables_save("web", ["10.244.1.2:80", "10.244.2.2:80"])
    assert "--probability 0.5000000000 -j KUBE-SEP-1" in rules
    assert rules.splitlines()[-1].endswith("-j KUBE-SEP-2")


def test_iptables_spreads_evenly_and_ipvs_takes_turns() -> None:
    rng = random.Random(0)
    hits = Counter(pick_iptables(["a", "b", "c"], rng) for _ in range(30_000))
    assert all(9_500 < hits[e] < 10_500 for e in "abc")  # each ~1/3, several sigma of room
    round_robin = RoundRobin()
    assert [round_robin.pick("svc", ["a", "b", "c"]) for _ in range(7)] == list("abcabca")


def test_requests_to_a_service_reach_only_ready_pods() -> None:
    cluster = Cluster(nodes=2, seed=4)
    cluster.apply(deployment(replicas=3))
    cluster.apply(service())
    cluster.advance(10)
    hits = cluster.send_requests("web", 9, mode="ipvs")
    assert sorted(hits.values()) == [3, 3, 3]


def test_node_port_and_load_balancer_addresses_reach_the_same_pods() -> None:
    cluster = Cluster(nodes=2, seed=4)
    cluster.apply(deployment(replicas=2))
    cluster.apply(service(kind="LoadBalancer"))
    cluster.advance(10)
    spec = cluster.store.get("services", "default", "web")["spec"]
    addresses = (
        f"{spec['clusterIP']}:80",
        f"10.0.0.11:{spec['ports'][0]['nodePort']}",
        "203.0.113.10:80",
    )
    results = [cluster.send_requests(a, 4, mode="ipvs") for a in addresses]
    assert all(sorted(r.values()) == [2, 2] for r in results)
    assert len({frozenset(r) for r in results}) == 1
    with pytest.raises(UserError, match=r"nothing listens on 10\.0\.0\.11:80"):
        cluster.send_requests("10.0.0.11:80", 1)


def test_a_new_image_restarts_the_container_in_place() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(pod("p", command='["sleep", "3600"]'))
    cluster.advance(10)
    uid = cluster.store.get("pods", "default", "p")["metadata"]["uid"]
    cluster.apply(pod("p", command='["sleep", "3600"]').replace("busybox:1.36", "busybox:1.37"))
    cluster.advance(10)
    current = cluster.store.get("pods", "default", "p")
    (status,) = current["status"]["containerStatuses"]
    assert current["metadata"]["uid"] == uid  # the same Pod, not a new one
    assert (status["image"], status["restartCount"], status["ready"]) == ("busybox:1.37", 1, True)
    assert status["lastState"]["terminated"]["exitCode"] == 0
    events = cluster.kubectl("get events --field-selector involvedObject.name=p,reason=Killing")
    assert "Container main definition changed, will be restarted" in events

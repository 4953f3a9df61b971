"""kubectl's formats: tabwriter alignment, ages, tables, describe, and error wording."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.kubernetes.scenario import deployment, pod, service
from virtdocs.kubernetes import Cluster
from virtdocs.kubernetes.kubectl.duration import human_duration
from virtdocs.kubernetes.kubectl.tabwriter import tabwrite


def test_human_duration_matches_apimachinery() -> None:
    # Cases from k8s.io/apimachinery/pkg/util/duration (HumanDuration).
    cases = {
        0: "0s",
        -1: "0s",
        -2: "<invalid>",
        59: "59s",
        119: "119s",
        120: "2m",
        123: "2m3s",
        599: "9m59s",
        600: "10m",
        179 * 60: "179m",
        3 * 3600: "3h",
        3 * 3600 + 30 * 60: "3h30m",
        8 * 3600: "8h",
        47 * 3600: "47h",
        48 * 3600: "2d",
        3 * 86400 + 3600: "3d1h",
        8 * 86400: "8d",
        2 * 365 * 86400: "2y",
        (2 * 365 + 1) * 86400: "2y1d",
        8 * 365 * 86400: "8y",
    }
    assert {seconds: human_duration(seconds) for seconds in cases} == cases


def test_tabwriter_pads_each_column_block_separately() -> None:
    lines = ["Name:\tweb", "Conditions:", "  Type\tStatus", "  Ready \tTrue "]
    assert tabwrite(lines, minwidth=0, padding=2).splitlines() == [
        "Name:  web",
        "Conditions:",
        "  Type    Status",
        "  Ready   True ",
    ]
    # kubectl get: a column is max(6, widest cell + 3) wide
    assert tabwrite(["A\tB\tC", "long\tx\ty"]) == "A      B     C\nlong   x     y"


def cluster_with_web() -> Cluster:
    cluster = Cluster(nodes=2, seed=1)
    cluster.apply(deployment(replicas=2))
    cluster.apply(service())
    cluster.advance(125)
    return cluster


def test_get_tables_have_kubectls_columns() -> None:
    cluster = cluster_with_web()
    headers = {
        "pods": "NAME READY STATUS RESTARTS AGE",
        "deployments": "NAME READY UP-TO-DATE AVAILABLE AGE",
        "replicasets": "NAME DESIRED CURRENT READY AGE",
        "services": "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE",
        "endpoints": "NAME ENDPOINTS AGE",
        "endpointslices": "NAME ADDRESSTYPE PORTS ENDPOINTS AGE",
        "nodes": "NAME STATUS ROLES AGE VERSION",
        "events": "LAST SEEN TYPE REASON OBJECT MESSAGE",
    }
    for resource, header in headers.items():
        first = cluster.kubectl(f"get {resource}").splitlines()[0]
        assert " ".join(first.split()) == header, resource
    wide = cluster.kubectl("get pods -o wide").splitlines()[0]
    assert re.split(r"\s{2,}", wide)[-4:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    row = cluster.kubectl("get deploy web").splitlines()[1].split()
    assert row == ["web", "2/2", "2", "2", "2m5s"]


def test_get_output_formats() -> None:
    cluster = cluster_with_web()
    as_yaml = yaml.safe_load(cluster.kubectl("get deploy web -o yaml"))
    assert as_yaml["spec"]["strategy"]["rollingUpdate"] == {
        "maxSurge": "25%",
        "maxUnavailable": "25%",
    }
    text = cluster.kubectl("get deploy web -o yaml")
    # Go's encoder double-quotes strings that would read as another type; no folding.
    assert '    deployment.kubernetes.io/revision: "1"\n' in text
    assert '  creationTimestamp: "2024-01-01T00:00:00Z"\n' in text
    assert '    status: "True"\n' in text and "'" not in text
    as_json = json.loads(cluster.kubectl("get pods -o json"))
    assert as_json["kind"] == "List" and len(as_json["items"]) == 2
    assert cluster.kubectl("get svc -o name") == "service/kubernetes\nservice/web"
    assert cluster.kubectl("get pods -o foo").startswith(
        'error: unable to match a printer suitable for the output format "foo"'
    )


def test_errors_use_kubectls_wording() -> None:
    cluster = Cluster(nodes=1)
    assert cluster.kubectl("get pods x") == 'Error from server (NotFound): pods "x" not found'
    assert cluster.kubectl("get deploy x") == (
        'Error from server (NotFound): deployments.apps "x" not found'
    )
    assert cluster.kubectl("get foo") == 'error: the server doesn\'t have a resource type "foo"'
    assert cluster.kubectl("get pods --bogus") == (
        "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage."
    )
    assert cluster.kubectl("get pods") == "No resources found in default namespace."
    assert cluster.kubectl("frobnicate") == (
        'error: unknown command "frobnicate" for "kubectl"\nRun \'kubectl --help\' for usage.'
    )
    result = cluster.run_kubectl("scale deployment x --replicas=2")
    assert (result.stderr, result.exit_code) == (
        'Error from server (NotFound): deployments.apps "x" not found',
        1,
    )


def test_api_resources_columns() -> None:
    lines = Cluster(nodes=0).kubectl("api-resources").splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert lines[5].split() == ["pods", "po", "v1", "true", "Pod"]
    assert lines[-1].split() == ["endpointslices", "discovery.k8s.io/v1", "true", "EndpointSlice"]


def test_describe_pod_layout() -> None:
    cluster = cluster_with_web()
    name = cluster.store.list("pods")[0]["metadata"]["name"]
    text = cluster.kubectl(f"describe pod {name}").splitlines()
    assert text[0] == f"Name:             {name}"
    assert text[3] == "Service Account:  default"
    assert "Containers:" in text and "Conditions:" in text
    assert text[-1].split(None, 3)[:3] == ["Normal", "Started", "2m2s"]
    assert "  Type     Reason     Age    From               Message" not in text  # no warnings


def test_scale_label_cordon_and_drain() -> None:
    cluster = cluster_with_web()
    assert cluster.kubectl("scale deploy/web --replicas=3") == "deployment.apps/web scaled"
    assert cluster.kubectl("scale deploy/web") == 'error: required flag(s) "replicas" not set'
    assert cluster.kubectl("label deploy web tier=front") == "deployment.apps/web labeled"
    assert cluster.kubectl("label deploy web tier=back") == (
        "error: 'tier' already has a value (front), and --overwrite is false"
    )
    assert cluster.kubectl("cordon node-1") == "node/node-1 cordoned"
    assert cluster.kubectl("cordon node-1") == "node/node-1 already cordoned"
    assert "node-1   Ready,SchedulingDisabled" in cluster.kubectl("get nodes")
    drained = cluster.kubectl("drain node-2").splitlines()
    assert drained[0] == "node/node-2 cordoned" and drained[-1] == "node/node-2 drained"
    assert cluster.kubectl("uncordon node-1") == "node/node-1 uncordoned"
    assert cluster.kubectl("scale deploy/web --replicas=-1") == (
        "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
    )


def test_drain_refuses_a_pod_without_a_controller_in_kubectls_words() -> None:
    cluster = Cluster(nodes=1)
    cluster.apply(pod("lonely", command='["sleep", "3600"]'))
    cluster.advance(5)
    result = cluster.run_kubectl("drain node-1")
    problem = "cannot delete Pods declare no controller (use --force to override): default/lonely"
    assert (result.stdout, result.exit_code) == ("node/node-1 cordoned", 1)
    assert result.stderr.splitlines() == [
        f'error: unable to drain node "node-1" due to error: {problem}, continuing command...',
        "There are pending nodes to be drained:",
        " node-1",
        problem,
    ]
    forced = cluster.run_kubectl("drain node-1 --force")
    assert forced.stderr == "Warning: deleting Pods that declare no controller: default/lonely"
    assert forced.stdout.splitlines()[-1] == "node/node-1 drained"


def test_pages_show_the_example_manifests_verbatim() -> None:
    # Pages inline the files (Sybil validates the blocks); they must not drift apart.
    page = Path("docs/kubernetes/objects.md").read_text(encoding="utf-8")
    blocks = re.findall(r'```yaml title="(examples/manifests/[^"]+)"\n(.*?)```', page, re.S)
    assert len(blocks) == 3
    for path, body in blocks:
        assert body == Path(path).read_text(encoding="utf-8"), path

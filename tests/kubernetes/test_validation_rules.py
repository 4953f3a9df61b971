"""The API server's rules that schemas miss: each checked against the API server's wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from virtdocs.kubernetes.validation import ValidationOptions, validate_text
from virtdocs.kubernetes.validation.rules import names
from virtdocs.kubernetes.validation.rules.metadata import TOTAL_ANNOTATION_SIZE_LIMIT_BYTES
from virtdocs.kubernetes.validation.rules.quantity import QuantityError, parse_quantity

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"
POD = (EXAMPLES / "pod-busybox.yaml").read_text()
DEPLOYMENT = (EXAMPLES / "deployment-my-nginx.yaml").read_text()
SERVICE = (EXAMPLES / "service-my-nginx.yaml").read_text()


def problems(text: str) -> list[tuple[int, str, str]]:
    """(line, path, message) of every error in a one-resource text."""
    [result] = validate_text(text, "m.yaml")
    return [(error.line, error.path, error.message) for error in result.errors]


def changed(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize("text", [POD, DEPLOYMENT, SERVICE], ids=["pod", "deployment", "service"])
def test_the_seed_chapters_manifests_are_valid(text: str) -> None:
    [result] = validate_text(text)
    assert (result.status, result.errors) == ("valid", ())


# Each case: the seed manifest, an edit, and the exact error the API server gives for it.
CASES = [
    (
        "service protocol in lower case",
        SERVICE,
        "protocol: TCP",
        "protocol: udp",
        (
            11,
            "spec.ports[0].protocol",
            'Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"',
        ),
    ),
    (
        "service port out of range",
        SERVICE,
        "- port: 80",
        "- port: 70000",
        (10, "spec.ports[0].port", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ),
    (
        "two unnamed service ports",
        SERVICE,
        "    protocol: TCP\n",
        "    protocol: TCP\n  - port: 443\n    name: https\n",
        (10, "spec.ports[0].name", "Required value"),
    ),
    (
        "duplicate service port",
        SERVICE,
        "    protocol: TCP\n",
        "    protocol: TCP\n    name: a\n  - port: 80\n    name: b\n",
        (13, "spec.ports[1]", 'Duplicate value: {"port":80,"protocol":"TCP"}'),
    ),
    (
        "service type",
        SERVICE,
        "spec:\n",
        "spec:\n  type: Loadbalancer\n",
        (
            9,
            "spec.type",
            'Unsupported value: "Loadbalancer": supported values: "ClusterIP", "ExternalName", '
            '"LoadBalancer", "NodePort"',
        ),
    ),
    (
        "service name must be a DNS-1035 label",
        SERVICE,
        "name: my-nginx\n  labels",
        "name: 1-nginx\n  labels",
        (
            5,
            "metadata.name",
            'Invalid value: "1-nginx": a DNS-1035 label must consist of lower case alphanumeric '
            "characters or '-', start with an alphabetic character, and end with an alphanumeric "
            "character (e.g. 'my-name' or 'abc-123', regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')",
        ),
    ),
    (
        "named target port too long",
        SERVICE,
        "    protocol: TCP\n",
        "    protocol: TCP\n    targetPort: http-web-service\n",
        (
            12,
            "spec.ports[0].targetPort",
            'Invalid value: "http-web-service": must be no more than 15 characters',
        ),
    ),
    (
        "pod image required",
        POD,
        "  - image: busybox\n    command:\n",
        "  - command:\n",
        (10, "spec.containers[0].image", "Required value"),
    ),
    (
        "pod restart policy",
        POD,
        "restartPolicy: Always",
        "restartPolicy: Sometimes",
        (
            16,
            "spec.restartPolicy",
            'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        ),
    ),
    (
        "image pull policy",
        POD,
        "imagePullPolicy: IfNotPresent",
        "imagePullPolicy: IfMissing",
        (
            14,
            "spec.containers[0].imagePullPolicy",
            'Unsupported value: "IfMissing": supported values: "Always", "IfNotPresent", "Never"',
        ),
    ),
    (
        "label value",
        POD,
        "app: busybox",
        "app: -busybox",
        (
            7,
            "metadata.labels",
            'Invalid value: "-busybox": a valid label must be an empty string or consist of '
            "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
            "character (e.g. 'MyValue' or 'my_value' or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
    ),
    (
        "label key prefix",
        POD,
        "app: busybox",
        "Example.com/app: busybox",
        (
            7,
            "metadata.labels",
            'Invalid value: "Example.com/app": prefix part a lowercase RFC 1123 subdomain must '
            "consist of lower case alphanumeric characters, '-' or '.', and must start and end "
            "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
    ),
    (
        "pod name",
        POD,
        "name: busybox\n  labels",
        "name: Busybox\n  labels",
        (5, "metadata.name", None),
    ),
    (
        "deployment replicas",
        DEPLOYMENT,
        "replicas: 2",
        "replicas: -2",
        (10, "spec.replicas", "Invalid value: -2: must be greater than or equal to 0"),
    ),
    (
        "selector does not match",
        DEPLOYMENT,
        "        run: my-nginx\n    spec",
        "        run: nginx\n    spec",
        (
            14,
            "spec.template.metadata.labels",
            'Invalid value: {"run":"nginx"}: `selector` does not match template `labels`',
        ),
    ),
    (
        "maxSurge and maxUnavailable both 0",
        DEPLOYMENT,
        "  replicas: 2\n",
        "  replicas: 2\n  strategy:\n    rollingUpdate:\n"
        "      maxSurge: 0\n      maxUnavailable: 0\n",
        (
            14,
            "spec.strategy.rollingUpdate.maxUnavailable",
            "Invalid value: 0: may not be 0 when `maxSurge` is 0",
        ),
    ),
    (
        "strategy type",
        DEPLOYMENT,
        "  replicas: 2\n",
        "  replicas: 2\n  strategy:\n    type: BlueGreen\n",
        (
            12,
            "spec.strategy.type",
            'Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"',
        ),
    ),
    (
        "template restart policy",
        DEPLOYMENT,
        "      containers:\n",
        "      restartPolicy: OnFailure\n      containers:\n",
        (
            16,
            "spec.template.spec.restartPolicy",
            'Unsupported value: "OnFailure": supported values: "Always"',
        ),
    ),
    (
        "duplicate container names",
        DEPLOYMENT,
        "        image: nginx\n",
        "        image: nginx\n      - name: my-nginx\n        image: nginx\n",
        (19, "spec.template.spec.containers[1].name", 'Duplicate value: "my-nginx"'),
    ),
    (
        "container port name too long",
        DEPLOYMENT,
        "- containerPort: 80\n",
        "- containerPort: 80\n          name: http-web-service\n",
        (
            21,
            "spec.template.spec.containers[0].ports[0].name",
            'Invalid value: "http-web-service": must be no more than 15 characters',
        ),
    ),
    (
        "resource quantity that does not parse",
        DEPLOYMENT,
        "        image: nginx\n",
        "        image: nginx\n        resources:\n          limits:\n            memory: 1 Gi\n",
        (
            21,
            "spec.template.spec.containers[0].resources.limits[memory]",
            'Invalid value: "1 Gi": quantities must match the regular expression '
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
    ),
    (
        "request above limit",
        DEPLOYMENT,
        "        image: nginx\n",
        "        image: nginx\n        resources:\n          limits: {cpu: 500m}\n"
        "          requests: {cpu: '1'}\n",
        (
            21,
            "spec.template.spec.containers[0].resources.requests[cpu]",
            'Invalid value: "1": must be less than or equal to cpu limit of 500m',
        ),
    ),
]


@pytest.mark.parametrize(
    ("text", "old", "new", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_api_server_rule(
    text: str, old: str, new: str, expected: tuple[int, str, str | None]
) -> None:
    found = problems(changed(text, old, new))
    line, path, message = expected
    matching = [p for p in found if p[1] == path and (message is None or p[2] == message)]
    assert matching, found
    assert matching[0][0] == line
    assert len(found) == 1, found  # the edit breaks exactly one rule


def test_every_error_is_reported_not_only_the_first() -> None:
    text = changed(POD, "restartPolicy: Always", "restartPolicy: Sometimes")
    text = changed(text, "imagePullPolicy: IfNotPresent", "imagePullPolicy: Maybe\n    tty: 3")
    found = {path for _, path, _ in problems(text)}
    assert found == {
        "spec.restartPolicy",
        "spec.containers[0].imagePullPolicy",
        "spec.containers[0].tty",
    }


def test_errors_are_sorted_by_line() -> None:
    text = changed(DEPLOYMENT, "replicas: 2", "replicas: -2")
    text = changed(text, "name: my-nginx\n        image", "name: My-Nginx\n        image")
    lines = [line for line, _, _ in problems(text)]
    assert lines == sorted(lines) and len(lines) == 2


def test_max_surge_and_max_unavailable_default_to_25_percent() -> None:
    # Deployment docs: both default to 25%, so setting only one of them to 0 is fine.
    for field in ("maxSurge", "maxUnavailable"):
        text = changed(
            DEPLOYMENT,
            "  replicas: 2\n",
            f"  replicas: 2\n  strategy:\n    rollingUpdate:\n      {field}: 0\n",
        )
        assert problems(text) == []


def test_annotation_size_limit_is_256_kib() -> None:
    assert TOTAL_ANNOTATION_SIZE_LIMIT_BYTES == 262_144  # objectmeta.go: 256 * (1 << 10)
    key = "note"
    fits = "x" * (TOTAL_ANNOTATION_SIZE_LIMIT_BYTES - len(key))
    text = changed(POD, "  labels:", f"  annotations:\n    {key}: {fits}\n  labels:")
    assert problems(text) == []
    too_big = changed(POD, "  labels:", f"  annotations:\n    {key}: {fits}x\n  labels:")
    assert problems(too_big) == [
        (7, "metadata.annotations", "Too long: must have at most 262144 bytes")
    ]


def test_a_list_item_is_checked_where_it_is() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n- " + "\n  ".join(POD.splitlines()[1:]).replace(
        "restartPolicy: Always", "restartPolicy: Sometimes"
    )
    [result] = validate_text(text)
    assert result.line == 4 and result.kind == "Pod"
    assert [(e.line, e.path) for e in result.errors] == [(18, "spec.restartPolicy")]


def test_missing_name_and_kind() -> None:
    [result] = validate_text("apiVersion: v1\nmetadata: {}\n")
    assert result.status == "invalid"
    assert [(e.path, e.message) for e in result.errors] == [("kind", "Required value")]
    [result] = validate_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    assert [(e.path, e.message) for e in result.errors] == [
        ("metadata.name", "Required value: name or generateName is required")
    ]


def test_custom_resources_need_a_flag() -> None:
    text = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
    [result] = validate_text(text)
    assert result.status == "error"
    assert result.errors[0].message.startswith(
        'no matches for kind "Widget" in version "example.com/v1"'
    )
    [result] = validate_text(text, options=ValidationOptions(ignore_missing_schemas=True))
    assert result.status == "valid"
    [result] = validate_text(
        text.replace("name: w", "name: W"), options=ValidationOptions(ignore_missing_schemas=True)
    )
    assert result.status == "invalid"  # metadata is still checked


# Cases from apimachinery's validation_test.go (TestIsDNS1123Label and friends).
@pytest.mark.parametrize(
    "value", ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a", "a" * 63]
)
def test_dns1123_label_accepts(value: str) -> None:
    assert names.is_dns1123_label(value) == []


@pytest.mark.parametrize(
    "value", ["", "A", "ABC", "aBc", "A1", "-", "a-", "-a", "_", "a_b", "a.b", " ", "a b", "a" * 64]
)
def test_dns1123_label_rejects(value: str) -> None:
    assert names.is_dns1123_label(value) != []


@pytest.mark.parametrize(
    "value", ["a.b.c", "1.2.3", "a-1.b-2", "a" * 253 if False else "a." * 126 + "a"]
)
def test_dns1123_subdomain_accepts(value: str) -> None:
    assert names.is_dns1123_subdomain(value) == []


def test_dns1123_subdomain_length_limit() -> None:
    assert names.is_dns1123_subdomain("a" * 254) == ["must be no more than 253 characters"]


@pytest.mark.parametrize(
    "value", ["simple", "now-with-dashes", "1-starts-with-num", "example.com/name", "a" * 63]
)
def test_label_key_accepts(value: str) -> None:
    assert names.is_label_key(value) == []


@pytest.mark.parametrize(
    "value", ["nospecialchars%^=@", "cantendwithadash-", "only/one/slash", "/name", "a" * 64]
)
def test_label_key_rejects(value: str) -> None:
    assert names.is_label_key(value) != []


def test_label_key_messages_are_validation_gos() -> None:
    """IsQualifiedName in k8s.io/apimachinery/pkg/util/validation/validation.go."""
    regex = (
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
        "an alphanumeric character (e.g. 'MyName' or 'my.name' or '123-abc', regex used for "
        "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    )
    assert names.is_label_key("only/one/slash") == [
        f"a qualified name {regex} with an optional DNS subdomain prefix and '/' "
        "(e.g. 'example.com/MyName')"
    ]
    assert names.is_label_key("/") == [
        "prefix part must be non-empty",
        "name part must be non-empty",
        f"name part {regex}",
    ]


@pytest.mark.parametrize(
    ("port", "messages"),
    [
        ("http", []),
        ("h2c", []),
        ("a-b-c", []),
        ("123", ["must contain at least one letter (a-z)"]),
        ("a--b", ["must not contain consecutive hyphens"]),
        ("-ab", ["must not begin or end with a hyphen"]),
        (
            "HTTP",
            [
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)",
            ],
        ),
        ("abcdefghijklmnop", ["must be no more than 15 characters"]),
    ],
)
def test_port_names_are_iana_service_names(port: str, messages: list[str]) -> None:
    assert names.is_valid_port_name(port) == messages


def test_port_numbers() -> None:
    assert names.is_valid_port_num(1) == names.is_valid_port_num(65535) == []
    assert names.is_valid_port_num(0) == ["must be between 1 and 65535, inclusive"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("1k", 1000),
        ("1Ki", 1024),
        ("500m", 0.5),
        ("128Mi", 134217728),
        ("1e3", 1000),
        ("1.5G", 1.5e9),
        ("100n", 1e-7),
        ("-1", -1),
    ],
)
def test_quantities_parse_to_their_value(text: str, value: float) -> None:
    assert float(parse_quantity(text)) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "1 Gi", "Gi", "1Qi", "1Ki2", "1.2.3", " 1"])
def test_bad_quantities_are_rejected(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  backoffLimit: 4
  template:
    spec:
      containers:
      - name: pi
        image: perl
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(100)"]
      restartPolicy: Never
"""


def test_a_job_must_not_restart_always() -> None:
    assert problems(JOB) == []
    assert problems(JOB.replace("      restartPolicy: Never\n", "")) == [
        (
            9,
            "spec.template.spec.restartPolicy",
            'Required value: valid values: "OnFailure", "Never"',
        )
    ]
    assert problems(JOB.replace("backoffLimit: 4", "backoffLimit: -1")) == [
        (6, "spec.backoffLimit", "Invalid value: -1: must be greater than or equal to 0")
    ]


def test_a_cron_job_checks_its_job_template() -> None:
    body = "\n".join("    " + line for line in JOB.split("spec:\n", 1)[1].splitlines())
    cron = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: pi\nspec:\n"
        '  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n' + body + "\n"
    )
    assert problems(cron) == []
    assert [
        p[1] for p in problems(cron.replace("restartPolicy: Never", "restartPolicy: Always"))
    ] == ["spec.jobTemplate.spec.template.spec.restartPolicy"]


def test_config_map_keys_must_be_file_names() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  app/config.yaml: x\n"
    assert problems(text) == [
        (
            6,
            "data[app/config.yaml]",
            'Invalid value: "app/config.yaml": a valid config key must consist of alphanumeric '
            "characters, '-', '_' or '.' (e.g. 'key.name' or 'KEY_NAME' or 'key-name', regex used "
            "for validation is '[-._a-zA-Z0-9]+')",
        )
    ]
    both = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        "data:\n  a: x\nbinaryData:\n  a: eA==\n"
    )
    assert problems(both) == [
        (8, "binaryData[a]", 'Invalid value: "a": duplicate of key present in data')
    ]


def test_probes_need_one_handler_and_a_valid_port() -> None:
    probe = "\n    livenessProbe:\n      httpGet:\n        path: /healthz\n        port: 70000\n"
    text = changed(POD, "    name: busybox\n", "    name: busybox" + probe)
    assert problems(text) == [
        (
            19,
            "spec.containers[0].livenessProbe.httpGet.port",
            "Invalid value: 70000: must be between 1 and 65535, inclusive",
        )
    ]
    empty = changed(
        POD,
        "    name: busybox\n",
        "    name: busybox\n    readinessProbe:\n      periodSeconds: 5\n",
    )
    assert problems(empty) == [
        (17, "spec.containers[0].readinessProbe", "Required value: must specify a handler type")
    ]


def test_a_pod_template_object_is_checked_too() -> None:
    text = (
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: t\n"
        "template:\n  spec:\n    containers:\n    - name: a\n"
    )
    assert problems(text) == [(8, "template.spec.containers[0].image", "Required value")]


CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
"""


def test_a_claim_needs_an_access_mode_and_a_size() -> None:
    assert problems(CLAIM) == []
    assert problems(CLAIM.replace("  accessModes: [ReadWriteOnce]\n", "")) == [
        (6, "spec.accessModes", "Required value: at least 1 access mode is required")
    ]
    assert problems(CLAIM.replace("      storage: 1Gi", "      cpu: 1")) == [
        (8, "spec.resources[storage]", "Required value")
    ]
    assert problems(CLAIM.replace("ReadWriteOnce]", "ReadWriteOnce, ReadWriteOncePod]")) == [
        (6, "spec.accessModes", "Forbidden: may not use ReadWriteOncePod with other access modes")
    ]


def test_node_ports_come_from_the_default_range() -> None:
    node_port = changed(SERVICE, "spec:\n", "spec:\n  type: NodePort\n")
    assert problems(changed(node_port, "protocol: TCP", "protocol: TCP\n    nodePort: 30080")) == []
    assert problems(changed(node_port, "protocol: TCP", "protocol: TCP\n    nodePort: 8080")) == [
        (
            13,
            "spec.ports[0].nodePort",
            "Invalid value: 8080: provided port is not in the valid range. "
            "The range of valid ports is 30000-32767",
        )
    ]
    assert problems(changed(SERVICE, "protocol: TCP", "protocol: TCP\n    nodePort: 30080")) == [
        (12, "spec.ports[0].nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'")
    ]

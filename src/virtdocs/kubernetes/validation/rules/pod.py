"""PodSpec: containers, ports, env, volumes, resources, restart and DNS policy.

After ``ValidatePodSpec`` and the functions it calls in
``pkg/apis/core/validation/validation.go`` (kubernetes/kubernetes). The same
rule checks a Pod's ``spec`` and a workload's ``spec.template.spec``: only the
base path differs.
https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Key, Path
from virtdocs.kubernetes.validation.rules import access
from virtdocs.kubernetes.validation.rules.names import (
    is_dns1123_label,
    is_env_var_name,
    is_label_key,
    is_valid_port_name,
    is_valid_port_num,
)
from virtdocs.kubernetes.validation.rules.quantity import (
    QuantityError,
    parse_quantity,
    quantity_text,
)

# Supported values, in the order the API server lists them in its message.
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")  # sets.List: sorted
PORT_PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List(supportedPortProtocols): sorted
STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
IS_NEGATIVE = "must be greater than or equal to 0"

# Every volume source a PodSpec accepts; a volume must name exactly one.
VOLUME_SOURCES = frozenset(
    {
        "hostPath",
        "emptyDir",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "secret",
        "nfs",
        "iscsi",
        "glusterfs",
        "persistentVolumeClaim",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "downwardAPI",
        "fc",
        "azureFile",
        "configMap",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "projected",
        "portworxVolume",
        "scaleIO",
        "storageos",
        "csi",
        "ephemeral",
        "image",
    }
)


def container_port_issues(ports: list[Any], path: Path) -> list[field.Issue]:
    """validateContainerPorts: names (IANA_SVC_NAME, unique), numbers, protocols."""
    found: list[field.Issue] = []
    names: set[str] = set()
    for index, port in enumerate(ports):
        at = (*path, index)
        name = access.text(port, "name")
        if name:
            messages = is_valid_port_name(name)
            found.extend(field.invalid((*at, "name"), name, m) for m in messages)
            if not messages and name in names:
                found.append(field.duplicate((*at, "name"), name))
            names.add(name)
        number = access.integer(port, "containerPort")
        if number == 0:
            found.append(field.required((*at, "containerPort")))
        elif number is not None:
            found.extend(
                field.invalid((*at, "containerPort"), number, m) for m in is_valid_port_num(number)
            )
        host = access.integer(port, "hostPort")
        if host:
            found.extend(field.invalid((*at, "hostPort"), host, m) for m in is_valid_port_num(host))
        protocol = access.text(port, "protocol")
        if protocol and protocol not in PORT_PROTOCOLS:  # "" and absent default to TCP
            found.append(field.not_supported((*at, "protocol"), protocol, PORT_PROTOCOLS))
    return found


PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PROBE_COUNTS = (
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
)


def port_num_or_name_issues(port: Any, path: Path) -> list[field.Issue]:
    """ValidatePortNumOrName: a number 1–65535 or an IANA_SVC_NAME."""
    if isinstance(port, int) and not isinstance(port, bool):
        return [field.invalid(path, port, m) for m in is_valid_port_num(port)]
    if isinstance(port, str):
        return [field.invalid(path, port, m) for m in is_valid_port_name(port)]
    return []


def probe_issues(probe: dict[str, Any], path: Path) -> list[field.Issue]:
    """A probe's port (httpGet, tcpSocket) and that it has exactly one handler."""
    found: list[field.Issue] = []
    handlers = [name for name in ("exec", "httpGet", "tcpSocket", "grpc") if name in probe]
    if not handlers:
        found.append(field.required(path, "must specify a handler type"))
    for extra in handlers[1:]:
        found.append(field.forbidden((*path, extra), "may not specify more than 1 handler type"))
    if "exec" in probe and not access.items(probe, "exec", "command"):
        found.append(field.required((*path, "exec", "command")))
    for handler in ("httpGet", "tcpSocket"):
        port = access.dig(probe, handler, "port")
        if port is not None:
            found.extend(port_num_or_name_issues(port, (*path, handler, "port")))
    for name in PROBE_COUNTS:
        count = access.integer(probe, name)
        if count is not None and count < 0:
            found.append(field.invalid((*path, name), count, IS_NEGATIVE))
    return found


def _resource_name_ok(name: str) -> bool:
    if name in STANDARD_CONTAINER_RESOURCES or name.startswith("hugepages-"):
        return True
    # An extended resource: a qualified name with a domain outside kubernetes.io.
    return "/" in name and not is_label_key(name) and not name.startswith("kubernetes.io/")


def resource_issues(resources: dict[str, Any], path: Path) -> list[field.Issue]:
    """ValidateContainerResourceRequirements: names, parseable non-negative quantities,
    and every request no larger than its limit."""
    found: list[field.Issue] = []
    parsed: dict[str, dict[str, tuple[str, Decimal]]] = {"limits": {}, "requests": {}}
    for section in ("limits", "requests"):
        for name, raw in (access.mapping(resources, section) or {}).items():
            at = (*path, section, Key(name))
            if not _resource_name_ok(name):
                found.append(field.invalid(at, name, "must be a standard resource for containers"))
            written = quantity_text(raw)
            if written is None:
                continue  # the schema reports the type
            try:
                value = parse_quantity(written)
            except QuantityError as error:
                found.append(field.invalid(at, written, str(error)))
                continue
            if value < 0:
                found.append(field.invalid(at, written, IS_NEGATIVE))
            parsed[section][name] = (written, value)
    for name, (written, value) in parsed["requests"].items():
        if name in parsed["limits"]:
            limit_text, limit = parsed["limits"][name]
            if value > limit:
                found.append(
                    field.invalid(
                        (*path, "requests", Key(name)),
                        written,
                        f"must be less than or equal to {name} limit of {limit_text}",
                    )
                )
    return found


def env_issues(env: list[Any], path: Path) -> list[field.Issue]:
    found: list[field.Issue] = []
    for index, entry in enumerate(env):
        name = access.text(entry, "name")
        if not name:
            found.append(field.required((*path, index, "name")))
        else:
            found.extend(
                field.invalid((*path, index, "name"), name, m) for m in is_env_var_name(name)
            )
    return found


def mount_issues(mounts: list[Any], volumes: set[str], path: Path) -> list[field.Issue]:
    found: list[field.Issue] = []
    seen_paths: set[str] = set()
    for index, mount in enumerate(mounts):
        at = (*path, index)
        name = access.text(mount, "name")
        if not name:
            found.append(field.required((*at, "name")))
        elif name not in volumes:
            found.append(field.Issue((*at, "name"), field.ErrorType.NOT_FOUND, name))
        mount_path = access.text(mount, "mountPath")
        if not mount_path:
            found.append(field.required((*at, "mountPath")))
        elif mount_path in seen_paths:
            found.append(field.invalid((*at, "mountPath"), mount_path, "must be unique"))
        else:
            seen_paths.add(mount_path)
    return found


def unique_label_name(item: Any, at: Path, names: set[str]) -> list[field.Issue]:
    """``item.name`` is required, a DNS label, and unique among ``names`` (which it joins)."""
    name = access.text(item, "name")
    if not name:
        return [field.required((*at, "name"))]
    found = [field.invalid((*at, "name"), name, m) for m in is_dns1123_label(name)]
    if name in names:
        found.append(field.duplicate((*at, "name"), name))
    names.add(name)
    return found


def volume_issues(volumes: list[Any], path: Path) -> tuple[list[field.Issue], set[str]]:
    """validateVolumes: names (DNS label, unique) and exactly one source; returns the names."""
    found: list[field.Issue] = []
    names: set[str] = set()
    for index, volume in enumerate(volumes):
        at = (*path, index)
        found.extend(unique_label_name(volume, at, names))
        sources = [
            key for key in (volume if isinstance(volume, dict) else {}) if key in VOLUME_SOURCES
        ]
        if not sources:
            found.append(field.required(at, "must specify a volume type"))
        for extra in sources[1:]:
            found.append(field.forbidden((*at, extra), "may not specify more than 1 volume type"))
    return found, names


class PodRule:
    """A PodSpec at ``base`` (``spec`` for a Pod, ``spec.template.spec`` for a workload)."""

    name = "pod-spec"

    def __init__(self, base: Path) -> None:
        self.base = base

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        spec = access.mapping(document, *[str(key) for key in self.base]) or {}
        base = self.base
        found: list[field.Issue] = []
        volume_found, volumes = volume_issues(access.items(spec, "volumes"), (*base, "volumes"))
        found.extend(volume_found)
        containers = access.items(spec, "containers")
        if not containers:
            found.append(field.required((*base, "containers")))
        names: set[str] = set()
        for group in ("initContainers", "containers"):
            for index, container in enumerate(access.items(spec, group)):
                found.extend(self._container(container, (*base, group, index), names, volumes))
        restart = access.text(spec, "restartPolicy")
        if restart is not None and restart not in RESTART_POLICIES and restart != "":
            found.append(field.not_supported((*base, "restartPolicy"), restart, RESTART_POLICIES))
        dns = access.text(spec, "dnsPolicy")
        if dns and dns not in DNS_POLICIES:
            found.append(field.not_supported((*base, "dnsPolicy"), dns, DNS_POLICIES))
        grace = access.integer(spec, "terminationGracePeriodSeconds")
        if grace is not None and grace < 0:
            found.append(
                field.invalid((*base, "terminationGracePeriodSeconds"), grace, IS_NEGATIVE)
            )
        return found

    def _container(
        self, container: Any, at: Path, names: set[str], volumes: set[str]
    ) -> list[field.Issue]:
        found: list[field.Issue] = []
        found.extend(unique_label_name(container, at, names))
        if not access.text(container, "image"):
            found.append(field.required((*at, "image")))
        policy = access.text(container, "imagePullPolicy")
        if policy and policy not in PULL_POLICIES:  # "" is defaulted from the image tag
            found.append(field.not_supported((*at, "imagePullPolicy"), policy, PULL_POLICIES))
        found.extend(container_port_issues(access.items(container, "ports"), (*at, "ports")))
        found.extend(env_issues(access.items(container, "env"), (*at, "env")))
        found.extend(
            mount_issues(access.items(container, "volumeMounts"), volumes, (*at, "volumeMounts"))
        )
        found.extend(
            resource_issues(access.mapping(container, "resources") or {}, (*at, "resources"))
        )
        for probe in PROBES:
            settings = access.mapping(container, probe)
            if settings is not None:
                found.extend(probe_issues(settings, (*at, probe)))
        return found

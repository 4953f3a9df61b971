"""Service: type, ports (names, numbers, protocols, duplicates), selector, session affinity.

After ``ValidateService`` and ``validateServicePort`` in
``pkg/apis/core/validation/validation.go`` (kubernetes/kubernetes).
https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
"""

from __future__ import annotations

from typing import Any

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Path
from virtdocs.kubernetes.validation.rules import access
from virtdocs.kubernetes.validation.rules.metadata import label_issues
from virtdocs.kubernetes.validation.rules.names import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_valid_port_name,
    is_valid_port_num,
)
from virtdocs.kubernetes.validation.rules.pod import PORT_PROTOCOLS

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")  # sorted, as listed
SESSION_AFFINITIES = ("ClientIP", "None")
# kube-apiserver's --service-node-port-range default (a cluster may configure another range).
# https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
NODE_PORT_RANGE = (30000, 32767)
DEFAULT_PROTOCOL = "TCP"


def _target_port_issues(target: Any, path: Path) -> list[field.Issue]:
    """ValidatePortNumOrName; an integer 0 is defaulted to ``port`` before validation."""
    if isinstance(target, bool):
        return []
    if isinstance(target, int):
        return (
            []
            if target == 0
            else [field.invalid(path, target, m) for m in is_valid_port_num(target)]
        )
    if isinstance(target, str):
        return [field.invalid(path, target, m) for m in is_valid_port_name(target)]
    return []


class ServiceRule:
    """A Service the API server accepts."""

    name = "service"

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        spec = access.mapping(document, "spec") or {}
        path: Path = ("spec",)
        found: list[field.Issue] = []
        kind = access.text(spec, "type") or "ClusterIP"
        if kind not in SERVICE_TYPES:
            found.append(field.not_supported((*path, "type"), kind, SERVICE_TYPES))
        headless = access.text(spec, "clusterIP") == "None"
        ports = access.items(spec, "ports")
        if not ports and not headless and kind != "ExternalName":
            found.append(field.required((*path, "ports")))
        if kind == "ExternalName":
            external = access.text(spec, "externalName")
            if not external:
                found.append(field.required((*path, "externalName")))
            else:
                found.extend(
                    field.invalid((*path, "externalName"), external, m)
                    for m in is_dns1123_subdomain(external.removesuffix("."))
                )
        found.extend(self._ports(ports, kind, (*path, "ports")))
        found.extend(label_issues(access.string_map(spec, "selector"), (*path, "selector")))
        affinity = access.text(spec, "sessionAffinity")
        if affinity and affinity not in SESSION_AFFINITIES:
            found.append(
                field.not_supported((*path, "sessionAffinity"), affinity, SESSION_AFFINITIES)
            )
        return found

    def _ports(self, ports: list[Any], kind: str, path: Path) -> list[field.Issue]:
        found: list[field.Issue] = []
        names: set[str] = set()
        seen: set[tuple[int, str]] = set()
        for index, port in enumerate(ports):
            at = (*path, index)
            name = access.text(port, "name")
            if not name and len(ports) > 1:
                found.append(field.required((*at, "name")))
            elif name:
                found.extend(field.invalid((*at, "name"), name, m) for m in is_dns1123_label(name))
                if name in names:
                    found.append(field.duplicate((*at, "name"), name))
                names.add(name)
            number = access.integer(port, "port")
            if number is not None:
                found.extend(
                    field.invalid((*at, "port"), number, m) for m in is_valid_port_num(number)
                )
            protocol = access.text(port, "protocol") or DEFAULT_PROTOCOL
            if protocol not in PORT_PROTOCOLS:
                found.append(field.not_supported((*at, "protocol"), protocol, PORT_PROTOCOLS))
            found.extend(
                _target_port_issues(
                    port.get("targetPort") if isinstance(port, dict) else None, (*at, "targetPort")
                )
            )
            node_port = access.integer(port, "nodePort")
            if kind == "ClusterIP" and node_port:
                found.append(
                    field.forbidden((*at, "nodePort"), "may not be used when `type` is 'ClusterIP'")
                )
            elif node_port and not NODE_PORT_RANGE[0] <= node_port <= NODE_PORT_RANGE[1]:
                low, high = NODE_PORT_RANGE
                found.append(
                    field.invalid(
                        (*at, "nodePort"),
                        node_port,
                        "provided port is not in the valid range. "
                        f"The range of valid ports is {low}-{high}",
                    )
                )
            if number is not None:
                key = (number, protocol)
                if key in seen:
                    found.append(field.duplicate(at, {"port": number, "protocol": protocol}))
                seen.add(key)
        return found

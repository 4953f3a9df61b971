"""Workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet…): replicas, selector, strategy.

After ``pkg/apis/apps/validation/validation.go`` (kubernetes/kubernetes):
``ValidateDeploymentSpec``, ``ValidatePodTemplateSpecForReplicaSet``,
``ValidateRollingUpdateDeployment`` and apimachinery's ``ValidateLabelSelector``.
https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/apps/validation/validation.go
"""

from __future__ import annotations

import re
from typing import Any

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Path
from virtdocs.kubernetes.validation.rules import access
from virtdocs.kubernetes.validation.rules.metadata import label_issues
from virtdocs.kubernetes.validation.rules.names import is_label_key, is_label_value, regex_error

REPLICATED_KINDS = frozenset(
    {
        ("apps", "Deployment"),
        ("apps", "ReplicaSet"),
        ("apps", "StatefulSet"),
        ("", "ReplicationController"),
    }
)
SELECTOR_KINDS = REPLICATED_KINDS | {("apps", "DaemonSet")}
IS_NEGATIVE = "must be greater than or equal to 0"
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
STRATEGY_TYPES = ("Recreate", "RollingUpdate")
# The API server's defaults for a rolling update (apps/v1 defaults.go): 25% and 25%.
DEFAULT_MAX_SURGE = "25%"
DEFAULT_MAX_UNAVAILABLE = "25%"
PERCENT_MESSAGE = "a valid percent string must be a numeric string followed by an ending '%'"
_PERCENT = re.compile(r"[0-9]+%", re.ASCII)


class ReplicasRule:
    """``spec.replicas`` ≥ 0 (ValidateNonnegativeField)."""

    name = "replicas"

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        replicas = access.integer(document, "spec", "replicas")
        if replicas is not None and replicas < 0:
            return [field.invalid(("spec", "replicas"), replicas, IS_NEGATIVE)]
        return []


def _selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """LabelSelectorAsSelector(...).Matches(labels)."""
    for key, value in access.string_map(selector, "matchLabels").items():
        if labels.get(key) != value:
            return False
    for requirement in access.items(selector, "matchExpressions"):
        key = access.text(requirement, "key") or ""
        operator = access.text(requirement, "operator")
        values = [v for v in access.items(requirement, "values") if isinstance(v, str)]
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def selector_issues(selector: dict[str, Any], path: Path) -> list[field.Issue]:
    """ValidateLabelSelector: label syntax, operators, and values only where allowed."""
    found = label_issues(access.string_map(selector, "matchLabels"), (*path, "matchLabels"))
    for index, requirement in enumerate(access.items(selector, "matchExpressions")):
        at = (*path, "matchExpressions", index)
        operator = access.text(requirement, "operator")
        values = access.items(requirement, "values")
        if operator in ("In", "NotIn") and not values:
            found.append(
                field.required(
                    (*at, "values"), "must be specified when `operator` is 'In' or 'NotIn'"
                )
            )
        elif operator in ("Exists", "DoesNotExist") and values:
            found.append(
                field.forbidden(
                    (*at, "values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
            )
        elif operator is not None and operator not in SELECTOR_OPERATORS:
            found.append(field.not_supported((*at, "operator"), operator, SELECTOR_OPERATORS))
        key = access.text(requirement, "key")
        if key is not None:
            found.extend(field.invalid((*at, "key"), key, m) for m in is_label_key(key))
        for value_index, value in enumerate(values):
            if isinstance(value, str):
                found.extend(
                    field.invalid((*at, "values", value_index), value, m)
                    for m in is_label_value(value)
                )
    return found


class SelectorRule:
    """A selector is required, non-empty, valid, and must match the template's labels."""

    name = "selector"

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        spec = access.mapping(document, "spec")
        if spec is None:
            return [field.required(("spec",))]
        selector = access.mapping(spec, "selector")
        if selector is None:
            if document.get("kind") == "ReplicationController":
                return []  # an RC's selector defaults to its template's labels
            return [field.required(("spec", "selector"))]
        found = selector_issues(selector, ("spec", "selector"))
        if not access.mapping(selector, "matchLabels") and not access.items(
            selector, "matchExpressions"
        ):
            kind = str(document.get("kind", "")).lower()
            found.append(
                field.invalid(
                    ("spec", "selector"), selector, f"empty selector is invalid for {kind}"
                )
            )
            return found
        labels = access.string_map(spec, "template", "metadata", "labels")
        if not _selector_matches(selector, labels):
            found.append(
                field.invalid(
                    ("spec", "template", "metadata", "labels"),
                    labels,
                    "`selector` does not match template `labels`",
                )
            )
        return found


class TemplateRestartPolicyRule:
    """A replicated pod must restart ``Always``; ``activeDeadlineSeconds`` is not allowed."""

    name = "template-restart-policy"

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        base = ("spec", "template", "spec")
        found: list[field.Issue] = []
        policy = access.text(document, *base, "restartPolicy")
        if policy not in (None, "", "Always"):
            found.append(field.not_supported((*base, "restartPolicy"), policy, ["Always"]))
        if access.dig(document, *base, "activeDeadlineSeconds") is not None:
            kind = document.get("kind")
            owner = "ReplicaSet" if kind == "Deployment" else kind  # it shares ReplicaSet's check
            found.append(
                field.forbidden(
                    (*base, "activeDeadlineSeconds"),
                    f"activeDeadlineSeconds in {owner} is not Supported",
                )
            )
        return found


def int_or_percent(value: Any) -> int | None:
    """intstr.GetValueFromIntOrPercent against 100: ``3`` → 3, ``"25%"`` → 25."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _PERCENT.fullmatch(value):
        return int(value[:-1])
    return None


def _positive_int_or_percent(value: Any, path: Path) -> list[field.Issue]:
    """ValidatePositiveIntOrPercent."""
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            return [
                field.invalid(path, value, m)
                for m in [regex_error(PERCENT_MESSAGE, "[0-9]+%", "1%", "93%")]
            ]
        return []
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [field.invalid(path, value, IS_NEGATIVE)]
    return []


class DeploymentStrategyRule:
    """ValidateDeploymentStrategy and ValidateRollingUpdateDeployment."""

    name = "deployment-strategy"

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        path: tuple[str, ...] = ("spec", "strategy")
        strategy = access.mapping(document, *path) or {}
        kind = access.text(strategy, "type") or "RollingUpdate"  # the default
        rolling = access.mapping(strategy, "rollingUpdate")
        if kind == "Recreate":
            if rolling is not None:
                return [
                    field.forbidden(
                        (*path, "rollingUpdate"),
                        "may not be specified when strategy `type` is 'Recreate'",
                    )
                ]
            return []
        if kind != "RollingUpdate":
            return [field.not_supported((*path, "type"), kind, STRATEGY_TYPES)]
        rolling = rolling or {}
        surge = rolling.get("maxSurge", DEFAULT_MAX_SURGE)
        unavailable = rolling.get("maxUnavailable", DEFAULT_MAX_UNAVAILABLE)
        found = _positive_int_or_percent(unavailable, (*path, "rollingUpdate", "maxUnavailable"))
        found += _positive_int_or_percent(surge, (*path, "rollingUpdate", "maxSurge"))
        if int_or_percent(unavailable) == 0 and int_or_percent(surge) == 0:
            found.append(
                field.invalid(
                    (*path, "rollingUpdate", "maxUnavailable"),
                    unavailable,
                    "may not be 0 when `maxSurge` is 0",
                )
            )
        percent = int_or_percent(unavailable)
        if isinstance(unavailable, str) and percent is not None and percent > 100:
            found.append(
                field.invalid(
                    (*path, "rollingUpdate", "maxUnavailable"),
                    unavailable,
                    "must not be greater than 100%",
                )
            )
        return found

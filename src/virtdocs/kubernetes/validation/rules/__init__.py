"""The API server's rules that a schema cannot express, as small one-method rules.

Each rule is an object with a ``name`` and one method, ``check(document)``,
returning field issues (values; an empty list means "fine"). :data:`RULES` is
the ordered registry: which rule runs for which group and kind. Rules read
the document defensively (see :mod:`.access`): a field of the wrong type is
the schema's to report, so a rule just skips it.

The rules follow ``pkg/apis/core/validation/validation.go`` and
``pkg/apis/apps/validation/validation.go`` in kubernetes/kubernetes, and run
on the manifest as written, after the defaults the API server would fill in
(an absent ``protocol`` is ``TCP``, an absent ``replicas`` is 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from virtdocs.kubernetes.validation.field import Issue
from virtdocs.kubernetes.validation.rules import metadata, service, workloads
from virtdocs.kubernetes.validation.rules.config import DataKeysRule
from virtdocs.kubernetes.validation.rules.jobs import JobSpecRule
from virtdocs.kubernetes.validation.rules.pod import PodRule
from virtdocs.kubernetes.validation.rules.storage import ClaimRule


class Rule(Protocol):
    """One check of the API server's; ``check`` returns every problem it finds."""

    name: str

    def check(self, document: dict[str, Any]) -> list[Issue]: ...


@dataclass(frozen=True)
class Registered:
    """A rule and the kinds it applies to: ``(group, kind)`` pairs, ``None`` for every kind."""

    rule: Rule
    kinds: frozenset[tuple[str, str]] | None = None


POD_TEMPLATE_KINDS = frozenset(
    {
        ("apps", "Deployment"),
        ("apps", "ReplicaSet"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("", "ReplicationController"),
        ("batch", "Job"),
    }
)

#: Every rule, in the order its errors are collected (the API server's order).
RULES: tuple[Registered, ...] = (
    Registered(metadata.ObjectMetaRule()),
    Registered(PodRule(("spec",)), frozenset({("", "Pod")})),
    Registered(PodRule(("spec", "template", "spec")), POD_TEMPLATE_KINDS),
    Registered(PodRule(("template", "spec")), frozenset({("", "PodTemplate")})),
    Registered(
        PodRule(("spec", "jobTemplate", "spec", "template", "spec")),
        frozenset({("batch", "CronJob")}),
    ),
    Registered(workloads.ReplicasRule(), workloads.REPLICATED_KINDS),
    Registered(workloads.SelectorRule(), workloads.SELECTOR_KINDS),
    Registered(workloads.TemplateRestartPolicyRule(), workloads.SELECTOR_KINDS),
    Registered(workloads.DeploymentStrategyRule(), frozenset({("apps", "Deployment")})),
    Registered(service.ServiceRule(), frozenset({("", "Service")})),
    Registered(JobSpecRule(("spec",)), frozenset({("batch", "Job")})),
    Registered(JobSpecRule(("spec", "jobTemplate", "spec")), frozenset({("batch", "CronJob")})),
    Registered(DataKeysRule(("data", "binaryData")), frozenset({("", "ConfigMap")})),
    Registered(DataKeysRule(("data", "stringData")), frozenset({("", "Secret")})),
    Registered(ClaimRule(), frozenset({("", "PersistentVolumeClaim"), ("apps", "StatefulSet")})),
)


def group_of(api_version: str) -> str:
    """``apps/v1`` → ``apps``; ``v1`` → ``""`` (the core group)."""
    return api_version.rpartition("/")[0]


def rule_issues(api_version: str, kind: str, document: dict[str, Any]) -> list[Issue]:
    """Run every rule registered for this kind, in registry order."""
    key = (group_of(api_version), kind)
    found: list[Issue] = []
    for registered in RULES:
        if registered.kinds is None or key in registered.kinds:
            found.extend(registered.rule.check(document))
    return found

"""Job and CronJob: a Job's Pods must not restart ``Always``; counts are not negative.

After ``ValidateJobSpec`` in ``pkg/apis/batch/validation/validation.go``
(kubernetes/kubernetes). A Pod template without ``restartPolicy`` is defaulted
to ``Always`` first, so a Job that leaves it out is rejected.
https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/batch/validation/validation.go
"""

from __future__ import annotations

from typing import Any

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Path
from virtdocs.kubernetes.validation.rules import access

JOB_RESTART_POLICIES = ("OnFailure", "Never")
IS_NEGATIVE = "must be greater than or equal to 0"


class JobSpecRule:
    """A JobSpec at ``base``: ``spec`` of a Job, ``spec.jobTemplate.spec`` of a CronJob."""

    name = "job-spec"

    def __init__(self, base: tuple[str, ...]) -> None:
        self.base = base

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        spec = access.mapping(document, *self.base) or {}
        base: Path = self.base
        found: list[field.Issue] = []
        for name in ("parallelism", "completions", "backoffLimit"):
            count = access.integer(spec, name)
            if count is not None and count < 0:
                found.append(field.invalid((*base, name), count, IS_NEGATIVE))
        policy_path = (*base, "template", "spec", "restartPolicy")
        policy = access.text(spec, "template", "spec", "restartPolicy") or "Always"
        if policy == "Always":
            quoted = ", ".join(f'"{value}"' for value in JOB_RESTART_POLICIES)
            found.append(field.required(policy_path, f"valid values: {quoted}"))
        elif policy not in JOB_RESTART_POLICIES:
            found.append(field.not_supported(policy_path, policy, JOB_RESTART_POLICIES))
        return found

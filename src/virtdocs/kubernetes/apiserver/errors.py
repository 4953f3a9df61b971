"""API errors as a real API server reports them; kubectl prints ``Error from server (Reason): "
"…``."""

from __future__ import annotations

from virtdocs.errors import UserError
from virtdocs.kubernetes.apiserver.resources import Resource


class ApiError(UserError):
    """A refused request. ``reason`` is the API's StatusReason (``NotFound``, ``Conflict``…)."""

    exit_code = 1  # kubectl exits 1 on a server error

    def __init__(self, reason: str, code: int, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.code = code

    @property
    def kubectl_text(self) -> str:
        # kubectl's StandardErrorMessage words an Invalid error on its own:
        # 'The Pod "web" is invalid: …' rather than 'Error from server (Invalid): …'.
        if self.reason == "Invalid":
            return f"The {self}"
        return f"Error from server ({self.reason}): {self}"


def not_found(resource: Resource, name: str) -> ApiError:
    return ApiError("NotFound", 404, f'{resource.qualified} "{name}" not found')


def already_exists(resource: Resource, name: str) -> ApiError:
    return ApiError("AlreadyExists", 409, f'{resource.qualified} "{name}" already exists')


def conflict(resource: Resource, name: str) -> ApiError:
    return ApiError(
        "Conflict",
        409,
        f'Operation cannot be fulfilled on {resource.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
    )


#: The PodSpec fields an update may change (updatablePodSpecFields in
#: pkg/apis/core/validation/validation.go, v1.31, in-place resize off by default).
UPDATABLE_POD_SPEC_FIELDS = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)


def pod_update_forbidden(resource: Resource, name: str) -> ApiError:
    """A Pod update that changes more than the few mutable fields. The API server appends a
    Go ``cmp.Diff`` of the two specs on further lines; this one-line form stops before it."""
    return invalid(
        resource,
        name,
        "spec: Forbidden: pod updates may not change fields other than "
        + ",".join(UPDATABLE_POD_SPEC_FIELDS),
    )


def _go_strings(values: list[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def go_label_selector(selector: dict[str, object] | None) -> str:
    """A LabelSelector as Go's ``%#v`` prints it, which is how field errors show a struct.

    >>> go_label_selector({"matchLabels": {"app": "web"}})
    'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, \
MatchExpressions:[]v1.LabelSelectorRequirement(nil)}'
    """
    selector = selector or {}
    labels = selector.get("matchLabels") or {}
    assert isinstance(labels, dict)
    match_labels = (
        "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items())) + "}"
        if labels
        else "map[string]string(nil)"
    )
    expressions = selector.get("matchExpressions") or []
    assert isinstance(expressions, list)
    requirements = [
        f'v1.LabelSelectorRequirement{{Key:"{e["key"]}", Operator:"{e["operator"]}", '
        + (
            f"Values:[]string{{{_go_strings(e['values'])}}}}}"
            if e.get("values")
            else "Values:[]string(nil)}"
        )
        for e in expressions
    ]
    match_expressions = (
        "[]v1.LabelSelectorRequirement{" + ", ".join(requirements) + "}"
        if requirements
        else "[]v1.LabelSelectorRequirement(nil)"
    )
    return f"v1.LabelSelector{{MatchLabels:{match_labels}, MatchExpressions:{match_expressions}}}"


def immutable_selector(resource: Resource, name: str, selector: dict[str, object]) -> ApiError:
    """``spec.selector`` of a Deployment or ReplicaSet cannot change after creation."""
    return invalid(
        resource,
        name,
        f"spec.selector: Invalid value: {go_label_selector(selector)}: field is immutable",
    )


def invalid(resource: Resource, name: str, detail: str) -> ApiError:
    return ApiError("Invalid", 422, f'{resource.kind} "{name}" is invalid: {detail}')

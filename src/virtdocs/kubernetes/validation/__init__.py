"""Kubernetes manifest validation: the schema, then the API server's own rules.

Schema-only validators (kubeconform, kubernetes-validate) accept many
manifests the API server rejects. This package checks the official
OpenAPI-derived schemas (strict by default) and then the rules in the API
server's validation code, and reports every problem with its file, line,
column and field path, in the API server's wording.

>>> from virtdocs.kubernetes.validation import validate_text, format_error
>>> text = "apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: web\\nspec:\\n" \\
...        "  ports:\\n  - port: 80\\n    protocol: udp\\n"
>>> [result] = validate_text(text, "svc.yaml")
>>> result.status
'invalid'
>>> print(format_error(result, result.errors[0]))  # doctest: +NORMALIZE_WHITESPACE
svc.yaml:8:15: Service/web: spec.ports[0].protocol:
    Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"
"""

from virtdocs.kubernetes.validation.options import ValidationOptions
from virtdocs.kubernetes.validation.results import (
    FieldError,
    ResourceResult,
    Status,
    Summary,
    format_error,
    format_result,
    report_to_json,
)
from virtdocs.kubernetes.validation.schemas import bundled_versions
from virtdocs.kubernetes.validation.validate import validate_text

__all__ = [
    "FieldError",
    "ResourceResult",
    "Status",
    "Summary",
    "ValidationOptions",
    "bundled_versions",
    "format_error",
    "format_result",
    "report_to_json",
    "validate_text",
]

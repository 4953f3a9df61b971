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


def invalid(resource: Resource, name: str, detail: str) -> ApiError:
    return ApiError("Invalid", 422, f'{resource.kind} "{name}" is invalid: {detail}')

"""kube-controller-manager's and cloud-controller-manager's control loops.

Each controller is one method, ``sync()``: read the desired and the observed state
from the API server and write what moves one toward the other (level-triggered).
"""

from __future__ import annotations

from typing import Protocol


class Controller(Protocol):
    name: str

    def sync(self) -> None:
        """Reconcile once; writes go through the API server."""
        ...

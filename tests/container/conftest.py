"""Shared fixtures: the example registry and a fresh, seeded engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from virtdocs.container.engine import Engine
from virtdocs.container.images import Registry

REPO = Path(__file__).resolve().parents[2]
REGISTRY_FILE = REPO / "examples/containers/registry.toml"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry.from_toml(REGISTRY_FILE)


@pytest.fixture
def engine(registry: Registry) -> Engine:
    return Engine(registry, seed=7)

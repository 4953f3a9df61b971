"""The API server's store: versions, conflicts, selectors, watch, namespaces."""

from __future__ import annotations

import pytest

from virtdocs.errors import UserError
from virtdocs.kubernetes.apiserver.errors import ApiError
from virtdocs.kubernetes.apiserver.store import Store
from virtdocs.kubernetes.clock import Clock
from virtdocs.kubernetes.selectors import (
    LabelSelector,
    parse_field_selector,
    parse_label_selector,
)


def pod(name: str, **labels: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels}}


def test_every_write_bumps_one_resource_version() -> None:
    store = Store(Clock())
    a = store.create(pod("a"))
    b = store.create(pod("b"))
    assert (a["metadata"]["resourceVersion"], b["metadata"]["resourceVersion"]) == ("1", "2")
    a["metadata"]["labels"] = {"x": "y"}
    assert store.update(a)["metadata"]["resourceVersion"] == "3"


def test_a_stale_update_is_a_conflict() -> None:
    store = Store(Clock())
    store.create(pod("a"))
    first, second = store.get("pods", "default", "a"), store.get("pods", "default", "a")
    first["metadata"]["labels"] = {"by": "first"}
    store.update(first)
    second["metadata"]["labels"] = {"by": "second"}
    with pytest.raises(ApiError) as caught:
        store.update(second)
    assert caught.value.reason == "Conflict"
    assert caught.value.kubectl_text == (
        'Error from server (Conflict): Operation cannot be fulfilled on pods "a": the object '
        "has been modified; please apply your changes to the latest version and try again"
    )


def test_not_found_and_already_exists_use_the_api_wording() -> None:
    store = Store(Clock())
    with pytest.raises(ApiError, match=r'^pods "x" not found$'):
        store.get("pods", "default", "x")
    store.create(pod("a"))
    with pytest.raises(ApiError, match=r'^pods "a" already exists$'):
        store.create(pod("a"))


def test_namespaces_keep_names_apart_and_must_exist() -> None:
    store = Store(Clock())
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}})
    store.create(pod("a"))
    other = pod("a")
    other["metadata"]["namespace"] = "prod"  # type: ignore[index]
    store.create(other)
    assert [p["metadata"]["namespace"] for p in store.list("pods")] == ["default", "prod"]
    assert len(store.list("pods", "prod")) == 1
    missing = pod("b")
    missing["metadata"]["namespace"] = "nope"  # type: ignore[index]
    with pytest.raises(ApiError, match='namespaces "nope" not found'):
        store.create(missing)


def test_label_and_field_selectors_filter_lists() -> None:
    store = Store(Clock())
    store.create(pod("a", app="web", tier="front"))
    store.create(pod("b", app="web", tier="back"))
    store.create(pod("c", app="db"))
    names = [
        p["metadata"]["name"]
        for p in store.list("pods", labels=parse_label_selector("app=web,tier notin (back)"))
    ]
    assert names == ["a"]
    fields = parse_field_selector("metadata.name!=a")
    assert [p["metadata"]["name"] for p in store.list("pods", fields=fields)] == ["b", "c"]


def test_label_selector_forms() -> None:
    assert parse_label_selector("a,!b").matches({"a": "1"})
    assert not parse_label_selector("a,!b").matches({"a": "1", "b": "2"})
    selector = LabelSelector.from_api(
        {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "qa"]}]}
    )
    assert selector.matches({"env": "qa"}) and not selector.matches({"env": "dev"})
    with pytest.raises(UserError, match="unable to parse requirement"):
        parse_label_selector("a=(b")
    with pytest.raises(UserError, match=r'field label not supported: "spec\.foo"'):
        parse_field_selector("spec.foo=1")


def test_watch_sees_added_modified_deleted_in_order() -> None:
    store = Store(Clock())
    store.create(pod("before"))
    watch = store.watch("pods")
    created = store.create(pod("a"))
    created["metadata"]["labels"] = {"v": "2"}
    store.update(created)
    store.remove("pods", "default", "a")
    events = watch.drain()
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"),
        ("MODIFIED", "a"),
        ("DELETED", "a"),
    ]
    assert [e.resource_version for e in events] == [2, 3, 4]
    assert watch.drain() == []

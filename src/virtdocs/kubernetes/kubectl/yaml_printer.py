"""``kubectl get -o yaml``: keys sorted, strings quoted the way Go's YAML encoder quotes them.

kubectl turns the object into JSON and then YAML (sigs.k8s.io/yaml over go-yaml), so map
keys come out sorted, and a string that would otherwise read as another type (``"1"``,
``"True"``, a timestamp) is written in double quotes, where PyYAML would use single ones.
Lines are never folded.

>>> print(to_yaml({"status": "True", "metadata": {"resourceVersion": "7", "name": "web"}}))
metadata:
  name: web
  resourceVersion: "7"
status: "True"
"""

from __future__ import annotations

from typing import Any

import yaml

#: go-yaml v2 also reads these as booleans (YAML 1.1), which PyYAML's resolver does not.
_GO_BOOLEANS = frozenset({"y", "Y", "n", "N"})


class _GoStyleDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    plain_tag = dumper.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if "\n" not in value and (plain_tag != "tag:yaml.org,2002:str" or value in _GO_BOOLEANS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_GoStyleDumper.add_representer(str, _represent_str)


def to_yaml(document: Any) -> str:
    """``document`` as kubectl prints it, without the final newline."""
    text = yaml.dump(
        document,
        Dumper=_GoStyleDumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=float("inf"),
    )
    return text.rstrip("\n")

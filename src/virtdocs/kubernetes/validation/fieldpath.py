"""Field paths: where in a manifest a value lives, printed the way the API server prints them.

A path is a tuple of keys (``str``) and list indexes (``int``). The API server's
``field.Path`` prints a struct field as ``.name``, a list index as ``[0]`` and a
map key as ``[key]``; we cannot always tell a struct from a map without the
schema, so a key that looks like a Go field name prints as ``.key`` and any
other key (``app.kubernetes.io/name``) prints as ``[key]``.

>>> format_path(("spec", "ports", 0, "protocol"))
'spec.ports[0].protocol'
>>> format_path(("metadata", "labels", "app.kubernetes.io/name"))
'metadata.labels[app.kubernetes.io/name]'
>>> format_path(())
''
"""

from __future__ import annotations

import re


class Key(str):
    """A map key the API server prints in brackets even when it looks like a field name.

    >>> format_path(("spec", "resources", "limits", Key("memory")))
    'spec.resources.limits[memory]'
    """

    __slots__ = ()


Segment = str | int
Path = tuple[Segment, ...]

_FIELD_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


def format_path(path: Path) -> str:
    """Render ``path`` as ``spec.containers[0].image``."""
    parts: list[str] = []
    for segment in path:
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif not isinstance(segment, Key) and _FIELD_NAME.fullmatch(segment):
            parts.append(f".{segment}" if parts else segment)
        else:
            parts.append(f"[{segment}]")
    return "".join(parts)

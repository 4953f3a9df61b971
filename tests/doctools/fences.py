"""Fence info strings: the language and attributes after the opening backticks.

Material for MkDocs (pymdownx.superfences) accepts both forms::

    ```python title="hello.py" hl_lines="2"
    ```{ .python .annotate title="hello.py" }

Sybil's stock Markdown lexer only matches a bare language and silently skips
the rest; this module reads both forms so no block escapes the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""\s*(?:
        \.(?P<cls>[\w+-]+)
      | \#(?P<id>[\w-]+)
      | (?P<key>[\w:-]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s}]+))
      | (?P<word>[^\s{}=]+)
    )""",
    re.VERBOSE,
)

#: Title prefixes that mark a block on the page itself (the reader sees the title).
NOT_RUN = "Not run:"
INVALID_ON_PURPOSE = "Invalid on purpose:"
NOT_A_MANIFEST = "Not a manifest:"


class FenceSyntaxError(ValueError):
    """An info string that cannot be read."""


@dataclass(frozen=True)
class FenceInfo:
    """What an info string says: the language, extra classes and key=value attributes."""

    language: str
    classes: tuple[str, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.attributes.get("title", "")

    def marked(self, prefix: str) -> str | None:
        """The reason after a title prefix such as ``Not run:``, or None if unmarked."""
        if self.title.startswith(prefix):
            return self.title[len(prefix) :].strip()
        return None


def parse_info(info: str) -> FenceInfo:
    """Read an info string.

    >>> parse_info('python title="a b.py" hl_lines="2"')
    FenceInfo(language='python', classes=(), attributes={'title': 'a b.py', 'hl_lines': '2'})
    >>> parse_info("{ .python .annotate }")
    FenceInfo(language='python', classes=('annotate',), attributes={})
    >>> parse_info("")
    FenceInfo(language='', classes=(), attributes={})
    """
    text = info.strip()
    braced = text.startswith("{")
    if braced:
        if not text.endswith("}"):
            raise FenceSyntaxError(f"unclosed '{{' in fence info {info!r}")
        text = text[1:-1]
    language = ""
    classes: list[str] = []
    attributes: dict[str, str] = {}
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FenceSyntaxError(f"cannot read fence info {info!r} at {text[position:]!r}")
        position = match.end()
        if match["cls"] is not None:
            if braced and not language:
                language = match["cls"]
            else:
                classes.append(match["cls"])
        elif match["key"] is not None:
            value = next(v for v in (match["dq"], match["sq"], match["bare"]) if v is not None)
            attributes[match["key"]] = value
        elif match["word"] is not None:
            if braced or language:
                raise FenceSyntaxError(f"unexpected {match['word']!r} in fence info {info!r}")
            language = match["word"]
    return FenceInfo(language.lower(), tuple(classes), attributes)

"""Extract every Kubernetes manifest shown in the docs into files a real cluster can check.

Reads the ```yaml fences of ``docs/**/*.md`` (also indented ones, inside
admonitions and tabs) and writes one file per block:

* ``OUT/valid/<page>-L<line>.yaml`` for a manifest the page presents as correct;
* ``OUT/invalid/<page>-L<line>.yaml`` for a sample titled ``Invalid on purpose: …``
  (CI checks that the API server rejects these too);

and skips blocks titled ``Not a manifest: …`` or ``Not run: …``. A
``--8<-- "path"`` line (pymdownx.snippets) is replaced by the file it names.
A dry run stores nothing, so an object that needs another one to exist first (a
Pod in namespace ``shop``, a Pod naming a RuntimeClass from the same block) would
be rejected. ``OUT/prerequisites.yaml`` therefore holds the namespaces the valid
manifests use and the cluster-wide objects they define (RuntimeClass,
PriorityClass, …); CI applies it for real before the dry run::

    python scripts/extract_manifests.py build/manifests
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILT_IN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
# Kinds that other objects refer to by name and that admission checks for.
PREREQUISITE_KINDS = frozenset(
    {
        "Namespace",
        "RuntimeClass",
        "PriorityClass",
        "StorageClass",
        "IngressClass",
        "CustomResourceDefinition",
    }
)
YAML_LANGUAGES = frozenset({"yaml", "yml"})
INVALID_ON_PURPOSE = "Invalid on purpose:"
SKIPPED_TITLES = ("Not a manifest:", "Not run:")

_OPENING = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_TITLE = re.compile(r"""\btitle=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""")
_LANGUAGE = re.compile(r"^\s*(?:\{\s*\.)?(?P<language>[\w+-]+)")
_SNIPPET = re.compile(r"""^\s*-{1,}8<-{1,}\s+["'](?P<path>[^"']+)["']\s*$""")


@dataclass(frozen=True)
class Block:
    """A fenced block: where it starts (1-based line of the fence), its language, title, text."""

    line: int
    language: str
    title: str
    text: str


def fences(markdown: str) -> Iterator[Block]:
    """Every fenced block of a Markdown text, indented ones included.

    >>> page = "Intro\\n\\n```yaml title='Not run: x'\\na: 1\\n```\\n\\n"
    >>> page += "    ~~~{ .yaml }\\n    b: 2\\n    ~~~\\n"
    >>> [(b.line, b.language, b.title, b.text) for b in fences(page)]
    [(3, 'yaml', 'Not run: x', 'a: 1\\n'), (7, 'yaml', '', 'b: 2\\n')]
    """
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence, info = opening["indent"], opening["fence"], opening["info"]
        body: list[str] = []
        end = index + 1
        while end < len(lines):
            stripped = lines[end].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            line = lines[end]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            end += 1
        language = _LANGUAGE.match(info)
        title = _TITLE.search(info)
        yield Block(
            line=index + 1,
            language=language["language"].lower() if language else "",
            title=(title["dq"] if title["dq"] is not None else title["sq"]) if title else "",
            text="".join(f"{line}\n" for line in body),
        )
        index = end + 1


def expand_snippets(text: str, base: Path) -> str:
    """Replace ``--8<-- "file"`` lines by the file's text, as pymdownx.snippets does."""
    out = []
    for line in text.splitlines(keepends=True):
        snippet = _SNIPPET.match(line)
        if snippet is None:
            out.append(line)
            continue
        included = (base / snippet["path"]).read_text(encoding="utf-8")
        out.append(included if included.endswith("\n") else included + "\n")
    return "".join(out)


def classify(block: Block) -> str | None:
    """``"valid"``, ``"invalid"``, or ``None`` for a block that is not a manifest to apply."""
    if block.language not in YAML_LANGUAGES:
        return None
    if block.title.startswith(SKIPPED_TITLES):
        return None
    if block.title.startswith(INVALID_ON_PURPOSE):
        return "invalid"
    return "valid"


def extract(docs: Path, out: Path, base: Path = ROOT) -> dict[str, list[Path]]:
    """Write each manifest block of ``docs`` under ``out``; return the files by kind."""
    written: dict[str, list[Path]] = {"valid": [], "invalid": []}
    for page in sorted(docs.rglob("*.md")):
        relative = page.relative_to(docs).with_suffix("")
        stem = "-".join(relative.parts)
        for block in fences(page.read_text(encoding="utf-8")):
            kind = classify(block)
            if kind is None:
                continue
            target = out / kind / f"{stem}-L{block.line}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(expand_snippets(block.text, base), encoding="utf-8")
            written[kind].append(target)
    return written


def _documents(files: list[Path]) -> list[Any]:
    found: list[Any] = []
    for path in files:
        try:
            loaded = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            continue  # the validator reports broken YAML; nothing to take from it
        for document in loaded:
            is_list = isinstance(document, dict) and document.get("kind") == "List"
            items = document.get("items") if is_list else None
            found.extend(items if isinstance(items, list) else [document])
    return [document for document in found if isinstance(document, dict)]


def namespaces(files: list[Path]) -> list[str]:
    """The namespaces the manifests in ``files`` name, built-in ones left out, sorted."""
    found = set()
    for document in _documents(files):
        metadata = document.get("metadata")
        namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
        if isinstance(namespace, str) and namespace:
            found.add(namespace)
    return sorted(found - BUILT_IN_NAMESPACES)


def prerequisites(files: list[Path]) -> list[dict[str, Any]]:
    """Namespaces first, then every object of a kind in :data:`PREREQUISITE_KINDS`."""
    out: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        for name in namespaces(files)
    ]
    out.extend(doc for doc in _documents(files) if doc.get("kind") in PREREQUISITE_KINDS)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="folder to write valid/ and invalid/ into")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="default: docs/")
    args = parser.parse_args(argv)
    if not args.docs.is_dir():
        print(f"extract_manifests: error: {args.docs}: no such folder", file=sys.stderr)
        return 2
    written = extract(args.docs, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    needed = prerequisites(written["valid"])
    (args.out / "prerequisites.yaml").write_text(
        yaml.safe_dump_all(needed, sort_keys=False) if needed else ""
    )
    for kind, files in written.items():
        print(f"{len(files)} {kind} manifest block(s) written to {args.out / kind}")
    if not written["valid"]:
        print("extract_manifests: error: no manifest found in the docs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The doc-testing tools themselves: each rule of tests/doctools/parser.py, proven on small pages.

A broken page must fail naming the page and line; an unknown language must be
reported; attributes on a fence must not make a block escape.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sybil import Document

from tests.doctools.fences import FenceSyntaxError, parse_info
from tests.doctools.parser import DocsParser


def outcomes(tmp_path: Path, text: str) -> list[tuple[int, str | None]]:
    """Parse ``text`` as a page and evaluate every example: (line, failure or None)."""
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    document = Document.parse(str(page), DocsParser())
    results: list[tuple[int, str | None]] = []
    for example in document:
        try:
            example.evaluate()
        except Exception as error:  # a failing example: Sybil raises SybilFailure or the error
            results.append((example.line, str(error)))
        else:
            results.append((example.line, None))
    return results


def test_python_with_attributes_is_run(tmp_path: Path) -> None:
    page = (
        '```python title="a.py" hl_lines="1"\nx = 1\n```\n\n'
        "```{ .python .annotate }\nassert x == 2, 'x is 1'  # (1)!\n```\n"
    )
    results = outcomes(tmp_path, page)
    assert [line for line, _ in results] == [1, 5]
    assert results[0][1] is None
    assert results[1][1] is not None and "x is 1" in results[1][1]


def test_doctest_output_is_checked(tmp_path: Path) -> None:
    page = "Some text.\n\n```pycon\n>>> 1 + 1\n3\n```\n"
    [(line, failure)] = outcomes(tmp_path, page)
    assert line == 4
    assert failure is not None and "Expected:\n    3\nGot:\n    2" in failure


def test_python_block_starting_with_prompt_is_a_doctest(tmp_path: Path) -> None:
    results = outcomes(tmp_path, "```python\n>>> print('hi')\nhi\n>>> 2\n2\n```\n")
    assert results == [(2, None), (4, None)]


def test_unchecked_print_fails(tmp_path: Path) -> None:
    [(_, failure)] = outcomes(tmp_path, "```python\nprint('look at me')\n```\n")
    assert failure is not None and "printed output that nothing checks" in failure


def test_unknown_language_and_missing_language_fail(tmp_path: Path) -> None:
    results = outcomes(tmp_path, "```rust\nfn main() {}\n```\n\n```\nplain\n```\n")
    assert "unknown fence language 'rust'" in str(results[0][1])
    assert "a fence needs a language" in str(results[1][1])


def test_not_run_needs_a_reason_and_shown_languages_are_not_run(tmp_path: Path) -> None:
    page = (
        '```bash title="Not run: needs a real cluster"\nkubectl get pods\n```\n\n'
        '```bash title="Not run:"\nkubectl get pods\n```\n\n'
        "```mermaid\nflowchart LR\n  a --> b\n```\n"
    )
    [(line, failure)] = outcomes(tmp_path, page)
    assert line == 5 and failure is not None and 'say why after "Not run:"' in failure


def test_console_runs_virtdocs_and_compares_output(tmp_path: Path) -> None:
    from virtdocs import __version__

    good = f"```console\n$ virtdocs --version\nvirtdocs {__version__}\n```\n"
    assert outcomes(tmp_path, good) == [(1, None)]
    bad = "```console\n$ virtdocs --version\nvirtdocs 0.0.0\n```\n"
    [(_, failure)] = outcomes(tmp_path, bad)
    assert failure is not None and "page.md:2: output of 'virtdocs --version' differs" in failure


def test_console_refuses_other_commands(tmp_path: Path) -> None:
    [(_, failure)] = outcomes(tmp_path, "```bash\n$ kubectl get pods\nNo resources found\n```\n")
    assert failure is not None and "only plain 'virtdocs …' commands run here" in failure


def test_exec_block_runs_in_its_own_namespace_and_must_print_markup(tmp_path: Path) -> None:
    page = (
        "```python\nvalue = 3\n```\n\n"
        '```python exec="on" html="true"\nprint(f"<p>{value}</p>")\n```\n\n'
        '```python exec="on" html="true"\nprint("<svg><g></svg>")\n```\n'
    )
    results = outcomes(tmp_path, page)
    assert results[0][1] is None
    assert "NameError" in str(results[1][1]) or "value" in str(results[1][1])
    assert "not well-formed" in str(results[2][1])


def test_not_a_manifest_yaml_must_still_parse(tmp_path: Path) -> None:
    page = (
        '```yaml title="Not a manifest: mkdocs.yml"\nsite_name: x\n```\n\n'
        '```yaml title="Not a manifest: broken"\na: [1, 2\n```\n'
    )
    results = outcomes(tmp_path, page)
    assert results[0][1] is None
    assert "YAML that does not parse" in str(results[1][1])


def test_fence_info_forms() -> None:
    info = parse_info('python exec="on" html="true" session=\'s1\'')
    assert info.language == "python"
    assert info.attributes == {"exec": "on", "html": "true", "session": "s1"}
    assert parse_info('{.yaml title="Invalid on purpose: x"}').marked("Invalid on purpose:") == "x"
    with pytest.raises(FenceSyntaxError):
        parse_info("{ .python")


SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n"


def test_yaml_manifest_is_validated_with_page_lines(tmp_path: Path) -> None:
    good = f"```yaml\n{SERVICE}```\n"
    assert outcomes(tmp_path, good) == [(1, None)]
    bad = f"Text.\n\n```yaml\n{SERVICE}    protocol: udp\n```\n"
    [(_, failure)] = outcomes(tmp_path, bad)
    # The protocol is on line 8 of the manifest (value at column 15); the manifest starts on
    # line 4 of the page.
    assert failure is not None and "page.md:11:15: Service/web: spec.ports[0].protocol" in failure


def test_invalid_on_purpose_must_fail_with_the_declared_error(tmp_path: Path) -> None:
    wrong = f"{SERVICE}    protocol: udp\n"
    other_error = '```yaml title="Invalid on purpose: Required value"\n' + wrong + "```\n"
    [(_, failure)] = outcomes(tmp_path, other_error)
    assert failure is not None and "expected an error containing 'Required value'" in failure
    matching = '```yaml title="Invalid on purpose: supported values"\n' + wrong + "```\n"
    assert outcomes(tmp_path, matching) == [(1, None)]
    valid_after_all = '```yaml title="Invalid on purpose: supported values"\n' + SERVICE + "```\n"
    [(_, failure)] = outcomes(tmp_path, valid_after_all)
    assert failure is not None and "the validator reported:\n  no error at all" in failure

"""The validator's tooling: manifest extraction for the kind workflow, the workflow, the hook."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
import yaml

from scripts import extract_manifests
from virtdocs.cli import main
from virtdocs.kubernetes.validation import validate_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "manifests"
WORKFLOW = ROOT / ".github" / "workflows" / "manifests.yml"
PAGE = """\
# A page

```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
```

```yaml title="Invalid on purpose: Unsupported value"
apiVersion: v1
kind: Service
```

```yaml title="Not a manifest: mkdocs settings"
site_name: x
```

!!! note

    ```{ .yaml title="pod.yaml" }
    --8<-- "examples/manifests/pod-busybox.yaml"
    ```

```console title="Not run: needs a cluster"
$ kubectl get pods
```
"""


def test_the_script_docstrings_hold() -> None:
    assert doctest.testmod(extract_manifests).failed == 0


def test_extraction_sorts_blocks_by_what_the_page_says(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "k8s").mkdir(parents=True)
    (docs / "k8s" / "page.md").write_text(PAGE)
    written = extract_manifests.extract(docs, tmp_path / "out", base=ROOT)
    assert [p.name for p in written["valid"]] == ["k8s-page-L3.yaml", "k8s-page-L21.yaml"]
    assert [p.name for p in written["invalid"]] == ["k8s-page-L10.yaml"]
    indented = written["valid"][1].read_text()
    assert indented == (EXAMPLES / "pod-busybox.yaml").read_text()  # snippet expanded, dedented
    assert written["valid"][0].read_text().startswith("apiVersion: v1\nkind: ConfigMap\n")


def test_what_the_dry_run_needs_is_listed(tmp_path: Path) -> None:
    one = tmp_path / "one.yaml"
    one.write_text("kind: Pod\nmetadata: {name: a, namespace: shop}\n---\nmetadata: {name: b}\n")
    two = tmp_path / "two.yaml"
    two.write_text(
        "kind: List\nitems:\n- metadata: {namespace: blog}\n- metadata: {namespace: default}\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n")
    assert extract_manifests.namespaces([one, two, broken]) == ["blog", "shop"]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text(PAGE.replace("name: plain", "name: plain\n  namespace: demo"))
    assert extract_manifests.main([str(tmp_path / "out"), "--docs", str(docs)]) == 0
    needed = list(yaml.safe_load_all((tmp_path / "out" / "prerequisites.yaml").read_text()))
    assert needed == [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}]
    runtime = tmp_path / "runtime.yaml"
    runtime.write_text(
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: kata}\nhandler: kata\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
    )
    assert [doc["kind"] for doc in extract_manifests.prerequisites([runtime])] == ["RuntimeClass"]


def test_the_command_reports_and_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert extract_manifests.main([str(tmp_path / "out"), "--docs", str(tmp_path / "none")]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "page.md").write_text("No manifests here.\n")
    assert extract_manifests.main([str(tmp_path / "out"), "--docs", str(empty)]) == 1
    assert "no manifest found" in capsys.readouterr().err


def test_every_manifest_the_site_shows_as_correct_is_valid(tmp_path: Path) -> None:
    written = extract_manifests.extract(ROOT / "docs", tmp_path, base=ROOT)
    for path in written["valid"]:
        results = validate_text(path.read_text(), str(path))
        assert results and all(result.status == "valid" for result in results), path
    for path in written["invalid"]:
        results = validate_text(path.read_text(), str(path))
        assert any(result.status != "valid" for result in results), path


def test_the_workflow_is_pinned_and_least_privilege() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {}
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    steps = job["steps"]
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    scripts = "\n".join(step.get("run", "") for step in steps)
    for needed in (
        "--dry-run=server",
        "rollout status deployment/my-nginx",
        "extract_manifests.py",
    ):
        assert needed in scripts
    for file in re.findall(r"examples/manifests/[\w.-]+\.yaml", scripts):
        assert (ROOT / file).is_file(), file


def test_the_pre_commit_hook_runs_the_validator(capsys: pytest.CaptureFixture[str]) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    # pre-commit's manifest format: these four keys are required.
    assert {"id", "name", "entry", "language"} <= hook.keys()
    assert hook["language"] == "python"
    program, *arguments = hook["entry"].split()
    assert program == "virtdocs"
    assert 'virtdocs = "virtdocs.cli:run"' in (ROOT / "pyproject.toml").read_text()
    # pre-commit appends the staged file names to the entry.
    files = [str(path) for path in sorted(EXAMPLES.glob("*.yaml"))]
    assert main([*arguments, *files]) == 0
    assert capsys.readouterr().out == "3 resources: 3 valid, 0 invalid, 0 errors\n"


def test_the_page_shows_the_example_files_as_they_are() -> None:
    page = (ROOT / "docs" / "kubernetes" / "validating.md").read_text()
    shown = {block.text for block in extract_manifests.fences(page) if block.language == "yaml"}
    for name in (
        "pod-busybox.yaml",
        "deployment-my-nginx.yaml",
        "service-my-nginx.yaml",
        "broken/schema-catches.yaml",
        "broken/schema-misses.yaml",
    ):
        assert (EXAMPLES / name).read_text() in shown, name

"""`virtdocs validate`: inputs, output formats, exit codes, and one-line errors."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from virtdocs.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_valid_folder_exits_0_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for seed in EXAMPLES.glob("*.yaml"):  # the seed chapter's three manifests
        shutil.copy(seed, tmp_path)
    assert run([str(tmp_path)], capsys) == (0, "3 resources: 3 valid, 0 invalid, 0 errors\n", "")


def test_the_broken_examples_fail_as_documented(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(EXAMPLES / "broken")], capsys)
    assert code == 1
    assert out.splitlines()[-1] == "7 resources: 0 valid, 4 invalid, 3 errors"


def test_invalid_manifest_exits_1_with_file_line_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "svc.yaml"
    bad.write_text((EXAMPLES / "service-my-nginx.yaml").read_text().replace("TCP", "udp"))
    code, out, err = run([str(bad)], capsys)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f'{bad}:11:15: Service/my-nginx: spec.ports[0].protocol: Unsupported value: "udp": '
        'supported values: "SCTP", "TCP", "UDP"',
        "1 resource: 0 valid, 1 invalid, 0 errors",
    ]


def test_yaml_errors_exit_1_and_count_as_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n")
    code, out, _ = run([str(broken)], capsys)
    assert code == 1
    assert out.splitlines()[0].startswith(f"{broken}:4:1: invalid YAML: found a tab character")
    assert out.splitlines()[-1] == "1 resource: 0 valid, 0 invalid, 1 error"


def test_json_output_follows_the_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "deploy.json"
    bad.write_text(
        json.dumps(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {
                    "replicas": -1,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx"}]},
                    },
                },
            },
            indent=2,
        )
    )
    code, out, _ = run(["--output", "json", str(bad)], capsys)
    assert code == 1
    assert json.loads(out) == {
        "summary": {"resources": 1, "valid": 0, "invalid": 1, "errors": 0},
        "resources": [
            {
                "file": str(bad),
                "line": 1,
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": "web",
                "status": "invalid",
                "errors": [
                    {
                        "path": "spec.replicas",
                        "line": 8,
                        "column": 17,
                        "message": "Invalid value: -1: must be greater than or equal to 0",
                    }
                ],
            }
        ],
    }


def test_folders_are_searched_recursively_for_manifest_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    shutil.copy(EXAMPLES / "pod-busybox.yaml", tmp_path / "pod.yml")
    shutil.copy(EXAMPLES / "service-my-nginx.yaml", nested / "svc.yaml")
    (nested / "notes.txt").write_text("not a manifest")
    (tmp_path / "list.json").write_text(
        '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", '
        '"kind": "ConfigMap", "metadata": {"name": "a"}}]}'
    )
    code, out, _ = run(["--output", "json", str(tmp_path)], capsys)
    files = [Path(r["file"]).relative_to(tmp_path) for r in json.loads(out)["resources"]]
    assert code == 0
    assert files == [Path("a/b/svc.yaml"), Path("list.json"), Path("pod.yml")]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    text = (EXAMPLES / "pod-busybox.yaml").read_bytes().replace(b"Always", b"Sometimes")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text)))
    code, out, _ = run(["-"], capsys)
    assert code == 1
    assert out.startswith("-:16:18: Pod/busybox: spec.restartPolicy: Unsupported value")


def test_no_strict_and_version_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "pod.yaml"
    typo.write_text((EXAMPLES / "pod-busybox.yaml").read_text() + "  hostnetwork: true\n")
    assert run([str(typo)], capsys)[0] == 1
    assert run(["--no-strict", str(typo)], capsys)[0] == 0
    assert run(["--strict", "--kubernetes-version", "1.25", str(typo)], capsys)[0] == 1


def test_custom_resources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crd = tmp_path / "widget.yaml"
    crd.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")
    code, out, _ = run([str(crd)], capsys)
    assert code == 1 and "0 invalid, 1 error" in out
    assert run(["--ignore-missing-schemas", str(crd)], capsys)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "virtdocs: error: missing.yaml: no such file or folder\n"),
        (
            ["--kubernetes-version", "1.99", "x.yaml"],
            "virtdocs: error: --kubernetes-version: unknown Kubernetes version '1.99': "
            "schemas are bundled for 1.25 to 1.37\n",
        ),
    ],
)
def test_usage_and_io_errors_exit_2_in_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(args, capsys) == (2, "", message)


def test_binary_and_empty_inputs_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "image.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code, out, err = run([str(binary)], capsys)
    assert (code, out) == (2, "")
    assert err == f"virtdocs: error: {binary}: not a text file (it contains NUL bytes)\n"
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert run([str(latin1)], capsys)[2] == f"virtdocs: error: {latin1}: not UTF-8 text (byte 10)\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert run(["-"], capsys)[0] == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run([str(empty)], capsys)[0] == 2


def test_a_path_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "PATH" in err


def test_a_byte_order_mark_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marked = tmp_path / "pod.yaml"
    marked.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "pod-busybox.yaml").read_bytes())
    assert run([str(marked)], capsys)[0] == 0


def test_an_empty_file_has_no_resources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    assert run([str(empty)], capsys) == (0, "0 resources: 0 valid, 0 invalid, 0 errors\n", "")


def test_an_unreadable_file_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # chmod cannot stop root (the CI container), so the operating system's refusal is simulated.
    secret = tmp_path / "secret.yaml"
    secret.write_text("apiVersion: v1\n")
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path == secret:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert run([str(secret)], capsys) == (2, "", f"virtdocs: error: {secret}: permission denied\n")


def test_binary_stdin_is_named_as_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"kind: Pod\x00\n")))
    assert run(["-"], capsys) == (
        2,
        "",
        "virtdocs: error: -: not a text file (it contains NUL bytes)\n",
    )

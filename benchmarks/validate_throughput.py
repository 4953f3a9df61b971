"""How fast `virtdocs validate` checks small manifests, and how that compares with the naive loop.

Measures, in one run, on the same generated documents (variants of the seed
chapter's Pod, Deployment and Service, each with its own name):

* ``end_to_end``: wall time of ``python -m virtdocs validate FOLDER`` in a fresh
  process, so interpreter start, imports and schema loading are included;
  the median of ``--repeat`` runs;
* ``in_process``: :func:`virtdocs.kubernetes.validation.validate_text` per
  document on the first ``--naive-sample`` documents, validators already warm;
* ``naive``: ``kubernetes_validate.validate(document, version, strict=True)``
  per document on the same sample, which is how that library is meant to be
  called and which re-reads the 1.8 MB definitions file every time.

Prints one JSON object. The issue asks for ``end_to_end.manifests_per_second``
≥ 2,000 and ``speedup_vs_naive`` ≥ 15.

    python benchmarks/validate_throughput.py [--manifests 10000] [--naive-sample 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "manifests").glob("*.yaml"))


def documents(count: int) -> list[str]:
    """``count`` small, valid manifests: the seed examples with numbered names."""
    texts = [path.read_text() for path in SEEDS]
    out = []
    for index in range(count):
        text = texts[index % len(texts)]
        out.append(text.replace("my-nginx", f"my-nginx-{index}").replace("busybox", f"bb-{index}"))
    return out


def end_to_end(folder: Path, expected: int, repeat: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "virtdocs", "validate", "--output", "json", str(folder)]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        summary = json.loads(done.stdout)["summary"]
        if done.returncode != 0 or summary["valid"] != expected:
            raise SystemExit(f"validation did not pass: {summary} {done.stderr}")
    median = statistics.median(times)
    return {
        "seconds_median": round(median, 3),
        "seconds_all": [round(t, 3) for t in times],
        "manifests_per_second": round(expected / median),
    }


def in_process(texts: list[str], version: str) -> float:
    from virtdocs.kubernetes.validation import ValidationOptions, validate_text

    options = ValidationOptions(kubernetes_version=version)
    validate_text(texts[0], options=options)  # warm: build the validators once
    start = time.perf_counter()
    for text in texts:
        [result] = validate_text(text, options=options)
        assert result.status == "valid", result
    return time.perf_counter() - start


def naive(texts: list[str], version: str) -> float:
    import kubernetes_validate

    parsed = [yaml.safe_load(text) for text in texts]
    start = time.perf_counter()
    for document in parsed:
        kubernetes_validate.validate(document, version, strict=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifests", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from virtdocs.kubernetes.validation import bundled_versions

    version = bundled_versions()[-1]
    texts = documents(args.manifests)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # One file per manifest, as a repository of manifests would have them.
        for index, text in enumerate(texts):
            (folder / f"m{index:05d}.yaml").write_text(text)
        e2e = end_to_end(folder, len(texts), args.repeat)
    sample = texts[: args.naive_sample]
    ours = in_process(sample, version)
    theirs = naive(sample, version)
    ours_rate = len(sample) / ours
    naive_rate = len(sample) / theirs
    print(
        json.dumps(
            {
                "kubernetes_version": version,
                "manifests": len(texts),
                "end_to_end": e2e,
                "sample": len(sample),
                "in_process_manifests_per_second": round(ours_rate),
                "naive_manifests_per_second": round(naive_rate, 1),
                "speedup_vs_naive": round(ours_rate / naive_rate, 1),
                "end_to_end_speedup_vs_naive": round(e2e["manifests_per_second"] / naive_rate, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

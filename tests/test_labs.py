"""Every lab notebook runs top to bottom without an error.

The site build executes the notebooks in a real Jupyter kernel; here each code
cell runs in-process, in one namespace, which is enough to fail the suite on a
broken lab while keeping the suite fast.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat
import pytest

LABS = sorted((Path(__file__).parents[1] / "docs" / "labs").glob("*.ipynb"))


def test_there_is_at_least_one_lab() -> None:
    assert LABS, "docs/labs/ has no notebook"


@pytest.mark.parametrize("path", LABS, ids=[p.name for p in LABS])
def test_lab_is_stored_without_outputs(path: Path) -> None:
    # The site build executes every lab; outputs saved in the file could only be stale.
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    stale = [i for i, cell in enumerate(notebook.cells) if cell.get("outputs")]
    assert not stale, f"{path.name}: clear the outputs of cells {stale} before committing"


@pytest.mark.parametrize("path", LABS, ids=[p.name for p in LABS])
def test_lab_runs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    nbformat.validate(notebook)
    namespace: dict[str, object] = {"__name__": "__main__"}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        assert not cell.source.lstrip().startswith(("%", "!")), (
            f"{path.name} cell {index}: IPython magics and shell escapes do not run outside Jupyter"
        )
        code = compile(cell.source, f"{path.name}[cell {index}]", "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)

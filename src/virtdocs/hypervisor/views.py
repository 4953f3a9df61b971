"""Text views of an analysis and of a run, for the command line and the pages."""

from __future__ import annotations

from virtdocs.hypervisor.popek_goldberg import Analysis, ISADescription
from virtdocs.hypervisor.technique import RunResult


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def classification_table(description: ISADescription) -> str:
    """One row per instruction: privileged, sensitivity kinds, user-sensitive, source, note."""
    rows = [("mnemonic", "privileged", "sensitivity", "user-sensitive", "source", "note")]
    rows += [
        (
            e.mnemonic,
            _yes(e.privileged),
            "+".join(e.kinds),
            _yes(e.user_sensitive),
            e.source,
            e.note,
        )
        for e in description.instructions
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True))
        + "  "
        + row[5]
        for row in rows
    ).rstrip()


def verdicts(analysis: Analysis) -> str:
    """The two theorems applied, with the instructions that decide them."""

    def listing(names: tuple[str, ...]) -> str:
        return ", ".join(names) if names else "(none)"

    theorem1 = (
        "holds: a trap-and-emulate VMM can be built"
        if analysis.virtualizable
        else "fails: no trap-and-emulate VMM (sensitive but not privileged: "
        f"{listing(analysis.virtualization_hole)})"
    )
    theorem3 = (
        "holds: a hybrid VMM can be built"
        if analysis.hybrid_virtualizable
        else "fails: no hybrid VMM (user-sensitive but not privileged: "
        f"{listing(analysis.hybrid_hole)})"
    )
    return "\n".join(
        [
            f"privileged ({len(analysis.privileged)}): {listing(analysis.privileged)}",
            f"sensitive ({len(analysis.sensitive)}): {listing(analysis.sensitive)}",
            f"virtualization hole ({len(analysis.virtualization_hole)}): "
            f"{listing(analysis.virtualization_hole)}",
            f"Theorem 1, sensitive ⊆ privileged: {theorem1}",
            f"Theorem 3, user-sensitive ⊆ privileged: {theorem3}",
        ]
    )


def analysis_report(description: ISADescription, analysis: Analysis) -> str:
    """The full text ``virtdocs analyze`` prints."""
    sources = "\n".join(
        f"  [{key}] {text}"
        for key, text in description.sources.items()
        if any(e.source == key for e in description.instructions)
    )
    return (
        f"{description.name}: {description.title}\n\n"
        f"{classification_table(description)}\n\n{verdicts(analysis)}\n\nsources:\n{sources}"
    )


def run_report(result: RunResult) -> str:
    """Console output, then how the run ended and its counters."""
    console = result.state.console
    if console and not console.endswith("\n"):
        console += "\n"
    stats = " ".join(f"{key}={value}" for key, value in result.stats.items())
    return f"{console}-- {result.technique}: {result.stop.message}\n-- {stats}"

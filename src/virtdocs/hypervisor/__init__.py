"""Stage 2, the hypervisor: the Popek–Goldberg analysis and the ways to run a guest.

Extension points (for the hypervisor techniques):

- **A technique** is a class with a ``name`` and one method,
  ``run(program, config) -> RunResult`` (:class:`~virtdocs.hypervisor.technique.Technique`).
  Register it with :func:`register`; :data:`TECHNIQUES` keeps teaching order,
  ``native`` first, and ``virtdocs run --technique`` offers exactly these names.
- **The CPU is reusable piece by piece.** Each decoded
  :class:`~virtdocs.machine.Instruction` carries ``fn``, its semantics function
  (``fn(cpu, instruction)`` returns ``None``/``EVENT``/``HALT`` or a
  :class:`~virtdocs.machine.Trap`), so an interpreter can call it and a
  translator can call or inline it; ``mnemonic``, ``form`` and the flattened
  operands ``a``/``b``/``c`` say what it is.
  :func:`virtdocs.machine.run.run` is the run loop; a technique supplies its
  trap handler (one method, ``handle(cpu, trap, counters)``).
- **Virtual state** and the world switch (:func:`~virtdocs.hypervisor.trap_emulate.swap`)
  let a monitor re-execute a trapping instruction against the guest's virtual
  privileged state with the CPU's own semantics.
- **Equivalence** is checked by comparing :class:`~virtdocs.machine.Snapshot`
  values (``RunResult.state``) with ``==``; each technique reports the state as
  the guest should see it.

>>> [technique.name for technique in TECHNIQUES.values()]  # doctest: +NORMALIZE_WHITESPACE
['native', 'trap-and-emulate', 'interpretation', 'scan-and-patch', 'binary-translation',
 'paravirtualization', 'hardware-assisted']
"""

from __future__ import annotations

from virtdocs.errors import UserError
from virtdocs.hypervisor.binary_translation import BinaryTranslation
from virtdocs.hypervisor.hardware_assist import HardwareAssisted
from virtdocs.hypervisor.interpretation import Interpretation
from virtdocs.hypervisor.native import Native
from virtdocs.hypervisor.paravirt import Paravirtualization
from virtdocs.hypervisor.scan_patch import ScanAndPatch
from virtdocs.hypervisor.technique import RunConfig, RunResult, Technique
from virtdocs.hypervisor.trap_emulate import TrapAndEmulate

#: Registered techniques, in teaching order (``native`` first).
TECHNIQUES: dict[str, Technique] = {}


def register(technique: Technique) -> None:
    """Add ``technique`` after those already registered (a name may be registered once)."""
    if technique.name in TECHNIQUES:
        raise ValueError(f"technique {technique.name!r} is already registered")
    TECHNIQUES[technique.name] = technique


def get_technique(name: str) -> Technique:
    """The technique called ``name``; a UserError lists the choices otherwise."""
    try:
        return TECHNIQUES[name]
    except KeyError:
        choices = ", ".join(TECHNIQUES)
        raise UserError(
            f"--technique: unknown technique {name!r}; choose one of {choices}"
        ) from None


register(Native())
register(TrapAndEmulate())
register(Interpretation())
register(ScanAndPatch())
register(BinaryTranslation())
register(Paravirtualization())
register(HardwareAssisted())

__all__ = ["TECHNIQUES", "RunConfig", "RunResult", "Technique", "get_technique", "register"]

"""What a container does, read from its command: the simulator runs no real code.

``sleep N`` runs N seconds and exits 0; ``sh -c "exit N"`` (or ``false``/``true``)
exits at once; ``sh -c "sleep N; exit M"`` runs N seconds then exits M. Anything
else (nginx, a web server) runs until stopped.

>>> behaviour(["sleep", "3600"])
Behaviour(runs_for=3600.0, exit_code=0)
>>> behaviour(["sh", "-c", "sleep 5; exit 1"])
Behaviour(runs_for=5.0, exit_code=1)
>>> behaviour([]).runs_for is None
True
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Behaviour:
    runs_for: float | None  # None: until stopped
    exit_code: int = 0


def _script(text: str) -> Behaviour:
    runs = 0.0
    for statement in (s.strip() for s in re.split(r"[;&]+", text) if s.strip()):
        words = shlex.split(statement)
        if words[0] == "sleep" and len(words) == 2:
            runs += float(words[1])
        elif words[0] == "exit":
            return Behaviour(runs, int(words[1]) if len(words) > 1 else 0)
        elif words[0] in ("true", "false"):
            return Behaviour(runs, int(words[0] == "false"))
        else:
            return Behaviour(None)
    return Behaviour(runs, 0)


def behaviour(command: Sequence[str]) -> Behaviour:
    words = [str(w) for w in command]
    if not words:
        return Behaviour(None)
    program = words[0].rsplit("/", 1)[-1]
    if program in ("sh", "bash") and len(words) >= 3 and words[1] == "-c":
        return _script(words[2])
    if program in ("sleep", "true", "false", "exit"):
        return _script(shlex.join([program, *words[1:]]))
    return Behaviour(None)

"""A small pflag: kubectl's flag syntax and its error messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class FlagError(Exception):
    """A usage error; ``str()`` is kubectl's text, which may span lines."""


@dataclass(frozen=True)
class Flag:
    name: str
    short: str = ""
    boolean: bool = False
    default: str = ""


def parse(
    command: str, words: Sequence[str], flags: Sequence[Flag]
) -> tuple[list[str], dict[str, str]]:
    """Split ``words`` into positional arguments and ``{flag name: value}``."""
    by_long = {f.name: f for f in flags}
    by_short = {f.short: f for f in flags if f.short}
    values = {f.name: f.default for f in flags}
    positional: list[str] = []
    index = 0
    words = list(words)
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            positional += words[index:]
            break
        if word.startswith("--"):
            name, separator, value = word[2:].partition("=")
            has_value = bool(separator)
            flag = by_long.get(name)
            if flag is None:
                raise FlagError(
                    f"unknown flag: --{name}\nSee 'kubectl {command} --help' for usage."
                )
        elif word.startswith("-") and len(word) > 1:
            flag = by_short.get(word[1])
            if flag is None:
                raise FlagError(
                    f"unknown shorthand flag: '{word[1]}' in {word}\nSee 'kubectl {command} "
                    "--help' for usage."
                )
            rest = word[2:]
            has_value, value = bool(rest), rest.removeprefix("=")
        else:
            positional.append(word)
            continue
        if flag.boolean:
            values[flag.name] = value if has_value else "true"
            continue
        if not has_value:
            if index >= len(words):
                raise FlagError(
                    f"flag needs an argument: --{flag.name}\nSee 'kubectl {command} --help' for "
                    "usage."
                )
            value = words[index]
            index += 1
        values[flag.name] = value
    return positional, values

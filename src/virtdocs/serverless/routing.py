"""Which warm instance gets a request: routing policies over the pool of free instances.

AWS Lambda, and SimFaaS after it, send a request to the most recently created
instance that is free. Old instances then stay idle and expire, so the platform
keeps only as many instances as the load needs. Picking a free instance at
random spreads requests over all of them, resets every keep-alive timer, and
keeps many more instances alive (see the cold-starts page).

A policy is one method, ``choose(pool, rng)``; the pool keeps the structures
that make both choices O(log n).
"""

from __future__ import annotations

import heapq
import random
from typing import Generic, Protocol, TypeVar

from virtdocs.errors import UserError


class Member(Protocol):
    """What the pool needs to know about an instance: its creation order."""

    @property
    def ident(self) -> int: ...


T = TypeVar("T", bound=Member)


class FreePool(Generic[T]):
    """The instances that can take one more request right now.

    Keeps a list (for uniform random picks) and a max-heap on ``ident`` with lazy
    deletion (for newest-first picks). Identifiers grow with creation time.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class I:
    ...     ident: int
    >>> pool: FreePool[I] = FreePool()
    >>> for n in (1, 2, 3):
    ...     pool.add(I(n))
    >>> pool.newest().ident
    3
    >>> pool.remove(pool.newest())
    >>> pool.newest().ident, len(pool)
    (2, 2)
    """

    __slots__ = ("_heap", "_items", "_position")

    def __init__(self) -> None:
        self._items: list[T] = []
        self._position: dict[int, int] = {}
        self._heap: list[int] = []

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: T) -> bool:
        return item.ident in self._position

    def add(self, item: T) -> None:
        if item.ident in self._position:
            raise ValueError(f"instance {item.ident} is already free")
        self._position[item.ident] = len(self._items)
        self._items.append(item)
        heapq.heappush(self._heap, -item.ident)
        if len(self._heap) > 2 * len(self._items) + 64:
            # Drop stale heap entries so the heap stays proportional to the pool.
            self._heap = [-member.ident for member in self._items]
            heapq.heapify(self._heap)

    def remove(self, item: T) -> None:
        index = self._position.pop(item.ident)
        last = self._items.pop()
        if last is not item:
            self._items[index] = last
            self._position[last.ident] = index

    def newest(self) -> T:
        heap = self._heap
        while -heap[0] not in self._position:
            heapq.heappop(heap)
        return self._items[self._position[-heap[0]]]

    def any(self, rng: random.Random) -> T:
        return self._items[rng.randrange(len(self._items))]


class RoutingPolicy(Protocol):
    """Picks the free instance for a request; the pool is never empty."""

    def choose(self, pool: FreePool[T], rng: random.Random) -> T: ...


class NewestFirst:
    """The most recently created free instance (AWS Lambda, SimFaaS)."""

    name = "newest"

    def choose(self, pool: FreePool[T], rng: random.Random) -> T:
        return pool.newest()


class RandomFree:
    """A free instance chosen uniformly at random (for contrast)."""

    name = "random"

    def choose(self, pool: FreePool[T], rng: random.Random) -> T:
        return pool.any(rng)


#: Registered policies, in the order the CLI lists them.
ROUTING_POLICIES: dict[str, RoutingPolicy] = {"newest": NewestFirst(), "random": RandomFree()}


def routing_policy(name: str) -> RoutingPolicy:
    """Look a policy up by name; an unknown name is a one-line error."""
    try:
        return ROUTING_POLICIES[name]
    except KeyError:
        known = ", ".join(ROUTING_POLICIES)
        raise UserError(f"unknown routing policy {name!r}; choose one of: {known}") from None

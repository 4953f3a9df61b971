"""Backend as a service: a serverless object store, paid per request and per GB stored.

Nothing is provisioned: a bucket with no traffic costs only the bytes it keeps,
and a burst of requests needs no capacity planning. Prices are S3 Standard in
US East (N. Virginia) from https://aws.amazon.com/s3/pricing/ (first 50 TB tier):
$0.023 per GB-month, $0.005 per 1,000 PUT/COPY/POST/LIST requests and $0.0004
per 1,000 GET requests; DELETE is free. Every write or delete also emits a
notification, which :class:`~virtdocs.serverless.triggers.StorageTrigger` turns
into function invocations. Time is an argument (``now``, seconds); the store
never reads a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from virtdocs.errors import UserError

SECONDS_PER_MONTH = 730 * 3600  # AWS prices a month as 730 hours
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


@dataclass(frozen=True, slots=True)
class ObjectStorePrices:
    """Prices in US dollars (S3 Standard, us-east-1, see the module docstring)."""

    per_gb_month: float = 0.023
    per_1000_writes: float = 0.005  # PUT, COPY, POST, LIST
    per_1000_reads: float = 0.0004  # GET, SELECT and all other requests


@dataclass(frozen=True, slots=True)
class StorageNotification:
    """An event the store emits (S3 event names: ``ObjectCreated:Put`` …)."""

    time: float
    bucket: str
    key: str
    event: str
    size: int


@dataclass(frozen=True, slots=True)
class Usage:
    """What the store metered so far, and what it costs."""

    writes: int
    reads: int
    gb_months: float
    request_cost: float
    storage_cost: float

    @property
    def total(self) -> float:
        return self.request_cost + self.storage_cost


class ObjectStore:
    """Buckets of keyed objects; meters requests and stored bytes over time.

    >>> store = ObjectStore()
    >>> store.create_bucket("photos")
    >>> store.put(0.0, "photos", "cat.jpg", b"x" * 1000)
    >>> store.get(1.0, "photos", "cat.jpg") == b"x" * 1000, store.get(1.0, "photos", "dog.jpg")
    (True, None)
    >>> [n.event for n in store.notifications]
    ['ObjectCreated:Put']
    >>> store.usage(now=2.0).writes, store.usage(now=2.0).reads
    (1, 2)
    """

    def __init__(self, prices: ObjectStorePrices | None = None) -> None:
        self.prices = prices or ObjectStorePrices()
        self._buckets: dict[str, dict[str, bytes]] = {}
        self.notifications: list[StorageNotification] = []
        self._writes = self._reads = 0
        self._bytes = 0
        self._byte_seconds = 0.0
        self._last = 0.0

    def _advance(self, now: float) -> None:
        if now < self._last:
            raise UserError(f"object store: time went backwards ({now} < {self._last})")
        self._byte_seconds += self._bytes * (now - self._last)
        self._last = now

    def _bucket(self, name: str) -> dict[str, bytes]:
        try:
            return self._buckets[name]
        except KeyError:
            raise UserError(f"object store: no bucket named {name!r}") from None

    def create_bucket(self, name: str) -> None:
        if not _BUCKET.fullmatch(name) or ".." in name:
            raise UserError(
                f"bucket name {name!r}: use 3-63 lower-case letters, digits, '.' or '-', "
                "starting and ending with a letter or digit"
            )
        if name in self._buckets:
            raise UserError(f"object store: bucket {name!r} already exists")
        self._buckets[name] = {}

    def put(self, now: float, bucket: str, key: str, body: bytes) -> None:
        """Store ``body`` under ``key`` (replacing any object there)."""
        self._advance(now)
        objects = self._bucket(bucket)
        if not key:
            raise UserError(f"object store: empty key in bucket {bucket!r}")
        self._bytes += len(body) - len(objects.get(key, b""))
        objects[key] = body
        self._writes += 1
        note = StorageNotification(now, bucket, key, "ObjectCreated:Put", len(body))
        self.notifications.append(note)

    def get(self, now: float, bucket: str, key: str) -> bytes | None:
        """The object, or None when there is none (a miss is still a billed request)."""
        self._advance(now)
        self._reads += 1
        return self._bucket(bucket).get(key)

    def delete(self, now: float, bucket: str, key: str) -> bool:
        """Remove an object; True if it existed. Deletes are free."""
        self._advance(now)
        body = self._bucket(bucket).pop(key, None)
        if body is None:
            return False
        self._bytes -= len(body)
        self.notifications.append(StorageNotification(now, bucket, key, "ObjectRemoved:Delete", 0))
        return True

    def list(self, now: float, bucket: str, prefix: str = "") -> list[str]:
        """Keys under ``prefix``, sorted (billed as a write-class request, as on S3)."""
        self._advance(now)
        self._writes += 1
        return sorted(k for k in self._bucket(bucket) if k.startswith(prefix))

    def usage(self, now: float) -> Usage:
        """Requests and storage metered up to ``now``, priced."""
        self._advance(now)
        gb_months = self._byte_seconds / 1024**3 / SECONDS_PER_MONTH
        request_cost = (
            self._writes * self.prices.per_1000_writes + self._reads * self.prices.per_1000_reads
        ) / 1000
        return Usage(
            writes=self._writes,
            reads=self._reads,
            gb_months=gb_months,
            request_cost=request_cost,
            storage_cost=gb_months * self.prices.per_gb_month,
        )

"""Chunking helpers for flows and the executor.

Vendors take work in batches with their own caps (NetSuite ≤ 100 records per batch request and 104 MB per
request; Pigment imports by file size). These helpers cut a stream of records into such batches without
reordering what the caller gave them, except that :func:`chunked_by_key` gathers records of one key (e.g.
one record type) together so they can share a request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items; the last may be shorter. Lazy: reads as it goes."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def group_by_key(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Items grouped by ``key``; keys in first-seen order, items in their original order within a key."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def chunked_by_key(items: Iterable[T], key: Callable[[T], K], size: int) -> Iterator[tuple[K, list[T]]]:
    """``(key, chunk)`` pairs: each key's items (see :func:`group_by_key`) cut into chunks of ``size``.

    Reads all of ``items`` first (a later record may belong to an earlier key).
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    for group_key, group in group_by_key(items, key).items():
        for chunk in chunked(group, size):
            yield group_key, chunk


def json_size(item: Any) -> int:
    """Bytes of ``item`` as compact UTF-8 JSON (Decimals and dates as strings, as connectors send them)."""
    return len(json.dumps(item, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8"))


def chunked_by_size(
    items: Iterable[T],
    *,
    max_items: int,
    max_bytes: int,
    size_of: Callable[[T], int] = json_size,
    per_item_overhead: int = 1,
) -> Iterator[list[T]]:
    """Consecutive chunks of at most ``max_items`` items whose sizes (plus overhead each) fit ``max_bytes``.

    ``per_item_overhead`` accounts for separators (the comma in a JSON array, the newline in CSV). An item
    that is too big on its own is yielded alone rather than dropped: the target then rejects that one record
    with its own message and the rest go on (DESIGN §4.7).
    """
    if max_items < 1:
        raise ValueError(f"max_items must be at least 1, got {max_items}")
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be at least 1, got {max_bytes}")
    chunk: list[T] = []
    used = 0
    for item in items:
        cost = size_of(item) + per_item_overhead
        if chunk and (len(chunk) >= max_items or used + cost > max_bytes):
            yield chunk
            chunk, used = [], 0
        chunk.append(item)
        used += cost
    if chunk:
        yield chunk

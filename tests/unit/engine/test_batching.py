"""Chunking helpers: sizes, order, grouping by key, byte budgets."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerbridge.engine.batching import chunked, chunked_by_key, chunked_by_size, group_by_key, json_size


def test_chunked_cuts_consecutive_lists() -> None:
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []
    assert list(chunked("ab", 5)) == [["a", "b"]]


def test_chunked_is_lazy() -> None:
    first_two = list(itertools.islice(chunked(itertools.count(), 100), 2))
    assert first_two[1][0] == 100


@pytest.mark.parametrize("size", [0, -1])
def test_chunk_sizes_must_be_positive(size: int) -> None:
    with pytest.raises(ValueError):
        list(chunked([1], size))
    with pytest.raises(ValueError):
        list(chunked_by_key([1], str, size))
    with pytest.raises(ValueError):
        list(chunked_by_size([1], max_items=size, max_bytes=10))
    with pytest.raises(ValueError):
        list(chunked_by_size([1], max_items=1, max_bytes=size))


def test_group_by_key_keeps_first_seen_key_order_and_item_order() -> None:
    records = [("invoice", 1), ("customer", 2), ("invoice", 3), ("item", 4), ("customer", 5)]
    groups = group_by_key(records, lambda record: record[0])
    assert list(groups) == ["invoice", "customer", "item"]
    assert groups["invoice"] == [("invoice", 1), ("invoice", 3)]


def test_chunked_by_key_puts_one_type_per_batch() -> None:
    records = [{"type": "invoice" if n % 3 else "creditmemo", "n": n} for n in range(10)]
    batches = list(chunked_by_key(records, lambda record: record["type"], 4))
    assert [(key, [r["n"] for r in batch]) for key, batch in batches] == [
        ("creditmemo", [0, 3, 6, 9]),
        ("invoice", [1, 2, 4, 5]),
        ("invoice", [7, 8]),
    ]


def test_json_size_counts_utf8_bytes_and_decimals_as_strings() -> None:
    assert json_size({"a": 1}) == len(b'{"a":1}')
    assert json_size({"name": "Zürich"}) == len('{"name":"Zürich"}'.encode())
    assert json_size({"amount": Decimal("10.50")}) == len(b'{"amount":"10.50"}')


def test_chunked_by_size_respects_bytes_and_items() -> None:
    items = ["a" * 10] * 7  # 12 bytes of JSON each, +1 separator
    batches = list(chunked_by_size(items, max_items=5, max_bytes=40))
    assert [len(batch) for batch in batches] == [3, 3, 1]
    batches = list(chunked_by_size(items, max_items=2, max_bytes=10_000))
    assert [len(batch) for batch in batches] == [2, 2, 2, 1]


def test_an_item_too_big_on_its_own_is_yielded_alone_not_dropped() -> None:
    items = ["small", "x" * 500, "small"]
    batches = list(chunked_by_size(items, max_items=10, max_bytes=100))
    assert batches == [["small"], ["x" * 500], ["small"]]


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=300), max_size=60),
    max_items=st.integers(min_value=1, max_value=10),
    max_bytes=st.integers(min_value=1, max_value=1000),
    overhead=st.integers(min_value=0, max_value=5),
)
def test_chunked_by_size_properties(sizes: list[int], max_items: int, max_bytes: int, overhead: int) -> None:
    items: list[Any] = list(enumerate(sizes))
    batches = list(
        chunked_by_size(
            items,
            max_items=max_items,
            max_bytes=max_bytes,
            size_of=lambda i: i[1],
            per_item_overhead=overhead,
        )
    )
    assert [item for batch in batches for item in batch] == items  # nothing lost, nothing reordered
    for batch in batches:
        assert 1 <= len(batch) <= max_items
        if len(batch) > 1:
            assert sum(size + overhead for _, size in batch) <= max_bytes
    # greedy: a batch is only closed when the next item would not fit
    for batch, following in itertools.pairwise(batches):
        used = sum(size + overhead for _, size in batch)
        assert len(batch) == max_items or used + following[0][1] + overhead > max_bytes

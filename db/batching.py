"""Batches for statements that must stay under bind-parameter limits or be written in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items, in order (itertools.batched arrived only in Python 3.12)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk

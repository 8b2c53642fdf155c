"""Following a paginated list from its first page to its last."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.common import Page


def follow(first: Page[Any], next_page: Callable[[str], Page[Any]]) -> list[list[Any]]:
    """The items of every page, in order, fetching each next page by its cursor.

    Stops after 1,000 pages: a cursor that never ends is a defect, not a long list.
    """
    seen = [list(first.items)]
    page = first
    while page.next_cursor is not None:
        assert len(seen) < 1000, "the list never reaches a last page"
        page = next_page(page.next_cursor)
        seen.append(list(page.items))
    return seen

"""Following a paginated list from its first page to its last."""

from __future__ import annotations

from typing import Any, Protocol

from models.common import Page
from steps.domain.outcome import Outcome


class Listable(Protocol):
    """An API object whose resource lists a page at a time, newest first."""

    def list(
        self, *, limit: int | tuple[int, ...] | None = None, cursor: str | None = None
    ) -> Outcome[Any]:
        """One page; ``cursor`` is the previous page's ``next_cursor``.

        Several page sizes send the size once each (a request the contract refuses).
        """
        ...


def follow(first: Page[Any], listable: Listable) -> list[list[Any]]:
    """The items of every page, in order, asking for each next page by its cursor.

    Pages are as long as the first. Stops after 1,000 pages: a cursor that never ends is
    a defect, not a long list.
    """
    seen = [list(first.items)]
    page = first
    while page.next_cursor is not None:
        assert len(seen) < 1000, "the list never reaches a last page"
        page = listable.list(limit=len(first.items), cursor=page.next_cursor).check()
        seen.append(list(page.items))
    return seen

"""Paging shared by pages and the API: ``page`` and ``per_page`` (at most 1000)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import func

from app.extensions import db

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000


@dataclass
class Page:
    """One page of rows and the whole count."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, -(-self.total // self.per_page))


#: No list has more pages; a larger page number (or a 20-digit one) shows the empty last page, never an error.
MAX_PAGE = 1_000_000


def _int_arg(name: str, default: int) -> int:
    """A page number or size from the query, between 1 and MAX_PAGE; the default when it is not a number."""
    try:
        return min(max(1, int(request.args.get(name, default))), MAX_PAGE)
    except (TypeError, ValueError):
        return default


def paginate(query, per_page: int | None = None, rows: bool = False) -> Page:
    """Run a select for the page the request asks for (whole rows when it selects several things)."""
    page = _int_arg("page", 1)
    size = min(_int_arg("per_page", per_page or DEFAULT_PER_PAGE), MAX_PER_PAGE)
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery()))
    limited = query.limit(size).offset((page - 1) * size)
    items = list(db.session.execute(limited).all() if rows else db.session.scalars(limited))
    return Page(items, total, page, size)

"""Paging shared by pages and the API: ``page`` and ``per_page`` (at most 1000), through Flask-SQLAlchemy."""

from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import Pagination, SelectPagination

from app.extensions import db

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000

#: No list has more pages; a larger page number (or a 20-digit one) shows the empty last page, never an error.
MAX_PAGE = 1_000_000


class _RowPagination(SelectPagination):
    """A page of whole rows, for a select of several things (Flask-SQLAlchemy keeps only the first)."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def _int_arg(name: str, default: int) -> int:
    """A page number or size from the query, between 1 and MAX_PAGE; the default when it is not a number."""
    try:
        return min(max(1, int(request.args.get(name, default))), MAX_PAGE)
    except (TypeError, ValueError):
        return default


def page_args(per_page: int | None = None) -> tuple[int, int]:
    """The page number and size the request asks for, read as leniently as the site always has (a bad one is
    the default, never a 404)."""
    page = _int_arg("page", 1)
    return page, min(_int_arg("per_page", per_page or DEFAULT_PER_PAGE), MAX_PER_PAGE)


def paginate(query, per_page: int | None = None, rows: bool = False) -> Pagination:
    """Run a select for the page the request asks for (whole rows when it selects several things)."""
    page, size = page_args(per_page)
    if rows:
        return _RowPagination(select=query, session=db.session, page=page, per_page=size, error_out=False)
    return db.paginate(query, page=page, per_page=size, error_out=False)

"""Searches blind to tone marks and case on any database: a folded copy of the searched text is stored
beside it, and the typed text is folded the same way (app.core.text.search_keys)."""

from __future__ import annotations

from sqlalchemy import event, inspect

from app.core.text import search_key, search_keys


def keep_folded(model, target: str, *sources: str) -> None:
    """Fill `target` with the folded `sources` on insert, and again on an update that changes one of them."""

    def on_insert(_mapper, _connection, row) -> None:
        """A new row: fold its fields."""
        setattr(row, target, search_keys(*(getattr(row, name) for name in sources)))

    def on_update(_mapper, _connection, row) -> None:
        """An edited row: fold again only when a source changed (reading an expired field would cost a query)."""
        attrs = inspect(row).attrs
        if any(attrs[name].history.has_changes() for name in sources):
            on_insert(_mapper, _connection, row)

    event.listen(model, "before_insert", on_insert)
    event.listen(model, "before_update", on_update)


def folded_match(column, typed: str):
    """A condition: the folded column contains the typed text, folded; % and _ are matched as typed."""
    return column.contains(search_key(typed), autoescape=True)

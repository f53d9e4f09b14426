"""URL converters: an id in a route is one a row can have, or the route does not match (404)."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from app.core.limits import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:…>`` bounded to the signed 64-bit ids of the database: a larger number is a 404, not an overflow."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def register(app) -> None:
    """Make ``<int:…>`` bounded in every route; call before any blueprint is registered."""
    app.url_map.converters["int"] = IdConverter

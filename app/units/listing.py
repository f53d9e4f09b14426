"""The unit list page's read: the units a user oversees, narrowed by what they typed."""

from __future__ import annotations

from app.core.search import folded_match
from app.units.models import Unit
from app.units.queries import visible_units


def units_matching(user, text: str = ""):
    """A select of the units the user may see, in tree order, those whose name matches `text` when it is given."""
    query = visible_units(user)
    return query.where(folded_match(Unit.search_name, text)) if text else query

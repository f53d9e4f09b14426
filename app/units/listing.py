"""The unit list page's read: the units a user oversees, narrowed by what they typed."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from app.core.search import folded_match
from app.units.models import Unit
from app.units.queries import visible_units


def units_matching(user, text: str = ""):
    """A select of the units the user may see, those whose name matches `text` when it is given: the standing ones
    in tree order, then the merged ones (history, marked with where they went), with the unit each went into."""
    query = (visible_units(user).options(joinedload(Unit.merged_into))
             .order_by(None).order_by(Unit.merged_into_id.is_not(None), Unit.path))
    return query.where(folded_match(Unit.search_name, text)) if text else query

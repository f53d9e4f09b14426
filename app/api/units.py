"""Units through the API."""

from flask import jsonify
from flask_login import current_user

from app.api.views import bp
from app.core.paging import paginate
from app.units.queries import visible_units


def unit_json(unit) -> dict:
    """A unit as CONTRACT.md shows it."""
    return {"id": unit.id, "slug": unit.slug, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id}


def paged_json(query, to_json, rows: bool = False):
    """A page of rows as a JSON array, with the whole count in X-Total-Count."""
    page = paginate(query, rows=rows)
    response = jsonify([to_json(row) for row in page.items])
    response.headers["X-Total-Count"] = str(page.total)
    return response


@bp.get("/units")
def units():
    """The units the user may see."""
    return paged_json(visible_units(current_user), unit_json)

"""Units through the API."""

from flask import jsonify
from flask_login import current_user

from app.api.params import int_arg
from app.api.views import bp
from app.core.errors import DomainError
from app.core.paging import paginate
from app.units.queries import visible_units


def unit_json(unit) -> dict:
    """A unit as CONTRACT.md shows it."""
    return {"id": unit.id, "slug": unit.slug, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id}


def paged_json(query, to_json, rows: bool = False):
    """A page of rows as a JSON array, with the whole count in X-Total-Count; a page or size that is not a whole
    number from 1 is a 400 here (pages of the site are lenient; a program should hear of its mistake)."""
    for name in ("page", "per_page"):
        value = int_arg(name)
        if value is not None and value < 1:
            raise DomainError(f'Tham số "{name}" phải từ 1 trở lên.', status=400)
    page = paginate(query, rows=rows)
    response = jsonify([to_json(row) for row in page.items])
    response.headers["X-Total-Count"] = str(page.total)
    return response


@bp.get("/units")
def units():
    """The units the user may see."""
    return paged_json(visible_units(current_user), unit_json)

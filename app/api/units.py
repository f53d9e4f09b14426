"""Units through the API: the list, and mergers (the administrator's)."""

import re
from datetime import date

from flask import jsonify
from flask_login import current_user

from app.api.params import int_arg, json_body, text_field
from app.api.views import bp
from app.core.errors import DomainError
from app.core.paging import paginate
from app.core.permissions import require
from app.extensions import db
from app.mergers import policy  # noqa: F401  (adds "merge_units" to the permission rules)
from app.mergers import services as mergers
from app.mergers.forms import MAX_UNITS, NAME_MAX, SLUG, SLUG_MAX, SLUG_RULE
from app.units.queries import visible_units

#: A day as the API writes it.
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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


@bp.post("/units/merge")
def merge_units():
    """Merge communes into a new unit (the administrator only): 200 and the new unit; nothing stored on a refusal."""
    require(current_user, "merge_units")  # before the body is read: the call says nothing to anyone else
    body = json_body()
    into, name = _required(body, "into", SLUG_MAX), _required(body, "name", NAME_MAX)
    if not SLUG.fullmatch(into.strip()):
        raise DomainError(f'Trường "into": {SLUG_RULE}')
    try:
        result = mergers.merge_units(into, name, _slugs(body), parent_slug=text_field(body, "parent", SLUG_MAX),
                                     on=_day(text_field(body, "on")), chair=text_field(body, "chair"),
                                     user=current_user._get_current_object())
    except DomainError:
        db.session.rollback()  # the new unit and what moved to it were flushed: none of it stays
        raise
    db.session.commit()
    return jsonify(unit_json(result.unit))


def _required(body: dict, name: str, max_length: int) -> str:
    """A text field that must be given and not blank (422 naming it otherwise)."""
    value = text_field(body, name, max_length)
    if value is None or not value.strip():
        raise DomainError(f'Thiếu trường "{name}".')
    return value


def _slugs(body: dict) -> list[str]:
    """"units": the codes (slugs) of the units to merge, as a list of strings."""
    units = body.get("units")
    if not isinstance(units, list) or not all(isinstance(s, str) and len(s) <= SLUG_MAX for s in units):
        raise DomainError('Trường "units" phải là danh sách mã (slug) các đơn vị, ví dụ ["tai-son", "ha-ky"].')
    if len(units) > MAX_UNITS:
        raise DomainError(f"Mỗi lần sáp nhập tối đa {MAX_UNITS} đơn vị.")
    return units


def _day(text: str | None) -> date | None:
    """"on" as YYYY-MM-DD, or None for today."""
    if text is None:
        return None
    try:
        if not ISO_DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(f'Trường "on": ngày không hợp lệ "{text[:20]}" (cần dạng YYYY-MM-DD).') from None

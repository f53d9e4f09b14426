"""The unit list for district-level users."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.core.paging import paginate
from app.core.permissions import require
from app.core.search import folded_match
from app.units.models import Unit
from app.units.queries import account_counts, visible_units

bp = Blueprint("units", __name__)


@bp.get("/units")
def index():
    """List the units the user oversees, with how many accounts each has."""
    require(current_user, "see_units_list")
    query = visible_units(current_user)
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(folded_match(Unit.search_name, text))
    page = paginate(query)
    counts = account_counts([unit.id for unit in page.items])
    return render_template("units/index.html", page=page, counts=counts, q=text)

"""The unit list for district-level users."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.auth.queries import account_counts
from app.core.paging import paginate
from app.core.permissions import require
from app.units.listing import units_matching

bp = Blueprint("units", __name__)


@bp.get("/units")
def index():
    """List the units the user oversees, with how many accounts each has."""
    require(current_user, "see_units_list")
    text = request.args.get("q", "").strip()
    page = paginate(units_matching(current_user, text))
    counts = account_counts([unit.id for unit in page.items])
    return render_template("units/index.html", page=page, counts=counts, q=text)

"""The home page: the user's unit and its inbox of tasks."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.core import clock, fragments
from app.core.errors import DomainError
from app.core.limits import is_id
from app.core.paging import page_args
from app.core.permissions import allowed, shows_overview
from app.home.overview import overview_page
from app.notices.queries import recent_for, recent_mails_for
from app.tasks.models import HISTORY_LABELS
from app.tasks.queries import inbox_page, list_context, recent_activity, sectioned

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """The inbox: the unit's tasks in sections in the order to act on them, filterable, the user's own first."""
    if not request.args and shows_overview(current_user):
        return overview_page()  # leaders open on the overview; a filter, or "?view=tasks", asks for the list
    today = clock.today()
    # Everything the inbox shows is read from the database for this user, these arguments and this day: the page
    # is kept until the database changes (app.core.fragments), so a clerk's return visit costs no query of its own.
    asked = (current_user.id, tuple(sorted(request.args.items(multi=True))), today)
    return fragments.cached_page("inbox", asked, lambda: _inbox(today))


def _inbox(today) -> str:
    """The inbox page, read and rendered."""
    filters = {k: request.args.get(k) or None for k in ("directive", "state", "period")}
    # Read as leniently as every list's paging (app.core.paging): a bad number is the default, never an error.
    page_number, per_page = page_args(50)
    try:
        directive = int(filters["directive"]) if filters["directive"] else None
        if directive is not None and not is_id(directive):
            raise ValueError("no row has this id")  # beyond 64 bits the database would refuse the comparison
        page = inbox_page(current_user, page_number, per_page, today, {**filters, "directive": directive})
    except (ValueError, DomainError):
        page, filters = inbox_page(current_user, page_number, per_page, today), {}
    return render_template("home/index.html", page=page, sections=sectioned(page.items, today),
                           **list_context(today), filters=filters, choices=page.choices,
                           notices=recent_for(current_user), mails=recent_mails_for(current_user),
                           action_labels=HISTORY_LABELS,
                           activity=recent_activity(current_user)
                           if allowed(current_user, "see_unit_activity", current_user.unit) else [])

"""The home page: the user's unit and its inbox of tasks."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.core import clock
from app.core.errors import DomainError
from app.core.limits import is_id
from app.core.paging import paginate
from app.notices.queries import recent_for, recent_mails_for
from app.tasks.groups import GROUPS, urgency
from app.tasks.models import HISTORY_LABELS
from app.tasks.queries import inbox_filters, recent_activity, tasks_for

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """The inbox: the unit's tasks grouped as reports count them, filterable, the user's own first."""
    filters = {k: request.args.get(k) or None for k in ("directive", "state", "period")}
    try:
        directive = int(filters["directive"]) if filters["directive"] else None
        if directive is not None and not is_id(directive):
            raise ValueError("no row has this id")  # beyond 64 bits the database would refuse the comparison
        query = tasks_for(current_user, directive=directive, state=filters["state"], period=filters["period"],
                          mine_first=True)
    except (ValueError, DomainError):
        query, filters = tasks_for(current_user, mine_first=True), {}
    page = paginate(query, 50)
    today = clock.today()
    grouped: dict[str, list] = {key: [] for key in GROUPS}
    for task in page.items:
        grouped[task.group(today)].append(task)
    return render_template("home/index.html", page=page, today=today, groups=GROUPS, grouped=grouped,
                           urgency=urgency, filters=filters, choices=inbox_filters(current_user),
                           notices=recent_for(current_user), mails=recent_mails_for(current_user),
                           action_labels=HISTORY_LABELS,
                           activity=recent_activity(current_user) if current_user.role == "unit_chair" else [])

"""The home page."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.core import clock
from app.core.paging import paginate
from app.notices.queries import recent_for
from app.tasks.groups import GROUPS
from app.tasks.queries import tasks_for

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Show the user's unit and the tasks they can see, grouped as reports count them."""
    page = paginate(tasks_for(current_user), 50)
    return render_template("home/index.html", page=page, today=clock.today(), groups=GROUPS,
                           notices=recent_for(current_user))

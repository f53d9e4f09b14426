"""The leaders' home page: an overview of what they follow, each figure a link to the list behind it."""

from flask import render_template
from flask_login import current_user

from app.reports.overview import overview
from app.tasks.groups import GROUPS


def overview_page():
    """The overview "/" shows the district's office and leaders (the task list is one link away)."""
    return render_template("home/overview.html", groups=GROUPS, **overview(current_user))

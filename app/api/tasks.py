"""Tasks through the API."""

from flask import request
from flask_login import current_user

from app.api.units import paged_json
from app.api.views import bp
from app.core import clock
from app.core.errors import DomainError
from app.tasks.queries import task_json, tasks_for


def _int_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise DomainError(f'Tham số "{name}" phải là số.', status=400) from None


@bp.get("/tasks")
def list_tasks():
    """The tasks the user may see, filtered by directive, unit, state, group, period."""
    query = tasks_for(current_user, directive=_int_arg("directive"), unit=_int_arg("unit"),
                      state=request.args.get("state"), group=request.args.get("group"),
                      period=request.args.get("period"))
    today = clock.today()
    return paged_json(query, lambda task: task_json(task, today))

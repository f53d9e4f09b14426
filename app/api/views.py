"""The API blueprint; its routes live in the modules beside this one."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import auth, directives, indicators, reports, spec, tasks, units  # noqa: E402,F401  (register the routes)

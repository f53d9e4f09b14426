"""The API blueprint; its routes live in the modules beside this one."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Each module registers its routes on `bp` when imported.
from app.api import (  # noqa: E402,F401
    auth,
    directives,
    indicators,
    reports,
    spec,
    tasks,
    units,
    uploads,
)

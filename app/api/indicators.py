"""Online-service figures through the API: import the one-stop software's export, list a month."""

from flask import jsonify, request
from flask_login import current_user

from app.api.units import paged_json
from app.api.views import bp
from app.core.errors import DomainError
from app.core.periods import is_month
from app.core.permissions import require
from app.extensions import db
from app.indicators.imports import import_figures
from app.indicators.queries import figures_for, figures_json, units_for_import


@bp.post("/indicators/import")
def import_indicators():
    """Import a .csv or .xlsx of monthly figures; a bad row refuses the file, nothing stored."""
    require(current_user, "create_directive")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError('Thiếu tệp (trường "file").', status=400)
    allowed, by_slug = units_for_import(current_user)
    rows = import_figures(upload.read(), upload.filename, allowed, by_slug)
    db.session.commit()
    return jsonify({"rows": rows})


@bp.get("/indicators")
def list_indicators():
    """The figures of a month (``period`` YYYY-MM) for the units the user sees, with rate and target, as they
    were reported (the units of that month, before any later merger)."""
    period = request.args.get("period")
    if period and not is_month(period):
        raise DomainError('Tham số "period" phải có dạng YYYY-MM.', status=400)
    return paged_json(figures_for(current_user, period, as_of_period=True),
                      lambda row: figures_json(row[0], row[1]), rows=True)

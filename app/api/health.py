"""The health check, outside the API prefix."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.core.jobs import queue_status
from app.extensions import db

health_bp = Blueprint("health", __name__)


@health_bp.get("/healthz")
def healthz():
    """Report whether the database and the job queue answer."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        db.session.rollback()
        database = "down"
    queue = queue_status()
    status = 200 if database == "ok" else 503  # a queue outage degrades, it does not stop the web
    return jsonify({"db": database, "queue": queue}), status

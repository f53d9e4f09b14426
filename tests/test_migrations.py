"""The migrations build exactly the models' schema, and go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db


def _differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models():
    assert _differences() == []


def test_migrations_go_down_and_up():
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "tasks" in inspect(db.engine).get_table_names()
    assert _differences() == []

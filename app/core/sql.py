"""SQL helpers that must read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_ignoring_duplicates(table):
    """An INSERT that can skip rows whose unique key exists (ON CONFLICT DO NOTHING) on both databases."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def run_counting(statement) -> int:
    """Execute an INSERT … SELECT and say how many rows it wrote (psycopg says -1 unless asked to keep it)."""
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount or 0

"""Entry point for gunicorn and the ``flask --app wsgi`` commands."""

from app import create_app
from workers.cli import worker

app = create_app()
app.cli.add_command(worker)

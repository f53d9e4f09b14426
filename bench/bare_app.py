"""The baseline for the inbox benchmark: a bare Flask endpoint under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    """Return a short page."""
    return "<!doctype html><title>ok</title><p>ok</p>"

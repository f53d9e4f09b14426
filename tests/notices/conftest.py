"""Notices tests use the tasks of the workflow tests."""

from tests.tasks.conftest import work  # noqa: F401  (the fixture)

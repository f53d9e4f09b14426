"""Page forms every area shares."""

from app.core.flow import PageForm


class ConfirmForm(PageForm):
    """A button that changes state: only the CSRF token."""

"""Evidence files attached to tasks."""

"""Tasks: one requirement for one unit and period."""

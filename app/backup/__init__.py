"""Backups: the database and the evidence store copied while the service runs, restored into an empty one."""

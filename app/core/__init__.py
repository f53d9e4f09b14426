"""Cross-cutting parts: clock, permissions, audit, jobs, errors, database set-up."""

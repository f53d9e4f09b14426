"""Reminders and escalation: the ladder of steps, the sweep, and the mail outbox."""

"""Notices: the outbox of in-app and e-mail notifications, each keyed to be sent once."""

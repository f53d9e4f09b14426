"""Log-in, log-out, passwords and the session rules."""

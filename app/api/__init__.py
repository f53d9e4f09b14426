"""The JSON API under /api/v1: bearer tokens, no cookies, no CSRF."""

"""Account administration for the system administrator."""

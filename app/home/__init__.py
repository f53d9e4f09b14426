"""The home page: the user's unit and its tasks."""

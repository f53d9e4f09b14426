"""Background jobs, their periodic schedule and the worker command.

The app never imports this package: it enqueues jobs by their dotted name.
"""

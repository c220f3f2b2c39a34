"""What each process remembers between requests, and the one way to forget it all.

A module that keeps a per-process memo (the active models, decoded catalogs, formats, a failing
cache...) registers how to forget it with ``remember``; ``forget_all`` clears every one. The app
calls it whenever a setting changes (``override_settings`` in tests), and tests call it between
tests, so no memo outlives what it was computed from.
"""

_forgetters: list = []


def remember(forget):
    """Register ``forget`` (called with no arguments) with ``forget_all``; returns it."""
    if forget not in _forgetters:
        _forgetters.append(forget)
    return forget


def forget_all(**kwargs):
    """Forget every memo of this process (also a ``setting_changed`` receiver: ``kwargs`` ignored)."""
    for forget in tuple(_forgetters):
        forget()

"""Choosing the model that serves each capability: every way in (admin, API, command line, host
code) goes through the functions of this package."""

from .flow import (
    activate,
    activation_warnings,
    check_activation,
    deactivate,
    reactivate,
    requirement_checks,
    save,
    set_fallbacks,
)

__all__ = [
    "activate",
    "activation_warnings",
    "check_activation",
    "deactivate",
    "reactivate",
    "requirement_checks",
    "save",
    "set_fallbacks",
]

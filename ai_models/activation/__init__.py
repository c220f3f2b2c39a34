"""Choosing the model that serves each capability. Every way in (the admin, the HTTP API, the
command line, host code) calls these functions, so every change passes the same gates under the
same lock and leaves the same history.

    from ai_models import activation, catalog

    entry = catalog.get_entry("openrouter", "openai/gpt-4.1-mini")
    activation.plan(entry, "chat").blocking          # what would refuse it, changing nothing
    change = activation.activate(entry, "chat", user=request.user, overrides={"ceiling"})
    change.model, change.replaced                    # the AIModel now active, the one it replaced

See docs/api.md ("Changing what serves a capability") and docs/architecture.md (the gates).
"""

from ..exceptions import ActivationBusy, ActivationError, ActivationNotPermitted, ActivationRefused, NoEarlierModel
from .flow import (
    Change,
    Deletion,
    activate,
    deactivate,
    delete_saved,
    fallback_position_problem,
    move_fallback,
    reactivate,
    rollback,
    rollback_target,
    save,
    save_for,
    save_many,
    set_fallbacks,
    trial_active,
)
from .overview import CapabilityOverview, capabilities_overview
from .gates import ACTIVE, FALLBACK, GATES, OVERRIDABLE, SAVED, Finding, Gate, Outcome, requirement_checks
from .plan import Plan, plan

__all__ = [
    "ACTIVE",
    "ActivationBusy",
    "ActivationError",
    "ActivationNotPermitted",
    "ActivationRefused",
    "NoEarlierModel",
    "FALLBACK",
    "GATES",
    "OVERRIDABLE",
    "SAVED",
    "CapabilityOverview",
    "Change",
    "Deletion",
    "Finding",
    "Gate",
    "Outcome",
    "Plan",
    "activate",
    "capabilities_overview",
    "deactivate",
    "fallback_position_problem",
    "delete_saved",
    "move_fallback",
    "plan",
    "reactivate",
    "requirement_checks",
    "rollback",
    "rollback_target",
    "save",
    "save_for",
    "save_many",
    "set_fallbacks",
    "trial_active",
]

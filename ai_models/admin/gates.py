"""What an activation asks staff to see and confirm beyond the price: the capability's
requirements (met / not met / unknown) and the embedding switch. Shared by Browse catalog's
Activate page and Saved models' reactivation."""

from django.utils.translation import gettext

from .. import requirements
from ..activation import flow as selection
from ..activation.embedding import embedding_switch


def pending(entry, capability: str, ticked) -> dict[str, str]:
    """Confirmation field -> what it confirms, for each one activating ``entry`` needs and
    ``ticked`` (field -> bool) lacks: ``override_requirements``, ``confirm_embedding_switch``."""
    asks = {}
    unmet = requirements.unmet(selection.requirement_checks(entry, capability))
    if unmet and not ticked.get("override_requirements"):
        asks["override_requirements"] = gettext("This model does not meet: %(unmet)s.") % {
            "unmet": "; ".join(item.message for item in unmet)
        }
    switch = embedding_switch(capability, entry.provider, entry.model_id, entry.dimensions)
    if switch is not None and not ticked.get("confirm_embedding_switch"):
        asks["confirm_embedding_switch"] = switch.warning
    return asks


def summary(entry, capability: str) -> dict:
    """For the Activate page: each requirement with its state, whether one is unmet, and the
    embedding switch warning ("" when there is no switch)."""
    labels = {requirements.MET: gettext("met"), requirements.UNMET: gettext("not met"),
              requirements.UNKNOWN: gettext("unknown")}
    checks = selection.requirement_checks(entry, capability)
    switch = embedding_switch(capability, entry.provider, entry.model_id, entry.dimensions)
    return {
        "requirements": [{"state": item.state, "label": labels[item.state], "message": item.message}
                         for item in checks],
        "unmet": bool(requirements.unmet(checks)),
        "switch_warning": switch.warning if switch else "",
    }

"""What serves each configured capability, for a front end to draw: ``capabilities_overview()``.

One list, one query: each capability's label, kind, requirements, active model and fallback
chain. The HTTP API's ``capabilities/`` answers it; the admin's capability board can show it.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from ..capabilities import KINDS, configured
from ..models import AIModel


@dataclass(frozen=True)
class CapabilityOverview:
    """One configured capability and the saved models serving it."""

    name: str
    label: str
    kind: str | None  # None: not a known kind (check E012)
    requires: dict  # as configured (``ai_models.requirements``)
    active: AIModel | None = None
    fallbacks: list = field(default_factory=list)  # AIModel rows, in fallback order

    @property
    def kind_label(self) -> str:
        """What models of its kind do ("chat completions"), untranslated: show it through gettext."""
        return KINDS.get(self.kind, "")


def capabilities_overview() -> list[CapabilityOverview]:
    """Every configured capability, in the settings' order, with its active model and fallbacks."""
    serving = AIModel.objects.select_related("provider", "activated_by").filter(
        Q(is_active=True) | Q(fallback_position__isnull=False)
    ).order_by("capability", "fallback_position", "pk")
    active, fallbacks = {}, {}
    for row in serving:
        if row.is_active:
            active[row.capability] = row
        else:  # an active model is not its own fallback, as get_active_models() has it
            fallbacks.setdefault(row.capability, []).append(row)
    return [
        CapabilityOverview(name, str(capability.label), capability.kind, dict(capability.requires),
                           active.get(name), fallbacks.get(name, []))
        for name, capability in configured().items()
    ]

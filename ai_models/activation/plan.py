"""What a change would do, before it is made: ``plan(entry, capability)`` -> ``Plan``.

A plan names the capability, the candidate (a catalog entry, or the entry kept by a saved row),
the model active now, the price change, and what each gate says. Front ends show it (the admin's
Activate page, the capability board) and the flow checks it twice: before anything billable (a
test call) and again under the capability's lock, where ``current`` is what is really active.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from .. import requirements
from ..capabilities import capability_label, validate_capability
from ..exceptions import ActivationRefused
from ..models import AIModel
from . import gates
from .gates import ACTIVE, FALLBACK, SAVED, Candidate, Outcome

_UNREAD = object()


@dataclass(frozen=True)
class Plan:
    """What making ``entry`` serve ``capability`` in ``role`` would do, and what each gate says."""

    capability: str
    entry: object  # CatalogModel: the candidate as its provider (or the saved row) describes it
    role: str  # gates.ACTIVE, gates.FALLBACK or gates.SAVED (no gate: it will serve nothing)
    current: AIModel | None  # the model active now
    outcomes: tuple  # one Outcome per gate that applies to the role, in GATES order
    requirements: tuple  # every RequirementCheck of the capability (met, unmet, unknown)
    warnings: tuple  # what staff should check themselves, translated (nothing blocks on these)
    saving: bool = False  # a save of a model that serves the capability (its facts change), not a choice

    @property
    def blocking(self) -> tuple:
        """The outcomes that refuse the change (refused and not overridden)."""
        return tuple(outcome for outcome in self.outcomes if outcome.blocking)

    @property
    def refused(self) -> bool:
        return bool(self.blocking)

    @property
    def notes(self) -> list:
        """What the overrides write to the history, in gate order."""
        return [outcome.note for outcome in self.outcomes if outcome.note]

    @property
    def is_current(self) -> bool:
        """Whether the candidate is the model active now."""
        return self.current is not None and (self.current.provider.slug, self.current.model_id) == (
            self.entry.provider, self.entry.model_id
        )

    @property
    def replaces(self) -> AIModel | None:
        """The active model an activation would deactivate (None for the same model, a fallback or a save)."""
        return self.current if self.role == ACTIVE and not self.is_current else None

    @property
    def price_change(self) -> dict:
        """side -> (price now, price after): the active model's against the candidate's (None: unknown)."""
        current = self.current
        return {
            "input": (current.input_price if current else None, self.entry.input_price),
            "output": (current.output_price if current else None, self.entry.output_price),
        }

    def outcome(self, key: str) -> Outcome | None:
        return next((outcome for outcome in self.outcomes if outcome.key == key), None)

    def check(self):
        """Raise ``ActivationRefused`` with the blocking outcomes, if any."""
        blocking = self.blocking
        if blocking:
            raise ActivationRefused(self.refusal(), blocking, self)

    def refusal(self) -> str:
        """"Not activating openai/sora-2 for Chat: This model answers … Nothing was changed." """
        reasons = []
        for outcome in self.blocking:
            reasons.append(outcome.message)
            if not outcome.permitted and outcome.gate.permission:
                reasons.append(gettext("Going ahead anyway needs the permission “%(permission)s”.")
                               % {"permission": outcome.gate.permission_name})
        values = {"model": self.entry.pk, "capability": capability_label(self.capability), "reasons": " ".join(reasons)}
        if self.saving:
            text = gettext("Not saving %(model)s for %(capability)s, which it serves: %(reasons)s Nothing was changed.")
        elif self.role == FALLBACK:
            text = gettext("Not making %(model)s a fallback for %(capability)s: %(reasons)s Nothing was changed.")
        else:
            text = gettext("Not activating %(model)s for %(capability)s: %(reasons)s Nothing was changed.")
        return text % values


def active_model(capability: str, *, lock: bool = False) -> AIModel | None:
    """The active model of ``capability`` (its row locked when ``lock``: under the capability's lock)."""
    rows = AIModel.objects.select_related("provider").filter(capability=capability, is_active=True)
    return (rows.select_for_update(of=("self",)) if lock else rows).first()


def role_of(row: AIModel | None) -> str:
    """What saved model ``row`` is for its capability now: ACTIVE, FALLBACK or SAVED (also for None)."""
    if row is not None and row.is_active:
        return ACTIVE
    return FALLBACK if row is not None and row.fallback_position is not None else SAVED


def use_of(row: AIModel) -> str:
    """What saved model ``row`` serves, translated: "active for Chat", "fallback #2 for Chat", or ""."""
    values = {"capability": capability_label(row.capability), "position": row.fallback_position}
    if row.is_active:
        return gettext("active for %(capability)s") % values
    if row.fallback_position is not None:
        return gettext("fallback #%(position)d for %(capability)s") % values
    return ""


def _warnings(entry, capability: str, role: str, checks) -> tuple:
    found = []
    if capability not in entry.capabilities and not entry.kinds:  # a known other kind is the kind gate's
        found.append(
            gettext("%(provider)s did not list this model as suitable for %(capability)s: check that it works.")
            % {"provider": entry.provider, "capability": capability_label(capability)}
        )
    unknown = requirements.unknown(checks) if role != SAVED else []
    if unknown:
        found.append(
            gettext("Requirements the provider says nothing about, so check them yourself: %(unknown)s.")
            % {"unknown": "; ".join(item.message for item in unknown)}
        )
    return tuple(found)


def plan(entry, capability: str, *, role: str = ACTIVE, user=None, overrides=(), trial=None, current=_UNREAD,
         today=None, saving: bool = False) -> Plan:
    """What making catalog ``entry`` serve ``capability`` as ``role`` would do; changes nothing.

    ``overrides``: keys of the gates to override (``gates.OVERRIDABLE``); an override counts only
    when ``user`` may give it (see ``Gate.may_override``; code without a user may). ``trial``: the
    result of a test call made first. ``current``: the active model, when the caller read it
    (under the lock); read here otherwise. ``saving``: the plan of a save that updates a model
    serving the capability (``role`` says how). Raises ``UnknownCapability``, or ``ValueError`` for an
    override key that names no gate.
    """
    validate_capability(capability)
    unknown = set(overrides) - set(gates.BY_KEY)
    if unknown:
        raise ValueError(f"Unknown gate keys in overrides: {', '.join(sorted(unknown))}; gates: {', '.join(gates.BY_KEY)}.")
    if current is _UNREAD:
        current = active_model(capability)
    candidate = Candidate(entry, capability, role, current, trial, today or timezone.localdate())
    outcomes = []
    for gate in gates.GATES:
        if not gate.applies_to(role):
            continue
        finding = gate.check(candidate)
        permitted = gate.may_override(user)
        overridden = finding is not None and gate.key in overrides and permitted
        outcomes.append(Outcome(gate, finding, overridden, permitted))
    checks = tuple(gates.requirement_checks(entry, capability))
    warnings = _warnings(entry, capability, role, checks)
    return Plan(capability, entry, role, current, tuple(outcomes), checks, warnings, saving)

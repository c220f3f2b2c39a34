"""The gates a model passes before it serves a capability, as the active model or a fallback.

A gate is one record (``Gate``): a key, what it checks, the check itself, which permission lets a
user override it (``None``: nobody can) and the label of that override. A check looks at a
``Candidate`` and returns ``None`` when the model passes, or a ``Finding``: why it is refused (a
translated sentence for whoever asked) and what an override writes to the history. Every way in
(admin, API, command line, host code) runs ``GATES`` through ``activation.plan``; a front end only
maps each key to its own form field, 409 code or command-line flag. A new gate is one record here
plus its test in ``tests/activation/test_gates.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import requirements
from ..capabilities import EMBEDDING, KINDS, capability_kind, capability_label, configured
from ..catalog.criteria import expiry_state
from ..prices import usd
from . import ceilings
from .embedding import EmbeddingSwitch, dimensions_of

ACTIVE, FALLBACK, SAVED = "active", "fallback", "saved"  # what a model is (about to be) for its capability
ACTIVATE = "ai_models.activate_aimodel"
ABOVE_CEILING = ceilings.PERMISSION
PERMISSION_NAMES = {  # as AIModel.Meta names them
    ACTIVATE: _("Can activate a model for a capability"),
    ABOVE_CEILING: _("Can activate a model priced above the ceiling"),
}


@dataclass(frozen=True)
class Candidate:
    """What a gate looks at: a catalog entry about to serve ``capability`` in ``role``."""

    entry: object  # CatalogModel
    capability: str
    role: str  # ACTIVE or FALLBACK
    current: object  # the AIModel active for the capability now, or None
    trial: object  # the TrialResult of a test call made first, or None
    today: date

    @property
    def is_current(self) -> bool:
        """Whether the candidate is the model active now (activating it again)."""
        current = self.current
        return current is not None and (current.provider.slug, current.model_id) == (
            self.entry.provider, self.entry.model_id
        )


@dataclass(frozen=True)
class Finding:
    """Why a gate refuses: ``message`` (translated, a sentence about "this model"), ``note`` (what
    an override writes to the history, in English like the rest of it) and ``details`` for front
    ends that show more (the price excesses, the unmet requirements, the embedding switch...)."""

    message: str
    note: str
    details: object = None


@dataclass(frozen=True)
class Gate:
    """One check every model passes before it serves a capability."""

    key: str
    checks: str  # what it checks, for docs and help texts (lazy translation)
    check: Callable[[Candidate], "Finding | None"]
    permission: str | None  # the permission that lets a user override it; None: never overridden
    override: str = ""  # what overriding it says, as a checkbox label (lazy translation)
    roles: frozenset = frozenset({ACTIVE, FALLBACK})

    def applies_to(self, role: str) -> bool:
        return role in self.roles

    @property
    def permission_name(self) -> str:
        """The overriding permission as staff see it in the admin ("" when nobody may override)."""
        return str(PERMISSION_NAMES.get(self.permission, self.permission or ""))

    def may_override(self, user) -> bool:
        """Whether ``user`` may override this gate. Code without a user is trusted (it must still
        name the override); with a user, the gate's permission decides."""
        if self.permission is None:
            return False
        return user is None or user.has_perm(self.permission)


@dataclass(frozen=True)
class Outcome:
    """How one candidate stands against one gate."""

    gate: Gate
    finding: Finding | None  # None: it passes
    overridden: bool = False  # refused, but the override was given and is permitted
    permitted: bool = True  # whether the user may override this gate

    @property
    def key(self) -> str:
        return self.gate.key

    @property
    def passed(self) -> bool:
        return self.finding is None

    @property
    def blocking(self) -> bool:
        return self.finding is not None and not self.overridden

    @property
    def message(self) -> str:
        return self.finding.message if self.finding else ""

    @property
    def note(self) -> str:
        return self.finding.note if self.finding and self.overridden else ""


def _kinds_text(kinds) -> str:
    return ", ".join(gettext(KINDS[kind]) for kind in sorted(kinds) if kind in KINDS)


def check_kind(candidate: Candidate) -> Finding | None:
    """The model answers the calls the capability's kind needs (when both are known)."""
    wanted, kinds = capability_kind(candidate.capability), candidate.entry.kinds
    if not wanted or not kinds or wanted in kinds:
        return None
    values = {"kinds": _kinds_text(kinds), "wanted": gettext(KINDS[wanted]),
              "capability": capability_label(candidate.capability)}
    return Finding(
        gettext("This model answers %(kinds)s, not the %(wanted)s that %(capability)s needs.") % values,
        f"kind mismatch overridden: a {'/'.join(sorted(kinds))} model for a {wanted} capability",
        details=tuple(sorted(kinds)),
    )


def requirement_checks(entry, capability: str) -> list:
    """How ``entry`` stands against each requirement ``capability`` declares (met / unmet / unknown)."""
    declared = configured().get(capability)
    return requirements.check(entry, declared.requires) if declared else []


def check_requirements(candidate: Candidate) -> Finding | None:
    """The model meets every requirement the capability declares (unknown ones do not block)."""
    unmet = requirements.unmet(requirement_checks(candidate.entry, candidate.capability))
    if not unmet:
        return None
    message = gettext("This model does not meet: %(unmet)s.") % {"unmet": "; ".join(item.message for item in unmet)}
    return Finding(message, requirements.log_note(unmet), details=tuple(unmet))


def check_ceiling(candidate: Candidate) -> Finding | None:
    """Neither known price is above the capability's ceiling (``AI_MODELS["PRICE_CEILINGS"]``)."""
    entry = candidate.entry
    excess = ceilings.excesses(candidate.capability, entry.input_price, entry.output_price, ceilings.price_sources(entry))
    if not excess:
        return None
    message = gettext("This model is priced above the ceiling for %(capability)s: %(excess)s.") % {
        "capability": capability_label(candidate.capability), "excess": ceilings.describe(excess, usd)
    }
    return Finding(message, ceilings.log_note(excess), details=tuple(excess))


def check_expiry(candidate: Candidate) -> Finding | None:
    """The model's expiry date, as its provider (or a model-facts dataset) gives it, has not passed."""
    expires, source = candidate.entry.expires, candidate.entry.source_of("expires")
    if expiry_state(expires, candidate.today, 0) != "expired":
        return None
    values = {"message": gettext("expired on %(date)s") % {"date": expires.isoformat()}, "source": source}
    if source:  # the provider did not say: name who did
        message = gettext("According to %(source)s, this model %(message)s: calls to it may fail at any time.") % values
    else:
        message = gettext("Its provider says this model %(message)s: calls to it may fail at any time.") % values
    note = f"expired on {expires.isoformat()}" + (f" [{source}]" if source else "") + ", overridden"
    return Finding(message, note, details=expires)


def check_embedding(candidate: Candidate) -> Finding | None:
    """Replacing (or backing up) the active model of an embedding capability with another model:
    vectors of two models are not comparable."""
    current = candidate.current
    if capability_kind(candidate.capability) != EMBEDDING or current is None or candidate.is_current:
        return None
    switch = EmbeddingSwitch(candidate.capability, current, dimensions_of(current.metadata), candidate.entry.dimensions)
    message = switch.warning if candidate.role == ACTIVE else switch.fallback_warning
    return Finding(message, switch.log_note, details=switch)


def check_trial(candidate: Candidate) -> Finding | None:
    """The test call made first, if any, succeeded."""
    trial = candidate.trial
    if trial is None or trial.ok:
        return None
    return Finding(gettext("The test call failed: %(error)s.") % {"error": trial.error}, "", details=trial)


GATES = (
    Gate("kind", _("the model answers the kind of call the capability needs"), check_kind, ACTIVATE,
         _("Activate it anyway: I know it was not classified for this kind of call (this is logged)")),
    Gate("requirements", _("the capability's requirements are met"), check_requirements, ACTIVATE,
         _("Activate it anyway: I override the requirements it does not meet (this is logged)")),
    Gate("ceiling", _("neither price is above the capability's price ceiling"), check_ceiling, ABOVE_CEILING,
         _("I confirm activating this model although it is priced above the ceiling")),
    Gate("expired", _("the provider has not declared the model expired"), check_expiry, ACTIVATE,
         _("I confirm activating this model although its provider says it has expired")),
    Gate("embedding", _("an embedding capability keeps the model its stored vectors were made with"),
         check_embedding, ACTIVATE, _("I confirm the switch: embeddings made with the old model must be made again")),
    Gate("trial", _("the test call made first, if any, succeeded"), check_trial, None, roles=frozenset({ACTIVE})),
)
"""Every gate, in the order they are checked and shown."""

BY_KEY = {gate.key: gate for gate in GATES}
OVERRIDABLE = tuple(gate.key for gate in GATES if gate.permission is not None)

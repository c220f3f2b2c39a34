"""Every change of what serves a capability, one function each: ``activate``, ``reactivate``,
``rollback``, ``save``, ``save_for``, ``save_many``, ``deactivate``, ``set_fallbacks``, ``move_fallback``,
``delete_saved``, and ``trial_active`` (a test call through the active model, its result kept on it).
The admin, the HTTP API, the command line and host code all call these.

Each runs the same way: the user's permission (code without a user is trusted); the plan and its
gates, checked before anything billable; the test call, if asked; then, under the capability's
lock (``locks.py``), the plan again against the model really active, the write, the history and,
once it commits, ``active_model_changed``. A failure anywhere leaves everything as it was.
"""

import logging
import math
from dataclasses import dataclass, field, replace

from django.contrib.admin.models import ADDITION, CHANGE
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..active import change_made
from ..capabilities import capability_label, validate_capability
from ..exceptions import ActivationError, ActivationNotPermitted, NoEarlierModel
from ..models import AIModel, Provider
from ..parameters import validate_parameters
from ..providers import get_provider
from ..signals import active_model_changed
from ..trial import TrialResult, run_trial
from . import history
from .gates import ACTIVATE, FALLBACK, SAVED
from .locks import capability_lock
from .plan import Plan, active_model, plan, role_of

logger = logging.getLogger("ai_models")

DELETE = "ai_models.delete_aimodel"


@dataclass(frozen=True)
class Change:
    """What one activation or save did."""

    capability: str
    model: AIModel  # the saved model chosen (now active) or saved
    previous: AIModel | None  # the model active before, read under the capability's lock
    plan: Plan  # what the gates said, under the lock
    created: bool = False  # a new saved model
    activated: bool = False  # False for a save

    @property
    def replaced(self) -> AIModel | None:
        """The active model this change deactivated, or None."""
        if self.activated and self.previous is not None and self.previous.pk != self.model.pk:
            return self.previous
        return None


@dataclass(frozen=True)
class Deletion:
    """What ``delete_saved`` did: the rows deleted, and those kept because they serve their capability."""

    deleted: list = field(default_factory=list)
    kept: list = field(default_factory=list)


def _require(user, permission: str = ACTIVATE):
    """``ActivationNotPermitted`` unless ``user`` is None (code: trusted) or holds ``permission``."""
    if user is None or user.has_perm(permission):
        return
    if permission == DELETE:
        message = gettext("Deleting saved models needs the permission “Can delete saved model”. Nothing was changed.")
    else:
        message = gettext("This needs the permission “Can activate a model for a capability”. Nothing was changed.")
    raise ActivationNotPermitted(message, permission)


def _announce(capability, previous, current, user, via):
    """Send ``active_model_changed`` once the current transaction commits."""

    def send():
        results = active_model_changed.send_robust(
            AIModel, capability=capability, previous=previous, current=current, user=user, via=via
        )
        for receiver, result in results:
            if isinstance(result, Exception):
                logger.error("active_model_changed receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)


def _storable(value):
    """``value`` as the databases accept it: no NUL in strings (PostgreSQL refuses them) and
    no NaN or infinity (not JSON, though Python's parser reads them from a provider)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(item) for item in value]
    return value


def _entry_fields(entry) -> dict:
    return {
        "display_name": _storable(entry.name or entry.model_id)[:255],
        "description": _storable(entry.description or ""),
        "context_window": entry.context_window,
        "input_price": entry.input_price,
        "output_price": entry.output_price,
        "metadata": _storable(entry.to_json()),
    }


def _parameter_fields(entry, parameters) -> dict:
    if parameters is None:
        return {}
    try:
        validate_parameters(parameters)
    except ValidationError as err:
        raise ActivationError(
            gettext("Not activating %(model)s: %(errors)s") % {"model": entry.pk, "errors": " ".join(err.messages)}
        ) from None
    return {"parameters": dict(parameters)}


def _name(row) -> str:
    return f"{row.provider.slug}:{row.model_id}"


def _upsert(entry, capability, fields) -> tuple[AIModel, bool]:
    """The saved row of ``entry`` for ``capability`` with ``fields`` set (not saved yet), and whether it is new."""
    provider = Provider.objects.filter(slug=entry.provider).first()
    if provider is None:  # the class is looked up only to name a new row
        # A change of another capability (another lock) may be creating the row now: this insert
        # waits for it, then does nothing, and the row is read whoever made it. (Not get_or_create:
        # its retry after a failed insert may be answered by django-cachalot's cache of the miss.)
        Provider.objects.bulk_create([Provider(slug=entry.provider, name=get_provider(entry.provider).name)],
                                     ignore_conflicts=True)
        provider = Provider.objects.get(slug=entry.provider)
    row = AIModel.objects.filter(provider=provider, model_id=entry.model_id, capability=capability).first()
    created = row is None
    if created:
        row = AIModel(provider=provider, model_id=entry.model_id, capability=capability)
    for name, value in fields.items():
        setattr(row, name, value)
    return row, created


def _choose(entry, capability, user, fields, *, via, overrides, trial, test, note, event) -> Change:
    """Make ``entry`` the active model of ``capability``: the shared body of activate and reactivate."""
    plan(entry, capability, user=user, overrides=overrides, trial=trial).check()  # before a billable call
    if test:
        trial = run_trial(entry, capability)
        if not trial.ok:
            plan(entry, capability, user=user, overrides=overrides, trial=trial).check()
    with capability_lock(capability):
        previous = active_model(capability, lock=True)
        final = plan(entry, capability, user=user, overrides=overrides, trial=trial, current=previous)
        final.check()
        row, created = _upsert(entry, capability, fields)
        if previous is not None and not final.is_current:
            AIModel.objects.filter(pk=previous.pk).update(is_active=False, updated_at=timezone.now())
        row.is_active = True
        row.fallback_position = None  # the active model is what the fallbacks stand in for
        row.activated_at = timezone.now()
        row.activated_by = user if getattr(user, "pk", None) else None
        row.activated_via = str(via)[:100]
        # The test call belongs to this activation: an activation without one clears it.
        row.trial_at = row.activated_at if trial else None
        row.trial_latency_ms = trial.latency_ms if trial else None
        row.trial_result = _storable(trial.summary)[:255] if trial else ""
        row.save()
        replaced = final.replaces
        other = _name(replaced) if replaced else ""
        notes = "; ".join([note, *final.notes] if note else final.notes)
        trial_ms = trial.latency_ms if trial else None
        text = history.message(event, _name(row), capability, via=via, replacing=other, trial_ms=trial_ms, note=notes)
        history.record(user, row, ADDITION if created else CHANGE, text)
        if replaced is not None:  # the replaced model's own history says so too
            text = history.message(history.REPLACED, other, capability, via=via, replacing=_name(row))
            history.record(user, replaced, CHANGE, text)
            replaced.is_active = False
        if previous is None or replaced is not None:
            _announce(capability, replaced, row, user, via)
    return Change(capability, row, previous, final, created, activated=True)


def activate(entry, capability: str, user=None, *, via: str = "admin", overrides=(), parameters=None, trial=None,
             test: bool = False, note: str = "") -> Change:
    """Make catalog ``entry`` the active model of ``capability``; the one active before is deactivated.

    ``overrides``: keys of the gates to override (``gates.OVERRIDABLE``; logged). ``user``: who acts
    (needs ``ai_models.activate_aimodel``, and each override its gate's permission); None for code,
    which is trusted but must still name every override. ``parameters``: call defaults to keep on
    the saved model (None keeps those it has). ``test``: make one minimal real call first and
    activate only if it succeeds; ``trial``: the result of one made already. ``note``: added to
    the history entry. Raises ``ActivationRefused`` (the gates that refused), ``ActivationBusy``,
    ``ActivationNotPermitted``, ``UnknownCapability`` or ``ActivationError``; nothing changes then.
    """
    _require(user, ACTIVATE)
    fields = {**_entry_fields(entry), **_parameter_fields(entry, parameters)}
    return _choose(entry, capability, user, fields, via=via, overrides=overrides, trial=trial, test=test, note=note,
                   event=history.ACTIVATED)


def reactivate(row: AIModel, user=None, *, via: str = "admin", overrides=(), parameters=None, trial=None,
               test: bool = False, note: str = "") -> Change:
    """Make saved model ``row`` active again (a rollback), keeping the catalog entry stored with it;
    the gates judge that entry. The other arguments and errors as for ``activate``."""
    _require(user, ACTIVATE)
    entry = row.catalog_entry()
    return _choose(entry, row.capability, user, _parameter_fields(entry, parameters), via=via, overrides=overrides,
                   trial=trial, test=test, note=note, event=history.REACTIVATED)


def rollback_target(capability: str) -> AIModel | None:
    """The saved model a rollback of ``capability`` activates: the one activated most recently among
    those not active now."""
    earlier = AIModel.objects.select_related("provider").filter(
        capability=capability, is_active=False, activated_at__isnull=False
    )
    return earlier.order_by("-activated_at", "-pk").first()


def rollback(capability: str, user=None, *, via: str = "admin", overrides=(), trial=None, test: bool = False,
             note: str = "") -> Change:
    """Activate again the model active before the current one (``rollback_target``); the arguments
    as for ``reactivate``. Raises ``NoEarlierModel`` when there is none, else as ``activate``."""
    _require(user, ACTIVATE)
    validate_capability(capability)
    target = rollback_target(capability)
    if target is None:
        raise NoEarlierModel(
            gettext("No earlier model of %(capability)s to roll back to.") % {"capability": capability_label(capability)}
        )
    return reactivate(target, user, via=via, overrides=overrides, trial=trial, test=test, note=note)


def save(entry, capability: str, user=None, *, via: str = "admin", parameters=None, overrides=()) -> Change:
    """Save catalog ``entry`` for ``capability`` without activating it (``save_many`` of one)."""
    return save_many([entry], capability, user, via=via, parameters=parameters, overrides=overrides)[0]


def save_for(entry, capabilities, user=None, *, via: str = "admin", parameters=None, overrides=()) -> list:
    """Save catalog ``entry`` for each of ``capabilities`` without activating it, all or none (under
    the lock of every one of them); a ``Change`` each, in the order given."""
    _require(user, ACTIVATE)
    capabilities = [validate_capability(name) for name in dict.fromkeys(capabilities)]
    with capability_lock(*capabilities):
        return [save(entry, name, user, via=via, parameters=parameters, overrides=overrides) for name in capabilities]


def save_many(entries, capability: str, user=None, *, via: str = "admin", parameters=None, overrides=(),
              activate_first: bool = False) -> list:
    """Save catalog ``entries`` for ``capability`` without activating any, all or none; a ``Change`` each.

    Saving a model that serves the capability (the active one, a fallback) changes the facts it
    serves with, so the gates of its role judge the new entry (``overrides`` as for ``activate``).
    ``activate_first``: then make the first of them the active model, in the same transaction, so
    a refusal of its activation saves none of them either.
    """
    _require(user, ACTIVATE)
    validate_capability(capability)
    entries = list(entries)
    fields = [{**_entry_fields(entry), **_parameter_fields(entry, parameters)} for entry in entries]
    changes = []
    with capability_lock(capability):
        current = active_model(capability, lock=True)
        for entry, values in zip(entries, fields):
            row, created = _upsert(entry, capability, values)
            role = SAVED if created else role_of(row)
            checked = plan(entry, capability, role=role, user=user, overrides=overrides, current=current,
                           saving=True)
            checked.check()
            row.save()
            text = history.message(history.SAVED, _name(row), capability, via=via, note="; ".join(checked.notes))
            history.record(user, row, ADDITION if created else CHANGE, text)
            changes.append(Change(capability, row, current, checked, created))
        if activate_first and changes:
            activated = _choose(entries[0], capability, user, fields[0], via=via, overrides=overrides, trial=None,
                                test=False, note="", event=history.ACTIVATED)
            changes[0] = replace(activated, created=changes[0].created)
    return changes


def deactivate(capability: str, user=None, *, via: str = "admin", only: AIModel | None = None) -> AIModel | None:
    """Deactivate the active model of ``capability``; return it, or None if none was active.

    ``only``: deactivate only if that saved model is still the active one (it may have been
    replaced since the caller looked), else change nothing and return None.
    """
    _require(user, ACTIVATE)
    validate_capability(capability)
    with capability_lock(capability):
        current = active_model(capability, lock=True)
        if current is None or (only is not None and current.pk != only.pk):
            return None
        current.is_active = False
        current.save(update_fields=["is_active", "updated_at"])
        history.record(user, current, CHANGE, history.message(history.DEACTIVATED, _name(current), capability, via=via))
        _announce(capability, current, None, user, via)
    return current


def _fallback_gates(rows, capability, user, overrides, current) -> list:
    """Check the gates of each row (not the active one) as a fallback; the history notes of the overrides."""
    notes = []
    for row in rows:
        if not row.is_active:
            checked = plan(row.catalog_entry(), capability, role=FALLBACK, user=user, overrides=overrides,
                           current=current)
            checked.check()
            notes += checked.notes
    return notes


def _record_chain(user, row, capability, via, notes):
    chain = AIModel.objects.select_related("provider").filter(capability=capability, fallback_position__isnull=False)
    listed = ", ".join(_name(item) for item in chain.order_by("fallback_position"))
    event = history.FALLBACKS if listed else history.FALLBACKS_CLEARED
    text = history.message(event, _name(row), capability, via=via, replacing=listed, note="; ".join(notes))
    history.record(user, row, CHANGE, text)


def set_fallbacks(capability: str, chain, user=None, *, via: str = "admin", overrides=()) -> list:
    """Make ``chain`` (saved models of ``capability``, in order) its fallback chain; return it.

    Each model passes the gates as a fallback (``overrides`` as for ``activate``). The active
    model may be listed (it is skipped while it is active). Raises ``ActivationRefused``,
    ``ActivationError`` for a model of another capability, and as ``activate`` otherwise.
    """
    _require(user, ACTIVATE)
    validate_capability(capability)
    chain = list(chain)
    strangers = [str(row) for row in chain if row.capability != capability]
    if strangers:
        raise ActivationError(
            gettext("Not changing the %(capability)s fallbacks: %(models)s belong to another capability.")
            % {"capability": capability, "models": ", ".join(strangers)}
        )
    with capability_lock(capability):
        current = active_model(capability, lock=True)
        rows = {row.pk: row for row in AIModel.objects.select_related("provider").filter(capability=capability)}
        chain = [rows[row.pk] for row in chain if row.pk in rows]  # as they are now; a deleted one drops out
        notes = _fallback_gates(chain, capability, user, overrides, current)
        AIModel.objects.filter(capability=capability).exclude(fallback_position=None).update(
            fallback_position=None, updated_at=timezone.now()
        )
        for position, row in enumerate(chain, start=1):
            row.fallback_position = position
            row.save(update_fields=["fallback_position", "updated_at"])
        for row in chain[:1]:
            _record_chain(user, row, capability, via, notes)
        change_made(capability)
    return chain


def fallback_position_problem(capability: str, position: int | None, row: AIModel | None = None) -> str:
    """Why saved model ``row`` may not take fallback ``position`` of ``capability`` ("" when it may):
    positions start at 1 and each has one holder. ``move_fallback`` refuses with it; a form shows it
    on its field before anything is saved."""
    if position is None:
        return ""
    if position < 1:
        return gettext("Fallback positions start at 1 (tried first).")
    holder = AIModel.objects.filter(capability=capability, fallback_position=position)
    holder = holder.exclude(pk=row.pk).first() if row is not None and row.pk else holder.first()
    if holder is None:
        return ""
    return gettext("%(model)s already has fallback position %(position)d: free it first.") % {
        "model": holder, "position": position}


def move_fallback(row: AIModel, position: int | None, user=None, *, via: str = "admin", overrides=()) -> AIModel:
    """Put saved model ``row`` at ``position`` of its capability's fallback chain (None: out of it).

    As a fallback it passes the gates (``overrides`` as for ``activate``). Raises
    ``ActivationError`` when another model holds the position, and as ``activate`` otherwise.
    """
    _require(user, ACTIVATE)
    capability = row.capability
    with capability_lock(capability):
        current = active_model(capability, lock=True)
        row = AIModel.objects.select_related("provider").get(pk=row.pk)
        notes = []
        problem = fallback_position_problem(capability, position, row)
        if problem:
            raise ActivationError(problem)
        if position is not None:
            notes = _fallback_gates([row], capability, user, overrides, current)
        if row.fallback_position != position:
            row.fallback_position = position
            row.save(update_fields=["fallback_position", "updated_at"])
            _record_chain(user, row, capability, via, notes)
    return row


def trial_active(capability: str, user=None) -> tuple[AIModel, TrialResult]:
    """Make one minimal real call through the active model of ``capability`` (the provider may bill
    it) and keep its result, latency and time on the model; return the model and the result.

    Changes nothing of what serves the capability. Raises ``ActivationError`` when none is active,
    ``ActivationNotPermitted`` for a user who may not activate, ``UnknownCapability``.
    """
    _require(user, ACTIVATE)
    validate_capability(capability)
    row = active_model(capability)
    if row is None:
        raise ActivationError(
            gettext("No model is active for %(capability)s: there is nothing to test.")
            % {"capability": capability_label(capability)}
        )
    trial = run_trial(row.catalog_entry(), capability)  # outside the lock: a slow provider blocks no change
    row.trial_at, row.trial_latency_ms, row.trial_result = timezone.now(), trial.latency_ms, _trial_text(trial)
    # Only while it is still the active model: a result belongs to the activation it tested.
    AIModel.objects.filter(pk=row.pk, is_active=True).update(
        trial_at=row.trial_at, trial_latency_ms=row.trial_latency_ms, trial_result=row.trial_result
    )
    return row, trial


def _trial_text(trial) -> str:
    text = trial.summary if trial.ok else gettext("failed: %(error)s") % {"error": trial.error}
    return _storable(text)[:255]


def delete_saved(rows, user=None, *, via: str = "admin") -> Deletion:
    """Delete the saved models ``rows`` (a queryset or saved rows) that serve nothing.

    Models in use (active, or in a fallback chain), looked at under their capabilities' locks,
    are kept and returned in ``Deletion.kept``. Needs ``ai_models.delete_aimodel`` with a user.
    """
    _require(user, DELETE)
    pks = [row.pk for row in rows]
    capabilities = set(AIModel.objects.filter(pk__in=pks).values_list("capability", flat=True))
    if not capabilities:
        return Deletion()
    with capability_lock(*capabilities):
        found = list(AIModel.objects.select_related("provider").filter(pk__in=pks).order_by("capability", "pk"))
        kept = [row for row in found if row.in_use]
        deleted = [row for row in found if not row.in_use]
        history.record_deletions(user, deleted, via=via)
        AIModel.objects.filter(pk__in=[row.pk for row in deleted]).delete()
    return Deletion(deleted, kept)

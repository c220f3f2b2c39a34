"""Choosing models: activate, deactivate, save and reactivate; fallback chains.

Every write runs in one ``transaction.atomic()`` block, so a failure anywhere leaves the
previous model active (and django-cachalot never keeps a stale entry). A change of the active
model sends ``signals.active_model_changed`` once it commits. The hot path that reads the choice,
``get_active_model``, lives in ``active.py`` (re-exported here).
"""

import logging
import math
import threading

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from .. import requirements
from . import history
from ..active import change_made
from ..capabilities import capability_label, configured, validate_capability
from .embedding import embedding_switch
from ..exceptions import ActivationError, EmbeddingSwitchUnconfirmed, RequirementsNotMet
from ..models import AIModel, Provider
from ..parameters import validate_parameters
from ..signals import active_model_changed

logger = logging.getLogger("ai_models")

# Backends without partial unique indexes (MySQL, MariaDB) rely on this and on row locks.
_activation_lock = threading.Lock()


def _log(user, obj, flag, message):
    """The admin history entry of a change; without a user (a script, the command line) the
    ``ai_models`` log records it instead, with where it was made."""
    if user is None or not getattr(user, "pk", None):
        with translation.override(None):  # the server log in English, like Django's own
            logger.info("%s", history.describe(message))
        return
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(AIModel),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=flag,
        change_message=message,
    )


def _announce(capability, previous, current, user, via):
    """Send ``active_model_changed`` when the current transaction commits."""

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


def _provider_row(provider_id) -> Provider:
    from ..providers import get_provider

    row = Provider.objects.filter(slug=provider_id).first()
    if row is None:  # the class is looked up only to name a new row
        row, _ = Provider.objects.get_or_create(slug=provider_id, defaults={"name": get_provider(provider_id).name})
    return row


def _swap(capability, provider_id, model_id, fields, user, activate, via, trial=None, note="", attempts=3, rollback=False):
    """Upsert (provider, model_id, capability) and, if ``activate``, make it the only active row.

    A concurrent swap of the same capability can still collide on the unique constraints
    (two first rows inserted at once); that is retried, then reported as ``ActivationError``.
    """
    validate_capability(capability)
    for attempt in range(attempts):
        try:
            return _swap_once(capability, provider_id, model_id, fields, user, activate, via, trial, note, rollback)
        except (IntegrityError, OperationalError) as err:
            if attempt == attempts - 1:
                raise ActivationError(
                    f"Could not activate {provider_id}:{model_id} for {capability}: another change "
                    f"of the same capability was in progress ({type(err).__name__}). Nothing was changed; try again."
                ) from err


def _swap_once(capability, provider_id, model_id, fields, user, activate, via, trial=None, note="", rollback=False):
    with _activation_lock, transaction.atomic():
        provider = _provider_row(provider_id)
        # Lock every row of the capability, so concurrent swaps queue up here.
        rows = list(AIModel.objects.select_for_update().filter(capability=capability).order_by("pk"))
        previous = next((row for row in rows if row.is_active), None)
        chosen = next((row for row in rows if row.provider_id == provider.pk and row.model_id == model_id), None)
        created = chosen is None
        if created:
            chosen = AIModel(provider=provider, model_id=model_id, capability=capability)
        for name, value in fields.items():
            setattr(chosen, name, value)
        if activate:
            AIModel.objects.filter(capability=capability, is_active=True).exclude(pk=chosen.pk).update(
                is_active=False
            )
            chosen.is_active = True
            chosen.activated_at = timezone.now()
            chosen.activated_by = user if getattr(user, "pk", None) else None
            chosen.activated_via = str(via)[:100]
            # The test call belongs to this activation: an activation without one clears it.
            chosen.trial_at = chosen.activated_at if trial else None
            chosen.trial_latency_ms = trial.latency_ms if trial else None
            chosen.trial_result = _storable(trial.summary)[:255] if trial else ""
        chosen.save()
        name = f"{provider.slug}:{model_id}"
        replaced = previous if activate and previous is not None and previous != chosen else None
        if activate and previous != chosen:
            _announce(capability, previous, chosen, user, via)
        if activate:
            event = history.REACTIVATED if rollback else history.ACTIVATED
        else:
            event = history.SAVED
        other = f"{replaced.provider.slug}:{replaced.model_id}" if replaced else ""
        trial_ms = trial.latency_ms if trial else None
        message = history.message(event, name, capability, via=via, replacing=other, trial_ms=trial_ms, note=note)
        _log(user, chosen, ADDITION if created else CHANGE, message)
        if replaced is not None:  # the replaced model's own history says so too
            _log(user, replaced, CHANGE, history.message(history.REPLACED, other, capability, via=via, replacing=name))
    return chosen


def activate(
    entry, capability: str, user=None, *, via: str = "admin", trial=None, note: str = "", parameters=None,
    override_requirements: bool = False, confirm_embedding_switch: bool = False,
) -> AIModel:
    """Make catalog ``entry`` the active model for ``capability``; return its ``AIModel``.

    Atomic: the previous active model is deactivated in the same transaction, so on any
    failure it stays active. ``trial``: the successful ``trial.TrialResult`` of a test call
    made first, stored with the activation (its latency and result). ``note`` is added to the
    ``LogEntry`` message. ``parameters``: the call defaults to keep on the saved model (see
    ``ai_models.parameters``; None keeps those it has). The capability's requirements must be
    met unless ``override_requirements`` (logged); replacing the active model of an embedding
    capability needs ``confirm_embedding_switch`` (logged). Raises ``UnknownCapability``,
    ``RequirementsNotMet``, ``EmbeddingSwitchUnconfirmed`` or ``ActivationError`` (also for a
    failed ``trial`` or invalid ``parameters``); nothing is changed then.
    """
    _check_trial(entry.provider, entry.model_id, trial)
    fields = {**_entry_fields(entry), **_parameter_fields(entry.provider, entry.model_id, parameters)}
    note = check_activation(entry, capability, note, override_requirements, confirm_embedding_switch)
    return _swap(capability, entry.provider, entry.model_id, fields, user, True, via, trial, note)


def _parameter_fields(provider_id, model_id, parameters) -> dict:
    if parameters is None:
        return {}
    try:
        validate_parameters(parameters)
    except ValidationError as err:
        raise ActivationError(
            gettext("Not activating %(model)s: %(errors)s")
            % {"model": f"{provider_id}:{model_id}", "errors": " ".join(err.messages)}
        ) from None
    return {"parameters": dict(parameters)}


def requirement_checks(entry, capability: str) -> list:
    """How ``entry`` stands against the requirements ``capability`` declares."""
    declared = configured().get(capability)
    return requirements.check(entry, declared.requires) if declared else []


def activation_warnings(entry, capability: str, *, activating: bool = True) -> list[str]:
    """What staff should check after choosing ``entry`` for ``capability`` (the admin's and the API's
    warnings): a model not classified for it and, when activating, requirements nobody can tell."""
    warnings = []
    if capability not in entry.capabilities:
        warnings.append(
            gettext("%(provider)s did not list this model as suitable for %(capability)s: check that it works.")
            % {"provider": entry.provider, "capability": capability_label(capability)}
        )
    unknown = requirements.unknown(requirement_checks(entry, capability)) if activating else []
    if unknown:
        warnings.append(
            gettext("Requirements the provider says nothing about, so check them yourself: %(unknown)s.")
            % {"unknown": "; ".join(item.message for item in unknown)}
        )
    return warnings


def check_activation(entry, capability, note="", override_requirements=False, confirm_embedding_switch=False) -> str:
    """``note`` with what activating ``entry`` for ``capability`` overrides or confirms.

    Raises ``RequirementsNotMet`` or ``EmbeddingSwitchUnconfirmed`` when that is not given (a
    caller may ask before a billable test call); ``activate`` asks again.
    """
    validate_capability(capability)
    notes = [note] if note else []
    unmet = requirements.unmet(requirement_checks(entry, capability))
    if unmet:
        if not override_requirements:
            raise RequirementsNotMet(
                gettext("Not activating %(model)s for %(capability)s: it does not meet %(unmet)s. Override to "
                        "activate it anyway.")
                % {"model": entry.pk, "capability": capability, "unmet": "; ".join(item.message for item in unmet)},
                unmet,
            )
        notes.append(requirements.log_note(unmet))
    switch = embedding_switch(capability, entry.provider, entry.model_id, entry.dimensions)
    if switch is not None:
        if not confirm_embedding_switch:
            raise EmbeddingSwitchUnconfirmed(
                gettext("Not activating %(model)s for %(capability)s: %(warning)s Confirm the switch to go ahead.")
                % {"model": entry.pk, "capability": capability, "warning": switch.warning},
                switch,
            )
        notes.append(switch.log_note)
    return "; ".join(notes)


def _check_trial(provider_id, model_id, trial):
    if trial is not None and not trial.ok:
        raise ActivationError(
            f"Not activating {provider_id}:{model_id}: its test call failed ({trial.error}). Nothing was changed."
        )


def save(entry, capability: str, user=None, *, via: str = "admin", parameters=None) -> AIModel:
    """Save catalog ``entry`` for ``capability`` without activating it (``parameters`` as for ``activate``)."""
    fields = {**_entry_fields(entry), **_parameter_fields(entry.provider, entry.model_id, parameters)}
    return _swap(capability, entry.provider, entry.model_id, fields, user, False, via)


def reactivate(
    aimodel: AIModel, user=None, *, via: str = "admin", trial=None, note: str = "", parameters=None,
    override_requirements: bool = False, confirm_embedding_switch: bool = False,
) -> AIModel:
    """Make a saved model active again (the rollback path), keeping its stored metadata.

    The other arguments as for ``activate``; requirements are checked against the entry kept
    at activation.
    """
    slug = aimodel.provider.slug
    _check_trial(slug, aimodel.model_id, trial)
    fields = _parameter_fields(slug, aimodel.model_id, parameters)
    entry = aimodel.catalog_entry()
    note = check_activation(entry, aimodel.capability, note, override_requirements, confirm_embedding_switch)
    return _swap(aimodel.capability, slug, aimodel.model_id, fields, user, True, via, trial, note, rollback=True)


def deactivate(capability: str, user=None, *, via: str = "admin", only: AIModel | None = None) -> AIModel | None:
    """Deactivate the active model of ``capability``; return it, or None if none was active.

    ``only``: deactivate only if that saved model is still the active one (it may have been
    replaced since the caller looked), else change nothing and return None.
    """
    validate_capability(capability)
    with transaction.atomic():
        current = AIModel.objects.select_for_update().filter(capability=capability, is_active=True).first()
        if current is None or (only is not None and current.pk != only.pk):
            return None
        current.is_active = False
        current.save(update_fields=["is_active", "updated_at"])
        name = f"{current.provider.slug}:{current.model_id}"
        _log(user, current, CHANGE, history.message(history.DEACTIVATED, name, capability, via=via))
        _announce(capability, current, None, user, via)
    return current


def set_fallbacks(capability: str, chain, user=None, *, via: str = "admin") -> list:
    """Make ``chain`` (saved models of ``capability``, in order) its fallback chain; return it.

    Replaces the previous chain in one transaction. The active model may be listed (it is skipped
    while it is active). Raises ``UnknownCapability``, or ``ActivationError`` for a model of
    another capability.
    """
    validate_capability(capability)
    chain = list(chain)
    strangers = [str(row) for row in chain if row.capability != capability]
    if strangers:
        raise ActivationError(
            gettext("Not changing the %(capability)s fallbacks: %(models)s belong to another capability.")
            % {"capability": capability, "models": ", ".join(strangers)}
        )
    with transaction.atomic():
        rows = AIModel.objects.select_for_update().filter(capability=capability)
        rows.exclude(fallback_position=None).update(fallback_position=None, updated_at=timezone.now())
        for position, row in enumerate(chain, start=1):
            row.fallback_position = position
            row.save(update_fields=["fallback_position", "updated_at"])
        listed = ", ".join(f"{row.provider.slug}:{row.model_id}" for row in chain)
        for row in chain[:1]:
            name = f"{row.provider.slug}:{row.model_id}"
            _log(user, row, CHANGE, history.message(history.FALLBACKS, name, capability, via=via, replacing=listed))
        change_made()
    return chain

"""Choosing models: activate, deactivate, save, and the hot-path ``get_active_model``.

Every write runs in one ``transaction.atomic()`` block, so a failure anywhere leaves the
previous model active (and django-cachalot never keeps a stale entry).

``get_active_model`` memoizes per process against a version token kept in the configured
cache. Each activation bumps the token (at once, and again on commit), so a warm call is
one cache get and no SQL, and a change committed by another process sharing the cache is
seen on the next call.
"""

import math
import threading
import uuid

from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from . import history, requirements
from .capabilities import configured, validate_capability
from .conf import ai_settings
from .embedding_guard import embedding_switch
from .exceptions import ActivationError, EmbeddingSwitchUnconfirmed, NoActiveModel, RequirementsNotMet
from .models import AIModel, Provider

VERSION_KEY = "ai_models:active-version"

# capability -> (version token, AIModel or None); see the module docstring.
_memo: dict = {}

# Backends without partial unique indexes (MySQL, MariaDB) rely on this and on row locks.
_activation_lock = threading.Lock()


def _cache():
    return caches[ai_settings.CACHE]


def bump_version():
    """Make every process reload its active models on their next call."""
    _cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def clear_memo():
    """Forget this process's memoized active models (tests, settings changes)."""
    _memo.clear()


def current_version():
    """The active-model version token, made if the cache holds none. Changes with every change."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _load_active(capability):
    queryset = AIModel.objects.select_related("provider").filter(capability=capability, is_active=True)
    if apps.is_installed("cachalot"):
        # Our memo is the cache; a cachalot entry could predate the commit we were told about.
        from cachalot.api import cachalot_disabled

        with cachalot_disabled():
            return queryset.first()
    return queryset.first()


def get_active_model(capability: str) -> AIModel:
    """Return the active ``AIModel`` for ``capability``, with its provider loaded.

    Raises ``NoActiveModel`` (a ``LookupError``) when none is active, and
    ``UnknownCapability`` (a ``ValueError``) for a name that is not configured.
    Treat the returned instance as read-only: it is shared within the process.
    """
    version = _cache().get(VERSION_KEY)
    memo = _memo.get(capability)
    if memo is None or version is None or memo[0] != version:
        validate_capability(capability)
        version = version or current_version()
        memo = _memo[capability] = (version, _load_active(capability))
    if memo[1] is None:
        raise NoActiveModel(capability)
    return memo[1]


def _log(user, obj, flag, message):
    if user is None or not getattr(user, "pk", None):
        return
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(AIModel),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=flag,
        change_message=message,
    )


def models_changed(**kwargs):
    """Signal receiver for saves and deletes of ``AIModel`` and ``Provider``.

    Bumps now, so this process sees its own uncommitted change, and again on commit, so no
    other process can memoize the old state under the new token.
    """
    bump_version()
    transaction.on_commit(bump_version)


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
    from .providers import get_provider

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
            # The test call belongs to this activation: an activation without one clears it.
            chosen.trial_at = chosen.activated_at if trial else None
            chosen.trial_latency_ms = trial.latency_ms if trial else None
            chosen.trial_result = _storable(trial.summary)[:255] if trial else ""
        chosen.save()
        name = f"{provider.slug}:{model_id}"
        replaced = previous if activate and previous is not None and previous != chosen else None
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


def activate(entry, capability: str, user=None, *, via: str = "admin", trial=None, note: str = "",
             override_requirements: bool = False, confirm_embedding_switch: bool = False) -> AIModel:
    """Make catalog ``entry`` the active model for ``capability``; return its ``AIModel``.

    Atomic: the previous active model is deactivated in the same transaction, so on any
    failure it stays active. ``trial``: the successful ``trial.TrialResult`` of a test call
    made first, stored with the activation (its latency and result). ``note`` is added to the
    ``LogEntry`` message. The capability's requirements must be met unless
    ``override_requirements`` (logged); replacing the active model of an embedding capability
    needs ``confirm_embedding_switch`` (logged). Raises ``UnknownCapability``,
    ``RequirementsNotMet``, ``EmbeddingSwitchUnconfirmed`` or ``ActivationError`` (also for a
    failed ``trial``); nothing is changed then.
    """
    _check_trial(entry.provider, entry.model_id, trial)
    note = check_activation(entry, capability, note, override_requirements, confirm_embedding_switch)
    return _swap(capability, entry.provider, entry.model_id, _entry_fields(entry), user, True, via, trial, note)


def requirement_checks(entry, capability: str) -> list:
    """How ``entry`` stands against the requirements ``capability`` declares."""
    declared = configured().get(capability)
    return requirements.check(entry, declared.requires) if declared else []


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
                f"Not activating {entry.provider}:{entry.model_id} for {capability}: it does not meet "
                f"{'; '.join(item.message for item in unmet)}. Nothing was changed; override to activate anyway.",
                unmet,
            )
        notes.append(requirements.log_note(unmet))
    switch = embedding_switch(capability, entry.provider, entry.model_id, entry.dimensions)
    if switch is not None:
        if not confirm_embedding_switch:
            raise EmbeddingSwitchUnconfirmed(
                f"Not activating {entry.provider}:{entry.model_id} for {capability}: {switch.warning} "
                "Confirm the switch to go ahead. Nothing was changed.",
                switch,
            )
        notes.append(switch.log_note)
    return "; ".join(notes)


def _check_trial(provider_id, model_id, trial):
    if trial is not None and not trial.ok:
        raise ActivationError(
            f"Not activating {provider_id}:{model_id}: its test call failed ({trial.error}). Nothing was changed."
        )


def save(entry, capability: str, user=None, *, via: str = "admin") -> AIModel:
    """Save catalog ``entry`` for ``capability`` without activating it."""
    return _swap(capability, entry.provider, entry.model_id, _entry_fields(entry), user, False, via)


def reactivate(aimodel: AIModel, user=None, *, via: str = "admin", trial=None, note: str = "",
               override_requirements: bool = False, confirm_embedding_switch: bool = False) -> AIModel:
    """Make a saved model active again (the rollback path), keeping its stored metadata.

    The other arguments as for ``activate``; requirements are checked against the entry kept
    at activation.
    """
    from .drift import activated_entry

    _check_trial(aimodel.provider.slug, aimodel.model_id, trial)
    entry = activated_entry(aimodel)
    note = check_activation(entry, aimodel.capability, note, override_requirements, confirm_embedding_switch)
    return _swap(aimodel.capability, aimodel.provider.slug, aimodel.model_id, {}, user, True, via, trial, note,
                 rollback=True)


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
    return current

"""System checks for what a host project can get wrong. Tag: ``ai_models``."""

import re

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Warning, register

from .conf import ai_settings
from .sharedcache import PROCESS_LOCAL_CACHES

TAG = "ai_models"
CAPABILITY_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")
PROVIDER_ID = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")  # Provider.slug


@register(TAG)
def check_settings(app_configs=None, **kwargs):
    errors = []
    if ai_settings.unknown_keys:
        errors.append(
            Error(
                f"Unknown AI_MODELS keys: {', '.join(ai_settings.unknown_keys)}.",
                hint="See docs/settings.md for the keys django-ai-models reads.",
                id="ai_models.E001",
            )
        )
    capabilities = ai_settings.CAPABILITIES
    bad = [name for name in capabilities if not CAPABILITY_NAME.match(str(name))]
    if not capabilities or bad:
        errors.append(
            Error(
                "AI_MODELS['CAPABILITIES'] must name at least one capability, each lower-case "
                f"letters, digits, '_' or '-' (at most 50). Invalid: {', '.join(map(repr, bad)) or 'none given'}.",
                id="ai_models.E002",
            )
        )
    errors += _check_kinds_and_requirements()
    errors += _check_providers()
    errors += _check_unused_keys()
    errors += _check_guardrail_and_watch()
    errors += _check_freshness()
    if ai_settings.CACHE not in settings.CACHES:
        errors.append(
            Error(
                f"AI_MODELS['CACHE'] is {ai_settings.CACHE!r}, which is not an alias in CACHES.",
                id="ai_models.E004",
            )
        )
    errors += _check_cache_timeouts()
    if apps.is_installed("cachalot") and not (
        hasattr(settings, "CACHALOT_ONLY_CACHABLE_APPS") or hasattr(settings, "CACHALOT_UNCACHABLE_APPS")
    ):
        errors.append(
            Warning(
                "django-cachalot is installed without CACHALOT_ONLY_CACHABLE_APPS: it caches the queries of every "
                "app of the project (users, sessions, your own models), not only those of ai_models.",
                hint='Set CACHALOT_ONLY_CACHABLE_APPS = ["ai_models"] (and a finite CACHALOT_TIMEOUT), or list '
                "the apps it may cache; see docs/deployment.md.",
                id="ai_models.W007",
            )
        )
    return errors


@register(TAG, deploy=True)
def check_shared_caches(app_configs=None, **kwargs):
    """Process-local caches where workers need a shared one (W001, W002): deploy-only, as one
    process (runserver, a test run) is fine with them."""
    if settings.DEBUG:
        return []
    warnings, backend = [], settings.CACHES.get(ai_settings.CACHE, {}).get("BACKEND", "")
    if backend in PROCESS_LOCAL_CACHES:
        warnings.append(Warning(
            f"The AI models cache {ai_settings.CACHE!r} uses {backend.rsplit('.', 1)[-1]}, which each process keeps "
            "to itself: with several workers, each fetches and keeps its own catalogs (a refresh in one is not seen "
            "by the others), and sees an activation made in another only through a database check, at most once "
            "a second, instead of at once.",
            hint="Use a shared cache (Redis, Memcached, database) for AI_MODELS['CACHE'] in production.",
            id="ai_models.W001",
        ))
    alias = getattr(settings, "CACHALOT_CACHE", "default")
    if apps.is_installed("cachalot") and settings.CACHES.get(alias, {}).get("BACKEND") in PROCESS_LOCAL_CACHES:
        warnings.append(Warning(
            f"django-cachalot uses the process-local cache {alias!r}: its invalidations do not reach other workers, "
            "which then serve stale query results.",
            hint="Point CACHALOT_CACHE at a shared cache such as Redis.",
            id="ai_models.W002",
        ))
    return warnings


def _check_kinds_and_requirements():
    from .capabilities import KINDS
    from .requirements import problems

    errors = []
    for name, declared in ai_settings.CAPABILITY_DECLARATIONS.items():
        if declared["kind"] not in KINDS:
            given = "no kind" if declared["kind"] is None else f"kind {declared['kind']!r}"
            errors.append(
                Error(
                    f"AI_MODELS['CAPABILITIES'][{name!r}] has {given}; a capability needs one of the kinds: "
                    f"{', '.join(KINDS)}.",
                    hint=f"Example: {{{name!r}: {{'label': ..., 'kind': 'chat'}}}}. Built-in capabilities "
                    "(chat, content, image, audio, transcription, embedding, moderation, rerank, video) have theirs.",
                    id="ai_models.E012",
                )
            )
        found = problems(declared["requires"])
        if found:
            errors.append(
                Error(
                    f"AI_MODELS['CAPABILITIES'][{name!r}]['requires'] {'; '.join(found)}.",
                    hint="Example: {'input_modalities': ['image'], 'parameters': ['tools'], 'min_context': 32000, "
                    "'max_price': {'input': '5', 'output': '15'}}.",
                    id="ai_models.E013",
                )
            )
    return errors


def _check_providers():
    from .exceptions import UnknownProvider
    from .providers import get_provider

    from django.core.exceptions import ValidationError

    from .validators import validate_base_url

    errors = []
    for provider_id, options in ai_settings.PROVIDERS.items():
        if not PROVIDER_ID.match(str(provider_id)):
            errors.append(
                Error(
                    f"Provider id {provider_id!r} in AI_MODELS['PROVIDERS'] cannot be stored: use letters, digits, "
                    "'_' or '-' (at most 50).",
                    hint="The id names the provider's row in the database, e.g. 'ollama' or 'ollama-gpu'.",
                    id="ai_models.E011",
                )
            )
            continue
        try:
            validate_base_url((options or {}).get("BASE_URL", ""))
        except ValidationError as err:
            errors.append(
                Error(
                    f"AI_MODELS['PROVIDERS'][{provider_id!r}]['BASE_URL'] is not allowed: {' '.join(err.messages)}",
                    id="ai_models.E007",
                )
            )
        try:
            provider_cls = get_provider(provider_id)
        except UnknownProvider as err:
            errors.append(Error(str(err), id="ai_models.E003"))
            continue
        except ImportError as err:
            errors.append(
                Error(
                    f"Provider {provider_id!r} cannot be imported: {err}.",
                    hint="Check AI_MODELS['PROVIDER_CLASSES'].",
                    id="ai_models.E005",
                )
            )
            continue
        unknown = provider_cls.unknown_options(options or {})
        if unknown:
            errors.append(
                Error(
                    f"AI_MODELS['PROVIDERS'][{provider_id!r}] has options the provider does not read: "
                    f"{', '.join(unknown)}.",
                    hint=f"Known options: {', '.join(sorted(provider_cls.default_options)) or 'none'} "
                    "besides API_KEY, API_KEY_ENV and BASE_URL.",
                    id="ai_models.E008",
                )
            )
    if ai_settings.ENCRYPTION_KEYS:
        from .crypto import _fernet
        from .exceptions import EncryptionError

        try:
            _fernet()
        except EncryptionError as err:
            errors.append(Error(str(err), id="ai_models.E006"))
    return errors


# Redis cache backends -> the OPTIONS keys of their socket timeouts.
REDIS_TIMEOUT_OPTIONS = {
    "django_redis.cache.RedisCache": ("SOCKET_CONNECT_TIMEOUT", "SOCKET_TIMEOUT"),
    "django.core.cache.backends.redis.RedisCache": ("socket_connect_timeout", "socket_timeout"),
}
SHORT_TIMEOUT = 2.0  # seconds: longer, and a frozen Redis holds a request that long


def _check_cache_timeouts():
    """The AI models cache on Redis without short socket timeouts (W008)."""
    config = settings.CACHES.get(ai_settings.CACHE, {})
    names = REDIS_TIMEOUT_OPTIONS.get(config.get("BACKEND", ""))
    if settings.DEBUG or names is None:
        return []
    options = config.get("OPTIONS") or {}
    missing = [name for name in names if not isinstance(options.get(name), (int, float)) or options[name] > SHORT_TIMEOUT]
    if not missing:
        return []
    return [
        Warning(
            f"The AI models cache {ai_settings.CACHE!r} is a Redis without short socket timeouts "
            f"({', '.join(missing)}): if Redis freezes, each call that tries it waits that long (without a "
            "timeout, forever) before get_active_model answers from the memo and the database.",
            hint=f"Set CACHES[{ai_settings.CACHE!r}]['OPTIONS'] = {{{', '.join(f'{name!r}: 0.5' for name in names)}}}; "
            "see docs/deployment.md.",
            id="ai_models.W008",
        )
    ]


def _check_unused_keys():
    """A provider key set in the environment for a provider that is not switched on (W005)."""
    import os

    from .exceptions import UnknownProvider
    from .providers import get_provider, provider_paths

    warnings = []
    for provider_id in provider_paths():
        if provider_id in ai_settings.PROVIDERS:
            continue
        try:
            variable = get_provider(provider_id).api_key_env
        except (UnknownProvider, ImportError):
            continue
        if variable and os.environ.get(variable) and not _switched_on_in_the_admin(provider_id):
            warnings.append(
                Warning(
                    f"{variable} is set, but the provider {provider_id!r} is not switched on, so its key is not used "
                    "and its models are not listed.",
                    hint=f"Add {provider_id!r}: {{}} to AI_MODELS['PROVIDERS'], or add the provider in the admin "
                    "(AI models › Providers › Add).",
                    id="ai_models.W005",
                )
            )
    return warnings


def _switched_on_in_the_admin(provider_id) -> bool:
    from django.db import DatabaseError

    from .models import Provider

    try:
        return Provider.objects.filter(slug=provider_id, is_active=True).exists()
    except DatabaseError:  # not migrated yet: `migrate` runs the checks first
        return False


@register(TAG, deploy=True)
def check_demo_provider(app_configs=None, **kwargs):
    """The offline snapshot provider switched on in production (``check --deploy``, W006)."""
    from .exceptions import UnknownProvider
    from .providers import get_provider
    from .providers.snapshot import SnapshotProvider

    if settings.DEBUG:
        return []
    demo = []
    for provider_id in ai_settings.PROVIDERS:
        try:
            if issubclass(get_provider(provider_id), SnapshotProvider):
                demo.append(provider_id)
        except (UnknownProvider, ImportError):
            continue
    return [
        Warning(
            f"The provider {provider_id!r} is the offline demo snapshot: its catalog is a bundled file and its "
            "models answer with demo output, not a real model's. Staff can activate them in production.",
            hint="Remove it from AI_MODELS['PROVIDERS'] (the default lists only it) and list your real providers, "
            "e.g. {'openrouter': {}, 'openai': {}}.",
            id="ai_models.W006",
        )
        for provider_id in demo
    ]


def _check_guardrail_and_watch():
    from .activation.ceilings import parse_ceilings

    errors = []
    _ceilings, problems = parse_ceilings(ai_settings._get("PRICE_CEILINGS") or {}, ai_settings.CAPABILITIES)
    if problems:
        errors.append(
            Error(
                f"AI_MODELS['PRICE_CEILINGS'] {'; '.join(problems)}.",
                hint="Example: {'chat': {'input': '5', 'output': '15'}} (USD per 1M tokens).",
                id="ai_models.E009",
            )
        )
    days, timeout = ai_settings._get("DRIFT_EXPIRY_DAYS"), ai_settings._get("TRIAL_TIMEOUT")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        errors.append(
            Error(f"AI_MODELS['DRIFT_EXPIRY_DAYS'] is {days!r}; it must be a whole number of days, 0 or more.",
                  id="ai_models.E010")
        )
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        errors.append(
            Error(f"AI_MODELS['TRIAL_TIMEOUT'] is {timeout!r}; it must be a number of seconds above 0.",
                  id="ai_models.E010")
        )
    return errors


def _check_freshness():
    """``ACTIVE_MODEL_RECHECK`` and ``ACTIVE_MODEL_MAX_STALENESS``: seconds, 0 or more, the bound no
    shorter than the recheck (E015)."""
    values = {name: ai_settings._get(name) for name in ("ACTIVE_MODEL_RECHECK", "ACTIVE_MODEL_MAX_STALENESS")}
    bad = [
        f"AI_MODELS['{name}'] is {value!r}; it must be a number of seconds, 0 or more"
        for name, value in values.items()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0
    ]
    if not bad and values["ACTIVE_MODEL_MAX_STALENESS"] < values["ACTIVE_MODEL_RECHECK"]:
        bad.append(
            f"AI_MODELS['ACTIVE_MODEL_MAX_STALENESS'] ({values['ACTIVE_MODEL_MAX_STALENESS']!r}) is shorter than "
            f"AI_MODELS['ACTIVE_MODEL_RECHECK'] ({values['ACTIVE_MODEL_RECHECK']!r}); the database's version would "
            "be checked no more often than the cache's"
        )
    hint = "Defaults: 1 and 5. See docs/settings.md (how fresh get_active_model's answer is)."
    return [Error(f"{problem}.", hint=hint, id="ai_models.E015") for problem in bad]


# Django passes the same ``databases`` list to every check of one run and runs deployment
# checks last, so the deploy variant can tell when the database variant has just reported.
_reported_for = None


@register(TAG, "database")
def check_drift(app_configs=None, databases=None, **kwargs):
    """Active models that drifted from the live catalog (``check --tag ai_models`` or ``--database``)."""
    global _reported_for
    if not databases:
        return []
    _reported_for = databases
    return _drift_warnings(databases)


@register(TAG, deploy=True)
def check_drift_on_deploy(app_configs=None, databases=None, **kwargs):
    """The same on ``check --deploy``, unless ``check_drift`` ran in this run already."""
    global _reported_for
    from django.db import DEFAULT_DB_ALIAS

    reported, _reported_for = _reported_for, None
    if databases is not None and databases is reported:
        return []
    return _drift_warnings(databases or [DEFAULT_DB_ALIAS])


def _drift_warnings(databases):
    """One ``ai_models.W004`` per flagged active model. Reads the catalog cache only, never fetches."""
    from django.db import DatabaseError, connections

    from .drift import active_drift
    from .models import AIModel

    warnings = []
    for database in databases:
        try:  # not migrated yet (`migrate` checks first): no cache read, its table may come later
            if AIModel._meta.db_table not in connections[database].introspection.table_names():
                continue
            drifts = active_drift(using=database)
        except DatabaseError:  # unreachable
            continue
        except (TypeError, ValueError):  # DRIFT_EXPIRY_DAYS is not a number: E010 says so
            return []
        for drift in drifts:
            if not drift.flags:
                continue
            row = drift.model
            role = f"{row.capability!r} fallback" if drift.is_fallback else f"active {row.capability!r} model"
            warnings.append(Warning(
                f"The {role} {row.provider.slug}:{row.model_id} has drifted from its provider's catalog: {drift.summary}.",
                hint="Choose another model in the admin (AI models › Catalog models), or activate this one again to "
                "accept the change. `manage.py ai_models watch` fetches the catalogs and reports the same.",
                obj=row,
                id="ai_models.W004",
            ))
    return warnings


@register(TAG, "database")
def check_stored_rows(app_configs=None, databases=None, **kwargs):
    """Saved rows whose capability is no longer configured (runs with ``check --database``)."""
    if not databases:
        return []
    from django.db import DatabaseError

    from .models import AIModel

    configured = set(ai_settings.CAPABILITIES)
    errors = []
    for database in databases:
        try:
            stale = list(
                AIModel.objects.using(database)
                .exclude(capability__in=configured)
                .values_list("capability", flat=True)
                .distinct()
            )
        except DatabaseError:  # not migrated yet: `migrate` runs the checks first
            continue
        for capability in stale:
            errors.append(
                Warning(
                    f"Saved AI models use capability {capability!r}, which AI_MODELS['CAPABILITIES'] does not list: "
                    "get_active_model() cannot return them.",
                    hint="Add the capability back to the settings, or delete those saved models.",
                    id="ai_models.W003",
                )
            )
    return errors

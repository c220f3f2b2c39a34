"""Provider registry: which backend class serves a provider id, and which providers are on.

Built-in providers are listed by dotted path in ``BUILTIN_PROVIDERS``; a host adds its
own with ``AI_MODELS["PROVIDER_CLASSES"] = {"myco": "myco.ai.MyProvider"}``. The registry
never reads the database: callers pass the ``Provider`` row, so ``models`` may import it and
not the other way round.
"""

import os
from functools import lru_cache

from django.utils.module_loading import import_string

from ..conf import ai_settings
from ..exceptions import EncryptionError, ProviderError, UnknownProvider
from .base import BaseProvider

BUILTIN_PROVIDERS = {
    "openrouter": "ai_models.providers.openrouter.OpenRouterProvider",
    "openai": "ai_models.providers.openai.OpenAIProvider",
    "groq": "ai_models.providers.groq.GroqProvider",
    "deepseek": "ai_models.providers.deepseek.DeepSeekProvider",
    "gemini": "ai_models.providers.gemini.GeminiProvider",
    "huggingface": "ai_models.providers.huggingface.HuggingFaceProvider",
    "snapshot": "ai_models.providers.snapshot.SnapshotProvider",
}


def provider_paths() -> dict[str, str]:
    """Provider id -> dotted path, built-ins first, then the host's own."""
    return {**BUILTIN_PROVIDERS, **ai_settings.PROVIDER_CLASSES}


@lru_cache(maxsize=None)
def _import(path):
    return import_string(path)


def get_provider(provider_id: str):
    """Return the provider class registered under ``provider_id``.

    Raises ``UnknownProvider`` (a ``LookupError``) listing the known ids.
    """
    paths = provider_paths()
    try:
        path = paths[provider_id]
    except KeyError:
        raise UnknownProvider(
            f"Unknown provider {provider_id!r}. Known providers: {', '.join(sorted(paths))} "
            "(add your own with AI_MODELS['PROVIDER_CLASSES'])."
        ) from None
    return _import(path)


def resolve_api_key(provider_cls, options: dict, row=None) -> tuple[str, str]:
    """Return ``(key, source)``: the environment first, then settings, then the database.

    ``source`` is ``"environment"``, ``"settings"``, ``"database"`` or ``""`` when no key is set.
    """
    env_name = options.get("API_KEY_ENV", provider_cls.api_key_env)
    if env_name and os.environ.get(env_name):
        return os.environ[env_name], "environment"
    if options.get("API_KEY"):
        return options["API_KEY"], "settings"
    if row is not None and row.has_stored_key:
        return row.api_key, "database"
    return "", ""


def build_provider(provider_id: str, row=None):
    """An instance of the provider backend with its key, base URL and options resolved."""
    cls = get_provider(provider_id)
    options = dict(ai_settings.PROVIDERS.get(provider_id) or {})
    try:
        api_key, key_source = resolve_api_key(cls, options, row)
        key_error = ""
    except EncryptionError as err:
        api_key, key_source, key_error = "", "database", str(err)
    settings_base_url = options.pop("BASE_URL", "")
    options.pop("API_KEY", None)
    api_key_env = options.pop("API_KEY_ENV", cls.api_key_env)
    base_url = (row.base_url if row is not None else "") or settings_base_url
    backend = cls(api_key=api_key, key_source=key_source, base_url=base_url, options=options, key_error=key_error)
    backend.api_key_env = api_key_env  # messages name the variable actually read
    return backend


class UnloadableProvider(BaseProvider):
    """Stands in for a provider whose class is not registered or does not import.

    Its fetch fails with the reason, so that provider shows as failed while the others list.
    """

    requires_key = False

    def __init__(self, provider_id: str, reason: str):
        super().__init__()
        self.id = self.name = provider_id
        self.reason = reason

    def fetch_catalog(self):
        raise ProviderError(self.id, self.reason)


def _build_or_stand_in(provider_id, row):
    try:
        return build_provider(provider_id, row)
    except (UnknownProvider, ImportError) as err:
        return UnloadableProvider(provider_id, str(err))


def backends_in_use(rows: dict, only=None) -> list:
    """Backend instances of the providers in use, in settings order, then the database's.

    ``rows``: slug -> ``Provider`` row, as stored (``Provider.objects.backends`` passes them;
    this module never reads the database). A provider is in use when it is listed in
    ``AI_MODELS["PROVIDERS"]`` or has an active row, and no inactive row switches it off. A
    provider whose class cannot be loaded is an ``UnloadableProvider``, failing alone.
    """
    ids = list(ai_settings.PROVIDERS)
    ids += [slug for slug, row in rows.items() if row.is_active and slug not in ids]
    if only is not None:
        ids = [provider_id for provider_id in ids if provider_id in set(only)]
    return [
        _build_or_stand_in(provider_id, rows.get(provider_id))
        for provider_id in ids
        if rows.get(provider_id) is None or rows[provider_id].is_active
    ]

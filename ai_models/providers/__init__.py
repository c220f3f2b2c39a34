"""Provider registry: which backend class serves a provider id, and which providers are on.

Built-in providers are listed by dotted path in ``BUILTIN_PROVIDERS``; a host adds its
own with ``AI_MODELS["PROVIDER_CLASSES"] = {"myco": "myco.ai.MyProvider"}``. A provider id
maps to a class plus options: ``AI_MODELS["PROVIDERS"][id]["CLASS"]`` names the class (a
built-in or host id, ``openai_compatible``, a preset of ``presets.py``, or a dotted path;
default: the id itself) and ``NAME`` its display name, so one class serves several ids. The
registry never reads the database: callers pass the ``Provider`` row, so ``models`` may
import it and not the other way round.
"""

import os
from functools import lru_cache

from django.utils.module_loading import import_string
from django.utils.translation import gettext

from ..conf import ai_settings
from ..exceptions import EncryptionError, ProviderError, StoredKeyWithheld, UnknownProvider
from .base import BaseProvider
from .presets import GENERIC, PRESETS

BUILTIN_PROVIDERS = {
    "openrouter": "ai_models.providers.openrouter.OpenRouterProvider",
    "openai": "ai_models.providers.openai.OpenAIProvider",
    "groq": "ai_models.providers.groq.GroqProvider",
    "deepseek": "ai_models.providers.deepseek.DeepSeekProvider",
    "gemini": "ai_models.providers.gemini.GeminiProvider",
    "huggingface": "ai_models.providers.huggingface.HuggingFaceProvider",
    "snapshot": "ai_models.providers.snapshot.SnapshotProvider",
    "mistral": "ai_models.providers.mistral.MistralProvider",
    "anthropic": "ai_models.providers.anthropic.AnthropicProvider",
}
# Named by CLASS only: the generic class has no server of its own until given a BASE_URL.
CLASS_PATHS = {GENERIC: "ai_models.providers.openai_compatible.OpenAICompatibleServer"}


def _class_paths() -> dict[str, str]:
    return {**CLASS_PATHS, **BUILTIN_PROVIDERS, **ai_settings.PROVIDER_CLASSES}


def provider_options(provider_id: str) -> dict:
    """The options of ``provider_id``: its preset's (when its CLASS or id names one), then its settings'."""
    options = dict(ai_settings.PROVIDERS.get(provider_id) or {})
    preset_id = options.get("CLASS", provider_id)
    preset = PRESETS.get(preset_id) if preset_id not in _class_paths() else None
    if not preset:
        return options
    defaults = {**preset, "CLASS": GENERIC}
    if preset_id != provider_id:  # a second instance of a preset: tell the two apart
        defaults["NAME"] = f"{preset['NAME']} ({provider_id})"
    return {**defaults, **{name: value for name, value in options.items() if name != "CLASS"}}


def _class_path(provider_id: str, options: dict) -> str:
    """Dotted path of the class serving ``provider_id``. Raises ``UnknownProvider``."""
    paths = _class_paths()
    name = options.get("CLASS", provider_id)
    if name in paths:
        return paths[name]
    if "CLASS" in options and "." in str(name):
        return name
    if "CLASS" in options:
        classes = ", ".join(sorted({*paths, *PRESETS}))
        raise UnknownProvider(
            f"Unknown provider class {name!r} for provider {provider_id!r}. Classes: {classes}, or a dotted path."
        )
    instances = [other for other, given in ai_settings.PROVIDERS.items() if isinstance(given, dict) and "CLASS" in given]
    known = ", ".join(sorted({*BUILTIN_PROVIDERS, *ai_settings.PROVIDER_CLASSES, *PRESETS, *instances}))
    raise UnknownProvider(
        f"Unknown provider {provider_id!r}. Known providers: {known} (add your own with "
        "AI_MODELS['PROVIDER_CLASSES'], or name its CLASS in AI_MODELS['PROVIDERS'])."
    )


def provider_paths() -> dict[str, str]:
    """Provider id -> dotted path of its class: built-ins, the host's own, the presets, then the
    other ids of ``AI_MODELS["PROVIDERS"]`` (instances) whose class resolves."""
    paths = {**BUILTIN_PROVIDERS, **ai_settings.PROVIDER_CLASSES}
    for provider_id in [*PRESETS, *ai_settings.PROVIDERS]:
        if provider_id not in paths:
            try:
                paths[provider_id] = _class_path(provider_id, provider_options(provider_id))
            except UnknownProvider:
                continue
    return paths


@lru_cache(maxsize=None)
def _import(path):
    return import_string(path)


def get_provider(provider_id: str):
    """Return the provider class serving ``provider_id`` (under that id and its ``NAME``).

    Raises ``UnknownProvider`` (a ``LookupError``) listing the known ids, or ``ImportError``.
    """
    options = provider_options(provider_id)
    return _import(_class_path(provider_id, options)).serving(provider_id, str(options.get("NAME") or ""))


def resolve_api_key(provider_cls, options: dict, row=None, *, admin_url: bool = False) -> tuple[str, str]:
    """Return ``(key, source)``: the environment first, then settings, then the database.

    ``admin_url``: the row's base URL, set in the admin, is in force: a key from the
    environment or settings is then never used (it goes only to the provider's own URL or
    the one in settings), only a key stored with the row.
    ``source`` is ``"environment"``, ``"settings"``, ``"database"`` or ``""`` when no key is set.
    """
    if not admin_url:
        key, source, _where = _configured_key(provider_cls, options)
        if key:
            return key, source
    if row is not None and row.has_stored_key:
        return row.api_key, "database"
    return "", ""


def _configured_key(provider_cls, options: dict) -> tuple[str, str, str]:
    """``(key, source, where)`` of a key given outside the database, or empty strings."""
    env_name = options.get("API_KEY_ENV", provider_cls.api_key_env)
    if env_name and os.environ.get(env_name):
        return os.environ[env_name], "environment", env_name
    if options.get("API_KEY"):
        return options["API_KEY"], "settings", "AI_MODELS['PROVIDERS']"
    return "", "", ""


def _withheld_key_error(provider_cls, options: dict, base_url: str) -> str:
    """Why the environment's or settings' key is not sent to a base URL set in the admin, or ``""``."""
    _key, _source, where = _configured_key(provider_cls, options)
    if not where:
        return ""
    return gettext(
        "the key in %(source)s is sent only to the provider's own URL or the BASE_URL in settings, never to "
        "the base URL set in the admin (%(url)s): store a key for that URL in the admin, or move the URL to settings"
    ) % {"source": where, "url": base_url}


def _same_url(one: str, other: str) -> bool:
    return one.rstrip("/") == other.rstrip("/")


def build_provider(provider_id: str, row=None):
    """An instance of the provider backend with its key, base URL and options resolved."""
    cls = get_provider(provider_id)
    options = provider_options(provider_id)
    settings_base_url = options.get("BASE_URL", "")
    row_base_url = row.base_url if row is not None else ""
    # A base URL typed in the admin that settings did not name: keys from outside the
    # database must not follow it (a staff user could point it at a host of their own).
    admin_url = bool(row_base_url) and not _same_url(row_base_url, settings_base_url or cls.default_base_url)
    try:
        api_key, key_source = resolve_api_key(cls, options, row, admin_url=admin_url)
        key_error = ""
    except (EncryptionError, StoredKeyWithheld) as err:
        api_key, key_source, key_error = "", "database", str(err)
    if admin_url and not api_key and not key_error:
        key_error = _withheld_key_error(cls, options, row_base_url)
    for name in ("BASE_URL", "API_KEY", "CLASS", "NAME"):
        options.pop(name, None)
    api_key_env = options.pop("API_KEY_ENV", cls.api_key_env)
    base_url = row_base_url or settings_base_url
    backend = cls(api_key=api_key, key_source=key_source, base_url=base_url, options=options, key_error=key_error)
    backend.api_key_env = api_key_env  # messages name the variable actually read
    if row is not None and row.name:
        backend.name = row.name  # the name staff gave it, which Saved models show too
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

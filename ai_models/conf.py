"""Settings for django-ai-models, read lazily from ``settings.AI_MODELS``.

Every property reads Django settings on access, so ``override_settings`` works in
tests. A key that is not listed here is an error (see ``checks.py``), so a typo is
never a silent no-op.
"""

from decimal import Decimal

from django.conf import settings as django_settings
from django.utils.translation import gettext_lazy as _

# The capabilities this app knows by name: a label and a kind (the call a model answers,
# see ``ai_models.capabilities.KINDS``). Any of them is switched on by naming it.
BUILTIN_CAPABILITIES = {
    "chat": {"label": _("Chat"), "kind": "chat"},
    "content": {"label": _("Content"), "kind": "chat"},
    "image": {"label": _("Image"), "kind": "image"},
    "audio": {"label": _("Audio"), "kind": "speech"},
    "transcription": {"label": _("Transcription"), "kind": "transcription"},
    "embedding": {"label": _("Embedding"), "kind": "embedding"},
    "moderation": {"label": _("Moderation"), "kind": "moderation"},
    "rerank": {"label": _("Rerank"), "kind": "rerank"},
    "video": {"label": _("Video"), "kind": "video"},
}
DEFAULT_CAPABILITIES = {name: BUILTIN_CAPABILITIES[name]["label"] for name in ("chat", "content", "image", "audio")}

DEFAULTS = {
    "CAPABILITIES": DEFAULT_CAPABILITIES,
    "CACHE": "default",
    "CATALOG_TTL": 6 * 60 * 60,
    "STALE_TTL": 30 * 24 * 60 * 60,
    "CONNECT_TIMEOUT": 5.0,
    "READ_TIMEOUT": 30.0,
    "MAX_RETRIES": 2,
    "MAX_RETRY_WAIT": 10.0,
    "MAX_RESPONSE_BYTES": 20 * 1024 * 1024,
    "PROVIDERS": {"snapshot": {}},
    "PROVIDER_CLASSES": {},
    "ENCRYPTION_KEYS": [],
    "ALLOWED_HTTP_HOSTS": [],
    "PRICE_CEILINGS": {},
    "DRIFT_EXPIRY_DAYS": 30,
    "TRIAL_TIMEOUT": 15.0,
    "ACTIVE_MODEL_RECHECK": 1.0,
    "ACTIVE_MODEL_MAX_STALENESS": 5.0,
    "FACTS_SOURCES": ["models.dev", "litellm"],
    "FACTS_CONFLICT_THRESHOLD": "0.10",
    "FACTS_REFRESH": {},
    "FACTS_MAX_AGE_DAYS": 365,
    "USAGE_FLUSH_INTERVAL": 10.0,
    "USAGE_RETENTION_MONTHS": 13,
    "BUDGET_RECHECK": 1.0,
}


class AIModelsSettings:
    """One lazily read property per ``AI_MODELS`` key, with its default."""

    @property
    def _user(self) -> dict:
        return getattr(django_settings, "AI_MODELS", None) or {}

    def _get(self, name):
        return self._user.get(name, DEFAULTS[name])

    @property
    def unknown_keys(self) -> list[str]:
        """Keys in ``AI_MODELS`` this app does not know (reported by a check)."""
        return sorted(set(self._user) - set(DEFAULTS))

    @property
    def CAPABILITIES(self) -> dict:
        """Capability name -> label (see ``CAPABILITY_DECLARATIONS`` for kinds and requirements)."""
        return {name: declared["label"] for name, declared in self.CAPABILITY_DECLARATIONS.items()}

    @property
    def CAPABILITY_DECLARATIONS(self) -> dict:
        """Capability name -> ``{"label", "kind", "requires"}``, built-in defaults filled in.

        ``AI_MODELS["CAPABILITIES"]`` maps a name to a label or to such a dict; a list of names
        is accepted too. ``kind`` is ``None`` when neither the setting nor a built-in gives one
        (check E012 reports it).
        """
        value = self._get("CAPABILITIES")
        items = value.items() if isinstance(value, dict) else ((name, None) for name in value)
        declarations = {}
        for name, declared in items:
            builtin = BUILTIN_CAPABILITIES.get(name, {})
            declared = declared if isinstance(declared, dict) else {"label": declared} if declared else {}
            label = declared.get("label") or builtin.get("label") or str(name).replace("_", " ").title()
            requires = declared.get("requires")
            declarations[name] = {
                "label": label,
                "kind": declared.get("kind", builtin.get("kind")),
                "requires": requires if requires is not None else {},
            }
        return declarations

    @property
    def CACHE(self) -> str:
        """Alias in ``CACHES`` holding the catalog and the active-model version."""
        return self._get("CACHE")

    @property
    def CATALOG_TTL(self) -> int:
        """Seconds a fetched catalog counts as fresh (default 6 hours)."""
        return int(self._get("CATALOG_TTL"))

    @property
    def STALE_TTL(self) -> int:
        """Seconds the last good catalog is kept to serve when a refresh fails (default 30 days)."""
        return int(self._get("STALE_TTL"))

    @property
    def CONNECT_TIMEOUT(self) -> float:
        """Seconds to wait for a provider connection."""
        return float(self._get("CONNECT_TIMEOUT"))

    @property
    def READ_TIMEOUT(self) -> float:
        """Seconds to wait for a provider response."""
        return float(self._get("READ_TIMEOUT"))

    @property
    def MAX_RETRIES(self) -> int:
        """Retries on 429 and 5xx answers (bounded backoff, honouring ``Retry-After``)."""
        return int(self._get("MAX_RETRIES"))

    @property
    def MAX_RETRY_WAIT(self) -> float:
        """Longest wait between retries, whatever ``Retry-After`` asks for."""
        return float(self._get("MAX_RETRY_WAIT"))

    @property
    def MAX_RESPONSE_BYTES(self) -> int:
        """Largest provider response body read before giving up."""
        return int(self._get("MAX_RESPONSE_BYTES"))

    @property
    def PROVIDERS(self) -> dict:
        """Provider id -> options (``API_KEY``, ``BASE_URL``, provider specific keys).

        Listed providers are enabled unless a ``Provider`` row switches them off.
        """
        return dict(self._get("PROVIDERS"))

    @property
    def PROVIDER_CLASSES(self) -> dict:
        """Extra provider id -> dotted path of its class, beside the built-ins."""
        return dict(self._get("PROVIDER_CLASSES"))

    @property
    def ENCRYPTION_KEYS(self) -> list[str]:
        """Fernet keys for API keys stored in the database; the first encrypts, all decrypt."""
        return list(self._get("ENCRYPTION_KEYS"))

    @property
    def ALLOWED_HTTP_HOSTS(self) -> list[str]:
        """Hosts a base URL override may reach over plain http (a local server, say)."""
        return list(self._get("ALLOWED_HTTP_HOSTS"))

    @property
    def PRICE_CEILINGS(self) -> dict:
        """Capability -> {"input": price, "output": price}: USD per 1M tokens above which an
        activation needs a confirmation and the ``activate_above_ceiling`` permission.

        Values as given (strings, numbers); ``ai_models.activation.ceilings`` parses them as ``Decimal``
        and a check (E009) reports the ones it cannot.
        """
        value = self._get("PRICE_CEILINGS")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def DRIFT_EXPIRY_DAYS(self) -> int:
        """Days ahead in which an active model's expiry or deprecation date is flagged (default 30)."""
        return int(self._get("DRIFT_EXPIRY_DAYS"))

    @property
    def TRIAL_TIMEOUT(self) -> float:
        """Seconds the test call of "Test and activate" may take in all (default 15)."""
        return float(self._get("TRIAL_TIMEOUT"))

    @property
    def ACTIVE_MODEL_RECHECK(self) -> float:
        """Seconds ``get_active_model`` answers from what its process read last before it checks the
        shared cache's version again (default 1; 0: on every call). With a process-local or failing
        cache, the database's version is checked instead."""
        return float(self._get("ACTIVE_MODEL_RECHECK"))

    @property
    def ACTIVE_MODEL_MAX_STALENESS(self) -> float:
        """Seconds at most before ``get_active_model`` checks the version kept in the database, whatever
        the cache says (default 5): a committed change reaches every process within this bound."""
        return float(self._get("ACTIVE_MODEL_MAX_STALENESS"))

    @property
    def FACTS_SOURCES(self) -> list[str]:
        """The model-facts datasets that complete what providers omit, in merge order
        ("models.dev", "litellm"); ``[]`` switches completion off."""
        value = self._get("FACTS_SOURCES")
        return [str(name) for name in value] if isinstance(value, (list, tuple)) else []

    @property
    def FACTS_CONFLICT_THRESHOLD(self) -> Decimal:
        """How far (a share of the larger, default 0.10) a dataset's price or context window may
        stray from the provider's before the gap is flagged."""
        try:
            return Decimal(str(self._get("FACTS_CONFLICT_THRESHOLD")))
        except (ArithmeticError, ValueError):
            return Decimal(DEFAULTS["FACTS_CONFLICT_THRESHOLD"])

    @property
    def FACTS_REFRESH(self) -> dict:
        """Dataset name -> upstream URL to refresh it from (``ai_models facts --refresh``, on the
        host's schedule); empty (the default): the datasets the packages ship, never the network."""
        value = self._get("FACTS_REFRESH")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def FACTS_MAX_AGE_DAYS(self) -> int:
        """Days after which a dataset in use is reported as old by check W009 (default 365)."""
        return int(self._get("FACTS_MAX_AGE_DAYS"))

    @property
    def USAGE_FLUSH_INTERVAL(self) -> float:
        """Seconds between flushes of each process's usage counters (default 10; 0: only at exit
        and when a usage page asks). A crash loses at most this much of one process's counts."""
        return float(self._get("USAGE_FLUSH_INTERVAL"))

    @property
    def USAGE_RETENTION_MONTHS(self) -> int:
        """Months of usage kept; ``ai_models usage prune`` deletes older aggregates (default 13)."""
        return int(self._get("USAGE_RETENTION_MONTHS"))

    @property
    def BUDGET_RECHECK(self) -> float:
        """Seconds between reads of budgets and this month's spend from the database (default 1):
        between them a budget check runs no SQL."""
        return float(self._get("BUDGET_RECHECK"))


ai_settings = AIModelsSettings()

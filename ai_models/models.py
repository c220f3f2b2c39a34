"""Database models: the providers in use and the few models chosen from their catalogs."""

import secrets
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from . import crypto
from .capabilities import capability_label
from .exceptions import StoredKeyWithheld
from .parameters import validate_parameters
from .providers import backends_in_use, build_provider
from .providers.base import CatalogModel
from .usage.meter import Meter
from .validators import validate_base_url
from .visible import visible


class ProviderManager(models.Manager):
    def backends(self, only=None) -> list:
        """Backend instances of the providers in use (see ``providers.backends_in_use``), in one query."""
        return backends_in_use({row.slug: row for row in self.all()}, only)


class Provider(models.Model):
    """A provider the site uses, with an optional base URL override and stored API key."""

    slug = models.SlugField(
        _("provider id"),
        max_length=50,
        unique=True,
        help_text=_("Registry id of the provider backend, e.g. openrouter, openai, groq."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    base_url = models.URLField(
        _("base URL override"),
        max_length=500,
        blank=True,
        validators=[validate_base_url],
        help_text=_("Leave empty for the provider's own API. https only, unless the host is allowed in settings."),
    )
    api_key_encrypted = models.TextField(_("API key (encrypted)"), blank=True, editable=False)
    api_key_last4 = models.CharField(max_length=4, blank=True, editable=False)
    # The stored key's binding to the provider and base URL it was entered for (``crypto.bind``):
    # checked on every read, so a URL changed outside ``save()`` (``QuerySet.update()``, ``loaddata``)
    # gets no key.
    api_key_binding = models.TextField(_("API key binding (encrypted)"), blank=True, editable=False)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive providers are left out of the catalog.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProviderManager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self):
        return self.name or self.slug

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._key_base_url = self.__dict__.get("base_url")  # where the stored key may be sent

    def save(self, *args, **kwargs):
        """Save; a stored key not entered again with a changed base URL is cleared, a key entered
        is bound to the base URL saved with it.

        A key is sent only to the base URL it was stored with: whoever can change the URL
        must not be able to have the key sent to a host of their choosing.
        """
        key_fields = ("api_key_encrypted", "api_key_last4", "api_key_binding")
        moved = not self._state.adding and self.base_url != getattr(self, "_key_base_url", self.base_url)
        entered = getattr(self, "_key_entered", False)
        if moved and self.has_stored_key and not entered:
            self.api_key_encrypted, self.api_key_last4, self.api_key_binding = "", "", ""
        elif entered and self.has_stored_key:  # the URL may have been set after the key
            self.api_key_binding = crypto.bind(crypto.decrypt(self.api_key_encrypted), self.slug, self.base_url)
        if (moved or entered) and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *key_fields}
        super().save(*args, **kwargs)
        self._key_base_url, self._key_entered = self.base_url, False

    @property
    def api_key(self) -> str:
        """The stored key, decrypted ("" when none is stored).

        Raises ``EncryptionError`` (it cannot be decrypted) or ``StoredKeyWithheld`` (the base URL
        is not the one it was entered for)."""
        if not self.api_key_encrypted:
            return ""
        key = crypto.decrypt(self.api_key_encrypted)
        if not crypto.is_bound(self.api_key_binding, key, self.slug, self.base_url):
            raise StoredKeyWithheld(
                gettext(
                    "the stored API key is not sent: it was entered for another provider or base URL than "
                    "%(provider)s at %(url)s, changed outside the admin's form (or the key was stored by an older "
                    "release); enter the key again in the admin"
                )
                % {"provider": self.slug, "url": self.base_url or gettext("the provider's own URL")}
            )
        return key

    @api_key.setter
    @sensitive_variables("value")
    def api_key(self, value: str):
        value = (value or "").strip()
        self._key_entered = True
        self.api_key_encrypted = crypto.encrypt(value) if value else ""
        self.api_key_last4 = value[-4:] if len(value) >= 12 else ""
        self.api_key_binding = crypto.bind(value, self.slug, self.base_url) if value else ""

    @property
    def has_stored_key(self) -> bool:
        return bool(self.api_key_encrypted)


class AIModelQuerySet(models.QuerySet):
    def in_use(self):
        """The models that may be called: the active ones and their fallbacks."""
        return self.exclude(is_active=False, fallback_position=None)


class AIModel(models.Model):
    """A catalog model saved for one capability; at most one is active per capability."""

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="ai_models", verbose_name=_("provider")
    )
    model_id = models.CharField(_("model id"), max_length=255)
    capability = models.CharField(_("capability"), max_length=50, db_index=True)
    display_name = models.CharField(_("name"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    context_window = models.PositiveIntegerField(_("context window"), null=True, blank=True)
    input_price = models.DecimalField(
        _("input price / 1M tokens (USD)"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    output_price = models.DecimalField(
        _("output price / 1M tokens (USD)"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    metadata = models.JSONField(
        _("catalog entry at activation"), default=dict, blank=True, editable=False
    )
    is_active = models.BooleanField(_("active"), default=False)
    parameters = models.JSONField(
        _("call parameters"),
        default=dict,
        blank=True,
        validators=[validate_parameters],
        help_text=_(
            'Defaults sent with every call of this model, e.g. {"temperature": 0.2, "max_tokens": 800, '
            '"system_prompt": "Answer briefly."}. Known: temperature, top_p, max_tokens, system_prompt, stop, '
            "seed, frequency_penalty, presence_penalty, image_size, image_quality, image_style, voice, speed, "
            "audio_format, dimensions, extra."
        ),
    )
    fallback_position = models.PositiveSmallIntegerField(
        _("fallback position"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty unless this model should stand in when the active model of its capability fails: "
            "1 is tried first, then 2..."
        ),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True, editable=False)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("activated by"),
    )
    activated_via = models.CharField(_("activated via"), max_length=100, blank=True, editable=False)
    # The test call made by "Test and activate" (empty after an activation without one).
    trial_at = models.DateTimeField(_("tested at"), null=True, blank=True, editable=False)
    trial_latency_ms = models.PositiveIntegerField(_("test call latency (ms)"), null=True, blank=True, editable=False)
    trial_result = models.CharField(_("test call result"), max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AIModelQuerySet.as_manager()

    @property
    def in_use(self) -> bool:
        """Whether it may be called: the active model or a fallback (see ``AIModelQuerySet.in_use``)."""
        return self.is_active or self.fallback_position is not None

    class Meta:
        ordering = ["capability", "-is_active", "-activated_at"]
        verbose_name = _("saved model")
        verbose_name_plural = _("saved models")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "model_id", "capability"], name="ai_models_unique_model_per_capability"
            ),
            models.UniqueConstraint(
                fields=["capability"], condition=Q(is_active=True), name="ai_models_one_active_per_capability"
            ),
            models.UniqueConstraint(
                fields=["capability", "fallback_position"],
                condition=Q(fallback_position__isnull=False),
                name="ai_models_one_fallback_per_position",
                violation_error_message=_("Another saved model of this capability has this fallback position."),
            ),
        ]
        permissions = [
            ("activate_aimodel", _("Can activate a model for a capability")),
            ("activate_above_ceiling", _("Can activate a model priced above the ceiling")),
        ]

    def __str__(self):
        # The name first: Unfold capitalises the first letter of titles, which would misspell an id.
        return f"{visible(self.display_name or self.model_id)} ({capability_label(self.capability)})"

    @property
    def capability_label(self) -> str:
        return capability_label(self.capability)

    @property
    def is_demo(self) -> bool:
        """True for a model of the offline snapshot provider: its answers are local demo output."""
        from .providers import get_provider
        from .providers.snapshot import SnapshotProvider

        try:
            return issubclass(get_provider(self.provider.slug), SnapshotProvider)
        except LookupError:
            return False

    def catalog_entry(self) -> CatalogModel:
        """The catalog entry kept at activation (``metadata``), with this row's prices; an entry of
        the row's own fields when the metadata is unreadable or names another model."""
        try:
            entry = CatalogModel.from_json({**self.metadata})
        except (TypeError, ValueError, KeyError, AttributeError):
            entry = None
        if entry is None or (entry.provider, entry.model_id) != (self.provider.slug, self.model_id):
            entry = CatalogModel(provider=self.provider.slug, model_id=self.model_id)
        # The row's prices were copied from the entry at activation and are the ones shown.
        return replace(entry, input_price=self.input_price, output_price=self.output_price)

    def get_backend(self):
        """The provider backend, configured with its key and base URL and this model's ``parameters``."""
        backend = build_provider(self.provider.slug, self.provider)
        backend.parameters = dict(self.parameters or {})
        # An embedding's length is checked against it: the dimensions asked for, else those listed.
        dimensions = backend.parameters.get("dimensions") or (self.metadata or {}).get("dimensions")
        backend.dimensions = dimensions if isinstance(dimensions, int) and dimensions > 0 else None
        backend.meter = Meter.of(self)  # its calls are counted for this model (``ai_models.usage``)
        return backend

    def openai_client(self, **options):
        """An ``openai.OpenAI`` client for this model's provider (base URL and key set). Needs the
        ``openai`` extra; raises ``ProviderUnsupported`` for a provider without an OpenAI-compatible API."""
        from .clients import openai_client

        return openai_client(self.get_backend(), **options)

    def async_openai_client(self, **options):
        """The same as an ``openai.AsyncOpenAI`` client."""
        from .clients import openai_client

        return openai_client(self.get_backend(), asynchronous=True, **options)

    def chat_kwargs(self, messages: list, **params) -> dict:
        """``model``, ``messages`` and this model's parameters (under ``params``), for
        ``client.chat.completions.create(**model.chat_kwargs(messages), stream=True)``."""
        from .clients import chat_kwargs

        return chat_kwargs(self.get_backend(), self.model_id, messages, **params)

    def litellm_kwargs(self, messages=None) -> dict:
        """Keyword arguments for ``litellm.completion(**kwargs)``: model, base URL, key, this model's
        parameters, and ``messages`` (with its system prompt) if given."""
        from .clients import litellm_kwargs

        return litellm_kwargs(self.get_backend(), self.model_id, messages)


class CapabilityLock(models.Model):
    """One row per capability, locked first by every change of what serves it (``activation/locks.py``),
    so changes of one capability queue up in one order and never deadlock. Created on first use.

    ``version`` is replaced by a new random number in the transaction of each change of what serves
    the capability (``active.change_made``): what every process checks its answer against, at least
    every ``ACTIVE_MODEL_MAX_STALENESS`` seconds, whatever the cache did. Random rather than counted,
    so a value from before a flush or a restored backup never comes back."""

    capability = models.CharField(_("capability"), max_length=50, primary_key=True)
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("capability lock")
        verbose_name_plural = _("capability locks")

    def __str__(self):
        return self.capability


class CatalogRule(models.Model):
    """Curation: a rule hiding models of one provider from Browse catalog, the API and the board.

    "hide" hides the models matching ``pattern``; "allow" rules make an allow-list: once a
    provider has one, only models matching one of them are shown. ``pattern`` is a model id, or
    has ``*`` (any text) and ``?`` (one character). See ``ai_models.catalog.curation``.
    """

    HIDE, ALLOW = "hide", "allow"

    provider = models.CharField(_("provider id"), max_length=50)
    pattern = models.CharField(
        _("model id or pattern"), max_length=255,
        help_text=_('A model id, or a pattern where * stands for any text and ? for one character: "openai/gpt-3.5*".'),
    )
    action = models.CharField(_("rule"), max_length=10, default=HIDE,
                              choices=[(HIDE, _("hide these models")), (ALLOW, _("show only models like these"))])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["provider", "action", "pattern"]
        verbose_name = _("catalog rule")
        verbose_name_plural = _("catalog rules")
        constraints = [
            models.UniqueConstraint(fields=["provider", "pattern", "action"], name="ai_models_one_rule_per_pattern"),
        ]

    def __str__(self):
        return f"{self.provider}:{self.pattern}"


class CatalogEntryManager(models.Manager):
    """Catalog entries live in the cache, never in a table: every query is empty."""

    def get_queryset(self):
        return super().get_queryset().none()


class CatalogEntry(models.Model):
    """One model of a provider's live catalog, as a row of the admin's Browse catalog.

    Unmanaged and tableless: instances are built from the cached catalog and never
    saved. It exists so the admin has real ``_meta``, a content type and permissions.
    """

    id = models.CharField(primary_key=True, max_length=400)
    provider = models.CharField(_("provider"), max_length=50)
    model_id = models.CharField(_("model id"), max_length=255)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    context_window = models.PositiveIntegerField(_("context window"), null=True)
    input_price = models.DecimalField(_("input / 1M"), max_digits=14, decimal_places=6, null=True)
    output_price = models.DecimalField(_("output / 1M"), max_digits=14, decimal_places=6, null=True)
    created = models.DateTimeField(_("released"), null=True)

    objects = CatalogEntryManager()

    class Meta:
        managed = False
        db_table = "ai_models_catalog_no_table"
        base_manager_name = "objects"
        default_permissions = ("view",)
        permissions = [("refresh_catalog", _("Can refresh the provider catalogs"))]
        verbose_name = _("catalog model")
        verbose_name_plural = _("catalog models")

    def __str__(self):
        return visible(self.id)  # read out (the row's aria-label); the pk stays exact for the actions

    def save(self, *args, **kwargs):
        raise TypeError("Catalog entries are never stored: activate one to save it as an AIModel.")

    def delete(self, *args, **kwargs):
        raise TypeError("Catalog entries are never stored.")


class Usage(models.Model):
    """Calls made with the saved models, counted per minute, capability, model, outcome and user.

    Written only by ``ai_models.usage`` in batches (never per call); no prompt or answer is kept.
    Latencies are counted in the buckets of ``usage.meter.LATENCY_BOUNDS_MS``, so percentiles add up
    across rows.
    """

    minute = models.DateTimeField(_("minute"), db_index=True)
    capability = models.CharField(_("capability"), max_length=50)
    provider = models.CharField(_("provider"), max_length=50)
    model_id = models.CharField(_("model id"), max_length=255)
    outcome = models.CharField(_("outcome"), max_length=30)  # "ok" or the error's class (docs/usage.md)
    user = models.CharField(_("user"), max_length=64, blank=True)  # the user's primary key, as text
    calls = models.PositiveBigIntegerField(_("calls"), default=0)
    tokens_in = models.PositiveBigIntegerField(_("tokens in"), default=0)
    tokens_out = models.PositiveBigIntegerField(_("tokens out"), default=0)
    units = models.FloatField(_("units"), default=0)  # images, characters or audio seconds, by kind
    cost = models.DecimalField(_("cost (USD)"), max_digits=24, decimal_places=12, default=0)
    uncosted = models.PositiveBigIntegerField(_("calls of unknown cost"), default=0)
    latency_ms = models.PositiveBigIntegerField(_("total latency (ms)"), default=0)
    latencies = models.JSONField(_("latency buckets"), default=list)

    class Meta:
        verbose_name = _("usage")
        verbose_name_plural = _("usage")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["minute", "capability", "provider", "model_id", "outcome", "user"],
                name="ai_models_usage_one_row_per_bucket",
            )
        ]

    def __str__(self):
        return f"{self.capability} {self.provider}:{self.model_id} {self.minute:%Y-%m-%d %H:%M} {self.outcome}"


class Budget(models.Model):
    """A monthly spending limit of one capability, or of one user of it (checked on every call)."""

    FALLBACK, REFUSE = "fallback", "refuse"
    ON_LIMIT_CHOICES = [
        (FALLBACK, _("Fall back to the cheapest fallback, refuse when none is cheaper")),
        (REFUSE, _("Refuse calls (BudgetExceeded)")),
    ]

    capability = models.CharField(_("capability"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        help_text=_("Leave empty for the whole capability."),
    )
    monthly_limit = models.DecimalField(_("monthly limit (USD)"), max_digits=14, decimal_places=4)
    warn_at = models.DecimalField(
        _("warn at"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.8"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the limit at which staff are warned (banner, signal, log): 0.8 is 80%."),
    )
    on_limit = models.CharField(_("at the limit"), max_length=10, choices=ON_LIMIT_CHOICES, default=FALLBACK)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["capability", "user"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["capability"], condition=Q(user=None), name="ai_models_one_budget_per_capability"
            ),
            models.UniqueConstraint(fields=["capability", "user"], name="ai_models_one_budget_per_user"),
        ]

    def __str__(self):
        return f"{capability_label(self.capability)}: {self.monthly_limit} USD" + (
            f" ({self.user})" if self.user_id else ""
        )


def _new_salt() -> str:
    return secrets.token_hex(8)


class Rollout(models.Model):
    """A candidate model tried on a share of the users of one capability, and/or on named groups,
    before it is promoted (made the active model) or aborted. At most one per capability; changed
    only through ``ai_models.activation.rollouts``. The candidate is not the active row until promoted.

    Each user (or session) lands on one side by a stable hash of ``salt`` and its id, so it keeps
    that side in every process, across restarts, and when the share grows (a new salt reshuffles)."""

    capability = models.CharField(_("capability"), max_length=50, unique=True)
    candidate = models.ForeignKey(
        AIModel, on_delete=models.CASCADE, related_name="rollouts", verbose_name=_("candidate")
    )
    percent = models.PositiveSmallIntegerField(
        _("share of users (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    groups = models.ManyToManyField(
        "auth.Group", blank=True, related_name="+", verbose_name=_("groups"),
        help_text=_("Members of these groups always get the candidate."),
    )
    salt = models.CharField(_("salt"), max_length=32, default=_new_salt, editable=False)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )

    class Meta:
        ordering = ["capability"]
        verbose_name = _("rollout")
        verbose_name_plural = _("rollouts")
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="ai_models_rollout_percent_at_most_100"),
        ]

    def __str__(self):
        return f"{capability_label(self.capability)}: {self.candidate} ({self.percent}%)"


class GroupModel(models.Model):
    """The model a Django group gets for one capability, outside any rollout: a member of several
    such groups gets the model of the first by ``order``. Changed through ``activation.rollouts``."""

    capability = models.CharField(_("capability"), max_length=50)
    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="+", verbose_name=_("group"))
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="group_uses", verbose_name=_("model"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["capability", "order", "pk"]
        verbose_name = _("group model")
        verbose_name_plural = _("group models")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["capability", "group"], name="ai_models_one_model_per_group"),
        ]

    def __str__(self):
        return f"{capability_label(self.capability)}: {self.group} → {self.model}"

"""What the API reads and writes.

Request serializers validate input: a capability must be configured, a provider enabled, a
limit bounded; each refusal carries a stable code (see ``errors``). Response serializers
declare every field (the OpenAPI schema is generated from them); the catalog entry's
``to_representation`` is written out by hand because a listing page renders it a hundred
times per request.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from .. import facts
from ..activation import GATES
from ..capabilities import capability_label
from ..catalog import SORT_KEYS
from ..catalog.criteria import PRICE_FILTERS, STATE_FILTERS  # not re-exported by ai_models.catalog
from ..conf import ai_settings
from ..parameters import validate_parameters
from ..prices import parse
from ..visible import visible

MAX_BULK = 100  # saved/bulk/: a handful of models, never the whole catalog into the table
DEFAULT_BULK = 20
SORT_CHOICES = [*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)]


def _decimal(value):
    """A price as a plain decimal string ("0.4", "10"), the same for catalog entries and saved rows."""
    return None if value is None else format(value.normalize(), "f")


class PriceField(serializers.DecimalField):
    """USD per 1M tokens, as a decimal string."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=6, allow_null=True, **kwargs)

    def to_representation(self, value):
        return _decimal(value)


class ShownTextField(serializers.CharField):
    """Provider text for people to read (a name, a message): what hides or reorders text shown as
    ``[U+XXXX]`` (see ``ai_models.visible``). Ids keep every character: they are sent back as given."""

    def to_representation(self, value):
        return visible(value)


def _iso(value):
    return None if value is None else value.isoformat()


# --- requests -------------------------------------------------------------------------------


def check_capability(name: str) -> str:
    """``name`` if configured, else a validation error coded ``unknown_capability``."""
    if name not in ai_settings.CAPABILITIES:
        raise serializers.ValidationError(
            gettext("Unknown capability “%(name)s”. Valid capabilities: %(valid)s.")
            % {"name": name, "valid": ", ".join(ai_settings.CAPABILITIES)},
            code="unknown_capability",
        )
    return name


def check_provider(name: str, enabled) -> str:
    """``name`` if it is one of the ``enabled`` provider ids, else an error coded ``unknown_provider``."""
    if name not in enabled:
        raise serializers.ValidationError(
            gettext("Unknown or disabled provider “%(name)s”. Enabled providers: %(enabled)s.")
            % {"name": name, "enabled": ", ".join(enabled) or gettext("none")},
            code="unknown_provider",
        )
    return name


class CapabilityField(serializers.CharField):
    """A configured capability's name; the schema lists them, as configured when it is generated."""

    def __init__(self, **kwargs):
        super().__init__(max_length=50, **kwargs)


class ProviderField(serializers.CharField):
    """An enabled provider's id; the schema lists them, as enabled when it is generated."""

    def __init__(self, **kwargs):
        super().__init__(max_length=50, **kwargs)


@extend_schema_field({"type": "boolean", "enum": [True]})
class TrueField(serializers.BooleanField):
    """A flag that must be true (sent to say one knows what it guards)."""


class ProviderChecked(serializers.Serializer):
    """Checks ``provider`` (and each of ``providers``) against ``context["providers"]``."""

    def validate_provider(self, value):
        return check_provider(value, self.context["providers"]) if value else value

    def validate_capability(self, value):
        return check_capability(value) if value else value

    def validate_meets(self, value):
        return check_capability(value) if value else value


class ListingQuery(ProviderChecked):
    """Which part of the catalog: the criteria of ``catalog.filter_entries`` and a sort key."""

    provider = ProviderField(required=False, allow_blank=True, help_text=_("Provider id."))
    capability = CapabilityField(required=False, allow_blank=True)
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, trim_whitespace=True,
        help_text=_("Every word must occur in the model id, name or description."),
    )
    price = serializers.ChoiceField(choices=PRICE_FILTERS, required=False, allow_blank=True)
    meets = CapabilityField(
        required=False, allow_blank=True,
        help_text=_("A capability: only models known to meet every requirement it declares."),
    )
    sort = serializers.ChoiceField(
        choices=SORT_CHOICES, required=False, default="name", help_text=_("A sort key; a leading - sorts descending.")
    )


class CatalogQuery(ListingQuery):
    state = serializers.ChoiceField(
        choices=STATE_FILTERS, required=False, allow_blank=True,
        help_text=_("active, saved or none: for the capability given, else for any capability."),
    )
    refresh = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Fetch the catalogs anew first (of the provider given, else of all): needs the refresh permission."),
    )


# Gate key -> (the request field that overrides it, the 409 code of its refusal). A gate not listed
# here is overridden with "override_<key>" and refused with "<key>_refused".
GATE_NAMES = {
    "kind": ("allow_kind_mismatch", "kind_mismatch"),
    "requirements": ("override_requirements", "requirements_not_met"),
    "ceiling": ("allow_above_ceiling", "above_ceiling"),
    "expired": ("allow_expired", "expired"),
    "embedding": ("confirm_embedding_switch", "embedding_switch_unconfirmed"),
    "trial": ("", "trial_failed"),
}


def override_field(key: str) -> str:
    """The request field that overrides gate ``key``."""
    return GATE_NAMES.get(key, (f"override_{key}",))[0]


def refusal_code(key: str) -> str:
    """The error code of a refusal by gate ``key``."""
    return GATE_NAMES[key][1] if key in GATE_NAMES else f"{key}_refused"


def overrides_of(data) -> set:
    """The gate keys whose override the validated request ``data`` sets."""
    return {gate.key for gate in GATES if gate.permission and data.get(override_field(gate.key))}


class ParametersField(serializers.JSONField):
    """A saved model's call parameters, checked as everywhere (``ai_models.parameters``)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            validate_parameters(value)
        except DjangoValidationError as err:
            raise serializers.ValidationError(err.messages) from None
        return value


# One boolean per gate one can override, from the gates themselves: a new gate needs no change here.
ActivationOverrides = type("ActivationOverrides", (serializers.Serializer,), {
    "__doc__": "What to override of the gates an activation passes (each override is logged).",
    **{
        override_field(gate.key): serializers.BooleanField(default=False, help_text=gate.override)
        for gate in GATES if gate.permission
    },
})


class ChooseRequest(ProviderChecked, ActivationOverrides):
    """One catalog model for one capability, with its call parameters and the overrides it may need."""

    provider = ProviderField()
    model_id = serializers.CharField(max_length=255, trim_whitespace=False)
    capability = CapabilityField()
    parameters = ParametersField(
        required=False, allow_null=True, default=None,
        help_text=_("Call defaults kept with the saved model (temperature, max_tokens, system_prompt...); null or "
                    "absent keeps those it has."),
    )


@extend_schema_serializer(component_name="Save")  # the schema adds "Request"
class SaveRequest(ChooseRequest):
    """A catalog model saved for one ``capability`` or for each of ``capabilities`` (all or none)."""

    capability = CapabilityField(required=False)
    capabilities = serializers.ListField(
        child=CapabilityField(), required=False, min_length=1, max_length=50,
        help_text=_("Instead of capability: save it for each of these, all or none."),
    )

    def validate_capabilities(self, value):
        return [check_capability(name) for name in dict.fromkeys(value)]

    def validate(self, data):
        if bool(data.get("capability")) == bool(data.get("capabilities")):
            raise serializers.ValidationError(
                {"capability": [gettext("Give either capability or capabilities.")]}, code="invalid"
            )
        data["capabilities"] = data.get("capabilities") or [data["capability"]]
        return data


@extend_schema_serializer(component_name="Activation")  # the schema adds "Request"
class ActivationRequest(ChooseRequest):
    test = serializers.BooleanField(
        default=False, help_text=_("Make one minimal real call through the model first; activate only if it succeeds.")
    )


@extend_schema_serializer(component_name="BulkSave")  # the schema adds "Request"
class BulkSaveRequest(ListingQuery, ActivationOverrides):
    """The first ``limit`` models of a filtered, sorted listing, saved without activating."""

    capability = CapabilityField(help_text=_("The capability to save them for."))
    limit = serializers.IntegerField(min_value=1, max_value=MAX_BULK, default=DEFAULT_BULK)
    order = serializers.ChoiceField(choices=SORT_CHOICES, default="name", help_text=_("Sort key, - for descending."))
    activate_first = serializers.BooleanField(
        default=False, help_text=_("Also make the first of them the active model; if that is refused, none is saved."),
    )
    sort = None  # called ``order`` here


@extend_schema_serializer(component_name="Refresh")  # the schema adds "Request"
class RefreshRequest(serializers.Serializer):
    providers = serializers.ListField(
        child=ProviderField(), required=False, default=list, max_length=50,
        help_text=_("Provider ids; empty: every enabled provider."),
    )

    def validate_providers(self, value):
        return [check_provider(name, self.context["providers"]) for name in dict.fromkeys(value)]


class SavedQuery(ProviderChecked):
    provider = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                     help_text=_("The provider id of saved models (enabled or not)."))
    capability = CapabilityField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate_provider(self, value):  # any saved row's provider, enabled or not
        return value


class DeleteSavedQuery(SavedQuery):
    keep_active = TrueField(
        default=True, help_text=_("Must be true: active models are never deleted (deactivate them first).")
    )
    active = None

    def validate_keep_active(self, value):
        if not value:
            raise serializers.ValidationError(
                gettext("Active models are never deleted: deactivate them first, then delete."), code="invalid"
            )
        return value


# --- responses ------------------------------------------------------------------------------


class StateSerializer(serializers.Serializer):
    saved_for = serializers.ListField(child=serializers.CharField())
    active_for = serializers.ListField(child=serializers.CharField())
    saved_ids = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("capability -> the id of its saved model (for saved/<id>/), where saved."),
    )


class ConflictSerializer(serializers.Serializer):
    source = serializers.CharField(help_text=_("The dataset that disagrees, with its date."))
    value = serializers.CharField(help_text=_("Its value (the provider's is the one used)."))


class FactSourceSerializer(serializers.Serializer):
    source = serializers.CharField(help_text=_('"provider", or the model-facts dataset that completed it, with its date.'))
    conflict = ConflictSerializer(required=False, help_text=_("A dataset's value beyond the conflict threshold."))


class EntrySerializer(serializers.Serializer):
    """One catalog model, with its saved/active state from ``context["states"]`` (``catalog.entry_states``)."""

    id = serializers.CharField(help_text=_("provider:model_id"))
    provider = serializers.CharField()
    model_id = serializers.CharField()
    name = ShownTextField()
    description = ShownTextField()
    capabilities = serializers.ListField(child=serializers.CharField(), help_text=_("Configured capabilities it is offered for."))
    reasons = serializers.DictField(child=serializers.CharField(), help_text=_("capability -> why it was given"))
    kinds = serializers.ListField(child=serializers.CharField(), help_text=_("The calls it answers, as its provider says."))
    parameters = serializers.ListField(child=serializers.CharField(), help_text=_("Request parameters it supports, when listed."))
    dimensions = serializers.IntegerField(allow_null=True, help_text=_("Length of its embedding vectors, when known."))
    context_window = serializers.IntegerField(allow_null=True)
    max_output = serializers.IntegerField(allow_null=True, help_text=_("The most tokens one reply may hold, when known."))
    input_price = PriceField(help_text=_("USD per 1M tokens; null when unknown (never 0 for unknown)."))
    output_price = PriceField()
    knowledge_cutoff = serializers.CharField(help_text=_("Date of its training data (YYYY-MM or YYYY-MM-DD), when known."))
    facts = serializers.DictField(child=FactSourceSerializer(),
                                  help_text=_("field -> where its value came from, for every field known."))
    created = serializers.DateTimeField(allow_null=True)
    expires = serializers.DateField(allow_null=True)
    successor = serializers.CharField(help_text=_("The model its provider names as its replacement, if deprecated."))
    input_modalities = serializers.ListField(child=serializers.CharField())
    output_modalities = serializers.ListField(child=serializers.CharField())
    state = StateSerializer()

    def to_representation(self, entry):
        state = self.context["states"][entry.pk]
        return {
            "id": entry.pk,
            "provider": entry.provider,
            "model_id": entry.model_id,
            "name": visible(entry.name or entry.model_id),
            "description": visible(entry.description),
            "capabilities": sorted(entry.capabilities),
            "reasons": entry.capability_reasons,
            "kinds": sorted(entry.kinds),
            "parameters": list(entry.parameters),
            "dimensions": entry.dimensions,
            "context_window": entry.context_window,
            "max_output": entry.max_output,
            "input_price": _decimal(entry.input_price),
            "output_price": _decimal(entry.output_price),
            "knowledge_cutoff": entry.knowledge_cutoff,
            "facts": facts.sources_json(entry),
            "created": _iso(entry.created),
            "expires": _iso(entry.expires),
            "successor": entry.successor,
            "input_modalities": list(entry.input_modalities),
            "output_modalities": list(entry.output_modalities),
            "state": {"saved_for": sorted(state.saved_for), "active_for": sorted(state.active_for),
                      "saved_ids": state.ids},
        }


class EntryDetailSerializer(EntrySerializer):
    raw = serializers.DictField(help_text=_("The provider's own data for this model, as it sent it."))

    def to_representation(self, entry):
        return {**super().to_representation(entry), "raw": entry.raw}


class StatusSerializer(serializers.Serializer):
    """A provider's catalog status (``catalog.ProviderStatus``); never its key."""

    provider = serializers.CharField()
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["fresh", "stale", "failed", "never"])
    fetched_at = serializers.DateTimeField(allow_null=True)
    age_seconds = serializers.SerializerMethodField()
    error = ShownTextField()
    count = serializers.IntegerField()
    skipped = serializers.IntegerField()
    key_source = serializers.ChoiceField(choices=["environment", "settings", "database", ""])

    def get_age_seconds(self, status) -> int | None:
        return None if status.age is None else int(status.age.total_seconds())


class CatalogPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EntrySerializer(many=True)
    providers = StatusSerializer(many=True)


class TrialSerializer(serializers.Serializer):
    """The test call made at the last activation."""

    at = serializers.DateTimeField(source="trial_at")
    latency_ms = serializers.IntegerField(source="trial_latency_ms")
    result = serializers.CharField(source="trial_result")


class SavedModelSerializer(serializers.Serializer):
    """A saved model (``AIModel``)."""

    id = serializers.IntegerField()
    provider = serializers.CharField(source="provider.slug")
    model_id = serializers.CharField()
    capability = serializers.CharField()
    capability_label = serializers.CharField()
    name = ShownTextField(source="display_name")
    context_window = serializers.IntegerField(allow_null=True)
    input_price = PriceField()
    output_price = PriceField()
    is_active = serializers.BooleanField()
    activated_at = serializers.DateTimeField(allow_null=True)
    activated_by = serializers.SerializerMethodField()
    trial = serializers.SerializerMethodField()

    def get_activated_by(self, row) -> str | None:
        return row.activated_by.get_username() if row.activated_by_id else None

    @extend_schema_field(TrialSerializer(allow_null=True))
    def get_trial(self, row):
        return None if row.trial_at is None else TrialSerializer(row).data


class SavedPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SavedModelSerializer(many=True)


class FlagSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()


class DriftSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["ok", "flagged", "unknown"])
    flags = FlagSerializer(many=True)


class ActiveSerializer(serializers.Serializer):
    """One configured capability and its active model (null when none is active)."""

    capability = serializers.CharField()
    label = serializers.SerializerMethodField()
    model = SavedModelSerializer(allow_null=True)
    drift = DriftSerializer(allow_null=True)

    def get_label(self, item) -> str:
        return capability_label(item["capability"])


class ExcessSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=["input", "output"])
    price = PriceField()
    ceiling = PriceField()
    source = serializers.CharField(help_text=_('The model-facts dataset the price came from; "" for the provider\'s.'))


class ChoiceResultSerializer(serializers.Serializer):
    """What an activation, a save or a rollback did."""

    model = SavedModelSerializer()
    replaced = SavedModelSerializer(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())


class SaveResultSerializer(ChoiceResultSerializer):
    models = SavedModelSerializer(many=True, help_text=_("The saved model of each capability, in the order asked."))


class BulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    saved = SavedModelSerializer(many=True)
    activated = SavedModelSerializer(allow_null=True, help_text=_("The one made active (activate_first), else null."))
    replaced = SavedModelSerializer(allow_null=True, help_text=_("The active model it replaced, else null."))


class RequirementsSerializer(serializers.Serializer):
    """What a capability requires of its model (docs/capabilities.md); absent keys require nothing."""

    input_modalities = serializers.ListField(child=serializers.CharField(), required=False)
    parameters = serializers.ListField(child=serializers.CharField(), required=False)
    min_context = serializers.IntegerField(required=False)
    max_price = serializers.DictField(child=PriceField(), required=False,
                                      help_text=_("input / output: USD per 1M tokens."))

    def to_representation(self, requires):
        shown = {key: requires[key] for key in ("input_modalities", "parameters", "min_context") if key in requires}
        if "max_price" in requires:
            shown["max_price"] = {side: _decimal(parse(value)) for side, value in requires["max_price"].items()}
        return shown


class CapabilitySerializer(serializers.Serializer):
    """A configured capability and what serves it (``activation.capabilities_overview``)."""

    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    kind_label = serializers.SerializerMethodField()
    requires = RequirementsSerializer()
    active = SavedModelSerializer(allow_null=True)
    fallbacks = SavedModelSerializer(many=True, help_text=_("In the order they are tried."))

    def get_kind_label(self, overview) -> str:
        return gettext(overview.kind_label) if overview.kind_label else ""


class KeptSerializer(SavedModelSerializer):
    in_use = serializers.CharField(help_text=_("What it serves: “active for Chat”, “fallback #1 for Chat”."))


class DeleteResultSerializer(serializers.Serializer):
    deleted = serializers.IntegerField()
    models = SavedModelSerializer(many=True)
    kept = KeptSerializer(many=True, help_text=_("Models matched but kept because they are in use."))


class DeactivateResultSerializer(serializers.Serializer):
    deactivated = SavedModelSerializer(allow_null=True)


class RefreshResultSerializer(serializers.Serializer):
    providers = StatusSerializer(many=True)


class RefusalSerializer(serializers.Serializer):
    """One gate that refused: its key, its code, why, and what to send to override it ({} when nothing can)."""

    gate = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()
    permitted = serializers.BooleanField(help_text=_("Whether this user may override it."))
    override = serializers.DictField(child=serializers.BooleanField())


class ErrorSerializer(serializers.Serializer):
    """Every error: a stable ``code``, a translated ``detail``; per field for validation errors."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.DictField()), required=False)
    override = serializers.DictField(required=False, help_text=_("What to send again to override a 409 refusal."))
    refusals = RefusalSerializer(many=True, required=False, help_text=_("Each gate that refused an activation."))
    providers = StatusSerializer(many=True, required=False)

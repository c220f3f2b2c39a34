"""Admin forms: the capability chosen at activation, and a provider with its write-only API key."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from ..capabilities import capability_choices, capability_kind
from .. import activation
from ..activation import GATES
from ..exceptions import EncryptionError, UnknownProvider
from ..models import AIModel, Provider
from ..providers import get_provider, provider_paths
from ..validators import validate_base_url
from ..visible import visible
from ..parameters import AUDIO_FORMATS, IMAGE_QUALITIES, IMAGE_STYLES, SCHEMA, SPEECH_SPEED, validate_parameters
from .base import CheckboxInput, NumberInput, PasswordInput, Select, TextInput, Textarea, URLInput
from .display import code_list, sentence

PARAMETERS_EXAMPLE = '{"temperature": 0.2, "max_tokens": 800, "system_prompt": "Answer briefly."}'


# Gate key -> the confirmation checkbox that overrides it (a gate not listed: "override_<key>").
OVERRIDE_FIELDS = {
    "requirements": "override_requirements",
    "ceiling": "confirm_above_ceiling",
    "expired": "confirm_expired",
    "embedding": "confirm_embedding_switch",
}


def override_field(key: str) -> str:
    """The form field (and POST name) that overrides gate ``key``."""
    return OVERRIDE_FIELDS.get(key, f"override_{key}")


def override_fields() -> dict:
    """Field name -> gate, for every gate one can override, in gate order."""
    return {override_field(gate.key): gate for gate in GATES if gate.permission is not None}


def ticked_overrides(data) -> set:
    """The gate keys whose override is ticked in ``data`` (cleaned data, or POST: "on"/"yes")."""
    return {gate.key for name, gate in override_fields().items() if data.get(name) in (True, "on", "yes")}


# One checkbox per gate one can override, declared so the admin may list them among a form's fields.
OverrideCheckboxes = type("OverrideCheckboxes", (forms.Form,), {
    name: forms.BooleanField(label=gate.override, required=False, widget=CheckboxInput)
    for name, gate in override_fields().items()
})


class OptionalJSONField(forms.JSONField):
    """A JSON field that shows nothing, not ``null``, when it has no value."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


# The call parameters asked for by name on the Activate page, per kind of capability; the JSON
# field takes the others. reasoning_effort and response_format are sent through ``extra``.
KIND_FIELDS = {
    "chat": ("temperature", "max_tokens", "reasoning_effort", "response_format"),
    "image": ("image_size", "image_quality", "image_style"),
    "speech": ("voice", "speed", "audio_format"),
    "embedding": ("dimensions",),
}
SENT_AS_EXTRA = {
    "reasoning_effort": lambda value: value,
    "response_format": lambda value: {"type": value},
}


# IMAGE_QUALITIES in words, in their order ("hd" and the like are provider ids staff need not read).
QUALITY_LABELS = (_("automatic"), _("low"), _("medium"), _("high"), _("extra high"), _("maximum"), _("standard"),
                  _("high definition"))
STYLE_LABELS = (_("vivid"), _("natural"))


class ActivateForm(OverrideCheckboxes):
    """The capability to activate (or save) one catalog model for, its call parameters (a field each
    for the usual ones of the capability's kind, JSON for the rest), and one checkbox per gate one
    can override (``override_fields``).

    Pre-selects ``preferred`` when the model was classified for it, else its first classified
    capability; the others stay selectable, marked as not classified.
    """

    capability = forms.ChoiceField(label=_("Capability"), widget=Select)
    temperature = forms.FloatField(label=_("Temperature"), required=False, min_value=0, max_value=2,
                                   widget=NumberInput(attrs={"step": "0.1"}))
    max_tokens = forms.IntegerField(label=_("Max tokens per reply"), required=False, min_value=1, widget=NumberInput)
    reasoning_effort = forms.ChoiceField(label=_("Reasoning effort"), required=False, widget=Select, choices=[
        ("", _("the model's default")), ("low", _("low")), ("medium", _("medium")), ("high", _("high"))])
    response_format = forms.ChoiceField(label=_("Response format"), required=False, widget=Select, choices=[
        ("", _("the model's default")), ("text", _("text")), ("json_object", _("JSON object"))])
    image_size = forms.CharField(label=_("Image size"), required=False, max_length=11,
                                 widget=TextInput(attrs={"placeholder": "1024x1024"}))
    image_quality = forms.ChoiceField(label=_("Image quality"), required=False, widget=Select, choices=[
        ("", _("the model's default")), *zip(IMAGE_QUALITIES, QUALITY_LABELS)])
    image_style = forms.ChoiceField(label=_("Image style"), required=False, widget=Select, choices=[
        ("", _("the model's default")), *zip(IMAGE_STYLES, STYLE_LABELS)])
    voice = forms.CharField(label=_("Voice"), required=False, max_length=100,
                            widget=TextInput(attrs={"placeholder": "alloy"}))
    speed = forms.FloatField(label=_("Speech speed"), required=False, min_value=min(SPEECH_SPEED),
                             max_value=max(SPEECH_SPEED),
                             widget=NumberInput(attrs={"step": "0.05", "placeholder": "1.0"}))
    audio_format = forms.ChoiceField(label=_("Audio format"), required=False, widget=Select,
                                     choices=[("", _("the model's default")), *((name, name) for name in AUDIO_FORMATS)])
    dimensions = forms.IntegerField(label=_("Dimensions"), required=False, min_value=1, max_value=100_000,
                                    widget=NumberInput)
    parameters = OptionalJSONField(
        label=_("Other call parameters (JSON)"),
        required=False,
        widget=Textarea(attrs={"rows": 2, "placeholder": '{"top_p": 0.9, "system_prompt": "Answer briefly."}'}),
    )

    def __init__(self, entry, *args, preferred=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = capability_choices()
        self.fields["capability"].choices = [
            (name, label if name in entry.capabilities else gettext("%(capability)s (not classified for this model)")
             % {"capability": label})
            for name, label in choices
        ]
        classified = [name for name, _label in choices if name in entry.capabilities]
        self.fields["capability"].initial = preferred if preferred in classified else next(iter(classified), None)
        self.fields["parameters"].help_text = sentence(  # the names as code, in any language
            gettext("Optional. Sent with every call of this model: %(names)s… Leave everything empty to keep what "
                    "the saved model has."),
            names=code_list(("top_p", "system_prompt", "stop", "seed", "extra")),
        )

    @staticmethod
    def kind_fields(capability) -> tuple:
        """The names of the parameter fields shown for ``capability`` (by its kind)."""
        return KIND_FIELDS.get(capability_kind(capability), ()) if capability else ()

    def clean(self):
        """``parameters``: the JSON with the kind's fields over it, validated; None when all are empty."""
        cleaned = super().clean()
        given = dict(cleaned.get("parameters") or {})
        for name in self.kind_fields(cleaned.get("capability")):
            value = cleaned.get(name)
            if value in (None, ""):
                continue
            if name in SENT_AS_EXTRA:
                given["extra"] = {**(given.get("extra") or {}), name: SENT_AS_EXTRA[name](value)}
            else:
                given[name] = value
        try:
            validate_parameters(given)
        except ValidationError as err:
            self.add_error("parameters", err)
        cleaned["parameters"] = given or None
        return cleaned

    def overrides(self) -> set:
        """The gate keys ticked to override."""
        return ticked_overrides(self.cleaned_data)


class SavedModelForm(OverrideCheckboxes, forms.ModelForm):
    """A saved model's editable fields. A new fallback position passes the activation gates; the
    admin shows the checkbox of each gate that refuses the model (``refusals``) below it."""

    user = None  # set per request by the admin, with ``refusals``
    refusals = ()

    class Meta:
        model = AIModel
        fields = ["display_name", "parameters", "fallback_position"]
        widgets = {"parameters": Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model field's help, with the parameter names and the example as code (in any language).
        self.fields["parameters"].help_text = sentence(
            gettext("Defaults sent with every call of this model, e.g. %(example)s. Known: %(names)s."),
            example=format_html('<code dir="ltr">{}</code>', PARAMETERS_EXAMPLE),
            names=code_list(SCHEMA),
        )
        for outcome in self.refusals:  # why each shown checkbox is there
            self.fields[override_field(outcome.key)].help_text = visible(outcome.message)

    def clean_fallback_position(self):
        # The capability is not on the form, so Django skips the (capability, position) constraint;
        # the flow's rule is asked here to show its answer on the field.
        position = self.cleaned_data.get("fallback_position")
        problem = activation.fallback_position_problem(self.instance.capability, position, self.instance)
        if problem:
            raise ValidationError(problem)
        return position

    def clean_parameters(self):
        return self.cleaned_data.get("parameters") or {}

    def clean(self):
        cleaned = super().clean()
        row = self.instance
        if "fallback_position" in self.changed_data and cleaned.get("fallback_position") is not None and not row.is_active:
            planned = activation.plan(row.catalog_entry(), row.capability, role=activation.FALLBACK, user=self.user,
                                      overrides=self.overrides())
            shown = {override_field(outcome.key) for outcome in self.refusals}
            for outcome in planned.blocking:
                field = override_field(outcome.key)
                if field in shown:
                    self.add_error(field, gettext("Tick this box to go ahead anyway, or leave the position empty."))
                else:  # refused since the page was shown, or not the user's to override
                    self.add_error("fallback_position", visible(str(planned.refusal())))
        return cleaned

    def overrides(self) -> set:
        """The gate keys ticked to override."""
        return ticked_overrides(self.cleaned_data)


def _provider_label(provider_id):
    try:
        return f"{get_provider(provider_id).name} ({provider_id})"
    except (ImportError, UnknownProvider):
        return provider_id


class ProviderForm(forms.ModelForm):
    """A provider row. The API key is write-only: an empty field keeps the stored key."""

    # Capitalised as Django capitalises the labels it makes from the model's verbose names.
    slug = forms.ChoiceField(label=capfirst(_("provider id")), widget=Select)
    base_url = forms.URLField(
        label=capfirst(_("base URL override")),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[validate_base_url],
        widget=URLInput,
        help_text=_(
            "Empty: the provider's own API. https only, or http to a host:port in AI_MODELS['ALLOWED_HTTP_HOSTS']. "
            "Changing it asks for the API key again."
        ),
    )
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        widget=PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the stored key."),
    )
    clear_api_key = forms.BooleanField(label=_("Clear the stored key"), required=False, widget=CheckboxInput)

    class Meta:
        model = Provider
        fields = ["slug", "name", "base_url", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = list(provider_paths())
        if self.instance.slug and self.instance.slug not in ids:
            ids.append(self.instance.slug)  # a provider unregistered since; keep the row editable
        self.fields["slug"].choices = [(provider_id, _provider_label(provider_id)) for provider_id in ids]
        if self.instance.pk:
            # Saved models point at this row: switching its backend would silently re-route them.
            self.fields["slug"].disabled = True

    @sensitive_variables("key", "cleaned")  # the key typed, hidden from error reports
    def clean(self):
        cleaned = super().clean()
        key, clear = cleaned.get("api_key"), cleaned.get("clear_api_key")
        if key and clear:
            raise ValidationError(_("Enter a new key or clear the stored one, not both."))
        if self._url_moved_from_stored_key(cleaned) and not (key or clear):
            self.add_error(
                "api_key",
                gettext(
                    "The base URL changed: enter the API key to send to the new URL, or clear the stored key. "
                    "A stored key is never sent to a URL set after it."
                ),
            )
        if key or clear:
            try:
                self.instance.api_key = "" if clear else key
            except EncryptionError as err:
                self.add_error("api_key", gettext("The key cannot be stored: %(error)s") % {"error": err})
        if not cleaned.get("name") and cleaned.get("slug"):
            try:
                cleaned["name"] = get_provider(cleaned["slug"]).name
            except (ImportError, UnknownProvider):
                pass
        return cleaned

    def _url_moved_from_stored_key(self, cleaned) -> bool:
        row = self.instance
        return bool(row.pk and row.has_stored_key and "base_url" in cleaned and cleaned["base_url"] != row.base_url)

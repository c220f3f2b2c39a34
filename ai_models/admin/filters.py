"""List filters of the Browse catalog (in Python, on ``CatalogRows``) and of the saved models."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..conf import ai_settings

from ..capabilities import capability_choices, configured


class CatalogFilter(admin.SimpleListFilter):
    """Narrows the catalog rows by the ``filter_entries`` criterion named like the parameter.

    A value that is not one of the filter's choices matches nothing, as a choice field would.
    """

    def queryset(self, request, rows):
        value = self.value()
        if value is None:
            return None
        if value not in {str(key) for key, _label in self.lookup_choices}:
            return rows.none()
        return rows.narrow(**{self.parameter_name: value})


class ProviderFilter(CatalogFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return [(status.provider, status.name) for status in model_admin.listing(request).statuses]


class CapabilityFilter(CatalogFilter):
    """Models offered for a capability that do not fail its requirements; with ``requirements=any``
    (the Choose list's "show the others too"), those failing them too."""

    title = _("capability")
    parameter_name = "capability"
    standing_parameter = "requirements"

    def __init__(self, request, params, model, model_admin):
        self.any_standing = params.pop(self.standing_parameter, [""])[-1] == "any"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return capability_choices()

    def expected_parameters(self):
        return [self.parameter_name, self.standing_parameter]

    def queryset(self, request, rows):
        if self.any_standing and self.value() in dict(self.lookup_choices):
            return rows.narrow(capability=self.value(), failing=True)
        return super().queryset(request, rows)


class RequirementsFilter(CatalogFilter):
    """Models offered for a capability that are known to meet every requirement it declares."""

    title = _("meets the requirements of")
    parameter_name = "meets"

    def lookups(self, request, model_admin):
        return [(name, capability.label) for name, capability in configured().items() if capability.requires]

    def has_output(self):
        return bool(self.lookup_choices)


class PriceFilter(CatalogFilter):
    title = _("price")
    parameter_name = "price"

    def lookups(self, request, model_admin):
        return [("free", _("Free")), ("paid", _("Paid"))]


class StateFilter(CatalogFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("saved", _("Saved")), ("none", _("Not saved"))]


class ExpiryFilter(CatalogFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        days = ai_settings.DRIFT_EXPIRY_DAYS
        return [
            ("expired", _("Expired")),
            ("expiring", ngettext("Expiring within %(days)d day", "Expiring within %(days)d days", days) % {"days": days}),
            ("none", _("Not expiring soon")),
        ]


class HiddenFilter(admin.SimpleListFilter):
    """The models staff hid (curation), to see and show them again. The admin's ``get_queryset``
    reads it (they are another list: ``Listing.hidden``); the other filters narrow that one."""

    title = _("visibility")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Hidden by staff"))]

    def queryset(self, request, rows):
        return None


class SavedCapabilityFilter(admin.SimpleListFilter):
    """Saved models by capability, labelled as configured."""

    title = _("capability")
    parameter_name = "capability"

    def lookups(self, request, model_admin):
        return capability_choices()

    def queryset(self, request, queryset):
        if self.value() is None:
            return None
        return queryset.filter(capability=self.value())

"""Usage and budgets: the usage page (per day, capability and model, with a chart per capability,
two models compared around a switch, CSV), and the budgets (an ordinary admin: every change is in
the history). The numbers all come from ``ai_models.usage``."""

import csv

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..capabilities import capability_choices, capability_label
from ..models import Budget, Usage
from ..prices import format_cost, format_share
from ..usage import budgets, charts, report
from .base import ModelAdmin, ReadOnlyAdmin, Select


class RangeForm(forms.Form):
    """The range and capability a usage page shows."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    capability = forms.ChoiceField(label=_("Capability"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capability"].choices = [("", _("All")), *capability_choices()]

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["start"], cleaned["end"] = report.date_range(cleaned.get("start"), cleaned.get("end"))
        except ValueError as err:
            raise forms.ValidationError(str(err)) from None
        return cleaned


def budget_banner() -> list[dict]:
    """The budgets past their warn share this month, for the banner."""
    return [entry for entry in budgets.status() if entry["level"]]


@admin.register(Usage)
class UsageAdmin(ReadOnlyAdmin):
    """The usage page in place of a changelist: nothing here is added, changed or deleted by hand."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("", self.admin_site.admin_view(self.usage_view), name="%s_%s_changelist" % info),
            path("export.csv", self.admin_site.admin_view(self.export_view), name="%s_%s_export" % info),
        ]

    def _range(self, request):
        """The range form (bound: every field is optional) and its cleaned data, or None when invalid."""
        form = RangeForm(request.GET)
        return form, form.cleaned_data if form.is_valid() else None

    def usage_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        report.collect()
        form, chosen = self._range(request)
        context = {"form": form, "banner": budget_banner()}
        if chosen is not None:
            capability = chosen["capability"] or None
            per_capability = report.by_capability(chosen["start"], chosen["end"])
            if capability:
                per_capability = {name: entry for name, entry in per_capability.items() if name == capability}
            context.update(
                charts=[self.chart(name, entry) for name, entry in per_capability.items()],
                lines=report.by_day(chosen["start"], chosen["end"], capability),
                comparisons=self.comparisons([capability] if capability else list(per_capability)),
                export_query=request.GET.urlencode(),
            )
        return self.own_page(request, "admin/ai_models/usage/usage.html", gettext("Usage"), **context)

    @staticmethod
    def chart(capability: str, entry: dict) -> dict:
        """The chart of one capability: its totals, its SVG, its legend."""
        label = capability_label(capability)
        days, lines = list(entry["days"]), list(entry["days"].values())
        calls, costs = [line.calls for line in lines], [line.cost for line in lines]
        title = gettext("Calls and cost per day of %(capability)s") % {"capability": label}
        return {"label": label, "total": entry["total"], "svg": charts.svg(days, calls, costs, title),
                "legend": charts.legend(calls, costs)}

    def comparisons(self, capabilities) -> list[dict]:
        """Per capability, the model before its latest switch beside the one after (a week each side)."""
        found = []
        for capability in capabilities:
            switched_at = report.latest_switch(capability)
            halves = report.around_switch(capability, switched_at) if switched_at else None
            if halves:
                found.append({"label": capability_label(capability), "switched_at": switched_at, **halves})
        return found

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        report.collect()
        form, chosen = self._range(request)
        if chosen is None:
            return HttpResponse(" ".join(form.non_field_errors()), status=400, content_type="text/plain")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ai-models-usage-{chosen["start"]}-{chosen["end"]}.csv"'
        writer = csv.writer(response)
        writer.writerow(["day", "capability", "provider", "model_id", *report.Line().as_dict()])
        for entry in report.by_day(chosen["start"], chosen["end"], chosen["capability"] or None):
            figures = entry["line"].as_dict()
            writer.writerow([
                entry["day"].isoformat(), entry["capability"], entry["provider"], _cell(entry["model_id"]),
                *figures.values(),
            ])
        return response


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: provider text must not.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class BudgetForm(forms.ModelForm):
    capability = forms.ChoiceField(label=_("capability"), widget=Select)

    class Meta:
        model = Budget
        fields = ("capability", "user", "monthly_limit", "warn_at", "on_limit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capability"].choices = capability_choices()


@admin.register(Budget)
class BudgetAdmin(ModelAdmin):
    """Monthly budgets per capability (and user): every change is audited in the admin history."""

    form = BudgetForm
    list_display = ("capability_name", "user", "limit", "spent_this_month", "warn_at", "on_limit")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    @admin.display(description=_("capability"), ordering="capability")
    def capability_name(self, budget):
        return capability_label(budget.capability)

    @admin.display(description=_("monthly limit (USD)"), ordering="monthly_limit")
    def limit(self, budget):
        return format_cost(budget.monthly_limit)

    @admin.display(description=_("spent this month"))
    def spent_this_month(self, budget):
        return format_cost(budgets.spent(budget.capability, str(budget.user_id or "")))

    def changelist_view(self, request, extra_context=None):
        report.collect()
        return super().changelist_view(request, {"budget_banner": budget_banner(), **(extra_context or {})})



def budget_line(entry: dict) -> str:
    """One budget of the banner, in the reader's language."""
    budget = entry["budget"]
    values = {
        "capability": capability_label(budget.capability), "user": budget.user,
        "spent": format_cost(entry["spent"]), "limit": format_cost(budget.monthly_limit),
        "share": format_share(entry["share"]),
    }
    if entry["level"] == budgets.LIMIT:
        text = (
            gettext("The budget of %(capability)s for %(user)s is spent: %(spent)s of %(limit)s this month.")
            if budget.user_id else gettext("The budget of %(capability)s is spent: %(spent)s of %(limit)s this month.")
        )
        then = (
            gettext("Calls go to the cheapest fallback priced below the active model, or are refused when there is none.")
            if budget.on_limit == Budget.FALLBACK else gettext("Calls are refused until next month.")
        )
        return f"{text % values} {then}"
    text = (
        gettext("The budget of %(capability)s for %(user)s is %(share)s spent: %(spent)s of %(limit)s this month.")
        if budget.user_id
        else gettext("The budget of %(capability)s is %(share)s spent: %(spent)s of %(limit)s this month.")
    )
    return text % values

"""The Rollouts page: each running rollout with the live figures of its candidate beside the active
model's, **Promote** and **Abort** as one step each, the form that starts or changes one, and the
group models (a group's own model, outside any rollout).
Every change is a call of ``ai_models.activation.rollouts``: this page only translates."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..activation import rollouts
from ..activation.gates import ACTIVATE
from ..exceptions import ActivationError
from ..models import AIModel, Rollout
from .base import ReadOnlyAdmin, Select
from .display import isolate, model_named, sentence

VIA = "admin"


class RolloutForm(forms.Form):
    """Start a rollout of a saved model, or change the share and groups of the one running."""

    candidate = forms.ModelChoiceField(label=_("Candidate"), queryset=AIModel.objects.none(), widget=Select)
    percent = forms.IntegerField(label=_("Share of users (%)"), min_value=0, max_value=100, initial=10)
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"), queryset=Group.objects.order_by("name"), required=False,
        help_text=_("Members of these groups always get the candidate."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = (
            AIModel.objects.select_related("provider").filter(is_active=False).order_by("capability", "model_id")
        )
        self.fields["candidate"].label_from_instance = lambda row: f"{row.capability}: {row}"


class GroupModelForm(forms.Form):
    """Give the members of a group their own saved model for its capability, outside any rollout."""

    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.order_by("name"), widget=Select)
    model = forms.ModelChoiceField(label=_("Model"), queryset=AIModel.objects.none(), widget=Select)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = AIModel.objects.select_related("provider").order_by("capability", "model_id")
        self.fields["model"].label_from_instance = lambda row: f"{row.capability}: {row}"


def _form_errors(form) -> str:
    return "; ".join(f"{form.fields[name].label}: {' '.join(errs)}" if name in form.fields else " ".join(errs)
                     for name, errs in form.errors.items())


@admin.register(Rollout)
class RolloutAdmin(ReadOnlyAdmin):
    """The rollout page in place of a changelist; rows change only through the flow."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [path("", self.admin_site.admin_view(self.rollouts_view), name="%s_%s_changelist" % info)]

    def rollouts_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        may_change = request.user.has_perm(ACTIVATE)
        if request.method == "POST":
            if not may_change:
                raise PermissionDenied
            self._act(request)
            return HttpResponseRedirect(reverse("admin:ai_models_rollout_changelist"))
        return self.own_page(
            request,
            "admin/ai_models/rollout/rollouts.html",
            gettext("Rollouts"),
            rollouts=rollouts.summaries(),
            form=RolloutForm() if may_change else None,
            group_models=rollouts.group_models(),
            group_form=GroupModelForm() if may_change else None,
            may_change=may_change,
        )

    def _act(self, request):
        """Run the action posted, with its outcome as a message."""
        action, capability = request.POST.get("action"), request.POST.get("capability", "")
        try:
            if action == "promote":
                change = rollouts.promote(capability, request.user, via=VIA)
                messages.success(request, sentence(gettext("Promoted %(model)s: it is the active model now."),
                                                  model=model_named(change.model)))
            elif action == "abort":
                rollout = rollouts.abort(capability, request.user, via=VIA)
                messages.success(request, sentence(gettext("Aborted the rollout of %(model)s: everyone gets the active "
                                                           "model again."), model=model_named(rollout.candidate)))
            elif action in ("start", "change"):
                self._start_or_change(request, action)
            elif action == "set_group_model":
                self._set_group_model(request)
            elif action == "remove_group_model":
                group = Group.objects.filter(name=request.POST.get("group", "")).first()  # names are unique
                if group is None or rollouts.remove_group_model(capability, group, request.user, via=VIA) is None:
                    messages.error(request, gettext("Nothing was changed: that group has no model of its own here."))
                else:
                    messages.success(request, gettext("Members of %(group)s get the usual model again.")
                                     % {"group": group.name})
            else:
                messages.error(request, gettext("Unknown action."))
        except ActivationError as err:
            messages.error(request, isolate(str(err)))

    def _start_or_change(self, request, action):
        form = RolloutForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Nothing was changed: %(errors)s") % {"errors": _form_errors(form)})
            return
        data = form.cleaned_data
        candidate = data["candidate"]
        if action == "start":
            rollouts.start(candidate.capability, candidate, request.user, percent=data["percent"],
                           groups=data["groups"], via=VIA)
            messages.success(request, sentence(gettext("Started the rollout of %(model)s for %(percent)d%% of users."),
                                      model=model_named(candidate), percent=data["percent"]))
        else:
            rollouts.change(candidate.capability, request.user, percent=data["percent"], groups=data["groups"],
                            via=VIA)
            messages.success(request, sentence(gettext("Changed the rollout of %(model)s."), model=model_named(candidate)))

    def _set_group_model(self, request):
        form = GroupModelForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Nothing was changed: %(errors)s") % {"errors": _form_errors(form)})
            return
        group, model = form.cleaned_data["group"], form.cleaned_data["model"]
        rollouts.set_group_model(model.capability, group, model, request.user, via=VIA)
        messages.success(request, sentence(gettext("Members of %(group)s now get %(model)s."), group=group.name,
                                                   model=model_named(model)))

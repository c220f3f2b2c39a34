"""The capability board: the app's landing page, one row per configured capability.

Each row says what serves the capability now (the active model, its fallbacks in order, its call
parameters, its drift and last test) or that nothing does, with the row's actions: Choose… (Browse
catalog narrowed to the models that fit), Test, Roll back and Deactivate. The actions are views of
the Saved models admin (``BoardActions``); every change they make is the activation flow's.

The page reads the database a fixed number of times whatever the number of saved models: the
rows in use, and one count per capability of those a rollback could go back to.
"""

import json
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from .. import activation, usage
from ..activation import rollouts
from ..capabilities import KINDS, Capability, configured, validate_capability
from ..exceptions import ActivationError, UnknownCapability
from ..models import AIModel
from ..prices import format_price, usd
from .display import code_list, fetched_when, format_tokens, ltr, model_named, sentence
from .drift import drift_cell, request_drift


@dataclass
class BoardRow:
    """One capability on the board and what serves it."""

    capability: Capability
    active: AIModel | None = None
    fallbacks: list = field(default_factory=list)
    can_roll_back: bool = False

    @property
    def name(self) -> str:
        return self.capability.name

    @property
    def label(self) -> str:
        return self.capability.label

    @property
    def kind(self) -> str:
        return gettext(KINDS[self.capability.kind]) if self.capability.kind else gettext("unknown kind")

    @property
    def requirements(self) -> list[str]:
        return describe_requirements(self.capability.requires)


def describe_requirements(requires: dict) -> list[str]:
    """What a capability's ``requires`` asks, one short phrase each, translated (HTML: names as
    code, figures left to right inside a right-to-left sentence)."""
    phrases = []
    if requires.get("input_modalities"):
        phrases.append(sentence(gettext("accepts %(modalities)s"), modalities=code_list(requires["input_modalities"])))
    if requires.get("parameters"):
        phrases.append(sentence(gettext("supports %(parameters)s"), parameters=code_list(requires["parameters"])))
    if requires.get("min_context"):
        phrases.append(sentence(gettext("context of at least %(tokens)s tokens"),
                                tokens=ltr(format_tokens(requires["min_context"]))))
    for side, price in (requires.get("max_price") or {}).items():
        text = gettext("input at most %(price)s / 1M") if side == "input" else gettext("output at most %(price)s / 1M")
        phrases.append(sentence(text, price=ltr(usd(price))))
    return phrases


def board_rows() -> list[BoardRow]:
    """The board's rows, in settings order: what ``capabilities_overview()`` gives, and whether an
    earlier model can be rolled back to; two queries whatever the number of saved models."""
    overview, capabilities = activation.capabilities_overview(), configured()
    earlier = set(AIModel.objects.filter(capability__in=capabilities, is_active=False, activated_at__isnull=False)
                  .values_list("capability", flat=True).distinct())
    return [BoardRow(capabilities[served.name], served.active, list(served.fallbacks), served.name in earlier)
            for served in overview]


def board_context(request, site_name: str = "admin") -> dict | None:
    """Context of the board for this user, or None when they may not see saved models."""
    user = getattr(request, "user", None)
    if user is None or not (user.has_perm("ai_models.view_aimodel") or user.has_perm("ai_models.change_aimodel")):
        return None
    may_act = user.has_perm("ai_models.activate_aimodel")
    try:
        catalog_url = reverse(f"{site_name}:ai_models_catalogentry_changelist")
    except NoReverseMatch:
        catalog_url = ""
    drifts = request_drift(request)
    rows = board_rows()
    may_see_usage = user.has_perm("ai_models.view_usage")
    spent = usage.month_summary() if may_see_usage else {}  # one query
    rolling = rollouts.board(collect=False)  # capability -> its rollout and group models, if any
    try:
        rollouts_url = reverse(f"{site_name}:ai_models_rollout_changelist")
    except NoReverseMatch:
        rollouts_url = ""
    for row in rows:
        model = row.active
        row.drift = drift_cell(drifts.get(model.pk)) if model else ""
        row.parameters = json.dumps(model.parameters, ensure_ascii=False, sort_keys=True) if model and model.parameters else ""
        row.since = fetched_when(model.activated_at) if model and model.activated_at else ""
        row.tested = fetched_when(model.trial_at) if model and model.trial_at else ""
        row.prices = (format_price(model.input_price), format_price(model.output_price)) if model else ()
        row.context = format_tokens(model.context_window) if model else ""
        row.month = spent.get(row.name)
        row.rollout = rolling.get(row.name, {}).get("rollout")
        if row.rollout:
            row.rollout["since_shown"] = fetched_when(row.rollout["since"])
        row.group_models = rolling.get(row.name, {}).get("group_models", [])
        row.choose_url = choose_url(catalog_url, row.capability) if catalog_url else ""
        row.action_urls = {action: reverse(f"{site_name}:ai_models_aimodel_board", args=(row.name, action))
                           for action in BoardActions.BOARD_ACTIONS} if may_act else {}
    unset = [row for row in rows if row.active is None]
    return {
        "rows": rows,
        "may_act": may_act,
        "may_see_usage": may_see_usage,
        "rollouts_url": rollouts_url,
        "may_choose": may_act and user.has_perm("ai_models.view_catalogentry") and bool(catalog_url),
        "unset_count": len(unset),
        "unset_title": ngettext(
            "%(count)d capability has no active model",
            "%(count)d capabilities have no active model",
            len(unset),
        ) % {"count": len(unset)},
    }


def choose_url(catalog_url: str, capability: Capability) -> str:
    """Browse catalog narrowed to the models of ``capability``'s kind that meet its requirements."""
    query = {"capability": capability.name, **({"meets": capability.name} if capability.requires else {})}
    return f"{catalog_url}?{urlencode(query)}"


class BoardActions:
    """The Saved models admin's views behind the board's buttons (POST only, then back to the board)."""

    BOARD_ACTIONS = ("test", "rollback", "deactivate")

    def board_action_view(self, request, capability, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in self.BOARD_ACTIONS:
            raise Http404
        if not self.has_activate_permission(request):
            raise PermissionDenied
        try:
            validate_capability(capability)
        except UnknownCapability as err:
            self.message_user(request, str(err), messages.ERROR)
            return HttpResponseRedirect(self.board_url())
        request.aim_back_url = self.board_url()
        response = getattr(self, f"board_{action}")(request, capability)
        return response or HttpResponseRedirect(self.board_url())

    def board_url(self) -> str:
        return reverse(f"{self.admin_site.name}:app_list", kwargs={"app_label": self.opts.app_label})

    def board_test(self, request, capability):
        try:
            model, trial = activation.trial_active(capability, request.user)
        except (ActivationError, UnknownCapability) as err:
            self.message_user(request, str(err), messages.ERROR)
            return None
        values = {"model": model_named(model), "latency": trial.latency_ms,
                  "result": trial.summary if trial.ok else trial.error}
        if trial.ok:
            self.message_user(request, sentence(gettext("Test call through %(model)s: %(result)s in %(latency)d ms."),
                                                **values), messages.SUCCESS)
        else:
            self.message_user(request, sentence(gettext("The test call through %(model)s failed after %(latency)d ms: "
                                                        "%(result)s"), **values), messages.ERROR)
        return None

    def board_deactivate(self, request, capability):
        active = self.get_queryset(request).filter(capability=capability, is_active=True)
        return self.deactivate(request, active)

    def board_rollback(self, request, capability):
        """The Activate page for the model a rollback goes back to; on confirmation, the flow's rollback."""
        target = activation.rollback_target(capability)
        if target is None:
            self.message_user(request, gettext("There is no earlier model to roll back to."), messages.WARNING)
            return None
        return self.rollback_confirmation(request, target)


"""The Activate page: the confirmation page of Activate, Save and Roll back.

Focused on one capability when the way in names it (the board's Choose… and Roll back, a catalog
filtered by capability): that capability's active model, price change, ceiling, requirements and
refusals only. Without one (the bulk action on an unfiltered catalog) a select picks the
capability and the page follows it. Every verdict shown is the activation flow's ``plan``.
"""

from django.utils.html import format_html_join
from django.utils.translation import gettext, gettext_noop

from .. import activation
from ..activation.ceilings import SIDES, ceilings, describe
from ..activation.plan import role_of
from ..capabilities import KINDS, capability_choices, capability_kind
from ..drift import expiry_flag
from ..models import AIModel, Provider
from ..prices import format_price, format_price_change
from .display import capability_labels, entry_facts, format_tokens, price_move, with_source
from .forms import override_field, override_fields

TEMPLATE = "admin/ai_models/catalogentry/activate.html"
STATES = {"met": gettext_noop("met"), "unmet": gettext_noop("not met"), "unknown": gettext_noop("unknown")}


def focus_of(request) -> str | None:
    """The capability the page is about, when the way in named a configured one (``?capability=``)."""
    name = request.GET.get("capability")
    return name if name in dict(capability_choices()) else None


def refused_page(model_admin, request, entry, form, refused, **page):
    """The page again after ``ActivationRefused``, each refusal on its checkbox; None (after an error
    message) when the user may not override it."""
    if "trial" in refused.keys:
        return render(model_admin, request, entry, form, trial=refused.plan.outcome("trial").finding.details, **page)
    if refused.not_permitted:
        model_admin.message_user(request, str(refused), "error")
        return None
    for outcome in refused.outcomes:  # the reason is shown above each checkbox
        form.add_error(override_field(outcome.key), gettext("Tick this box to go ahead anyway, or choose another model."))
    return render(model_admin, request, entry, form, **page)


def render(model_admin, request, entry, form, *, activating=True, focus=None, hidden=(), title="", trial=None,
           rollback=None):
    """The page for catalog ``entry``: ``hidden`` (name, value) pairs post back with the form;
    ``rollback``: the saved model a rollback activates again."""
    names = [focus] if focus else [name for name, _label in capability_choices()]
    active = {row.capability: row for row in AIModel.objects.filter(is_active=True, capability__in=names)
              .select_related("provider")}
    saved = {row.capability: row for row in AIModel.objects.filter(provider__slug=entry.provider,
                                                                    model_id=entry.model_id, capability__in=names)}
    limits = ceilings()
    labels = {state: gettext(text) for state, text in STATES.items()}
    choices = []
    for name, label in capability_choices():
        if name not in names:
            continue
        current = active.get(name)
        role = activation.ACTIVE if activating else role_of(saved.get(name))
        planned = activation.plan(entry, name, role=role, user=request.user, current=current, saving=not activating)
        ceiling = limits.get(name, {})
        over = planned.outcome("ceiling")
        choices.append({
            "name": name,
            "label": label,
            "kind": gettext(KINDS[capability_kind(name)]) if capability_kind(name) else "",
            "classified": name in entry.capabilities,
            "reason": gettext(entry.reason_for(name)) if entry.reason_for(name) else "",
            "current": current,
            "is_current": planned.is_current,
            "input_move": _move(current and current.input_price, entry.input_price, current),
            "output_move": _move(current and current.output_price, entry.output_price, current),
            "ceiling": " / ".join(format_price(ceiling.get(side)) for side in SIDES) if ceiling else "",
            "over_ceiling": describe(over.finding.details, format_price) if over and over.finding else "",
            "requirements": [{"state": check.state, "label": labels[check.state], "message": check.message}
                             for check in planned.requirements] if activating else [],
            "refusals": [outcome for outcome in planned.outcomes if outcome.finding],
            "refuses": " ".join(outcome.key for outcome in planned.outcomes if outcome.finding),
            "warnings": planned.warnings,
        })
    overrides = [
        {
            "key": gate.key,
            "field": form[name],
            "permitted": gate.may_override(request.user),
            "permission": gate.permission_name,
            "messages": [(choice["name"], outcome.message) for choice in choices for outcome in choice["refusals"]
                         if outcome.key == gate.key],
        }
        for name, gate in override_fields().items()
    ]
    selected = next((choice for choice in choices if choice["name"] == form["capability"].value()), None)
    if not title:
        title = gettext("Activate a model") if activating else gettext("Save a model without activating it")
    return model_admin.confirmation_page(
        request,
        TEMPLATE,
        title,
        entry=entry,
        provider_name=provider_name(entry.provider),
        entry_input_price=with_source(entry, "input_price", format_price(entry.input_price)),
        entry_output_price=with_source(entry, "output_price", format_price(entry.output_price)),
        entry_context=with_source(entry, "context_window", format_tokens(entry.context_window)),
        entry_facts=entry_facts(entry),
        entry_capabilities=capability_labels(entry),
        entry_modalities=format_html_join(", ", "<code>{}</code>", ((name,) for name in entry.input_modalities)),
        entry_released=entry.created.date().isoformat() if entry.created else "",
        expiry=expiry_flag(entry.expires),
        form=form,
        capabilities=choices,
        focus=selected if focus else None,
        parameter_fields=[form[name] for name in form.kind_fields(focus)] if focus else [],
        overrides=overrides,
        selected_refuses=selected["refuses"].split() if selected else [],
        activating=activating,
        hidden=hidden,
        has_ceilings=bool(limits),
        trial=trial,
        rollback=rollback,
    )


def provider_name(provider_id: str) -> str:
    """The provider's display name, as Browse catalog and Saved models show it (its id if unknown)."""
    backends = Provider.objects.backends(only=[provider_id])
    return str(backends[0].name) if backends else provider_id


def _move(old, new, current):
    """The price cell: "old → new (change)" against the active model, else the new price."""
    if current is None:
        return price_move("", format_price(new))
    return price_move(format_price(old), format_price(new), format_price_change(new, old))

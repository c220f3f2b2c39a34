"""``ai_models activate`` and ``ai_models deactivate``: the admin's Activate and Deactivate from a terminal."""

from django.utils.translation import gettext as _

from .. import catalog, guardrail, requirements, selection
from ..exceptions import ActivationError, EmbeddingSwitchUnconfirmed, RequirementsNotMet
from ..trial import run_trial
from .lookups import USER_ENV, VIA, active_row, check_capability, check_provider, report_log_user, resolve_user
from .output import USAGE, clean, fail, format_price, without_prefix


def add_parsers(sub):
    p = sub.add_parser("activate", help=_("Make a catalog model the active one for a capability."))
    p.add_argument("provider", metavar="PROVIDER")
    p.add_argument("model_id", metavar="MODEL_ID")
    p.add_argument("--capability", required=True)
    p.add_argument(
        "--user",
        help=_("User recorded in the admin history (default: $%(env)s, else none: the command line).")
        % {"env": USER_ENV},
    )
    p.add_argument(
        "--strict", action="store_true", help=_("Refuse a model the catalog does not classify for the capability.")
    )
    p.add_argument(
        "--test",
        action="store_true",
        help=_("Make one minimal real call through the model first; activate only if it succeeds."),
    )
    p.add_argument(
        "--allow-above-ceiling",
        action="store_true",
        help=_("Activate a model priced above AI_MODELS['PRICE_CEILINGS'] (the user needs the "
               "ai_models.activate_above_ceiling permission)."),
    )
    p.add_argument(
        "--override-requirements",
        action="store_true",
        help=_("Activate a model that does not meet the capability's requirements (logged)."),
    )
    p.add_argument(
        "--confirm-embedding-switch",
        action="store_true",
        help=_("Replace the active embedding model: vectors made with the old one are not comparable (logged)."),
    )

    p = sub.add_parser("deactivate", help=_("Leave a capability with no active model."))
    p.add_argument("--capability", required=True)
    p.add_argument("--user", help=_("User recorded in the admin history."))


def activate(out, provider, model_id, capability, user=None, strict=False, test=False, allow_above_ceiling=False,
             override_requirements=False, confirm_embedding_switch=False, **options):
    check_capability(capability)
    check_provider(provider)
    entry = catalog.get_entry(provider, model_id)  # provider errors show in its status, below
    if entry is None:
        (status,) = catalog.provider_statuses([provider])
        if status.state == "failed":
            raise fail(
                _("Cannot read the catalog of %(provider)s: %(error)s")
                % {"provider": provider, "error": clean(without_prefix(status.error, provider))}
            )
        raise fail(
            _("Model %(model)r is not in the catalog of %(provider)s (try `ai_models catalog --provider %(provider)s`).")
            % {"model": model_id, "provider": provider},
            USAGE,
        )
    if capability not in entry.capabilities:
        message = _("%(pk)s is not classified for %(capability)s (classified for: %(classified)s).") % {
            "pk": clean(entry.pk),
            "capability": capability,
            "classified": ", ".join(sorted(entry.capabilities)) or _("nothing"),
        }
        if strict:
            raise fail(message + " " + _("Refused because of --strict."), USAGE)
        out.warn(_("Warning: %(message)s Activating it anyway.") % {"message": message})

    checks = selection.requirement_checks(entry, capability)
    for item in requirements.unknown(checks):
        out.warn(_("Warning: requirement unknown, check it yourself: %(message)s.") % {"message": item.message})
    if requirements.unmet(checks) and override_requirements:
        out.warn(_("Overriding the requirements %(pk)s does not meet.") % {"pk": clean(entry.pk)})
    actor = resolve_user(user)
    note = _approve_price(out, entry, capability, actor, allow_above_ceiling)
    trial = None
    if test:
        _check(entry, capability, override_requirements, confirm_embedding_switch)  # before a billable call
        trial = run_trial(entry, capability)
        if not trial.ok:
            raise fail(
                _("The test call failed: %(error)s. Nothing was changed.")
                % {"error": clean(without_prefix(trial.error, provider))}
            )
        out.note(_("Test call: %(result)s in %(latency)s ms.") % {"result": clean(trial.summary), "latency": trial.latency_ms})
    previous = active_row(capability)
    _check(entry, capability, override_requirements, confirm_embedding_switch)
    try:
        chosen = selection.activate(
            entry, capability, actor, via=VIA, trial=trial, note=note,
            override_requirements=override_requirements, confirm_embedding_switch=confirm_embedding_switch,
        )
    except ActivationError as err:
        raise fail(str(err)) from None

    values = {"pk": clean(entry.pk), "capability": capability}
    if previous is not None and previous.pk != chosen.pk:
        values["previous"] = f"{previous.provider.slug}:{clean(previous.model_id)}"
        out.line(_("Activated %(pk)s for %(capability)s (replacing %(previous)s).") % values)
    else:
        out.line(_("Activated %(pk)s for %(capability)s.") % values)
    report_log_user(out, actor)


def _check(entry, capability, override_requirements, confirm_embedding_switch):
    """A usage error when an unmet requirement or an embedding switch lacks its flag."""
    try:
        selection.check_activation(entry, capability, "", override_requirements, confirm_embedding_switch)
    except RequirementsNotMet as err:
        raise fail(_("%(error)s Pass --override-requirements to activate it anyway.") % {"error": err}, USAGE) from None
    except EmbeddingSwitchUnconfirmed as err:
        raise fail(_("%(error)s Pass --confirm-embedding-switch.") % {"error": err}, USAGE) from None


def _approve_price(out, entry, capability, actor, allowed) -> str:
    """The history note for a model above the price ceiling; a usage error when that is refused."""
    try:
        note = guardrail.approve(capability, entry.input_price, entry.output_price, actor, confirmed=allowed,
                                 sources=guardrail.price_sources(entry))
    except guardrail.AboveCeiling as above:
        values = _ceiling_values(entry, capability, above.excess)
        # Without the flag, first say what is wrong and how to go on; with it, who may.
        if allowed and not above.permitted:
            raise fail(
                _("Refused: activating %(pk)s above the %(capability)s price ceiling needs a user with the "
                  "permission ai_models.activate_above_ceiling (pass --user or set %(env)s).")
                % {**values, "env": USER_ENV},
                USAGE,
            ) from None
        raise fail(
            _("%(pk)s is priced above the %(capability)s ceiling (%(excess)s). Pass --allow-above-ceiling "
              "to activate it anyway.") % values,
            USAGE,
        ) from None
    if note:
        excess = guardrail.excesses(capability, entry.input_price, entry.output_price, guardrail.price_sources(entry))
        out.warn(_("Activating %(pk)s above the %(capability)s price ceiling: %(excess)s.")
                 % _ceiling_values(entry, capability, excess))
    return note


def _ceiling_values(entry, capability, excess) -> dict:
    return {
        "pk": clean(entry.pk),
        "capability": capability,
        "excess": guardrail.describe(excess, lambda price: "$" + format_price(price)),
    }


def deactivate(out, capability, user=None, **options):
    check_capability(capability)
    actor = resolve_user(user)
    previous = selection.deactivate(capability, actor, via=VIA)
    if previous is None:
        out.line(_("No model was active for %(capability)s.") % {"capability": capability})
        return
    out.line(
        _("Deactivated %(pk)s for %(capability)s; no model is active for it now.")
        % {"pk": f"{previous.provider.slug}:{clean(previous.model_id)}", "capability": capability}
    )
    report_log_user(out, actor)

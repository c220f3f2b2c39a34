"""``ai_models activate`` and ``ai_models deactivate``: the admin's Activate and Deactivate from a terminal.

Both call ``ai_models.activation``; this module only maps each gate to its flag and each error to
an exit status. The command line is code, so without ``--user`` it is trusted with every override
it names; with ``--user``, that user's permissions apply, as in the admin.
"""

import json

from django.utils.translation import gettext as _

from .. import activation, catalog
from ..exceptions import ActivationError, ActivationNotPermitted, ActivationRefused
from .lookups import USER_ENV, VIA, check_capability, check_provider, report_log_user, resolve_user
from .output import FAILED, USAGE, clean, fail, without_prefix

# Gate key -> the flag that overrides it (a gate not listed: --override-<key>).
FLAGS = {
    "kind": "--allow-kind-mismatch",
    "requirements": "--override-requirements",
    "ceiling": "--allow-above-ceiling",
    "expired": "--allow-expired",
    "embedding": "--confirm-embedding-switch",
}


def flag(key: str) -> str:
    return FLAGS.get(key, f"--override-{key}")


def _dest(key: str) -> str:
    return "override_" + key  # argparse's name for the flag of gate ``key``


def add_parsers(sub):
    p = sub.add_parser("activate", help=_("Make a catalog model the active one for a capability."))
    p.add_argument("provider", metavar="PROVIDER")
    p.add_argument("model_id", metavar="MODEL_ID")
    p.add_argument("--capability", required=True)
    p.add_argument(
        "--user",
        help=_("User who makes the change: recorded in the admin history, and whose permissions apply "
               "(default: $%(env)s, else none: the command line, trusted).") % {"env": USER_ENV},
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
        "--parameters", metavar="JSON",
        help=_('Call defaults to keep with the saved model, as JSON: \'{"temperature": 0.2, "max_tokens": 800}\'.'),
    )
    for gate in activation.GATES:
        if gate.permission:
            p.add_argument(flag(gate.key), dest=_dest(gate.key), action="store_true",
                           help=_("%(override)s. Needs the permission “%(permission)s” with --user.")
                           % {"override": gate.override, "permission": gate.permission_name})

    p = sub.add_parser("deactivate", help=_("Leave a capability with no active model."))
    p.add_argument("--capability", required=True)
    p.add_argument("--user", help=_("User recorded in the admin history."))


def _entry(provider, model_id):
    entry = catalog.get_entry(provider, model_id)  # provider errors show in its status, below
    if entry is not None:
        return entry
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


def _parameters(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as err:
        raise fail(_("--parameters is not valid JSON: %(error)s") % {"error": err}, USAGE) from None


def _refused(refused: ActivationRefused):
    """The refusal as a one-line error naming the flags that would override it."""
    if "trial" in refused.keys:
        return fail(clean(str(refused)))
    flags = [flag(outcome.key) for outcome in refused.outcomes if outcome.permitted]
    message = clean(str(refused))
    if flags:
        message += " " + _("Pass %(flags)s to go ahead anyway.") % {"flags": " ".join(flags)}
    return fail(message, USAGE)


def activate(out, provider, model_id, capability, user=None, strict=False, test=False, parameters=None, **options):
    check_capability(capability)
    check_provider(provider)
    entry = _entry(provider, model_id)
    if strict and capability not in entry.capabilities:
        raise fail(
            _("%(pk)s is not classified for %(capability)s (classified for: %(classified)s). Refused because of "
              "--strict.")
            % {"pk": clean(entry.pk), "capability": capability,
               "classified": ", ".join(sorted(entry.capabilities)) or _("nothing")},
            USAGE,
        )
    actor = resolve_user(user)
    overrides = {gate.key for gate in activation.GATES if options.get(_dest(gate.key))}
    try:
        change = activation.activate(entry, capability, actor, via=VIA, overrides=overrides,
                                     parameters=_parameters(parameters), test=test)
    except ActivationRefused as refused:
        raise _refused(refused) from None
    except ActivationNotPermitted as err:
        raise fail(clean(str(err)) + " " + _("(the permissions of --user or $%(env)s)") % {"env": USER_ENV}, USAGE) from None
    except ActivationError as err:
        raise fail(clean(str(err)), FAILED) from None

    for outcome in change.plan.outcomes:
        if outcome.overridden:
            out.warn(_("Overridden (%(flag)s): %(message)s") % {"flag": flag(outcome.key), "message": clean(outcome.message)})
    for warning in change.plan.warnings:
        out.warn(_("Warning: %(message)s") % {"message": clean(warning)})
    model = change.model
    if model.trial_at is not None:
        out.note(_("Test call: %(result)s in %(latency)s ms.") % {"result": clean(model.trial_result),
                                                                  "latency": model.trial_latency_ms})
    values = {"pk": clean(entry.pk), "capability": capability}
    if change.replaced is not None:
        values["previous"] = f"{change.replaced.provider.slug}:{clean(change.replaced.model_id)}"
        out.line(_("Activated %(pk)s for %(capability)s (replacing %(previous)s).") % values)
    else:
        out.line(_("Activated %(pk)s for %(capability)s.") % values)
    report_log_user(out, actor)


def deactivate(out, capability, user=None, **options):
    check_capability(capability)
    actor = resolve_user(user)
    try:
        previous = activation.deactivate(capability, actor, via=VIA)
    except ActivationNotPermitted as err:
        raise fail(clean(str(err)), USAGE) from None
    except ActivationError as err:
        raise fail(clean(str(err)), FAILED) from None
    if previous is None:
        out.line(_("No model was active for %(capability)s.") % {"capability": capability})
        return
    out.line(
        _("Deactivated %(pk)s for %(capability)s; no model is active for it now.")
        % {"pk": f"{previous.provider.slug}:{clean(previous.model_id)}", "capability": capability}
    )
    report_log_user(out, actor)

"""``ai_models rollout``: start, change, promote, abort or show the rollout of a capability.

Each action calls ``ai_models.activation.rollouts``; this module maps arguments to it and errors
to exit statuses. Without ``--user`` the command line is trusted, as for ``activate``.
"""

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from ..activation import rollouts
from ..exceptions import ActivationError, ActivationNotPermitted, ActivationRefused
from ..models import AIModel
from .activate import _refused
from .lookups import USER_ENV, VIA, check_capability, report_log_user, resolve_user
from .output import FAILED, USAGE, clean, fail

ACTIONS = ("show", "start", "change", "promote", "abort")


def add_parser(sub):
    p = sub.add_parser("rollout", help=_("Try a candidate model on a share of users or on groups; promote or abort it."))
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("--capability", help=_("The capability (all rollouts for show when omitted)."))
    p.add_argument("--candidate", metavar="PROVIDER:MODEL_ID", help=_("The saved model to try (start)."))
    p.add_argument("--percent", type=int, help=_("Share of users who get the candidate, 0 to 100."))
    p.add_argument("--group", action="append", dest="groups", metavar="NAME",
                   help=_("A group whose members always get the candidate (repeat for several)."))
    p.add_argument("--no-groups", action="store_true", help=_("Name no group (change)."))
    p.add_argument("--user", help=_("User who makes the change (default: $%(env)s).") % {"env": USER_ENV})
    p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of text."))


def _candidate(text, capability) -> AIModel:
    provider, sep, model_id = (text or "").partition(":")
    row = AIModel.objects.select_related("provider").filter(
        provider__slug=provider, model_id=model_id, capability=capability
    ).first() if sep else None
    if row is None:
        raise fail(_("No saved model %(name)r for %(capability)s (give --candidate PROVIDER:MODEL_ID of a saved model).")
                   % {"name": text, "capability": capability}, USAGE)
    return row


def _groups(names):
    if names is None:
        return None
    found = {group.name: group for group in Group.objects.filter(name__in=names)}
    missing = [name for name in names if name not in found]
    if missing:
        raise fail(_("No group %(names)s.") % {"names": ", ".join(repr(name) for name in missing)}, USAGE)
    return [found[name] for name in names]


def _show(out, capability, as_json):
    summaries = rollouts.summaries(capability)
    if as_json:
        out.json([rollouts.summary_as_data(summary) for summary in summaries])
        return
    if not summaries:
        out.line(_("No rollout is running."))
    for summary in summaries:
        data = rollouts.summary_as_data(summary)
        out.line(_("%(capability)s: %(candidate)s for %(percent)d%% of users%(groups)s since %(since)s (active: %(active)s)")
                 % {**data, "groups": f" + {', '.join(data['groups'])}" if data["groups"] else "",
                    "active": data["active"] or _("none")})
        for side in ("candidate", "active"):
            figures = data["figures"][side]
            out.line("  " + _("%(side)s: %(calls)d calls, %(errors)d errors, p50 %(p50)s ms, p95 %(p95)s ms, "
                              "%(per_call)s USD per call")
                     % {"side": side, "calls": figures["calls"], "errors": figures["errors"],
                        "p50": figures["p50_ms"] or "-", "p95": figures["p95_ms"] or "-",
                        "per_call": figures["cost_per_call"] or "-"})


def run(out, action, capability=None, candidate=None, percent=None, groups=None, no_groups=False, user=None,
        as_json=False, **options):
    if capability is not None:
        check_capability(capability)
    if action == "show":
        _show(out, capability, as_json)
        return
    if capability is None:
        raise fail(_("--capability is required for %(action)s.") % {"action": action}, USAGE)
    actor = resolve_user(user)
    groups = [] if no_groups else _groups(groups)
    try:
        if action == "start":
            rollouts.start(capability, _candidate(candidate, capability), actor, percent=percent or 0,
                           groups=groups or (), via=VIA)
        elif action == "change":
            rollouts.change(capability, actor, percent=percent, groups=groups, via=VIA)
        elif action == "promote":
            rollouts.promote(capability, actor, via=VIA)
        else:
            rollouts.abort(capability, actor, via=VIA)
    except ActivationRefused as refused:
        raise _refused(refused) from None
    except ActivationNotPermitted as err:
        raise fail(clean(str(err)), USAGE) from None
    except ActivationError as err:
        raise fail(clean(str(err)), FAILED) from None
    messages = {
        "start": _("Started the rollout of %(capability)s."), "change": _("Changed the rollout of %(capability)s."),
        "promote": _("Promoted the candidate of %(capability)s: it is the active model now."),
        "abort": _("Aborted the rollout of %(capability)s."),
    }
    if as_json:
        out.json({"action": action, "capability": capability,
                  "rollouts": [rollouts.summary_as_data(summary) for summary in rollouts.summaries(capability)]})
    else:
        out.line(messages[action] % {"capability": capability})
        report_log_user(out, actor)

"""``ai_models active``: the active model of every capability, with its drift."""

from django.utils.translation import gettext as _

from ..sharedcache import is_process_local
from ..capabilities import capability_label
from ..conf import ai_settings
from ..drift import active_drift
from ..models import AIModel
from ..prices import number
from .output import DASH, clean


def add_parser(sub):
    p = sub.add_parser("active", help=_("Show the active model of every capability."))
    p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))


def run(out, as_json=False, **options):
    capabilities = ai_settings.CAPABILITIES
    rows = {
        row.capability: row
        for row in AIModel.objects.select_related("provider", "activated_by").filter(
            is_active=True, capability__in=list(capabilities)
        )
    }
    drifts = {drift.model.capability: drift for drift in active_drift() if not drift.is_fallback}
    if as_json:
        out.json({name: _active_json(rows.get(name), drifts.get(name)) for name in capabilities})
        return
    headers = [_("capability"), _("provider"), _("model id"), _("name"), _("drift"), _("activated"), _("by")]
    lines = []
    for name in capabilities:
        row = rows.get(name)
        if row is None:
            lines.append([name, DASH, DASH, "", "", "", ""])
            continue
        lines.append([
            name,
            row.provider.slug,
            clean(row.model_id),
            clean(row.display_name, 40),
            _unwatched_label(drifts.get(name)),
            row.activated_at.strftime("%Y-%m-%d %H:%M") if row.activated_at else "",
            row.activated_by.get_username() if row.activated_by else "",
        ])
    out.table(headers, lines)
    for row in rows.values():
        if row.is_demo:
            out.warn(_("%(capability)s: %(provider)s:%(model)s is the offline demo snapshot: it answers with demo "
                       "output, not a real model's.") % {"capability": row.capability, "provider": row.provider.slug,
                                                          "model": clean(row.model_id)})
    report_drift(out, drifts.values())


def report_drift(out, drifts):
    """One stderr line per flag, then a hint."""
    flagged = [drift for drift in drifts if drift.flags]
    for drift in flagged:
        row = drift.model
        for flag in drift.flags:
            out.warn(f"{row.capability}: {row.provider.slug}:{clean(row.model_id)} {clean(flag.message)}")
    if flagged:
        out.note(
            _("Choose another model, or activate the same one again to accept the change "
              "(`manage.py ai_models activate PROVIDER MODEL_ID --capability C`).")
        )


def drift_json(drift) -> dict | None:
    if drift is None:
        return None
    return {
        "state": drift.state,
        "successor": drift.successor,
        "flags": [{"kind": flag.kind, "message": flag.message, "successor": flag.successor} for flag in drift.flags],
    }


def drift_label(drift) -> str:
    """"ok", "not checked", or the kinds of its flags: "disappeared,price"."""
    if drift is None:
        return ""
    if drift.flags:
        return ",".join(dict.fromkeys(flag.kind for flag in drift.flags))
    return _("ok") if drift.checked else _("not checked")


def _unwatched_label(drift) -> str:
    """``drift_label``, saying why when a process-local cache is why nothing could be checked."""
    if drift is not None and not drift.flags and not drift.checked and is_process_local():
        # The site's processes cannot have filled this one's private cache: say so.
        return _("not checked: this process has no cached catalog (the cache is private to each process; "
                 "run `ai_models watch`)")
    return drift_label(drift)


def capability_cell(drift) -> str:
    """"chat", or "chat (fallback 2)" for a member of its fallback chain."""
    row = drift.model
    if drift.is_fallback:
        return _("%(capability)s (fallback %(position)s)") % {"capability": row.capability, "position": row.fallback_position}
    return row.capability


def _active_json(row, drift=None):
    if row is None:
        return None
    return {
        "provider": row.provider.slug,
        "demo": row.is_demo,
        "model_id": row.model_id,
        "name": row.display_name,
        "capability_label": capability_label(row.capability),
        "context_window": row.context_window,
        "input_price": None if row.input_price is None else number(row.input_price),
        "output_price": None if row.output_price is None else number(row.output_price),
        "activated_at": row.activated_at.isoformat() if row.activated_at else None,
        "activated_by": row.activated_by.get_username() if row.activated_by else None,
        "activated_via": row.activated_via or None,
        "trial": None
        if row.trial_at is None
        else {"at": row.trial_at.isoformat(), "latency_ms": row.trial_latency_ms, "result": row.trial_result},
        "drift": drift_json(drift),
    }

"""``ai_models watch``: check the active models against the live catalogs, for cron (exit 1 when one is flagged)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import catalog
from ..conf import ai_settings
from ..drift import active_drift
from ..models import AIModel, Provider
from ..providers import provider_paths
from .active import capability_cell, drift_json, drift_label, report_drift
from .output import UNCHECKED, clean, fail, status_json, status_line


def add_parser(sub):
    p = sub.add_parser(
        "watch",
        help=_("Check the active models against the live catalogs (for cron): exit 1 when one is flagged."),
    )
    p.add_argument("--refresh", action="store_true", help=_("Fetch the catalogs again, bypassing the cache."))
    p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))


def run(out, refresh=False, as_json=False, **options):
    in_use = AIModel.objects.filter(capability__in=list(ai_settings.CAPABILITIES)).in_use()
    providers = sorted(set(in_use.values_list("provider__slug", flat=True)))
    registered = [provider for provider in providers if provider in provider_paths()]
    enabled = {backend.id for backend in Provider.objects.backends(registered)} if registered else set()
    statuses = catalog.get_catalog(sorted(enabled), refresh=refresh).statuses if enabled else []
    drifts = active_drift()

    if as_json:
        out.json(
            {
                "models": [
                    {"capability": drift.model.capability, "provider": drift.model.provider.slug,
                     "model_id": drift.model.model_id, **drift_json(drift),
                     **({"fallback_position": drift.model.fallback_position} if drift.is_fallback else {})}
                    for drift in drifts
                ],
                "providers": [status_json(status) for status in statuses],
            }
        )
    else:
        headers = [_("capability"), _("provider"), _("model id"), _("drift")]
        out.table(headers, [
            [capability_cell(drift), drift.model.provider.slug, clean(drift.model.model_id), drift_label(drift)]
            for drift in drifts
        ])
        for status in statuses:
            if status.state in ("stale", "failed"):
                out.warn(status_line(status))
        for provider in sorted(set(providers) - enabled):
            out.warn(_("%(provider)s: not enabled, so its active models cannot be checked.") % {"provider": provider})
        report_drift(out, drifts)

    flagged = [drift for drift in drifts if drift.flags]
    if flagged:
        raise fail(
            ngettext("%(count)s active model is flagged.", "%(count)s active models are flagged.", len(flagged))
            % {"count": len(flagged)}
        )
    unchecked = [drift for drift in drifts if not drift.checked]
    if unchecked:
        raise fail(
            _("Could not check %(models)s: no catalog of their provider could be read.")
            % {"models": ", ".join(f"{d.model.provider.slug}:{clean(d.model.model_id)}" for d in unchecked)},
            UNCHECKED,
        )

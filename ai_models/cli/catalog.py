"""``ai_models catalog``: list the models the providers offer now."""

from django.utils.translation import gettext as _

from .. import catalog, facts
from ..conf import ai_settings
from .lookups import check_capability, check_provider
from ..prices import number
from .output import DASH, clean, fail, format_context, status_json, status_line


def add_parser(sub):
    p = sub.add_parser("catalog", help=_("List the models the providers offer now."))
    p.add_argument("--provider", help=_("Only this provider's models."))
    p.add_argument("--capability", help=_("Only models classified for this capability."))
    p.add_argument("--meets", metavar="CAPABILITY",
                   help=_("Only models known to meet every requirement this capability declares."))
    p.add_argument("--search", default="", help=_("Only models whose id, name or description match."))
    p.add_argument("--sort", choices=list(catalog.SORT_KEYS), default="name", help=_("Sort key (default: name)."))
    p.add_argument("--desc", action="store_true", help=_("Sort in descending order."))
    p.add_argument("--refresh", action="store_true", help=_("Fetch again, bypassing the cache."))
    p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))


def run(out, provider=None, capability=None, search="", sort="name", desc=False, refresh=False, as_json=False,
        meets=None, **options):
    for name in (capability, meets):
        if name:
            check_capability(name)
    if provider:
        check_provider(provider)
    listing = catalog.get_catalog([provider] if provider else None, refresh=refresh)
    entries = catalog.filter_entries(listing.entries, provider=provider, capability=capability, search=search,
                                     meets=meets)
    entries = catalog.sort_entries(entries, sort, descending=desc)
    states = catalog.entry_states(entries)

    if as_json:
        out.json(
            {
                "entries": [
                    {**_without_raw(entry.to_json()), "facts": facts.sources_json(entry),
                     "state": state_json(states.get(entry.pk))}
                    for entry in entries
                ],
                "providers": [status_json(status) for status in listing.statuses],
            }
        )
    else:
        headers = [_("id"), _("name"), _("provider"), _("capabilities"), _("context"), _("in $/1M"),
                   _("out $/1M"), _("state")]
        out.table(headers, [
            [
                clean(entry.pk),
                clean(entry.name, 40),
                entry.provider,
                ",".join(name for name in ai_settings.CAPABILITIES if name in entry.capabilities) or DASH,
                format_context(entry.context_window),
                number(entry.input_price),
                number(entry.output_price),
                format_state(states.get(entry.pk)),
            ]
            for entry in entries
        ])
        for status in listing.statuses:
            (out.warn if status.state in ("stale", "failed") else out.note)(status_line(status))
        out.note(_("%(count)s models listed.") % {"count": len(entries)})

    if listing.statuses and all(status.state == "failed" for status in listing.statuses):
        raise fail(_("Every provider failed; no catalog to list."))
    if not listing.statuses:
        out.warn(_("No provider is enabled: set AI_MODELS['PROVIDERS'] or add one in the admin."))


def format_state(state) -> str:
    """"active: chat; saved: image" from an ``EntryState`` (or ``None``)."""
    if state is None:
        return ""
    parts = []
    if state.active_for:
        parts.append(_("active: %(capabilities)s") % {"capabilities": ", ".join(sorted(state.active_for))})
    saved = set(state.saved_for) - set(state.active_for)
    if saved:
        parts.append(_("saved: %(capabilities)s") % {"capabilities": ", ".join(sorted(saved))})
    return "; ".join(parts)


def state_json(state) -> dict:
    if state is None:
        return {"active_for": [], "saved_for": []}
    return {"active_for": sorted(state.active_for), "saved_for": sorted(state.saved_for)}


def _without_raw(data: dict) -> dict:
    for name in ("raw", "conflicts"):  # conflicts are told per field under "facts"
        data.pop(name, None)
    return data

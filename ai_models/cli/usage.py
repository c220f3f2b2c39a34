"""``ai_models usage``: calls, errors, latency, tokens and cost per capability (and model) for a
range of days, the same numbers as the admin's usage page; ``ai_models usage prune``: delete the
aggregates older than the retention."""

import argparse
from datetime import date

from django.utils.translation import gettext as _

from ..prices import usd
from ..usage import report
from .lookups import check_capability
from .output import DASH, USAGE, clean, fail


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a date (YYYY-MM-DD): %(text)s") % {"text": text}) from None


def add_parser(sub):
    p = sub.add_parser("usage", help=_("Show calls and spend per capability and model, or prune old usage."))
    p.add_argument("action", nargs="?", choices=["show", "prune"], default="show",
                   help=_("show (the default) or prune: delete aggregates older than the retention"))
    p.add_argument("--start", type=_day, help=_("first day (YYYY-MM-DD, UTC); default 30 days before the end"))
    p.add_argument("--end", type=_day, help=_("last day (YYYY-MM-DD, UTC); default today"))
    p.add_argument("--capability", help=_("only this capability"))
    p.add_argument("--months", type=int, help=_("prune: months kept before this one (default USAGE_RETENTION_MONTHS)"))
    p.add_argument("--dry-run", action="store_true", help=_("prune: count what would be deleted, delete nothing"))
    p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))


def run(out, action="show", start=None, end=None, capability=None, months=None, dry_run=False, as_json=False,
        **options):
    if action == "prune":
        prune(out, months, dry_run, as_json)
        return
    if capability:
        check_capability(capability)
    try:
        first, last = report.date_range(start, end)
    except ValueError as err:
        raise fail(str(err), USAGE) from None
    report.collect()
    if as_json:
        out.json(report.as_data(first, last, capability))
        return
    headers = [_("capability"), _("provider"), _("model id"), _("calls"), _("errors"), _("p50 ms"), _("p95 ms"),
               _("tokens in"), _("tokens out"), _("cost")]
    lines = [
        [entry["capability"], entry["provider"], clean(entry["model_id"]), str(line.calls), str(line.errors),
         _ms(line.p50), _ms(line.p95), str(line.tokens_in), str(line.tokens_out),
         usd(line.cost) + (" " + _("(+%(calls)d of unknown cost)") % {"calls": line.uncosted} if line.uncosted else "")]
        for entry in report.by_model(first, last, capability)
        for line in [entry["line"]]
    ]
    out.line(_("Usage from %(start)s to %(end)s (UTC)") % {"start": first.isoformat(), "end": last.isoformat()})
    out.table(headers, lines)


def _ms(value) -> str:
    return DASH if value is None else f"≤{value}"


def prune(out, months, dry_run, as_json):
    count = report.prune(months, dry_run=dry_run)
    if as_json:
        out.json({"deleted": 0 if dry_run else count, "would_delete": count if dry_run else 0})
    elif dry_run:
        out.line(_("%(count)d usage rows would be deleted.") % {"count": count})
    else:
        out.line(_("%(count)d usage rows deleted.") % {"count": count})

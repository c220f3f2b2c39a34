"""``ai_models facts``: the model-facts datasets in use (version, date, origin, licence), and
``--refresh`` to fetch newer copies from the URLs of ``AI_MODELS["FACTS_REFRESH"]``."""

from django.utils.translation import gettext as _

from .. import facts
from ..conf import ai_settings
from ..facts import refresh as facts_refresh
from .output import DASH, fail


def add_parser(sub):
    p = sub.add_parser("facts", help=_("Show the model-facts datasets that complete what providers omit."))
    p.add_argument("--refresh", action="store_true",
                   help=_("Fetch newer copies from the URLs of AI_MODELS['FACTS_REFRESH'] (for cron)."))
    p.add_argument("--json", action="store_true", dest="as_json", help=_("Print JSON instead of a table."))


def run(out, refresh=False, as_json=False, **options):
    outcome = {}
    if refresh:
        if not ai_settings.FACTS_REFRESH:
            raise fail(_("AI_MODELS['FACTS_REFRESH'] is empty: the datasets the packages ship are used, and "
                         "nothing is fetched. Map a dataset to its URL there to refresh it."))
        outcome = facts_refresh.refresh(ai_settings.FACTS_REFRESH)
    rows = facts.describe()
    if as_json:
        out.json({"datasets": rows, **({"refresh": outcome} if refresh else {})})
    else:
        headers = [_("dataset"), _("package"), _("version"), _("date"), _("age (days)"), _("models"), _("origin"),
                   _("licence")]
        out.table(headers, [
            [
                row["label"],
                row["package"],
                row["version"] or _("not installed"),
                row["date"] or DASH,
                DASH if row["age_days"] is None else str(row["age_days"]),
                str(row["models"]),
                row["origin"] or DASH,
                row["licence"],
            ]
            for row in rows
        ])
        for name, error in outcome.items():
            if error:
                out.warn(_("%(dataset)s: not refreshed: %(error)s") % {"dataset": name, "error": error})
            else:
                out.note(_("%(dataset)s: refreshed.") % {"dataset": name})
        if not ai_settings.FACTS_SOURCES:
            out.note(_("AI_MODELS['FACTS_SOURCES'] is empty: no catalog entry is completed."))
    if any(outcome.values()):
        raise fail(_("Some datasets could not be refreshed; the copies in use are kept."))

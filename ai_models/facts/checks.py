"""System checks of the model facts: their settings (E014), and with ``check --deploy`` the age of
the datasets (W009): reading them takes a few hundred milliseconds, which every ``manage.py``
command would otherwise pay at start."""

from decimal import Decimal

from django.core.checks import Error, Warning, register

from ..checks import TAG
from ..conf import ai_settings
from . import sources


@register(TAG)
def check_facts_settings(app_configs=None, **kwargs):
    problems = settings_problems()
    if problems:
        return [Error("AI_MODELS " + "; ".join(problems) + ".", hint="See docs/settings.md, Model facts.",
                      id="ai_models.E014")]
    return []


@register(TAG, deploy=True)
def check_facts_age(app_configs=None, **kwargs):
    if settings_problems():
        return []  # E014 says what to fix first
    from . import describe

    limit = ai_settings.FACTS_MAX_AGE_DAYS
    return [
        Warning(
            f"The model facts dataset {row['label']} ({row['package']} {row['version']}) is {row['age_days']} days "
            f"old (dated {row['date']}): prices and deprecations may have changed since.",
            hint="Upgrade the package (pip install -U " + row["package"] + "), or refresh it from upstream with "
            "AI_MODELS['FACTS_REFRESH'] and `manage.py ai_models facts --refresh` on a schedule.",
            id="ai_models.W009",
        )
        for row in describe()
        if row["age_days"] is not None and row["age_days"] > limit
    ]


def settings_problems() -> list[str]:
    """English sentences on what is wrong with the FACTS_* settings; [] when they are valid."""
    found = []
    named = ai_settings._get("FACTS_SOURCES")
    if not isinstance(named, (list, tuple)) or any(name not in sources.READERS for name in named):
        found.append(f"['FACTS_SOURCES'] is {named!r}; it must list datasets among {', '.join(sources.ORDER)}")
    threshold = ai_settings._get("FACTS_CONFLICT_THRESHOLD")
    try:
        valid = 0 <= Decimal(str(threshold)) <= 1
    except ArithmeticError:
        valid = False
    if isinstance(threshold, bool) or not valid:
        found.append(f"['FACTS_CONFLICT_THRESHOLD'] is {threshold!r}; it must be a share between 0 and 1 (0.10: 10%)")
    refresh = ai_settings._get("FACTS_REFRESH")
    if not isinstance(refresh, dict) or any(name not in sources.READERS or not isinstance(url, str)
                                            for name, url in refresh.items()):
        found.append(f"['FACTS_REFRESH'] is {refresh!r}; it must map dataset names ({', '.join(sources.ORDER)}) "
                     "to URLs")
    days = ai_settings._get("FACTS_MAX_AGE_DAYS")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        found.append(f"['FACTS_MAX_AGE_DAYS'] is {days!r}; it must be a whole number of days, 1 or more")
    return found

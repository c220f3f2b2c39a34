"""Prices in USD per 1M tokens: read from settings, and written for the history, the API, the
command line and the admin. Pure, but for the admin's formats (the active language's)."""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language, gettext

from .memos import remember

EMPTY = "—"  # an unknown price (and every empty cell of the admin)


def parse(value) -> Decimal | None:
    """``value`` (a number or its text, as settings give it) as a finite, non-negative Decimal,
    or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() and number >= 0 else None


def number(value) -> str:
    """"0.40", "0.0375": at least two decimals, no trailing zeros beyond; "—" when unknown."""
    if value is None:
        return EMPTY
    value = Decimal(value).normalize()
    if value.as_tuple().exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}"


def usd(value) -> str:
    """"$0.40", "$0.0375" (the history, the API's messages, the command line); "—" when unknown."""
    return EMPTY if value is None else "$" + number(value)


def grouped(value, places=None) -> str:
    """A number in the active language's separators, always grouped by thousands.

    Some locales (Persian among them) set no ``NUMBER_GROUPING``: Django would then print
    1048576, which nobody reads at a glance; those get groups of three.
    """
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        places,
        get_format("NUMBER_GROUPING") or 3,
        get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def format_price(value) -> str:
    """A price for the admin, in the active language: "$0.40", "$0.0375", "free", or "—"."""
    if value is None:
        return EMPTY
    return _format_price(value, get_language())


@lru_cache(maxsize=1024)  # a page shows a few dozen distinct prices, a hundred times
def _format_price(value, language):
    if value == 0:
        return gettext("free")
    places = min(6, max(2, -value.normalize().as_tuple().exponent))
    return "$" + grouped(value, places)


remember(_format_price.cache_clear)


def format_cost(value) -> str:
    """A sum spent for the admin, in the active language: "$0.00", "$12.50", "$0.0062"; "—" when unknown."""
    if value is None:
        return EMPTY
    value = Decimal(value).quantize(Decimal("0.000001")).normalize()
    return "$" + grouped(value, min(6, max(2, -value.as_tuple().exponent)))


def format_share(value) -> str:
    """0.125 as "12.5%" in the active language; "—" when unknown."""
    return EMPTY if value is None else f"{grouped(round(Decimal(value) * 100, 1), 1)}%"


def format_price_change(new, old) -> str:
    """The change from ``old`` to ``new``: "+$0.20", "−$0.10", "no change", or "" when unknown."""
    if new is None or old is None:
        return ""
    if new == old:
        return gettext("no change")
    return ("+" if new > old else "−") + format_price(abs(new - old))

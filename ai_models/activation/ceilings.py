"""The cost guardrail: a price ceiling per capability (``AI_MODELS["PRICE_CEILINGS"]``).

A model priced above the ceiling of the capability it would serve is refused by the ``ceiling``
gate (``gates.py``) unless overridden by a user with the ``ai_models.activate_above_ceiling``
permission (or by code, naming the override). An unknown price never exceeds a ceiling: a
provider that publishes no prices (OpenAI's model list, say) cannot be judged, unless a model-facts
dataset completed it (``ai_models.facts``), and then the message names that dataset.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from ..conf import ai_settings
from ..prices import parse, usd

PERMISSION = "ai_models.activate_above_ceiling"
SIDES = ("input", "output")


@dataclass(frozen=True)
class Excess:
    """One price of a model above the ceiling set for it: USD per 1M tokens."""

    side: str  # "input" | "output"
    price: Decimal
    ceiling: Decimal
    source: str = ""  # the model-facts dataset the price came from; "" for the provider's own

    def describe(self, format_price) -> str:
        """"input $8.00 per 1M tokens, above the ceiling of $5.00", prices shown by ``format_price``."""
        values = {"price": format_price(self.price), "ceiling": format_price(self.ceiling)}
        if self.side == "input":
            text = gettext("input %(price)s per 1M tokens, above the ceiling of %(ceiling)s") % values
        else:
            text = gettext("output %(price)s per 1M tokens, above the ceiling of %(ceiling)s") % values
        return text + from_facts(self.source)


def from_facts(source: str) -> str:
    """" (price from models.dev 2026-05-21)" for a price a dataset completed, else ""."""
    return " " + gettext("(price from %(source)s)") % {"source": source} if source else ""


def price_sources(entry) -> dict:
    """Side -> the dataset that completed a catalog entry's price ("" for the provider's own)."""
    return {side: entry.source_of(f"{side}_price") for side in SIDES}


def parse_ceilings(value, capabilities) -> tuple[dict, list[str]]:
    """``(ceilings, problems)`` from a ``PRICE_CEILINGS`` value. Pure.

    ``ceilings``: capability -> {side: Decimal} for the valid parts; ``problems``: one English
    sentence per part that is not (reported by check E009).
    """
    if not isinstance(value, dict):
        return {}, [f"must be a dict of capability -> {{'input': price, 'output': price}}, not {type(value).__name__}"]
    ceilings, problems = {}, []
    for capability, sides in value.items():
        if capability not in capabilities:
            problems.append(f"{capability!r} is not a configured capability")
            continue
        if not isinstance(sides, dict):
            problems.append(f"{capability!r} must map 'input' and/or 'output' to a price")
            continue
        for side, price in sides.items():
            if side not in SIDES:
                problems.append(f"{capability!r} has {side!r}; only 'input' and 'output' are read")
                continue
            number = parse(price)
            if number is None:
                problems.append(f"{capability!r} {side} ceiling {price!r} is not a non-negative number")
                continue
            ceilings.setdefault(capability, {})[side] = number
    return ceilings, problems


def ceilings() -> dict:
    """Capability -> {side: Decimal}: the valid ceilings of the settings."""
    return parse_ceilings(ai_settings.PRICE_CEILINGS, ai_settings.CAPABILITIES)[0]


def excesses(capability: str, input_price, output_price, sources=None) -> list[Excess]:
    """The prices above ``capability``'s ceiling (none when no ceiling is set or a price is unknown);
    ``sources`` (``price_sources``) names the dataset of a completed price."""
    ceiling = ceilings().get(capability, {})
    found = []
    for side, price in zip(SIDES, (input_price, output_price)):
        if price is not None and side in ceiling and Decimal(price) > ceiling[side]:
            found.append(Excess(side, Decimal(price), ceiling[side], (sources or {}).get(side, "")))
    return found


def can_exceed(user) -> bool:
    """Whether ``user`` holds the permission to activate a model above a price ceiling."""
    return user is not None and user.has_perm(PERMISSION)


def describe(excess: list[Excess], format_price) -> str:
    """Every excess of a model, joined for one message."""
    return "; ".join(item.describe(format_price) for item in excess)


def log_note(excess: list[Excess]) -> str:
    """The excess for the admin history, in English like the rest of its messages."""
    parts = ", ".join(f"{item.side} {usd(item.price)} > {usd(item.ceiling)}" + (f" [{item.source}]" if item.source else "")
                      for item in excess)
    return f"above the price ceiling ({parts} per 1M tokens)"

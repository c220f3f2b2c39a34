"""What one call is counted as (pure): the model it was made with, its outcome, its tokens or the
kind's unit, its cost, its latency bucket.

A ``Meter`` names the model a client calls (``AIModel.get_backend()`` gives its backend one); the
guarded transport starts a ``Tally`` per exchange and finishes it once the answer is read or the
exchange failed. Tokens are read from the last bytes of the answer (``usage`` of OpenAI-style
answers and streams, Anthropic's and Gemini's counts), so nothing is parsed twice.
"""

import bisect
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from ..capabilities import capability_kind

PICO = 10**12  # costs are counted in picodollars: a price per 1M tokens with 6 decimals is then exact
LATENCY_BOUNDS_MS = (
    5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000,
    20000, 30000, 60000, 120000,
)  # a latency is counted in the first bucket it fits; the last bucket holds everything longer
OK = "ok"
TAIL_BYTES = 4096
METER = "ai_models_meter"  # the request extension naming the meter of one call of a shared client

# The counters of one aggregate, in this order, then one count per latency bucket.
FIELDS = ("calls", "tokens_in", "tokens_out", "units", "cost", "uncosted", "latency_ms")
CALLS, TOKENS_IN, TOKENS_OUT, UNITS, COST, UNCOSTED, LATENCY = range(len(FIELDS))
WIDTH = len(FIELDS) + len(LATENCY_BOUNDS_MS) + 1

# A key followed by a number, as JSON writes it outside strings (inside one its quotes are escaped).
_TOKENS_IN = re.compile(rb'"(?:prompt_tokens|input_tokens|promptTokenCount)"\s*:\s*(\d+)')
_TOKENS_OUT = re.compile(rb'"(?:completion_tokens|output_tokens|candidatesTokenCount)"\s*:\s*(\d+)')
_DURATION = re.compile(rb'"duration"\s*:\s*([0-9.]+)')


def pico_per_token(price_per_million) -> int | None:
    """Picodollars per token of a price in USD per 1M tokens (None: unknown)."""
    return None if price_per_million is None else int(Decimal(price_per_million) * 10**6)


@dataclass(frozen=True, slots=True)
class Meter:
    """The saved model a client's calls are counted for."""

    capability: str
    provider: str
    model_id: str
    kind: str | None
    input_pico: int | None  # per token
    output_pico: int | None

    @classmethod
    def of(cls, model) -> "Meter":
        """The meter of an ``AIModel`` (its prices are the provider's, or the model facts' when it gave none)."""
        return cls(
            model.capability, model.provider.slug, model.model_id, capability_kind(model.capability),
            pico_per_token(model.input_price), pico_per_token(model.output_price),
        )

    def cost(self, tokens_in: int | None, tokens_out: int | None) -> int | None:
        """Picodollars of a call, or None when a price or a count it needs is unknown."""
        if tokens_in is None and tokens_out is None:
            return None
        cost = 0
        for tokens, price in ((tokens_in, self.input_pico), (tokens_out, self.output_pico)):
            if tokens:
                if price is None:
                    return None
                cost += tokens * price
        return cost


def latency_bucket(milliseconds: float) -> int:
    return bisect.bisect_left(LATENCY_BOUNDS_MS, milliseconds)


def status_outcome(status: int) -> str:
    if 200 <= status < 300:
        return OK
    if status in (401, 403):
        return "auth"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    return "refused"


def error_outcome(error: BaseException) -> str:
    name = type(error).__name__
    if "Timeout" in name:
        return "timeout"
    if isinstance(error, OSError) or "Connect" in name or "Network" in name or "Protocol" in name:
        return "unreachable"
    return "error"


def answer_counts(tail: bytes) -> tuple[int | None, int | None, float | None]:
    """``(tokens in, tokens out, audio seconds)`` named in the last bytes of an answer (last match)."""
    found = []
    for pattern in (_TOKENS_IN, _TOKENS_OUT, _DURATION):
        matches = pattern.findall(tail)
        found.append(matches[-1] if matches else None)
    tokens_in, tokens_out, duration = found
    return (
        int(tokens_in) if tokens_in is not None else None,
        int(tokens_out) if tokens_out is not None else None,
        float(duration) if duration is not None else None,
    )


def request_units(kind: str | None, body: bytes) -> float | None:
    """The kind's unit a request asks for: images (``n``, default 1), characters read aloud."""
    if kind not in ("image", "speech"):
        return None
    try:
        data = json.loads(body)
        return float(data.get("n") or 1) if kind == "image" else float(len(data["input"]))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None

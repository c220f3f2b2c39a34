"""Usage and spend per capability: every call made through the package is counted in the process
(``recorder``), flushed in batches (``store``), read back per day and model (``report``), and
checked against monthly budgets (``budgets``). No prompt or answer is ever kept.

Host code calling a provider by other means records its calls with ``record_call``; calls made for
a user are counted (and budgeted) for them inside ``acting_user(user)``.
"""

from decimal import Decimal

from .meter import OK, PICO, Meter
from .recorder import acting_user, current_user


def record_call(model, *, outcome: str = OK, latency: float = 0.0, tokens_in=None, tokens_out=None, units=None,
                cost=None):
    """Count one call made with the saved ``model`` (an ``AIModel``) by other means than ours.

    ``outcome``: "ok" or an error's class; ``latency`` in seconds; ``cost`` in USD when the host
    knows it (else from the tokens and the model's prices). Never raises, never does I/O.
    """
    from .recorder import record

    pico = None if cost is None else int(Decimal(str(cost)) * PICO)
    record(Meter.of(model), outcome, latency, tokens_in, tokens_out, units, pico)


def month_summary() -> dict:
    """This month's cost, calls and error rate per capability (see ``report.month_summary``)."""
    from .report import month_summary as summary

    return summary()


__all__ = ["Meter", "acting_user", "current_user", "month_summary", "record_call"]

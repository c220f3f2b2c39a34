"""Monthly budgets, checked on every ``get_active_model`` with no SQL when warm.

Each process keeps the budgets and this month's spend per ``(capability, user)`` read from the
database at most once per ``BUDGET_RECHECK`` seconds, plus what it recorded itself since (at once).
Other processes' spend arrives with their flushes (``USAGE_FLUSH_INTERVAL``), so across processes a
budget may be overrun by what they spend in one interval. At the warn share staff are told (banner,
``budget_reached`` signal, log); at the limit a capability either falls back to its cheapest
fallback that costs less than the active model, or refuses with ``BudgetExceeded``.
"""

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal

from django.db import InterfaceError, OperationalError
from django.db.models import Sum

from .. import sharedcache
from ..conf import ai_settings
from ..exceptions import BudgetExceeded
from ..memos import remember
from . import clock, recorder
from .meter import PICO

logger = logging.getLogger("ai_models")
WARNING, LIMIT = "warning", "limit"


@dataclass
class _Spend:
    month: object  # the month's first instant
    recheck_at: float  # time.monotonic() from which it is read again
    month_end: float  # clock.now() from which it is read again (a new month)
    budgets: dict  # (capability, user pk as text or "") -> Budget
    spent: dict = field(default_factory=dict)  # (capability, user) -> pico, as read (with unflushed counts)
    told: set = field(default_factory=set)  # (budget pk, level) announced by this process this month


_state: _Spend | None = None


@remember
def forget():
    """Read budgets and spend again on the next check (a budget changed, a test)."""
    global _state
    _state = None


def budget_changed(**kwargs):
    """Signal receiver: a budget was saved or deleted, read them again on the next check."""
    forget()


def _read() -> _Spend:
    from ..models import Budget, Usage

    month = clock.month_start()
    budgets = {(row.capability, str(row.user_id or "")): row for row in Budget.objects.all()}
    spent = {}
    if budgets:
        # Unflushed counts first: a flush committing meanwhile is counted twice, never missed.
        unflushed = recorder.unflushed_spend(int(month.timestamp() // 60))
        rows = (
            Usage.objects.filter(minute__gte=month, capability__in={key[0] for key in budgets})
            .values_list("capability", "user")
            .annotate(cost=Sum("cost"))
        )
        for capability, user, cost in rows:
            spent[capability, user] = spent.get((capability, user), 0) + int((cost or 0) * PICO)
        for key, pico in unflushed.items():
            spent[key] = spent.get(key, 0) + pico
    told = _state.told if _state is not None and _state.month == month else set()
    return _Spend(month, _next_recheck(), _following(month), budgets, spent, told)


def _following(month) -> float:
    """The instant the month after ``month`` starts (``clock.now()``)."""
    return (month + timedelta(days=32)).replace(day=1).timestamp()


def _next_recheck() -> float:
    return time.monotonic() + ai_settings.BUDGET_RECHECK


def _current(*, allow_query: bool = True) -> _Spend | None:
    global _state
    state = _state
    if state is None or time.monotonic() >= state.recheck_at or clock.now() >= state.month_end:
        if not allow_query:
            return None
        try:
            state = _read()
        except (OperationalError, InterfaceError):
            # The database fails (restarting): the budgets last read hold until it is back, as the
            # active model does; with none read yet, none. Tried again after BUDGET_RECHECK.
            if state is None:
                month = clock.month_start()
                state = _Spend(month, _next_recheck(), _following(month), {})
            else:
                state = replace(state, recheck_at=_next_recheck())
        _state = state
    return state


def spent(capability: str, user: str = "") -> Decimal:
    """USD spent this month by ``capability`` (for ``user``, or by everyone when "")."""
    state = _current()
    pico = _spent_pico(state, capability, user)
    return Decimal(pico) / PICO


def _spent_pico(state: _Spend, capability: str, user: str) -> int:
    since = recorder.spent_since_read()
    if user:
        return state.spent.get((capability, user), 0) + since.get((capability, user), 0)
    return sum(value for (name, _user), value in state.spent.items() if name == capability) + sum(
        value for (name, _user), value in since.items() if name == capability
    )


def serving(capability: str, chain: list, *, allow_query: bool = True) -> list | None:
    """``chain`` (the active model, then its fallbacks) as the capability's budgets allow it now.

    Over a limit: the fallbacks cheaper than the active model, cheapest first, or ``BudgetExceeded``.
    None when the budgets must be read again and ``allow_query`` is false (an event loop).
    """
    state = _current(allow_query=allow_query)
    if state is None:
        return None
    if not state.budgets:
        return chain
    user = recorder.current_user()
    for key in ((capability, ""), (capability, user)) if user else ((capability, ""),):
        budget = state.budgets.get(key)
        if budget is not None:
            chain = _within(state, budget, chain, key[1])
    return chain


def _within(state: _Spend, budget, chain: list, user: str) -> list:
    limit = int(budget.monthly_limit * PICO)
    spent_pico = _spent_pico(state, budget.capability, user)
    if spent_pico >= limit * budget.warn_at:
        _announce(state, budget, WARNING if spent_pico < limit else LIMIT, spent_pico)
    if spent_pico < limit:
        return chain
    if budget.on_limit == budget.FALLBACK:
        cheaper = cheaper_fallbacks(chain)
        if cheaper:
            return cheaper
    raise BudgetExceeded(budget.capability, budget.monthly_limit, Decimal(spent_pico) / PICO, user or None)


def price(model) -> Decimal | None:
    if model.input_price is None and model.output_price is None:
        return None
    return (model.input_price or 0) + (model.output_price or 0)


def cheaper_fallbacks(chain: list) -> list:
    """The fallbacks of ``chain`` with a known price below the active model's (any known price when
    the active model's is unknown), cheapest first."""
    active_price = price(chain[0])
    fitting = [
        model for model in chain[1:]
        if price(model) is not None and (active_price is None or price(model) < active_price)
    ]
    return sorted(fitting, key=price)


def _announce(state: _Spend, budget, level: str, spent_pico: int):
    """Tell staff once per budget, month and level (across processes sharing the cache)."""
    if (budget.pk, level) in state.told:
        return
    state.told.add((budget.pk, level))
    key = f"ai_models:budget:{budget.pk}:{state.month:%Y-%m}:{level}"
    if not sharedcache.shared_cache().add(key, 1, timeout=32 * 24 * 3600):
        return
    from ..signals import budget_reached

    spent_usd = Decimal(spent_pico) / PICO
    logger.warning(
        "AI models: the budget of %s%s reached its %s: %s of %s USD this month.",
        budget.capability, f" (user {budget.user_id})" if budget.user_id else "",
        "limit" if level == LIMIT else "warning share", spent_usd.quantize(Decimal("0.0001")), budget.monthly_limit,
    )
    budget_reached.send_robust(sender=type(budget), budget=budget, spent=spent_usd, limit=budget.monthly_limit,
                               level=level)


def status() -> list[dict]:
    """Every budget with this month's spend and level (None, "warning" or "limit"), for the banner and the pages."""
    forget()
    state = _current()
    result = []
    for (capability, user), budget in sorted(state.budgets.items()):
        spent_usd = Decimal(_spent_pico(state, capability, user)) / PICO
        level = LIMIT if spent_usd >= budget.monthly_limit else WARNING if spent_usd >= budget.monthly_limit * budget.warn_at else None
        result.append({"budget": budget, "spent": spent_usd, "level": level,
                       "share": spent_usd / budget.monthly_limit if budget.monthly_limit else None})
    return result

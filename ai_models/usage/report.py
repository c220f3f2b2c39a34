"""What the usage pages, the API and the command line show, all read here: per day, capability and
model, for a range; the series of a chart; this month per capability; two models around a switch.

Every reader first collects what is waiting (``collect``: this process's counts and Redis's), so the
numbers are those of every call made up to now.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Q, Sum
from django.utils.translation import gettext

from ..conf import ai_settings
from . import clock, recorder, store
from .meter import LATENCY_BOUNDS_MS, OK


DEFAULT_DAYS = 30
MAX_DAYS = 366


def date_range(first: date | None = None, last: date | None = None) -> tuple[date, date]:
    """The days a usage report covers: up to ``last`` (default today, UTC), from ``first`` (default
    ``DEFAULT_DAYS`` before). Raises ``ValueError`` (its message for the reader) for a range that
    ends before it starts or spans more than ``MAX_DAYS``."""
    last = last or clock.today()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValueError(gettext("The start of the range is after its end."))
    if (last - first).days >= MAX_DAYS:
        raise ValueError(gettext("Choose a range of at most %(days)d days.") % {"days": MAX_DAYS})
    return first, last


def collect():
    """Write this process's counts and move Redis's to the database (off the request path: pages, commands)."""
    recorder.flush()
    store.drain()


def percentile(buckets: list[int], share: float) -> int | None:
    """The latency (ms, a bucket's upper bound) under which ``share`` of the calls answered; None
    without calls, or past the last bound."""
    total = sum(buckets)
    if not total:
        return None
    wanted, seen = share * total, 0
    for index, count in enumerate(buckets):
        seen += count
        if seen >= wanted:
            return LATENCY_BOUNDS_MS[index] if index < len(LATENCY_BOUNDS_MS) else None
    return None


@dataclass
class Line:
    """The counts of one group of rows (a day and model, a capability this month...)."""

    calls: int = 0
    errors: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    units: float = 0.0
    cost: Decimal = Decimal(0)
    uncosted: int = 0
    latencies: list = field(default_factory=lambda: [0] * (len(LATENCY_BOUNDS_MS) + 1))

    def add(self, row: dict):
        self.calls += row["calls"]
        self.errors += row["calls"] if row["outcome"] != OK else 0
        self.tokens_in += row["tokens_in"]
        self.tokens_out += row["tokens_out"]
        self.units += row["units"]
        self.cost += row["cost"]
        self.uncosted += row["uncosted"]
        for index, count in enumerate(row["latencies"] or []):
            self.latencies[index] += count

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None

    @property
    def p50(self):
        return percentile(self.latencies, 0.5)

    @property
    def p95(self):
        return percentile(self.latencies, 0.95)

    def as_dict(self) -> dict:
        """The figures as JSON-friendly values (cost as a string: exact)."""
        return {
            "calls": self.calls, "errors": self.errors, "error_rate": self.error_rate,
            "p50_ms": self.p50, "p95_ms": self.p95, "tokens_in": self.tokens_in, "tokens_out": self.tokens_out,
            "units": self.units, "cost": usd(self.cost),
            "calls_of_unknown_cost": self.uncosted,
        }


def rows_between(start: datetime, end: datetime, capability: str | None = None):
    Usage = apps.get_model("ai_models", "Usage")
    rows = Usage.objects.filter(minute__gte=start, minute__lt=end)
    if capability:
        rows = rows.filter(capability=capability)
    return rows.values(
        "minute", "capability", "provider", "model_id", "outcome", "calls", "tokens_in", "tokens_out", "units",
        "cost", "uncosted", "latencies",
    ).iterator(chunk_size=2000)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of ``first`` to the end of ``last``."""
    return datetime.combine(first, time.min, UTC), datetime.combine(last + timedelta(days=1), time.min, UTC)


def by_day(first: date, last: date, capability: str | None = None) -> list[dict]:
    """One line per day, capability and model (provider:model id), from ``first`` to ``last`` included."""
    lines: dict[tuple, Line] = defaultdict(Line)
    for row in rows_between(*day_range(first, last), capability):
        lines[row["minute"].date(), row["capability"], row["provider"], row["model_id"]].add(row)
    return [
        {"day": day, "capability": cap, "provider": provider, "model_id": model_id, "line": line}
        for (day, cap, provider, model_id), line in sorted(lines.items())
    ]


def by_model(first: date, last: date, capability: str | None = None) -> list[dict]:
    """One line per capability and model over the whole range."""
    lines: dict[tuple, Line] = defaultdict(Line)
    for row in rows_between(*day_range(first, last), capability):
        lines[row["capability"], row["provider"], row["model_id"]].add(row)
    return [
        {"capability": cap, "provider": provider, "model_id": model_id, "line": line}
        for (cap, provider, model_id), line in sorted(lines.items())
    ]


def by_capability(first: date, last: date) -> dict[str, dict]:
    """Per capability: its total ``Line`` and one ``Line`` per day (every day of the range, zeros included)."""
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    result: dict[str, dict] = {}
    for row in rows_between(*day_range(first, last)):
        entry = result.setdefault(row["capability"], {"total": Line(), "days": {day: Line() for day in days}})
        entry["total"].add(row)
        entry["days"][row["minute"].date()].add(row)
    return dict(sorted(result.items()))


def month_summary() -> dict[str, dict]:
    """This month's calls, errors, error rate, tokens and cost per capability, summed by the database
    (one query, for the capability board). No collecting: it may lag one flush."""
    start = clock.month_start()
    rows = (
        apps.get_model("ai_models", "Usage").objects.filter(minute__gte=start)
        .values("capability")
        .annotate(
            calls_sum=Sum("calls"), errors=Sum("calls", filter=~Q(outcome=OK)), tokens_in_sum=Sum("tokens_in"),
            tokens_out_sum=Sum("tokens_out"), cost_sum=Sum("cost"), uncosted_sum=Sum("uncosted"),
        )
        .order_by("capability")
    )
    return {
        row["capability"]: {
            "calls": row["calls_sum"], "errors": row["errors"] or 0,
            "error_rate": (row["errors"] or 0) / row["calls_sum"] if row["calls_sum"] else None,
            "tokens_in": row["tokens_in_sum"], "tokens_out": row["tokens_out_sum"],
            "cost": usd(row["cost_sum"]), "calls_of_unknown_cost": row["uncosted_sum"],
        }
        for row in rows
    }


def usd(value) -> str:
    """A sum in USD as exact text ("0.024", "0")."""
    return str(Decimal(value).normalize()) if value else "0"


def around_switch(capability: str, switched_at: datetime, days: int = 7) -> dict | None:
    """The model most used in the ``days`` before ``switched_at`` beside the one most used after."""
    halves = {}
    for name, (start, end) in {
        "before": (switched_at - timedelta(days=days), switched_at),
        "after": (switched_at, switched_at + timedelta(days=days)),
    }.items():
        lines: dict[tuple, Line] = defaultdict(Line)
        for row in rows_between(start, end, capability):
            lines[row["provider"], row["model_id"]].add(row)
        if lines:
            model, line = max(lines.items(), key=lambda item: item[1].calls)
            halves[name] = {"provider": model[0], "model_id": model[1], "line": line}
    return halves if len(halves) == 2 else None


def latest_switch(capability: str) -> datetime | None:
    """When the active model of ``capability`` was activated (the switch to compare around)."""
    AIModel = apps.get_model("ai_models", "AIModel")
    active = AIModel.objects.filter(capability=capability, is_active=True).values_list("activated_at", flat=True)
    return next(iter(active), None)


def prune(months: int | None = None, *, dry_run: bool = False) -> int:
    """Delete the aggregates older than ``months`` whole months (default ``USAGE_RETENTION_MONTHS``)
    before this one; the number of rows deleted (or that would be)."""
    months = ai_settings.USAGE_RETENTION_MONTHS if months is None else months
    start = clock.month_start()
    year, month = divmod(start.year * 12 + start.month - 1 - months, 12)
    cutoff = start.replace(year=year, month=month + 1)
    rows = apps.get_model("ai_models", "Usage").objects.filter(minute__lt=cutoff)
    return rows.count() if dry_run else rows.delete()[0]


def as_data(first: date, last: date, capability: str | None = None) -> dict:
    """The report as JSON-friendly data (the API's ``usage/`` and ``ai_models usage --json``)."""
    per_capability = by_capability(first, last)
    if capability:
        per_capability = {name: entry for name, entry in per_capability.items() if name == capability}
    return {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "capabilities": {
            name: {
                "total": entry["total"].as_dict(),
                "days": [{"day": day.isoformat(), **line.as_dict()} for day, line in entry["days"].items()],
            }
            for name, entry in per_capability.items()
        },
        "models": [
            {"capability": line["capability"], "provider": line["provider"], "model_id": line["model_id"],
             **line["line"].as_dict()}
            for line in by_model(first, last, capability)
        ],
        "days": [
            {"day": line["day"].isoformat(), "capability": line["capability"], "provider": line["provider"],
             "model_id": line["model_id"], **line["line"].as_dict()}
            for line in by_day(first, last, capability)
        ],
        "month": month_summary(),
    }

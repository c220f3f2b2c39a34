"""A capability's calls and cost per day as an SVG drawn on the server: no script, no CDN.

Calls are bars, cost a line on its own scale (each series' highest value goes in the legend, in
the page's language and direction); the axis names the first and last day, and each day has a
``<title>`` read on hover and by screen readers.
"""

from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from ..prices import grouped, usd

WIDTH, HEIGHT, PAD, BOTTOM = 720, 180, 12, 26  # the bottom margin holds the days


def svg(days: list, calls: list[int], costs: list[Decimal], label: str) -> SafeString:
    """The chart of one capability: ``days`` (dates) with the ``calls`` and ``costs`` of each."""
    count = len(days)
    most_calls, most_cost = max(calls, default=0) or 1, max(costs, default=0) or Decimal(1)
    step = (WIDTH - 2 * PAD) / max(count, 1)
    base = HEIGHT - BOTTOM
    inner = base - PAD

    def y(value, top) -> float:
        return round(base - float(value) / float(top) * inner, 1)

    bars = format_html_join(
        "",
        '<rect class="aim-chart-calls" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        (
            (
                round(PAD + index * step + step * 0.15, 1), y(value, most_calls), round(step * 0.7, 1),
                round(base - y(value, most_calls), 1),
                gettext("%(day)s: %(calls)s calls, %(cost)s")
                % {"day": date_format(day, "SHORT_DATE_FORMAT"), "calls": grouped(value), "cost": usd(cost)},
            )
            for index, (day, value, cost) in enumerate(zip(days, calls, costs, strict=True))
        ),
    )
    points = " ".join(
        f"{round(PAD + (index + 0.5) * step, 1)},{y(cost, most_cost)}" for index, cost in enumerate(costs)
    )
    first, last = (date_format(days[0], "SHORT_DATE_FORMAT"), date_format(days[-1], "SHORT_DATE_FORMAT")) if days else ("", "")
    return format_html(
        '<svg class="aim-chart" role="img" aria-label="{label}" viewBox="0 0 {w} {h}" style="direction: ltr" '
        'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
        '<line class="aim-chart-axis" x1="{pad}" y1="{base}" x2="{right}" y2="{base}"/>{bars}'
        '<polyline class="aim-chart-cost" points="{points}"/>'
        '<text x="{pad}" y="{label_y}" class="aim-chart-label">{first}</text>'
        '<text x="{right}" y="{label_y}" text-anchor="end" class="aim-chart-label">{last}</text>'
        "</svg>",
        label=label, w=WIDTH, h=HEIGHT, pad=PAD, base=base, right=WIDTH - PAD, bars=bars, points=points,
        label_y=HEIGHT - 6, first=first, last=last,
    )


def legend(calls: list[int], costs: list[Decimal]) -> tuple[str, str]:
    """The legend's two entries: each series with its highest value."""
    return (
        gettext("calls (max %(calls)s)") % {"calls": grouped(max(calls, default=0))},
        gettext("cost (max %(cost)s)") % {"cost": usd(max(costs, default=0))},
    )

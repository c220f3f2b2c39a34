"""Template tags of the app's admin pages."""

from django import template

from ..visible import visible as _visible

register = template.Library()


@register.filter
def visible(text):
    """Provider text with the characters that hide or reorder text shown as ``[U+XXXX]``."""
    return _visible(text)


@register.filter
def isolate(text):
    """Text with its ids, dates, prices and arrows isolated left to right (see ``admin.display.isolate``)."""
    from ..admin.display import isolate as isolated

    return isolated(text)


@register.filter
def model_id(text):
    """A model id, hidden characters shown, that wraps only after "/", "-" and ":" (never mid-token)."""
    from ..admin.display import breakable_id

    return breakable_id(_visible(text))


@register.inclusion_tag("ai_models/drift_banner.html", takes_context=True)
def drift_banner(context):
    """The banner listing the active models that drifted from their providers' catalogs (if any)."""
    from ..admin.drift import banner_context

    request = context.get("request")
    site_name = getattr(request, "current_app", None) or "admin"
    return {"banner": banner_context(request, site_name) if request is not None else None}


@register.inclusion_tag("ai_models/budget_banner.html")
def budget_banner():
    """The banner naming the budgets past their warn share this month (if any)."""
    from ..admin.usage import budget_banner as entries

    return {"budget_banner": entries()}


@register.simple_tag
def budget_line(entry):
    """One budget of the banner: whose, how much of it is spent, what happens at the limit."""
    from ..admin.display import isolate as isolated
    from ..admin.usage import budget_line as line

    return isolated(line(entry))


@register.filter
def cost(value):
    """A sum spent, in the reader's language ("$0.0062"); "—" when unknown."""
    from ..prices import format_cost

    return format_cost(value)


@register.filter
def latency(milliseconds):
    """"≤ 300 ms", or "—" when unknown."""
    from django.utils.translation import gettext

    return "—" if milliseconds is None else gettext("≤ %(ms)s ms") % {"ms": milliseconds}


@register.filter
def share(value):
    """0.125 as "12.5%"; "—" when unknown."""
    from ..prices import format_share

    return format_share(value)


@register.filter
def capability(name):
    """A capability's label."""
    from ..capabilities import capability_label

    return capability_label(name)


@register.inclusion_tag("ai_models/board.html", takes_context=True)
def capability_board(context):
    """The capability board (see ``ai_models.admin.board``), for users who may see saved models."""
    from ..admin.board import board_context

    request = context.get("request")
    site_name = getattr(request, "current_app", None) or "admin"
    return {"board": board_context(request, site_name) if request is not None else None, "request": request}

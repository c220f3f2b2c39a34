"""Template tags of the app's admin pages."""

from django import template

register = template.Library()


@register.inclusion_tag("ai_models/drift_banner.html", takes_context=True)
def drift_banner(context):
    """The banner listing the active models that drifted from their providers' catalogs (if any)."""
    from ..admin.drift import banner_context

    request = context.get("request")
    site_name = getattr(request, "current_app", None) or "admin"
    return {"banner": banner_context(request, site_name) if request is not None else None}

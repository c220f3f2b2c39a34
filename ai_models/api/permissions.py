"""Who may call what: the app's own Django permissions, checked per endpoint.

The same permissions as the admin: a user who may browse the catalog there may list it here.
Being staff is not required (a deploy pipeline's service user needs only its permissions);
being authenticated is.
"""

from rest_framework.permissions import BasePermission

VIEW_CATALOG = "ai_models.view_catalogentry"
REFRESH_CATALOG = "ai_models.refresh_catalog"
VIEW_SAVED = "ai_models.view_aimodel"
ACTIVATE = "ai_models.activate_aimodel"
DELETE_SAVED = "ai_models.delete_aimodel"
VIEW_USAGE = "ai_models.view_usage"
# Above a price ceiling: the activation flow's ``ceiling`` gate, where the price is known.


def requires(*perms):
    """A permission class granting access to authenticated users holding every one of ``perms``."""

    class HasPermissions(BasePermission):
        required = perms

        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    HasPermissions.__name__ = HasPermissions.__qualname__ = "Requires_" + "_".join(p.split(".")[1] for p in perms)
    return HasPermissions


CanViewCatalog = requires(VIEW_CATALOG)
CanRefreshCatalog = requires(REFRESH_CATALOG)
CanViewSaved = requires(VIEW_SAVED)
CanActivate = requires(ACTIVATE)
CanDeleteSaved = requires(DELETE_SAVED)
CanViewUsage = requires(VIEW_USAGE)

"""Arguments turned into what they name (a capability, an enabled provider, a user), or a usage error."""

import os

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from ..conf import ai_settings
from ..exceptions import UnknownProvider
from ..models import Provider
from ..providers import get_provider
from .output import USAGE, fail

USER_ENV = "DJANGO_AI_MODELS_USER"
VIA = "command line"


def check_capability(name) -> str:
    capabilities = ai_settings.CAPABILITIES
    if name not in capabilities:
        raise fail(
            _("Unknown capability %(name)r. Valid capabilities: %(valid)s.")
            % {"name": name, "valid": ", ".join(capabilities)},
            USAGE,
        )
    return name


def check_provider(provider_id):
    """The enabled backend for ``provider_id``, or a usage error."""
    try:
        get_provider(provider_id)
    except UnknownProvider as err:
        raise fail(str(err), USAGE) from None
    except ImportError as err:
        raise fail(_("Provider %(id)r cannot be imported: %(error)s") % {"id": provider_id, "error": err}) from None
    backends = Provider.objects.backends()
    for backend in backends:
        if backend.id == provider_id:
            return backend
    raise fail(
        _("Provider %(id)r is not enabled. Enabled providers: %(enabled)s (see AI_MODELS['PROVIDERS']).")
        % {"id": provider_id, "enabled": ", ".join(b.id for b in backends) or _("none")},
        USAGE,
    )


def resolve_user(username):
    """The user for the LogEntry: --user, else $DJANGO_AI_MODELS_USER, else None: the change is then
    recorded as made by the command line (``activated_via``, the ``ai_models`` log), not by a person."""
    User = get_user_model()
    source = "--user"
    if not username and os.environ.get(USER_ENV):
        username, source = os.environ[USER_ENV], USER_ENV
    if username:
        try:
            return User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise fail(
                _("No user %(username)r (from %(source)s).") % {"username": username, "source": source}, USAGE
            ) from None
    return None


def report_log_user(out, actor):
    if actor is None:
        out.warn(
            _("Notice: recorded as made by the command line, not by a person, so no admin history "
              "(LogEntry) was written. Pass --user or set %(env)s to record who made it.") % {"env": USER_ENV}
        )

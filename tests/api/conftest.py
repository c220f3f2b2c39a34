"""Fixtures of the HTTP API tests: DRF's test client, users per role, the providers they list."""

import pytest

pytest.importorskip("rest_framework", reason="the HTTP API needs the rest extra (djangorestframework)")

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.test import override_settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from ..admin.conftest import make_user as make_staff_user  # noqa: E402
from ..admin.fakes import PATHS as ADMIN_FAKES  # noqa: E402
from ..drift.fakes import Acme  # noqa: E402

API = "/api/ai-models/"
CHAT = "openai/gpt-4.1-mini"  # a snapshot chat model, $0.40 in / $1.60 out per 1M tokens
OTHER_CHAT = "openai/gpt-5-nano"
ACME_CHAT = "acme/chat-1"  # $1.00 / $4.00, its provider switched off or on by the test

VIEWER = ("ai_models.view_catalogentry", "ai_models.view_aimodel")
ROLES = {
    "anonymous": None,
    "staff": (),
    "viewer": VIEWER,
    "activator": (*VIEWER, "ai_models.activate_aimodel", "ai_models.delete_aimodel"),
    "refresher": (*VIEWER, "ai_models.refresh_catalog"),
    "superuser": "all",
}


def make_user(username, perms=(), *, staff=True):
    """A user with ``perms`` (``"all"``: a superuser); ``staff=False`` for a service account."""
    if perms == "all":
        return make_staff_user(username, superuser=True)
    user = make_staff_user(username, *perms)
    if not staff:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def api(db):
    """``api(role)``: an APIClient logged in (session) as a user of that role (see ``ROLES``)."""

    def client_for(role="superuser"):
        client = APIClient()
        if ROLES[role] is not None:
            client.force_login(User.objects.filter(username=role).first() or make_user(role, ROLES[role]))
        return client

    return client_for


@pytest.fixture(autouse=True)
def enabled_providers():
    """Snapshot, Acme (yielded: ``drift.fakes.Acme``) and the admin tests' evil provider."""
    with override_settings(
        AI_MODELS={
            **settings.AI_MODELS,
            "PROVIDERS": {"snapshot": {}, "acme": {}, "evil": {}},
            "PROVIDER_CLASSES": {"acme": "tests.drift.fakes.AcmeProvider", "evil": ADMIN_FAKES["evil"]},
        }
    ):
        yield Acme()


def ceilings(**values):
    """``override_settings`` adding price ceilings to the providers above."""
    return override_settings(AI_MODELS={**settings.AI_MODELS, "PRICE_CEILINGS": values})

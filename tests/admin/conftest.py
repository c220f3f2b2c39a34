"""Fixtures of the admin tests: users per permission level and provider settings."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.test import override_settings
from django.urls import reverse

from .fakes import PATHS

CATALOG_URL = "/admin/ai_models/catalogentry/"
SAVED_URL = "/admin/ai_models/aimodel/"
PROVIDERS_URL = "/admin/ai_models/provider/"


def providers(**options):
    """``override_settings`` enabling the given providers (snapshot and the fakes) by id."""
    return override_settings(
        AI_MODELS={
            **settings.AI_MODELS,
            "PROVIDERS": options,
            "PROVIDER_CLASSES": PATHS,
        }
    )


def make_user(username, *perms, superuser=False):
    user = User.objects.create_user(username, password="pw", is_staff=True, is_superuser=superuser)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.fixture
def superuser(db):
    return make_user("root", superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def login(client, db):
    """``login(*perms)``: a staff user with exactly these permissions, logged in."""

    def log_in(*perms, username="staff"):
        client.force_login(make_user(username, *perms))
        return client

    return log_in


def read(html) -> str:
    """Markup as read: without the ``<bdi>`` isolating ids, names, dates and prices left to right."""
    return re.sub(r"</?bdi[^>]*>", "", str(html))


def messages_of(response):
    """The messages shown, as read (links are kept)."""
    return [read(message) for message in response.context["messages"]] if response.context else []


def changelist(name="catalogentry"):
    return reverse(f"admin:ai_models_{name}_changelist")

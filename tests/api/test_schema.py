"""The OpenAPI 3 schema validates, documents every endpoint, and matches what the endpoints answer;
a site that does not include the API never imports DRF."""

import subprocess
import sys
from pathlib import Path

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from ai_models import activation
from ai_models.catalog import get_entry

from .conftest import API, CHAT

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def schema(api):
    response = api().get(API + "schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_validates_as_openapi_3(schema):
    validate(schema)

    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == sorted(
        API + path
        for path in (
            "catalog/", "catalog/refresh/", "catalog/{provider}/{model_id}/", "providers/", "activations/",
            "saved/", "saved/bulk/", "active/", "active/{capability}/deactivate/", "active/{capability}/rollback/", "usage/",
        )
    )


def answers_as_documented(schema, path, method, response):
    """Validate ``response``'s JSON against the schema of its path, method and status."""
    documented = schema["paths"][API + path][method]["responses"][str(response.status_code)]
    body_schema = next(iter(documented["content"].values()))["schema"]
    OAS31Validator({**body_schema, "components": schema["components"]}).validate(response.json())


def test_every_endpoint_answers_as_documented(api, schema):
    client = api()
    activation.activate(get_entry("snapshot", "openai/gpt-5-nano"), "chat")
    choose = {"provider": "snapshot", "model_id": CHAT, "capability": "chat"}
    calls = [
        ("catalog/", "get", client.get(API + "catalog/")),
        ("catalog/{provider}/{model_id}/", "get", client.get(API + f"catalog/snapshot/{CHAT}/")),
        ("providers/", "get", client.get(API + "providers/")),
        ("catalog/refresh/", "post", client.post(API + "catalog/refresh/", {}, format="json")),
        ("activations/", "post", client.post(API + "activations/", choose, format="json")),
        ("saved/", "post", client.post(API + "saved/", {**choose, "capability": "content"}, format="json")),
        ("saved/bulk/", "post", client.post(API + "saved/bulk/", {"capability": "image", "limit": 2}, format="json")),
        ("saved/", "get", client.get(API + "saved/")),
        ("active/", "get", client.get(API + "active/")),
        ("active/{capability}/rollback/", "post", client.post(API + "active/chat/rollback/")),
        ("active/{capability}/deactivate/", "post", client.post(API + "active/chat/deactivate/")),
        ("saved/", "delete", client.delete(API + "saved/")),
        ("activations/", "post", client.post(API + "activations/", {"capability": "x"}, format="json")),
        ("active/{capability}/rollback/", "post", client.post(API + "active/nope/rollback/")),
    ]
    for path, method, response in calls:
        assert response.status_code < 500, (path, response.content)
        answers_as_documented(schema, path, method, response)


def test_importing_the_app_and_using_the_admin_never_imports_drf():
    """A site without the API URLs: the app, its admin and a page of it load no rest_framework module."""
    script = """
import sys
import django
from django.conf import settings
from tests import settings as base
apps = [app for app in base.INSTALLED_APPS if not app.startswith("rest_framework")]
settings.configure(**{**{k: getattr(base, k) for k in dir(base) if k.isupper()}, "INSTALLED_APPS": apps,
                      "ROOT_URLCONF": "tests.api.admin_only_urls", "DATABASES": {"default": {
                      "ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}})
django.setup()
import ai_models, ai_models.admin, ai_models.activation, ai_models.catalog
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from django.test import Client
client = Client()
client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
assert client.get("/admin/ai_models/catalogentry/").status_code == 200
assert client.get("/admin/ai_models/aimodel/").status_code == 200
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("rest_framework", "drf_spectacular"))
print(",".join(loaded) or "none")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"

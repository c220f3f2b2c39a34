"""The OpenAPI 3 schema validates, documents every endpoint, and matches what the endpoints answer;
a site that does not include the API never imports DRF."""

import json
import subprocess
from io import StringIO
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from ai_models import activation
from ai_models.catalog import get_entry
from ai_models.models import AIModel

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
            "saved/", "saved/bulk/", "saved/{id}/", "capabilities/", "active/", "active/{capability}/deactivate/",
            "active/{capability}/rollback/", "usage/", "rollouts/", "rollouts/{capability}/",
            "rollouts/{capability}/promote/", "rollouts/{capability}/abort/",
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
        ("saved/", "post", client.post(API + "saved/", {**choose, "capabilities": ["chat", "content"],
                                                          "capability": None}, format="json")),
        ("saved/bulk/", "post", client.post(API + "saved/bulk/", {"capability": "image", "limit": 2,
                                                                   "activate_first": True}, format="json")),
        ("saved/", "get", client.get(API + "saved/")),
        ("saved/{id}/", "get", client.get(API + f"saved/{AIModel.objects.first().pk}/")),
        ("saved/{id}/", "delete", client.delete(API + f"saved/{AIModel.objects.get(is_active=True, capability='chat').pk}/")),
        ("saved/{id}/", "delete", client.delete(API + "saved/999999/")),
        ("capabilities/", "get", client.get(API + "capabilities/")),
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
from django.test import override_settings
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


def test_drfs_generateschema_of_the_whole_site_works_with_the_api_included(db):
    """The views impose no schema class: DRF's own generator (the host's DEFAULT_SCHEMA_CLASS)
    describes the whole site, ours included, while schema/ stays drf-spectacular's."""
    out = StringIO()
    call_command("generateschema", "--format", "openapi-json", stdout=out)

    generated = json.loads(out.getvalue())
    assert API + "activations/" in generated["paths"] and API + "catalog/" in generated["paths"]


def operations(schema):
    return [(path, method, operation) for path, methods in schema["paths"].items()
            for method, operation in methods.items()]


def test_request_bodies_are_json_only_and_a_form_is_a_documented_415(api, schema):
    """One schema advertised for JSON, form and multipart made generated clients send each field
    twice under a broken boundary: bodies are JSON, and anything else is refused in JSON."""
    bodies = [operation["requestBody"] for _path, _method, operation in operations(schema) if "requestBody" in operation]
    form = api().post(API + "saved/", {"provider": "snapshot", "model_id": CHAT, "capability": "chat"})

    assert bodies and all(list(body["content"]) == ["application/json"] for body in bodies)
    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"
    assert "415" in schema["paths"][API + "saved/"]["post"]["responses"]


def test_every_answer_is_described_and_every_operation_documents_401_403_and_429(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            assert response.get("description"), (path, method, status)
        assert {"401", "403", "429"} <= set(operation["responses"]), (path, method)


def test_no_component_is_named_request_request(schema):
    assert not [name for name in schema["components"]["schemas"] if name.endswith("RequestRequest")]


def test_capabilities_and_providers_are_enums_of_the_settings_at_schema_time(api, settings):
    with override_settings(AI_MODELS={**settings.AI_MODELS, "CAPABILITIES": {"chat": "Chat", "summaries": {
            "label": "Summaries", "kind": "chat"}}}):
        schema = api().get(API + "schema/", {"format": "json"}).json()

    def resolved(node):
        while "allOf" in node or "$ref" in node:
            node = node["allOf"][0] if "allOf" in node else node
            if "$ref" in node:
                node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        return node

    body = schema["components"]["schemas"]["ActivationRequest"]["properties"]
    assert resolved(body["capability"])["enum"] == ["chat", "summaries"]
    assert resolved(body["provider"])["enum"] == ["snapshot", "acme", "evil"]
    (path_capability,) = schema["paths"][API + "active/{capability}/rollback/"]["post"]["parameters"]
    assert path_capability["schema"]["enum"] == ["chat", "summaries"]
    listing = {p["name"]: p["schema"] for p in schema["paths"][API + "catalog/"]["get"]["parameters"]}
    assert listing["capability"]["enum"] == ["chat", "summaries", ""]


def test_keep_active_is_documented_as_true_only_and_saved_declares_its_pages(schema):
    delete = {p["name"]: p["schema"] for p in schema["paths"][API + "saved/"]["delete"]["parameters"]}
    listing = {p["name"] for p in schema["paths"][API + "saved/"]["get"]["parameters"]}

    assert delete["keep_active"]["enum"] == [True]
    assert {"page", "page_size"} <= listing
    assert "404" in schema["paths"][API + "catalog/"]["get"]["responses"]  # a page past the end


def test_every_answer_under_the_prefix_is_the_apis_json(api):
    client = api()
    newline = client.get(API + "catalog/snapshot/openai/gpt-4.1-mini%0A/")
    unknown = client.get(API + "no/such/endpoint/")
    page_zero = client.get(API + "catalog/", {"page": 0})

    assert newline.status_code == 404 and newline.json()["code"] == "unknown_model"
    assert unknown.status_code == 404 and unknown["Content-Type"] == "application/json"
    assert unknown.json()["code"] == "not_found"
    assert page_zero.status_code == 404 and page_zero.json()["code"] == "not_found"

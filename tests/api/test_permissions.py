"""Who may call what: the permission matrix, CSRF on session auth, the host's auth and throttle classes."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ai_models.models import AIModel

from .conftest import API, CHAT, ROLES, make_user

CHOOSE = {"provider": "snapshot", "model_id": CHAT, "capability": "chat"}
# (method, path, JSON body, permission needed)
ENDPOINTS = [
    ("get", "catalog/", None, "ai_models.view_catalogentry"),
    ("get", f"catalog/snapshot/{CHAT}/", None, "ai_models.view_catalogentry"),
    ("get", "providers/", None, "ai_models.view_catalogentry"),
    ("get", "schema/?format=json", None, "ai_models.view_catalogentry"),
    ("post", "catalog/refresh/", {"providers": ["snapshot"]}, "ai_models.refresh_catalog"),
    ("get", "saved/", None, "ai_models.view_aimodel"),
    ("get", "active/", None, "ai_models.view_aimodel"),
    ("post", "activations/", CHOOSE, "ai_models.activate_aimodel"),
    ("post", "saved/", CHOOSE, "ai_models.activate_aimodel"),
    ("post", "saved/bulk/", {"capability": "chat", "limit": 2}, "ai_models.activate_aimodel"),
    ("delete", "saved/", None, "ai_models.delete_aimodel"),
    ("post", "active/chat/deactivate/", None, "ai_models.activate_aimodel"),
    ("post", "active/chat/rollback/", None, "ai_models.activate_aimodel"),
]


def allowed(role, perm) -> bool:
    perms = ROLES[role]
    return perms == "all" or (perms is not None and perm in perms)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("method, path, body, perm", ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_permission_matrix(api, role, method, path, body, perm):
    response = getattr(api(role), method)(API + path, body, format="json")

    if allowed(role, perm):
        assert response.status_code not in (401, 403), response.content
    else:
        assert response.status_code in (401, 403)
        expected = "not_authenticated" if role == "anonymous" else "permission_denied"
        assert response.json()["code"] == expected
        assert response.json()["detail"]
        assert not AIModel.objects.exists() and not LogEntry.objects.exists()


def test_session_auth_needs_the_csrf_token(db):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user("root", "all"))

    refused = client.post(API + "activations/", CHOOSE, format="json")
    secret = "a" * 32  # what a browser holds after any page that used the token
    client.cookies["csrftoken"] = secret
    accepted = client.post(API + "activations/", CHOOSE, format="json", HTTP_X_CSRFTOKEN=secret)

    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied" and "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 201


@override_settings(REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"]})
def test_the_hosts_token_authentication_works_without_csrf_and_is_logged_as_its_user(db):
    service = make_user("deploy-bot", ROLES["activator"], staff=False)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=service).key}")

    listing = client.get(API + "catalog/")
    response = client.post(API + "activations/", CHOOSE, format="json")
    anonymous = APIClient().get(API + "catalog/")

    assert listing.status_code == 200
    assert response.status_code == 201, response.content
    assert LogEntry.objects.get().user == service
    assert anonymous.status_code == 401  # TokenAuthentication names its scheme: WWW-Authenticate
    assert anonymous.json()["code"] == "not_authenticated"


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"ai_models_read": "2/minute", "ai_models_write": "1/minute"},
    }
)
def test_throttling_follows_the_hosts_scoped_rates(api):
    client = api()

    reads = [client.get(API + "providers/").status_code for _ in range(3)]
    writes = [client.post(API + "saved/", CHOOSE, format="json").status_code for _ in range(2)]

    assert reads == [200, 200, 429]
    assert writes == [201, 429]
    throttled = client.get(API + "providers/")
    assert throttled.json()["code"] == "throttled" and "Retry-After" in throttled


def test_head_and_options_of_saved_need_only_the_view_permission(api):
    client = api("viewer")

    assert client.head(API + "saved/").status_code == 200
    assert client.options(API + "saved/").status_code == 200
    assert client.post(API + "saved/", CHOOSE, format="json").status_code == 403


@override_settings(REST_FRAMEWORK={"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"]})
def test_the_hosts_default_permissions_apply_on_top_of_the_apps(api):
    """A host whose DRF default is IsAdminUser: a non-staff user holding the app's permission is
    refused, a staff one is answered; the app's own permission is still needed by staff."""
    service = APIClient()
    service.force_login(make_user("service", ROLES["viewer"], staff=False))

    assert service.get(API + "active/").status_code == 403
    assert api("viewer").get(API + "active/").status_code == 200
    assert api("staff").get(API + "active/").status_code == 403  # staff, without view_aimodel


class DenyAll:
    def has_permission(self, request, view):
        return False

    def has_object_permission(self, request, view, obj):
        return False


@override_settings(REST_FRAMEWORK={"DEFAULT_PERMISSION_CLASSES": ["tests.api.test_permissions.DenyAll"]})
def test_a_hosts_deny_all_default_denies_even_a_superuser(api):
    assert api().get(API + "active/").status_code == 403
    assert api().post(API + "saved/", CHOOSE, format="json").status_code == 403
    assert not AIModel.objects.exists()


@override_settings(REST_FRAMEWORK={"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissions"]})
def test_a_hosts_model_permissions_default_needs_no_queryset_here(api):
    """DjangoModelPermissions asks views for a queryset; these views check the app's permissions."""
    assert api("viewer").get(API + "active/").status_code == 200
    assert api("viewer").post(API + "saved/", CHOOSE, format="json").status_code == 403
    assert api().post(API + "saved/", CHOOSE, format="json").status_code == 201

"""Who may browse, activate and refresh: anonymous, staff without permissions, viewer, activator, superuser."""

import pytest

from ai_models.models import AIModel

from .conftest import CATALOG_URL, SAVED_URL

VIEW = "ai_models.view_catalogentry"
ACTIVATE = "ai_models.activate_aimodel"
REFRESH = "ai_models.refresh_catalog"
MINI = "snapshot:openai/gpt-4.1-mini"


def activate(client):
    data = {"action": "activate", "_selected_action": MINI, "confirm": "yes", "capability": "chat"}
    return client.post(CATALOG_URL, data)


def actions(response):
    form = response.context.get("action_form")
    return [name for name, _label in form.fields["action"].choices if name] if form else []


def test_anonymous_users_are_sent_to_the_login_page(client, db):
    for response in (client.get(CATALOG_URL), client.post(CATALOG_URL + "refresh/"), activate(client)):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not AIModel.objects.exists()


def test_staff_without_permissions_get_403(login):
    client = login()

    assert client.get(CATALOG_URL).status_code == 403
    assert client.post(CATALOG_URL + "refresh/").status_code == 403
    assert activate(client).status_code == 403
    assert not AIModel.objects.exists()


def test_viewer_browses_but_cannot_activate_or_refresh(login):
    client = login(VIEW)

    page = client.get(CATALOG_URL)
    assert page.status_code == 200
    assert actions(page) == []
    assert 'name="provider" value="snapshot"' not in page.content.decode()  # no refresh buttons
    assert client.post(CATALOG_URL + "refresh/").status_code == 403
    activate(client)
    assert not AIModel.objects.exists()


def test_activator_can_activate(login):
    client = login(VIEW, ACTIVATE)

    assert actions(client.get(CATALOG_URL)) == ["activate", "save_without_activating"]
    activate(client)
    assert AIModel.objects.get(is_active=True).model_id == "openai/gpt-4.1-mini"
    assert client.post(CATALOG_URL + "refresh/").status_code == 403


def test_activate_permission_without_view_is_not_enough(login):
    client = login(ACTIVATE)

    assert activate(client).status_code == 403
    assert not AIModel.objects.exists()


def test_refresher_can_refresh(login):
    client = login(VIEW, REFRESH)

    assert 'name="provider" value="snapshot"' in client.get(CATALOG_URL).content.decode()
    assert client.post(CATALOG_URL + "refresh/").status_code == 302


def test_superuser_can_do_everything(admin_client):
    assert actions(admin_client.get(CATALOG_URL)) == ["activate", "save_without_activating", "hide", "show_again"]
    assert admin_client.post(CATALOG_URL + "refresh/").status_code == 302
    activate(admin_client)
    assert AIModel.objects.filter(is_active=True).count() == 1


@pytest.mark.parametrize(
    "perms, expected",
    [
        (("ai_models.view_aimodel",), []),
        (("ai_models.view_aimodel", ACTIVATE), ["reactivate", "deactivate"]),
        (
            ("ai_models.view_aimodel", "ai_models.delete_aimodel", ACTIVATE),
            ["delete_selected", "reactivate", "deactivate"],
        ),
    ],
)
def test_saved_model_actions_follow_permissions(login, perms, expected):
    from ai_models import activation

    from ..factories import catalog_model

    activation.activate(catalog_model(), "chat")
    client = login(*perms)

    assert actions(client.get(SAVED_URL)) == expected

"""The guardrail in the admin: confirmation checkbox, and refusal without the permission."""

import pytest
from django.contrib.admin.models import LogEntry

from ai_models import activation
from ai_models.models import AIModel

from ..admin.conftest import CATALOG_URL, SAVED_URL, make_user, messages_of
from ..factories import catalog_model

MINI = "snapshot:openai/gpt-4.1-mini"  # $0.40 / $1.60 per 1M tokens
NANO = "snapshot:openai/gpt-4.1-nano"  # $0.10 / $0.40
ACTIVATE = "ai_models.activate_aimodel"
ABOVE = "ai_models.activate_above_ceiling"

pytestmark = pytest.mark.django_db


def open_page(client, selected=MINI):
    return client.post(CATALOG_URL, {"action": "activate", "_selected_action": selected, "index": "0"})


def confirm(client, selected=MINI, capability="chat", checked=False, action="activate"):
    data = {"action": action, "_selected_action": selected, "confirm": "yes", "capability": capability}
    if checked:
        data["confirm_above_ceiling"] = "on"
    return client.post(CATALOG_URL, data, follow=True)


@pytest.fixture
def staff(client):
    def log_in(*perms):
        user = make_user("editor", "ai_models.view_catalogentry", "ai_models.view_aimodel", ACTIVATE, *perms)
        client.force_login(user)
        return client

    return log_in


def test_the_page_shows_the_ceiling_and_the_checkbox(staff, ceilings):
    response = open_page(staff(ABOVE))

    html = response.content.decode()
    chat = next(row for row in response.context["capabilities"] if row["name"] == "chat")
    assert chat["ceiling"] == "$0.30 / $2.00"
    assert chat["over_ceiling"] == "input $0.40 per 1M tokens, above the ceiling of $0.30"
    assert response.context["selected_refuses"] == ["ceiling"]
    assert 'id="aim-override-ceiling"' in html and 'name="confirm_above_ceiling"' in html
    assert 'data-refuses="ceiling"' in html
    assert "This model is priced above the ceiling for Chat: input $0.40 per 1M tokens" in html


def test_without_the_checkbox_nothing_changes(staff, ceilings):
    response = confirm(staff(ABOVE))

    assert "Tick this box to go ahead anyway, or choose another model." in response.content.decode()
    assert response.context["form"].errors["confirm_above_ceiling"]
    assert not AIModel.objects.exists()


def test_with_the_checkbox_and_the_permission_it_is_activated_and_recorded(staff, ceilings):
    response = confirm(staff(ABOVE), checked=True)

    active = AIModel.objects.get(is_active=True)
    assert active.model_id == "openai/gpt-4.1-mini"
    assert "is now the active model for Chat" in messages_of(response)[0]
    message = LogEntry.objects.get().change_message
    assert "above the price ceiling (input $0.40 > $0.30 per 1M tokens)" in message


def test_without_the_permission_it_is_refused_even_when_ticked(staff, ceilings):
    previous = activation.activate(catalog_model("vendor/cheap", input_price=None, output_price=None), "chat").model

    client = staff()
    page = open_page(client)
    response = confirm(client, checked=True)

    assert "needs the permission “Can activate a model priced above the ceiling”, which you do not have" in \
        page.content.decode()
    assert 'name="confirm_above_ceiling"' not in page.content.decode()
    [message] = messages_of(response)
    assert message.startswith("Not activating snapshot:openai/gpt-4.1-mini for Chat: This model is priced above the "
                              "ceiling for Chat")
    assert "Going ahead anyway needs the permission “Can activate a model priced above the ceiling”." in message
    assert message.endswith("Nothing was changed.")
    assert list(AIModel.objects.filter(is_active=True)) == [previous]
    assert not AIModel.objects.filter(model_id="openai/gpt-4.1-mini").exists()


def test_a_model_under_the_ceiling_needs_neither(staff, ceilings):
    response = confirm(staff(), NANO)

    assert AIModel.objects.get(is_active=True).model_id == "openai/gpt-4.1-nano"
    assert "is now the active model" in messages_of(response)[0]


def test_another_capability_without_a_ceiling_is_not_held_back(staff, ceilings):
    confirm(staff(), capability="content")

    assert AIModel.objects.get(is_active=True).capability == "content"


def test_saving_without_activating_is_not_held_back(staff, ceilings):
    confirm(staff(), action="save_without_activating")

    assert AIModel.objects.get().is_active is False


def test_no_ceiling_no_checkbox(staff):
    client = staff()
    response = open_page(client)

    assert response.context["selected_refuses"] == [] and 'data-refuses=""' in response.content.decode()
    confirm(client)
    assert AIModel.objects.get(is_active=True).model_id == "openai/gpt-4.1-mini"


# --- Saved models: activating an old row again -----------------------------------------------


@pytest.fixture
def expensive_row():
    """An inactive saved chat model above the ceiling, and a cheap active one."""
    old = activation.activate(catalog_model("vendor/pricey", input_price=9, output_price=30), "chat",
                              overrides={"ceiling"}).model
    activation.activate(catalog_model("vendor/cheap", input_price=0, output_price=0), "chat")
    old.refresh_from_db()
    return old


def reactivate(client, row, **extra):
    data = {"action": "reactivate", "_selected_action": [row.pk], "index": "0", **extra}
    return client.post(SAVED_URL, data, follow=True)


def test_reactivating_above_the_ceiling_without_the_permission_is_refused(staff, ceilings, expensive_row):
    client = staff()
    page = reactivate(client, expensive_row)  # the Activate page first, saying it will be refused
    assert "Going ahead anyway needs the permission" in page.content.decode()

    response = reactivate(client, expensive_row, confirm="yes", model=expensive_row.pk)

    assert messages_of(response)[0].startswith("Not activating snapshot:vendor/pricey for Chat: This model is priced "
                                               "above the ceiling for Chat")
    assert AIModel.objects.get(is_active=True).model_id == "vendor/cheap"


def test_reactivating_above_the_ceiling_asks_for_confirmation_first(staff, ceilings, expensive_row):
    client = staff(ABOVE)

    page = reactivate(client, expensive_row)

    assert "admin/ai_models/catalogentry/activate.html" in [t.name for t in page.templates]
    assert "input $9.00 per 1M tokens, above the ceiling of $0.30" in page.content.decode()
    assert AIModel.objects.get(is_active=True).model_id == "vendor/cheap"

    response = reactivate(client, expensive_row, confirm="yes", model=expensive_row.pk, confirm_above_ceiling="yes")

    assert messages_of(response) == ["vendor/pricey is the active model for Chat again."]
    assert AIModel.objects.get(is_active=True).model_id == "vendor/pricey"
    logged = LogEntry.objects.filter(object_id=str(expensive_row.pk)).latest("pk").change_message
    assert "above the price ceiling" in logged

"""The Activate and Save actions of Browse catalog, through their confirmation page."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from ai_models import activation
from ai_models.exceptions import ActivationError
from ai_models.models import AIModel

from ..factories import catalog_model
from .conftest import CATALOG_URL, messages_of, providers, read

MINI = "snapshot:openai/gpt-4.1-mini"
IMAGE = "snapshot:openai/gpt-image-1"


def choose(client, action, *selected, url=CATALOG_URL):
    """Run an action from the changelist, as its Go button does."""
    return client.post(url, {"action": action, "_selected_action": selected, "index": "0"})


def confirm(client, action, selected, capability, url=CATALOG_URL, **ticked):
    """Submit the confirmation page."""
    data = {"action": action, "_selected_action": selected, "confirm": "yes", "capability": capability, **ticked}
    return client.post(url, data, follow=True)


def previous_chat_model():
    """Another chat model made active beforehand ($0.15 / $0.60 per 1M tokens)."""
    entry = catalog_model("openai/gpt-4o-mini", input_price=Decimal("0.15"), output_price=Decimal("0.60"))
    return activation.activate(entry, "chat").model


def test_activate_asks_for_confirmation_first(admin_client):
    response = choose(admin_client, "activate", MINI)

    assert response.status_code == 200
    assert "admin/ai_models/catalogentry/activate.html" in [t.name for t in response.templates]
    form = response.context["form"]
    assert form["capability"].value() == "chat"  # its first classified capability
    html = response.content.decode()
    assert 'name="confirm" value="yes"' in html
    assert f'name="_selected_action" value="{MINI}"' in html
    assert 'name="action" value="activate"' in html
    assert "csrfmiddlewaretoken" in html
    assert not AIModel.objects.exists()


def test_confirming_activates_and_links_to_the_saved_model(admin_client):
    admin_client.get(CATALOG_URL)
    response = confirm(admin_client, "activate", MINI, "chat")

    active = AIModel.objects.get(capability="chat", is_active=True)
    assert (active.provider.slug, active.model_id) == ("snapshot", "openai/gpt-4.1-mini")
    assert active.activated_by.username == "root"
    assert active.metadata["raw"]["id"] == "openai/gpt-4.1-mini"  # the provider's own data is kept
    assert response.redirect_chain[-1][0] == CATALOG_URL
    [message] = messages_of(response)
    assert "OpenAI: GPT-4.1 mini is now the active model for Chat." in message
    assert f'href="/admin/ai_models/aimodel/{active.pk}/change/"' in message
    assert LogEntry.objects.filter(object_id=str(active.pk)).exists()
    # The catalog shows the new state.
    listed = admin_client.get(CATALOG_URL, {"state": "active"})
    assert [row.pk for row in listed.context["cl"].result_list] == [MINI]
    assert "active for Chat" in listed.content.decode()


def test_confirmation_shows_the_active_model_and_the_price_change(admin_client):
    previous_chat_model()

    response = choose(admin_client, "activate", MINI)

    chat = next(row for row in response.context["capabilities"] if row["name"] == "chat")
    assert chat["current"].model_id == "openai/gpt-4o-mini"
    # Isolated left to right, so a right-to-left page cannot reorder it into a cut.
    assert chat["input_move"] == (
        '<span dir="ltr" class="aim-ltr">$0.15 → $0.40 <span class="aim-change">(+$0.25)</span></span>'
    )
    assert "$0.60 → $1.60" in chat["output_move"] and "(+$1.00)" in chat["output_move"]
    html = response.content.decode()
    assert "openai/gpt-4o-mini" in html
    assert chat["input_move"] in html


def test_capability_preselected_from_the_list_filter(admin_client):
    response = choose(admin_client, "activate", MINI, url=CATALOG_URL + "?capability=content")

    assert response.context["form"]["capability"].value() == "content"


def test_a_capability_of_another_kind_is_marked_and_needs_the_override(admin_client):
    page = choose(admin_client, "activate", MINI)
    html = page.content.decode()
    assert "Image (not classified for this model)" in html
    image = next(row for row in page.context["capabilities"] if row["name"] == "image")
    assert not image["classified"] and image["refuses"] == "kind"

    refused = confirm(admin_client, "activate", MINI, "image")
    assert "This model answers chat completions, not the text-to-image that Image needs." in refused.content.decode()
    assert refused.context["form"].errors["override_kind"]
    assert not AIModel.objects.exists()

    confirm(admin_client, "activate", MINI, "image", override_kind="on")
    active = AIModel.objects.get(capability="image", is_active=True)
    assert active.model_id == "openai/gpt-4.1-mini"
    assert "kind mismatch overridden" in LogEntry.objects.get(object_id=str(active.pk)).change_message


def test_selecting_several_models_changes_nothing(admin_client):
    response = admin_client.post(
        CATALOG_URL, {"action": "activate", "_selected_action": [MINI, IMAGE], "index": "0"}, follow=True
    )

    assert messages_of(response) == ["Select exactly one model for this action (2 were selected). Nothing was changed."]
    assert not AIModel.objects.exists()


def test_selecting_nothing_changes_nothing(admin_client):
    response = admin_client.post(CATALOG_URL, {"action": "activate", "index": "0"}, follow=True)

    assert messages_of(response) == [
        "Items must be selected in order to perform actions on them. No items have been changed."
    ]
    assert not AIModel.objects.exists()


def test_a_model_gone_from_the_catalog_changes_nothing(admin_client):
    response = confirm(admin_client, "activate", "snapshot:no/such-model", "chat")

    assert messages_of(response) == ["The selected model is no longer in the catalog. Nothing was changed."]
    assert not AIModel.objects.exists()


def test_unknown_capability_shows_the_form_again(admin_client):
    response = admin_client.post(
        CATALOG_URL, {"action": "activate", "_selected_action": MINI, "confirm": "yes", "capability": "nonsense"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["capability"]
    assert not AIModel.objects.exists()


def test_activation_error_leaves_the_previous_model_active(admin_client, monkeypatch):
    previous = previous_chat_model()

    def fail(*args, **kwargs):
        raise ActivationError("the database said no")

    monkeypatch.setattr(activation, "activate", fail)
    response = confirm(admin_client, "activate", MINI, "chat")

    assert messages_of(response) == ["Nothing was changed: the database said no"]
    assert AIModel.objects.get(capability="chat", is_active=True) == previous


def test_save_without_activating(admin_client):
    page = choose(admin_client, "save_without_activating", IMAGE)
    assert page.context["form"]["capability"].value() == "image"

    response = confirm(admin_client, "save_without_activating", IMAGE, "image")

    saved = AIModel.objects.get()
    assert (saved.model_id, saved.capability, saved.is_active) == ("openai/gpt-image-1", "image", False)
    assert "was saved for Image, not activated." in messages_of(response)[0]


def test_activating_replaces_the_previous_model(admin_client):
    previous = previous_chat_model()

    confirm(admin_client, "activate", MINI, "chat")

    assert AIModel.objects.get(capability="chat", is_active=True).model_id == "openai/gpt-4.1-mini"
    previous.refresh_from_db()
    assert not previous.is_active  # kept as history, to roll back to


def test_provider_text_is_escaped_on_the_confirmation_page(admin_client, db):
    with providers(evil={}):
        response = choose(admin_client, "activate", "evil:evil/model")

    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("action", ["activate", "save_without_activating"])
def test_confirmation_needs_csrf(superuser, action):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    data = {"action": action, "_selected_action": MINI, "confirm": "yes", "capability": "chat"}
    response = client.post(CATALOG_URL, data)

    assert response.status_code == 403
    assert not AIModel.objects.exists()


EXPIRED = "snapshot:google/gemini-2.0-flash-001"  # the snapshot says it expires on 2026-02-05


@pytest.fixture
def after_expiry(monkeypatch):
    import datetime

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 3, 1))


def test_expired_models_are_marked_filterable_and_need_a_tick(admin_client, after_expiry):
    listed = admin_client.get(CATALOG_URL, {"expiry": "expired"})
    assert EXPIRED in [row.pk for row in listed.context["cl"].result_list]
    assert "expired on 2026-02-05" in read(listed.content.decode())
    assert EXPIRED not in [row.pk for row in admin_client.get(CATALOG_URL, {"expiry": "none"}).context["cl"].result_list]

    page = choose(admin_client, "activate", EXPIRED)
    assert "expired on 2026-02-05" in read(page.content.decode())
    assert 'name="confirm_expired"' in page.content.decode()

    data = {"action": "activate", "_selected_action": EXPIRED, "confirm": "yes", "capability": "chat"}
    unticked = admin_client.post(CATALOG_URL, data)
    assert "Its provider says this model expired on 2026-02-05" in read(unticked.content.decode())
    assert unticked.context["form"].errors["confirm_expired"]
    assert not AIModel.objects.exists()
    admin_client.post(CATALOG_URL, {**data, "confirm_expired": "on"})
    assert AIModel.objects.get(is_active=True).model_id == "google/gemini-2.0-flash-001"


def test_save_page_does_not_speak_of_a_price_change(admin_client):
    html = choose(admin_client, "save_without_activating", MINI).content.decode()
    assert "and the price change" not in html
    assert "saving changes none of them" in html

"""Saved models: the active one at a glance, roll back, deactivate, delete only inactive, history."""

import pytest

from ai_models import activation
from ai_models.models import AIModel

from ..factories import catalog_model
from .conftest import SAVED_URL, messages_of, read
from .fakes import SCRIPT


@pytest.fixture
def chat_models(db):
    """Two chat models saved; the newer one ("new") is active. And one image model, active."""
    old = activation.activate(catalog_model("vendor/old", name="Old chat"), "chat").model
    new = activation.activate(catalog_model("vendor/new", name="New chat"), "chat").model
    image = activation.activate(catalog_model("vendor/pixels", capabilities=("image",)), "image").model
    old.refresh_from_db()
    return old, new, image


def act(client, action, *rows, **extra):
    data = {"action": action, "_selected_action": [row.pk for row in rows], "index": "0", **extra}
    return client.post(SAVED_URL, data, follow=True)


def test_list_filters_by_capability_and_marks_the_active_one(admin_client, chat_models):
    old, new, _image = chat_models

    response = admin_client.get(SAVED_URL, {"capability": "chat"})

    assert {row.pk for row in response.context["cl"].result_list} == {old.pk, new.pk}
    html = response.content.decode()
    assert html.count('<span class="aim-badge aim-badge-active">active</span>') == 1
    assert 'href="?capability=image"' in html


def roll_back(client, row):
    """The reactivate action, confirmed on its Activate page."""
    return act(client, "reactivate", row, confirm="yes", model=row.pk)


def test_reactivate_asks_on_the_activate_page_then_rolls_back(admin_client, chat_models):
    """A rollback switched production at a click, with no price change shown."""
    old, new, _image = chat_models

    page = act(admin_client, "reactivate", old)
    assert "admin/ai_models/catalogentry/activate.html" in [t.name for t in page.templates]
    assert [choice["name"] for choice in page.context["capabilities"]] == ["chat"]  # that capability only
    assert page.context["capabilities"][0]["current"] == new
    assert AIModel.objects.get(capability="chat", is_active=True) == new

    response = roll_back(admin_client, old)

    assert messages_of(response) == ["Old chat is the active model for Chat again."]
    assert AIModel.objects.get(capability="chat", is_active=True) == old
    new.refresh_from_db()
    assert not new.is_active


def test_reactivate_needs_exactly_one_model(admin_client, chat_models):
    old, new, _image = chat_models

    response = act(admin_client, "reactivate", old, new)

    assert messages_of(response) == ["Select exactly one model to activate (2 were selected). Nothing was changed."]
    assert AIModel.objects.get(capability="chat", is_active=True) == new


def test_deactivate_asks_first_listing_what_goes_dark(admin_client, chat_models):
    """"Select all" + Deactivate once switched every capability off at a click."""
    old, new, image = chat_models

    page = act(admin_client, "deactivate", old, new, image)

    assert "admin/ai_models/aimodel/deactivate.html" in [t.name for t in page.templates]
    assert [row.pk for row in page.context["active"]] == [new.pk, image.pk]
    html = page.content.decode()
    assert "What goes dark" in html and "After this, 2 capabilities have no active model" in html
    assert "1 selected model is not active: nothing changes for it." in html
    assert AIModel.objects.filter(is_active=True).count() == 2  # nothing changed yet


def test_deactivate_leaves_the_capability_without_a_model(admin_client, chat_models):
    old, new, image = chat_models

    response = act(admin_client, "deactivate", old, new, confirm="yes")

    assert messages_of(response) == ["New chat was deactivated: no model is active for Chat now."]
    assert not AIModel.objects.filter(capability="chat", is_active=True).exists()
    assert AIModel.objects.get(pk=image.pk).is_active


def test_deactivate_of_inactive_models_changes_nothing(admin_client, chat_models):
    old, new, _image = chat_models

    response = act(admin_client, "deactivate", old)

    assert messages_of(response) == ["None of the selected models is active. Nothing was changed."]
    new.refresh_from_db()
    assert new.is_active


def test_inactive_models_can_be_deleted(admin_client, chat_models):
    old, _new, _image = chat_models

    response = admin_client.post(f"{SAVED_URL}{old.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not AIModel.objects.filter(pk=old.pk).exists()


WHY = "New chat (active for Chat) is in use, so it cannot be deleted: deactivate it or take it out of the fallbacks first."


def test_active_models_cannot_be_deleted_and_the_page_says_why(admin_client, chat_models):
    old, new, _image = chat_models

    for method in (admin_client.get, admin_client.post):  # not a bare 403: back to its page, with the reason
        response = method(f"{SAVED_URL}{new.pk}/delete/", {"post": "yes"}, follow=True)
        assert response.redirect_chain == [(f"{SAVED_URL}{new.pk}/change/", 302)]
        assert messages_of(response)[0].startswith(WHY)
    page = act(admin_client, "delete_selected", old, new)
    assert messages_of(page) == [WHY + " Nothing was deleted."]
    refused = act(admin_client, "delete_selected", old, new, post="yes")
    assert messages_of(refused)[0].startswith(WHY)
    assert AIModel.objects.filter(pk__in=[old.pk, new.pk]).count() == 2


def test_a_model_put_in_use_since_the_confirmation_page_is_kept(admin_client, chat_models):
    old, new, _image = chat_models
    page = act(admin_client, "delete_selected", old)  # "Are you sure?"
    assert page.status_code == 200 and AIModel.objects.filter(pk=old.pk).exists()
    activation.move_fallback(old, 1)  # meanwhile, elsewhere

    response = act(admin_client, "delete_selected", old, post="yes")

    assert list(AIModel.objects.filter(capability="chat").order_by("pk")) == [old, new]
    assert messages_of(response)[-1] == "Old chat (fallback #1 for Chat) is in use, so it cannot be deleted: " \
        "deactivate it or take it out of the fallbacks first. Nothing was deleted."


def test_a_fallback_cannot_be_deleted_either(admin_client, chat_models):
    old, _new, _image = chat_models
    activation.move_fallback(old, 1)

    response = admin_client.post(f"{SAVED_URL}{old.pk}/delete/", {"post": "yes"}, follow=True)

    assert messages_of(response)[0].startswith("Old chat (fallback #1 for Chat) is in use")
    assert AIModel.objects.filter(pk=old.pk).exists()


def test_metadata_is_shown_read_only_and_escaped(admin_client, db):
    saved = activation.activate(catalog_model("vendor/evil", name=SCRIPT, description=SCRIPT), "chat").model

    response = admin_client.get(f"{SAVED_URL}{saved.pk}/change/")

    html = response.content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<pre class="aim-json">' in html
    assert 'name="metadata"' not in html and 'name="model_id"' not in html
    assert 'name="display_name"' in html  # the one editable field


def test_only_the_display_name_can_be_edited(admin_client, chat_models):
    old, _new, _image = chat_models

    admin_client.post(
        f"{SAVED_URL}{old.pk}/change/",
        {"display_name": "Renamed", "model_id": "hacked", "is_active": "on", "capability": "image"},
    )

    old.refresh_from_db()
    assert (old.display_name, old.model_id, old.is_active, old.capability) == ("Renamed", "vendor/old", False, "chat")


def test_history_lists_activations_replacements_and_rollbacks(admin_client, chat_models):
    old, new, _image = chat_models
    roll_back(admin_client, old)
    roll_back(admin_client, new)

    response = admin_client.get(f"{SAVED_URL}{old.pk}/history/")

    assert response.status_code == 200
    html = read(response.content.decode())
    assert (
        "Activated snapshot:vendor/old again for Chat (a rollback to a saved model). "
        "It replaced snapshot:vendor/new. Via the admin."
    ) in html
    assert "Deactivated for Chat: replaced by snapshot:vendor/new. Via the admin." in html
    replaced = read(admin_client.get(f"{SAVED_URL}{new.pk}/history/").content.decode())
    assert "Deactivated for Chat: replaced by snapshot:vendor/old." in replaced


def test_history_is_told_in_the_language_of_the_reader(admin_client, chat_models, settings):
    old, _new, _image = chat_models
    roll_back(admin_client, old)
    settings.LANGUAGE_CODE = "fa"
    try:
        html = admin_client.get(f"{SAVED_URL}{old.pk}/history/").content.decode()
    finally:
        from django.utils import translation

        translation.activate("en")
    assert "snapshot:vendor/old" in html and "گفت‌وگو" in html  # the Chat label, in Persian
    assert "Activated snapshot:vendor/old" not in html


def test_no_add_page(admin_client, db):
    assert admin_client.get(SAVED_URL + "add/").status_code == 403


def test_a_forged_selection_is_an_error_message_not_a_server_error(admin_client, chat_models):
    response = admin_client.post(SAVED_URL, {"action": "deactivate", "_selected_action": ["abc"]}, follow=True)

    assert response.status_code == 200
    assert messages_of(response) == ["The selection is not valid: select the rows again."]


def test_the_model_page_has_the_actions_as_buttons(admin_client, chat_models):
    old, new, _image = chat_models

    page = admin_client.get(f"{SAVED_URL}{new.pk}/change/").content.decode()
    assert f'action="{SAVED_URL}{new.pk}/deactivate/"' in page
    assert f'action="{SAVED_URL}{old.pk}/reactivate/"' in admin_client.get(f"{SAVED_URL}{old.pk}/change/").content.decode()

    confirm = admin_client.post(f"{SAVED_URL}{new.pk}/deactivate/")
    assert "admin/ai_models/aimodel/deactivate.html" in [t.name for t in confirm.templates]
    assert f'href="{SAVED_URL}{new.pk}/change/"' in confirm.content.decode()  # "No, take me back"
    done = admin_client.post(f"{SAVED_URL}{new.pk}/deactivate/", {"confirm": "yes"}, follow=True)
    assert done.redirect_chain == [(f"{SAVED_URL}{new.pk}/change/", 302)]
    assert not AIModel.objects.filter(capability="chat", is_active=True).exists()
    asked = admin_client.post(f"{SAVED_URL}{old.pk}/reactivate/")
    assert asked.context["rollback"] == old and not AIModel.objects.filter(capability="chat", is_active=True).exists()
    back = admin_client.post(f"{SAVED_URL}{old.pk}/reactivate/", {"confirm": "yes", "model": old.pk}, follow=True)
    assert messages_of(back) == ["Old chat is the active model for Chat again."]
    assert admin_client.get(f"{SAVED_URL}{old.pk}/reactivate/").status_code == 405


def test_title_and_empty_cells(admin_client, chat_models):
    old, _new, _image = chat_models

    page = admin_client.get(f"{SAVED_URL}{old.pk}/change/").content.decode()
    assert "Old chat (Chat)" in page  # the name, which a theme may capitalise, not the id
    listing = admin_client.get(SAVED_URL).content.decode()
    import re

    cells = re.findall(r'class="field-test_call[^"]*"[^>]*>\s*(.*?)\s*<', listing)
    assert cells and set(cells) == {"—"}  # Django's "-" was mixed with the app's "—"

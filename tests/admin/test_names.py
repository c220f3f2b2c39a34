"""Names and fit (issue 25): each page titled as the app calls it, in both themes and in Persian."""

import re

import pytest
from django.utils import translation

from ai_models import activation, catalog
from ai_models.models import AIModel, Provider

from .conftest import CATALOG_URL, PROVIDERS_URL, SAVED_URL, make_user, providers


@pytest.fixture
def persian(settings):
    settings.LANGUAGE_CODE = "fa"
    yield
    translation.activate("en")


def heading(response) -> str:
    """The page's visible heading (Unfold's header names the model, never the page)."""
    found = re.search(r'<h1 class="aim-page-title">(.*?)</h1>', response.content.decode(), re.S)
    return found.group(1).strip() if found else ""


@pytest.mark.parametrize(("url", "title"), [(CATALOG_URL, "Browse catalog"), (SAVED_URL, "Saved models"),
                                            (PROVIDERS_URL, "Providers")])
def test_each_list_is_titled_with_its_name(admin_client, url, title):
    response = admin_client.get(url)

    assert heading(response) == title
    assert "to change" not in response.content.decode()  # "Select saved model to change"
    assert re.search(rf"<title>\s*{title}", response.content.decode())


@pytest.mark.parametrize(("url", "title"), [(CATALOG_URL, "مرور کاتالوگ"), (SAVED_URL, "مدل‌های ذخیره‌شده")])
def test_each_list_is_titled_with_its_name_in_persian(admin_client, persian, url, title):
    assert heading(admin_client.get(url)) == title


def test_model_ids_are_never_capitalised_in_messages(admin_client, monkeypatch):
    """The plain admin shows messages through ``capfirst`` ("Keyed/one is now…"): every message naming a
    model starts with the model isolated in markup, which also keeps it left to right in Persian."""
    monkeypatch.setenv("KEYED_TEST_API_KEY", "k-test")
    said = []

    def post(url, **data):
        html = admin_client.post(url, data, follow=True).content.decode()
        said.append(html)
        return html

    with providers(keyed={}):
        post(CATALOG_URL, action="activate", _selected_action="keyed:keyed/one", confirm="yes", capability="chat")
        post(CATALOG_URL, action="activate", _selected_action="keyed:keyed/two", confirm="yes", capability="chat")
        one = AIModel.objects.get(model_id="keyed/one")
        post(SAVED_URL, action="reactivate", _selected_action=one.pk, model=one.pk, confirm="yes")
        post(SAVED_URL, action="reactivate", _selected_action=one.pk)
        post(SAVED_URL, action="deactivate", _selected_action=one.pk, confirm="yes")
        post(CATALOG_URL, action="save_without_activating", _selected_action="keyed:keyed/one", confirm="yes",
             capability="content")

    page = "\n".join(said)
    assert "keyed/one</bdi> is now the active model for Chat." in page
    assert "keyed/one</bdi> is the active model for Chat again." in page
    assert "keyed/one</bdi> is already active." in page
    assert "keyed/one</bdi> was deactivated" in page
    assert "keyed/one</bdi> was saved for Content" in page
    assert not re.search(r"Keyed/(one|two)", page)


def test_the_view_only_provider_page_says_whether_a_key_is_set_and_nothing_more(client, db):
    """A user with only view_provider saw "Api key: <the key itself>" and "Clear api key" rows (Django
    shows the form's key fields as values) and the help about typing a URL or key."""
    row = Provider(slug="snapshot", name="Offline snapshot")
    row.api_key = "sk-stored-secret-4321"
    row.save()
    client.force_login(make_user("viewer", "ai_models.view_provider"))

    html = client.get(f"{PROVIDERS_URL}{row.pk}/change/").content.decode()

    assert "sk-stored" not in html
    assert "…4321" in html  # the stored key: "set · …4321", as the list says
    for edit_only in ("Api key", "Clear api key", "Clear the stored key", "Stored encrypted and never shown again",
                      "Leave empty for the provider", "Changing it asks for the API key again"):
        assert edit_only not in html, edit_only
    assert "none: the provider&#x27;s own API" in html  # the base URL override, in words
    assert "database (encrypted)" in html  # the key in use


def test_an_editor_still_gets_the_write_only_key_field(admin_client, db):
    row = Provider(slug="snapshot", name="Offline snapshot")
    row.api_key = "sk-stored-secret-4321"
    row.save()

    html = admin_client.get(f"{PROVIDERS_URL}{row.pk}/change/").content.decode()

    assert 'name="api_key"' in html and 'name="clear_api_key"' in html
    assert "sk-stored" not in html


def test_the_provider_is_named_as_staff_named_it_on_every_page(admin_client, db):
    """Saved models showed the provider's name, the catalog its class's name, the Activate and Deactivate
    pages its id ("snapshot:openai/gpt-4.1-mini")."""
    Provider.objects.create(slug="snapshot", name="Team snapshot")
    activation.activate(catalog.get_entry("snapshot", "openai/gpt-4.1-mini"), "chat")
    active = AIModel.objects.get(is_active=True)

    pages = {
        "catalog": admin_client.get(CATALOG_URL),
        "filtered": admin_client.get(CATALOG_URL, {"provider": "snapshot"}),
        "saved": admin_client.get(SAVED_URL),
        "board": admin_client.get("/admin/ai_models/"),
        "activate": admin_client.post(CATALOG_URL + "?capability=chat",
                                      {"action": "activate", "_selected_action": "snapshot:openai/gpt-4o"}),
        "deactivate": admin_client.post(SAVED_URL, {"action": "deactivate", "_selected_action": active.pk}),
    }

    for name, response in pages.items():
        html = response.content.decode()
        assert "Team snapshot" in html, name
        assert "Offline snapshot" not in html, name  # the class's name, which nobody gave this provider
        assert "snapshot:openai" not in re.sub(r'="[^"]*"', "", html), name  # as text, not as a key
    assert [row.provider_html for row in pages["filtered"].context["cl"].result_list][:1] == [
        '<span title="snapshot">Team snapshot</span>']


def test_the_widgets_texts_are_persian_on_a_persian_page(admin_client, persian):
    """Django 6 and Unfold ship some of their own texts without Persian: the app's catalogue carries them."""
    html = admin_client.get(CATALOG_URL).content.decode()

    for english in ("- Select an option -", "Search catalog models", "Pagination catalog models", "Model name"):
        assert english not in html, english
    with translation.override("fa"):  # the plain admin's action menu starts with it (Unfold has no such line)
        assert translation.gettext("- Select an option -") == "- یک گزینه را برگزینید -"

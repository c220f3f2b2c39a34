"""Browse catalog: listing, filters, search, sorting, paging, bad input, provider status and refresh."""

from unittest.mock import patch

import pytest
from cachalot.api import cachalot_disabled
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from ai_models import activation
from ai_models.catalog import get_entry
from ai_models.models import AIModel, Provider
from ai_models.providers.base import CatalogModel

from .conftest import CATALOG_URL, messages_of, providers
from .fakes import SCRIPT, Evil

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def pks(response):
    return [row.pk for row in response.context["cl"].result_list]


def column(response, name):
    """The ``o`` index of a list_display column (the action checkbox is column 0)."""
    return response.context["cl"].list_display.index(name)


@pytest.fixture
def fake_catalog(db):
    """250 fake models: fake/model-0000 … fake/model-0249."""
    with providers(fake={"COUNT": 250}):
        yield


def test_lists_the_snapshot_catalog_with_formatted_columns(admin_client):
    response = admin_client.get(CATALOG_URL)

    assert response.status_code == 200
    assert "snapshot:openai/gpt-4.1-mini" in pks(response)
    html = response.content.decode()
    assert "Browse catalog" in html
    assert '<span class="aim-label" title="listed in the snapshot file">Chat</span>' in html
    assert "$0.40" in html and "$1.60" in html  # gpt-4.1-mini per 1M tokens
    assert "1,047,576" in html  # its context window, grouped
    assert not AIModel.objects.exists()  # browsing stores nothing


def test_paginates_100_rows_per_page(admin_client, fake_catalog):
    first = admin_client.get(CATALOG_URL)
    last = admin_client.get(CATALOG_URL, {"p": 3})

    assert first.context["cl"].result_count == 250
    assert len(pks(first)) == 100
    assert pks(first)[0] == "fake:fake/model-0000"  # default order: name
    assert len(pks(last)) == 50
    assert pks(last)[-1] == "fake:fake/model-0249"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"provider": "fake"}, 250),
        ({"capability": "image"}, 63),  # every 4th model, from the second
        ({"capability": "chat"}, 125),  # ("chat", "content") and ("chat",)
        ({"price": "free"}, 50),  # every 5th model is free
        ({"price": "paid"}, 200),
        ({"capability": "chat", "price": "free"}, 25),
    ],
)
def test_filters(admin_client, fake_catalog, params, expected):
    response = admin_client.get(CATALOG_URL, params)

    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_provider_filter_keeps_other_providers_out(admin_client, db):
    with providers(snapshot={}, fake={"COUNT": 3}):
        response = admin_client.get(CATALOG_URL, {"provider": "snapshot"})

    assert pks(response)
    assert all(pk.startswith("snapshot:") for pk in pks(response))


def test_state_filter_follows_saved_and_active_models(admin_client, fake_catalog):
    admin_client.get(CATALOG_URL)  # fills the cache
    activation.activate(get_entry("fake", "fake/model-0001"), "image")
    activation.save(get_entry("fake", "fake/model-0002"), "audio")

    active = admin_client.get(CATALOG_URL, {"state": "active"})
    saved = admin_client.get(CATALOG_URL, {"state": "saved"})
    none = admin_client.get(CATALOG_URL, {"state": "none"})

    assert pks(active) == ["fake:fake/model-0001"]
    assert sorted(pks(saved)) == ["fake:fake/model-0001", "fake:fake/model-0002"]
    assert none.context["cl"].result_count == 248
    html = active.content.decode()
    assert "active for Image" in html
    assert "saved for Audio" in saved.content.decode()


def test_search_matches_id_name_and_description(admin_client, fake_catalog):
    by_id = admin_client.get(CATALOG_URL, {"q": "fake/model-0042"})
    by_name = admin_client.get(CATALOG_URL, {"q": "FAKE MODEL 0107"})
    by_description = admin_client.get(CATALOG_URL, {"q": "description number 123"})
    nothing = admin_client.get(CATALOG_URL, {"q": "no such model"})

    assert pks(by_id) == ["fake:fake/model-0042"]
    assert pks(by_name) == ["fake:fake/model-0107"]
    assert pks(by_description) == ["fake:fake/model-0123"]
    assert pks(nothing) == []


def test_search_and_filter_combine(admin_client, fake_catalog):
    response = admin_client.get(CATALOG_URL, {"q": "model-00", "capability": "image"})

    # model-0000 … model-0099 with image: 1, 5, 9, …, 97
    assert response.context["cl"].result_count == 25


def test_sorts_by_each_sortable_column(admin_client, fake_catalog):
    page = admin_client.get(CATALOG_URL)
    context = column(page, "context")
    input_price = column(page, "input_price_per_1m")

    by_context_desc = admin_client.get(CATALOG_URL, {"o": f"-{context}"})
    by_price = admin_client.get(CATALOG_URL, {"o": f"{input_price}"})
    by_price_then_name_desc = admin_client.get(CATALOG_URL, {"o": f"{input_price}.-{column(page, 'name')}"})

    assert pks(by_context_desc)[:2] == ["fake:fake/model-0249", "fake:fake/model-0248"]
    assert pks(by_price)[0] == "fake:fake/model-0000"  # free models first
    assert pks(by_price_then_name_desc)[0] == "fake:fake/model-0245"  # the free model with the last name
    headers = by_context_desc.content.decode()
    assert f"o={context}" in headers  # the header toggles back to ascending


@pytest.mark.parametrize(
    "query",
    [
        "o=abc",
        "o=99",
        "o=-",
        "p=999",
        "p=abc",
        "p=-1",
        "capability=nonsense",
        "provider=%3Cscript%3Ealert(1)%3C/script%3E",
        "price=gratis",
        "state=whatever",
        "name=x",
        "unknown_param=1",
        "provider__slug=x",
        "q=" + "x" * 500,
        "all=1",
        "e=1",
    ],
)
def test_bad_query_parameters_never_fail(admin_client, fake_catalog, query):
    response = admin_client.get(f"{CATALOG_URL}?{query}", follow=True)

    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


def test_unknown_filter_value_lists_nothing(admin_client, fake_catalog):
    response = admin_client.get(CATALOG_URL, {"capability": "nonsense"})

    assert response.context["cl"].result_count == 0


def test_a_failing_provider_is_reported_and_the_others_still_listed(admin_client, db):
    with providers(snapshot={}, broken={}):
        response = admin_client.get(CATALOG_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Broken Cloud" in html
    assert "failed: connection refused by the test" in html  # named once, beside the text
    assert "aim-status-failed" in html
    assert "snapshot:openai/gpt-4.1-mini" in pks(response)


def test_provider_text_is_escaped(admin_client, db):
    with providers(evil={}):
        response = admin_client.get(CATALOG_URL)

    html = response.content.decode()
    assert "evil:evil/model" in pks(response)
    assert SCRIPT not in html
    assert ESCAPED_SCRIPT in html  # provider name, model name and classification reason


@pytest.mark.usefixtures("active_clock_stopped")
def test_catalog_page_runs_a_constant_number_of_queries(admin_client, db):
    def queries(count):
        with providers(fake={"COUNT": count}):
            admin_client.get(CATALOG_URL)  # fetch and cache the catalog
            with cachalot_disabled(), CaptureQueriesContext(connection) as captured:
                response = admin_client.get(CATALOG_URL, {"o": "-5"})
            assert response.context["cl"].result_count == count
        return len(captured)

    small, large = queries(100), queries(10_000)

    assert small == large


def test_row_checkboxes_are_the_themes_own_markup(admin_client, db):
    """The page stamps the theme's checkbox once and fills each row in: the result must be what the
    theme's widget renders for that row, markup in an id escaped once, in English and Persian."""
    from django.contrib import admin
    from django.utils import translation

    from ai_models.admin import CatalogEntryAdmin
    from ai_models.models import CatalogEntry

    model_admin = admin.site._registry[CatalogEntry]
    evil = CatalogModel(provider="evil", model_id=f'x/"{SCRIPT}&\u202e', name="n", kinds=frozenset({"chat"}))
    with providers(evil={}, fake={"COUNT": 3}), patch.object(Evil, "behaviour", {"models": [evil]}):
        for language in ("en", "fa"):
            with translation.override(language):
                response = admin_client.get(CATALOG_URL, HTTP_ACCEPT_LANGUAGE=language)
                html = response.content.decode()
                rows = response.context["cl"].result_list
                assert len(rows) == 4
                for row in rows:
                    own = super(CatalogEntryAdmin, model_admin).action_checkbox(row)
                    assert model_admin.action_checkbox(row) == own
                    assert own in html
    assert SCRIPT not in html


def test_no_add_change_delete_or_history_pages(admin_client):
    for url in ("add/", "snapshot:openai%2Fgpt-4.1-mini/change/", "x/delete/", "x/history/"):
        assert admin_client.get(CATALOG_URL + url).status_code == 404


# --- refresh -------------------------------------------------------------------------------


def test_refresh_one_provider_reports_and_returns(admin_client, db):
    with providers(snapshot={}, fake={"COUNT": 7}):
        response = admin_client.post(
            CATALOG_URL + "refresh/", {"provider": "fake", "next": CATALOG_URL + "?capability=chat"}
        )
        followed = admin_client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == CATALOG_URL + "?capability=chat"
    assert messages_of(followed) == ["Fake Models Inc.: fresh · 7 models, fetched just now"]


def test_refresh_all_reports_each_provider(admin_client, db):
    with providers(snapshot={}, broken={}):
        response = admin_client.post(CATALOG_URL + "refresh/", follow=True)

    texts = messages_of(response)
    assert any(text.startswith("Offline snapshot: fresh") for text in texts)
    assert "Broken Cloud: failed: connection refused by the test" in texts


def test_refresh_refuses_get_foreign_redirects_and_unknown_providers(admin_client, db):
    got = admin_client.get(CATALOG_URL + "refresh/", follow=True)  # not a blank 405 page, and no fetch
    assert got.redirect_chain == [(CATALOG_URL, 302)]
    assert "Refresh is a button on this page" in messages_of(got)[0]

    unknown = admin_client.post(CATALOG_URL + "refresh/", {"provider": "nope"}, follow=True)
    assert messages_of(unknown) == ["Unknown provider: nothing was refreshed."]

    offsite = admin_client.post(CATALOG_URL + "refresh/", {"next": "https://evil.example/"})
    assert offsite["Location"] == CATALOG_URL


def test_refresh_needs_csrf_token(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    assert client.post(CATALOG_URL + "refresh/").status_code == 403


def test_a_stored_key_that_cannot_be_decrypted_fails_that_provider_alone(admin_client, db):
    row = Provider(slug="keyed", name="Keyed AI")
    row.api_key = "sk-stored-before-the-keys-changed"  # encrypted with the tests' key
    row.save()
    with providers(snapshot={}, keyed={}):
        other_key = {**settings.AI_MODELS, "ENCRYPTION_KEYS": [Fernet.generate_key().decode()]}
        with override_settings(AI_MODELS=other_key):
            response = admin_client.get(CATALOG_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be decrypted" in page  # in the provider status panel
    assert "sk-stored" not in page
    assert len(response.context["cl"].result_list) > 0  # the snapshot still lists


def test_the_status_panel_says_how_many_malformed_entries_were_skipped(admin_client, tmp_path):
    snapshot = tmp_path / "catalog.json"
    snapshot.write_text('{"models": [{"id": "good/one", "capabilities": ["chat"]}, {"name": "no id"}, 42]}')
    with providers(snapshot={"PATH": str(snapshot)}):
        response = admin_client.get(CATALOG_URL)

    assert pks(response) == ["snapshot:good/one"]
    assert "2 malformed entries skipped" in response.content.decode()


def test_the_count_and_search_use_a_plural_noun(admin_client):
    """"59 Browse catalog", "Search Browse catalog": the page title was used as a plural noun."""
    import re

    response = admin_client.get(CATALOG_URL)
    html, count = response.content.decode(), response.context["cl"].result_count

    assert re.search(rf"{count}\s+catalog models", html)  # either theme's pagination line
    assert not re.search(rf"{count}\s+Browse catalog", html)
    assert re.search(r"<title>\s*Browse catalog", html)  # the page keeps its name

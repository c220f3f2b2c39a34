"""Drift in the admin: a banner over the app's pages, and a column in Saved models."""

from datetime import date

import pytest

from ai_models import catalog, activation
from ai_models.models import AIModel

from ..drift.fakes import CHAT, acme_enabled
from .conftest import CATALOG_URL, PROVIDERS_URL, SAVED_URL, make_user, read

APP_URL = "/admin/ai_models/"
BANNER = 'class="aim-banner"'
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def acme_provider(db):
    with acme_enabled() as provider:
        yield provider


@pytest.fixture
def active(acme_provider):
    return activation.activate(catalog.get_entry("acme", CHAT), "chat").model


@pytest.fixture
def drifted(active, acme_provider):
    acme_provider.models[CHAT]["input_price"] = "2.50"
    catalog.refresh(["acme"])
    return active


def pages(row):
    return [APP_URL, CATALOG_URL, SAVED_URL, f"{SAVED_URL}{row.pk}/change/", PROVIDERS_URL]


def test_the_banner_is_on_every_page_of_the_app(admin_client, drifted):
    for url in pages(drifted):
        html = read(admin_client.get(url).content.decode())
        assert BANNER in html, url
        assert "1 active model has drifted from its provider&#x27;s catalog" in html
        assert f'<code dir="ltr">{CHAT}</code>' in html and "input price up from $1.00 to $2.50 per 1M tokens" in html
        assert f'href="{SAVED_URL}?is_active__exact=1"' in html


def test_the_banner_names_the_successor_a_provider_gives(admin_client, active, acme_provider):
    from datetime import timedelta

    from django.utils import timezone

    acme_provider.models[CHAT].update(expires=timezone.localdate() + timedelta(days=3), successor="acme/chat-2")
    catalog.refresh(["acme"])
    html = admin_client.get(SAVED_URL).content.decode()
    assert BANNER in html and "in 3 days; replacement: acme/chat-2" in html


def test_no_banner_when_the_active_models_match_the_catalog(admin_client, active):
    for url in pages(active):
        assert BANNER not in admin_client.get(url).content.decode(), url


def test_no_banner_when_the_catalog_is_not_cached(admin_client, drifted):
    from django.core.cache import caches

    caches["default"].clear()
    catalog.clear_memo()
    html = admin_client.get(SAVED_URL).content.decode()

    assert BANNER not in html
    assert "not checked" in html  # the drift column says so instead


def test_not_for_staff_without_any_permission_of_the_app(client, drifted):
    client.force_login(make_user("stranger"))

    assert BANNER not in client.get("/admin/").content.decode()


def test_only_for_staff_who_can_act_on_it(client, drifted):
    """Catalog-only and provider-only viewers can do nothing about drift: no banner for them."""
    client.force_login(make_user("catalog", "ai_models.view_catalogentry"))
    assert BANNER not in client.get(CATALOG_URL).content.decode()
    client.force_login(make_user("providers", "ai_models.view_provider"))
    assert BANNER not in client.get(PROVIDERS_URL).content.decode()


def test_links_only_to_pages_the_user_may_open(client, drifted):
    review = "Review the active models"
    client.force_login(make_user("editor", "ai_models.view_catalogentry", "ai_models.activate_aimodel"))
    html = client.get(CATALOG_URL).content.decode()
    assert BANNER in html and review not in html  # would be a 403 for this user
    assert client.get(SAVED_URL + "?is_active__exact=1").status_code == 403

    client.force_login(make_user("reviewer", "ai_models.view_aimodel"))
    html = client.get(SAVED_URL).content.decode()
    assert BANNER in html and review in html
    assert "Someone allowed to activate models should choose another one." in html


def test_says_what_clears_each_kind_of_drift(admin_client, drifted, acme_provider):
    html = admin_client.get(SAVED_URL).content.decode()
    assert "A changed price or capability can also be accepted: activate the same model again there." in html

    acme_provider.models[CHAT]["expires"] = date(2020, 1, 1)  # expired: activating it again clears nothing
    catalog.refresh(["acme"])
    html = admin_client.get(SAVED_URL).content.decode()
    assert "activating the same one again does not clear an expiry" in html
    assert "A changed price or capability can also be accepted" not in html


def test_saved_models_show_the_flags_of_active_rows_only(admin_client, drifted):
    activation.save(catalog.get_entry("acme", CHAT), "content")

    response = admin_client.get(SAVED_URL)

    rows = {row.capability: row for row in response.context["cl"].result_list}
    assert [flag.kind for flag in rows["chat"].drift.flags] == ["price"]
    assert not hasattr(rows["content"], "drift") or rows["content"].drift is None
    assert response.content.decode().count("aim-badge-drift") == 1


def test_saved_models_say_when_an_active_row_is_in_line(admin_client, active):
    assert "in line with the catalog" in admin_client.get(SAVED_URL).content.decode()


def test_the_banner_escapes_provider_text(admin_client, acme_provider):
    acme_provider.models[SCRIPT] = dict(acme_provider.models[CHAT])
    catalog.refresh(["acme"])
    activation.activate(catalog.get_entry("acme", SCRIPT), "chat")
    del acme_provider.models[SCRIPT]
    catalog.refresh(["acme"])

    html = admin_client.get(SAVED_URL).content.decode()

    assert BANNER in html and SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_failing_drift_watch_never_breaks_a_page(admin_client, drifted, monkeypatch):
    import ai_models.admin.drift as admin_drift

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(admin_drift, "active_drift", broken)

    response = admin_client.get(SAVED_URL)

    assert response.status_code == 200 and BANNER not in response.content.decode()
    assert AIModel.objects.filter(is_active=True).count() == 1


def test_the_change_form_explains_each_flag(admin_client, drifted):
    html = admin_client.get(f"{SAVED_URL}{drifted.pk}/change/").content.decode()

    assert '<ul class="aim-flags"><li><span class="aim-badge aim-badge-drift">price changed</span> ' in html

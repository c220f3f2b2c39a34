"""The admin as a newcomer walks it (issue 16), in a real browser, in English and Persian.

Runs under the suite's theme (plain admin; Unfold with AI_MODELS_TEST_THEME=unfold), so `make
test` covers both. Screenshots: test-artifacts/polish-<what>-<lang>-<theme>.png.
"""

import datetime

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from ai_models import catalog, activation
from ai_models.models import AIModel
from tests.admin.conftest import make_user
from tests.e2e import admin_login

THEME = "unfold" if apps.is_installed("unfold") else "plain"
MINI = "snapshot:openai/gpt-4.1-mini"
EXPIRED = "snapshot:google/gemini-2.0-flash-001"  # expires 2026-02-05 in the snapshot
LANGS = ["en", "fa"]


@pytest.fixture
def signed_in(page, live_server, admin_user):
    return admin_login(page, live_server, "admin", "password")


def speak(page, live_server, lang):
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])


def choose_action(page, pk, action):
    page.locator(f'input[name=_selected_action][value="{pk}"]').check()
    page.locator("select[name=action]").first.select_option(action)
    page.locator("button[name=index]").first.click()


def horizontal_overflow(page):
    """How far the page or any list table reaches past its box, in px (0: no sideways scroll)."""
    return page.evaluate(
        """() => Math.max(
            document.documentElement.scrollWidth - document.documentElement.clientWidth,
            ...[...document.querySelectorAll('#result_list, .aim-table')].map(
                t => t.scrollWidth - t.parentElement.clientWidth))"""
    )


@pytest.fixture
def saved_rows(db):
    for pk, capability in ((MINI, "chat"), ("snapshot:openai/gpt-4o-mini", "content"),
                           ("snapshot:openai/gpt-image-1", "image")):
        provider, model_id = pk.split(":", 1)
        activation.activate(catalog.get_entry(provider, model_id), capability)
    activation.save(catalog.get_entry("snapshot", "openai/gpt-4o"), "chat")


@pytest.mark.parametrize("lang", LANGS)
def test_every_table_fits_1440px_without_sideways_scroll(signed_in, live_server, saved_rows, artifacts_dir, lang):
    page = signed_in
    page.set_viewport_size({"width": 1440, "height": 900})
    speak(page, live_server, lang)
    for name in ("catalogentry", "aimodel", "provider"):
        page.goto(f"{live_server.url}/admin/ai_models/{name}/")
        expect(page.locator("#result_list, #changelist").first).to_be_visible()
        page.screenshot(path=artifacts_dir / f"polish-1440-{name}-{lang}-{THEME}.png", full_page=True)
        assert horizontal_overflow(page) <= 1, name


@pytest.mark.parametrize("lang", LANGS)
def test_activate_page_fits_a_phone_and_price_rises_read_as_rises(signed_in, live_server, saved_rows,
                                                                   artifacts_dir, lang):
    page = signed_in
    speak(page, live_server, lang)
    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/?q=gpt-5+mini")
    choose_action(page, "snapshot:openai/gpt-5-mini", "activate")
    expect(page.locator(".aim-confirm")).to_be_visible()
    # Item 6: the page names itself in both themes (Unfold has no content title of its own).
    title = "فعال کردن یک مدل" if lang == "fa" else "Activate a model"
    expect(page.get_by_text(title, exact=True).first).to_be_visible()
    # Item 3: "$0.40 → $0.25 (−$0.15)" keeps its order in a right-to-left page.
    move = page.locator("tr[data-capability=chat] .aim-ltr").first
    old, new = move.evaluate("""el => { const r = document.createRange(); const t = el.firstChild;
        const at = s => { const i = t.data.indexOf(s); r.setStart(t, i); r.setEnd(t, i + s.length);
                          return r.getBoundingClientRect().x; };
        const parts = t.data.split(' → '); return [at(parts[0]), at(parts[1].trim())]; }""")
    assert old < new  # the old price on the left, as written
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts_dir / f"polish-activate-390-{lang}-{THEME}.png", full_page=True)
    assert horizontal_overflow(page) <= 1
    # The provider panel wraps between words ("unreach/able" was cut mid-word).
    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/")
    status = page.locator(".aim-status-text").first
    assert status.evaluate("el => getComputedStyle(el).overflowWrap") == "break-word"


@pytest.mark.parametrize("lang", LANGS)
def test_an_expired_model_is_shown_and_needs_a_tick(signed_in, live_server, artifacts_dir, monkeypatch, lang):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 3, 1))
    page = signed_in
    speak(page, live_server, lang)
    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/?expiry=expired")
    row = page.locator("#result_list tbody tr", has=page.locator(f'input[value="{EXPIRED}"]'))
    expect(row.locator(".aim-badge-expired")).to_be_visible()
    choose_action(page, EXPIRED, "activate")
    expect(page.locator("#aim-override-expired")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"polish-expired-{lang}-{THEME}.png", full_page=True)
    page.locator(".aim-actions button.aim-button:not([name])").first.click()  # Yes, activate it, without the tick
    expect(page.locator("#aim-override-expired .aim-error")).to_be_visible()
    assert not AIModel.objects.exists()
    page.locator("input[name=confirm_expired]").check()
    page.locator(".aim-actions button.aim-button:not([name])").first.click()
    expect(page.locator("#result_list")).to_be_visible()
    assert AIModel.objects.get(is_active=True).model_id == "google/gemini-2.0-flash-001"


@pytest.mark.parametrize("lang", LANGS)
def test_deactivate_lists_what_goes_dark_before_anything_changes(signed_in, live_server, saved_rows,
                                                                  artifacts_dir, lang):
    page = signed_in
    speak(page, live_server, lang)
    page.goto(f"{live_server.url}/admin/ai_models/aimodel/")
    page.locator("#action-toggle").check()  # "select all": once switched every capability off at a click
    page.locator("select[name=action]").first.select_option("deactivate")
    page.locator("button[name=index]").first.click()
    expect(page.locator(".aim-confirm table tbody tr")).to_have_count(3)
    page.screenshot(path=artifacts_dir / f"polish-deactivate-{lang}-{THEME}.png", full_page=True)
    assert AIModel.objects.filter(is_active=True).count() == 3
    page.locator(".aim-button-danger").click()
    expect(page.locator("#result_list")).to_be_visible()
    assert not AIModel.objects.filter(is_active=True).exists()


def test_links_only_to_pages_the_user_may_open(page, live_server, db, artifacts_dir):
    make_user("editor", "ai_models.view_catalogentry", "ai_models.activate_aimodel")  # password "pw"
    admin_login(page, live_server, "editor", "pw")
    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/?q=gpt-4.1+mini")
    choose_action(page, MINI, "activate")
    page.locator(".aim-actions button.aim-button:not([name])").first.click()
    expect(page.get_by_text("is now the active model for Chat")).to_be_visible()
    assert page.get_by_role("link", name="View the saved model").count() == 0  # it would be a 403
    page.screenshot(path=artifacts_dir / f"polish-editor-{THEME}.png", full_page=True)

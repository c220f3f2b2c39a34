"""Browse catalog in a real browser: filter, search, activate for chat, see it active.

Runs under the theme the suite runs with: plain Django admin by default, django-unfold with
``AI_MODELS_TEST_THEME=unfold``. Screenshots go to test-artifacts/<page>-<theme>.png.
"""

import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from ai_models.models import AIModel
from tests.e2e import admin_login

THEME = "unfold" if apps.is_installed("unfold") else "plain"
MINI = "snapshot:openai/gpt-4.1-mini"


@pytest.fixture
def signed_in(page, live_server, admin_user):
    return admin_login(page, live_server, "admin", "password")


def open_filters(page):
    """The filter links: beside the list in Django's admin, in a sheet behind a button in Unfold's."""
    filters = page.locator("#changelist-filter")
    if not filters.is_visible():
        page.get_by_text("Filters").first.click()
    expect(filters).to_be_visible()
    return filters


def test_filter_search_and_activate_for_chat(signed_in, live_server, artifacts_dir):
    page = signed_in

    page.get_by_role("link", name="Catalog models").first.click()
    expect(page).to_have_url(re.compile(r"/admin/ai_models/catalogentry/$"))
    expect(page.locator(".aim-panel")).to_contain_text("Offline snapshot")
    expect(page.locator(".aim-status-fresh")).to_be_visible()

    open_filters(page).get_by_role("link", name="Chat", exact=True).click()
    expect(page).to_have_url(re.compile(r"capability=chat"))
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#result_list")).not_to_contain_text("gpt-image-1")  # image only
    page.screenshot(path=artifacts_dir / f"catalog-{THEME}.png", full_page=True)

    # The bulk action from the whole catalog: the Activate page lets the capability be chosen (narrowed
    # to one capability, as Choose… does, it is about that one only: tests/e2e/test_board.py).
    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/")
    search = page.locator("input[name=q]")
    search.fill("gpt-4.1 mini")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q=gpt-4.1"))
    expect(page.locator(f'input[name=_selected_action][value="{MINI}"]')).to_be_visible()

    page.locator(f'input[name=_selected_action][value="{MINI}"]').check()
    page.locator("select[name=action]").first.select_option("activate")
    page.locator("button[name=index]").first.click()

    # The confirmation page: capability pre-selected, nothing changed yet.
    expect(page.locator(".aim-confirm")).to_contain_text("OpenAI: GPT-4.1 mini")
    expect(page.locator("select[name=capability]")).to_have_value("chat")
    expect(page.locator("#aim-unclassified-warning")).to_be_hidden()
    page.locator("select[name=capability]").select_option("image")  # another kind: the kind gate says why
    expect(page.locator("#aim-override-kind")).to_be_visible()
    expect(page.locator("#aim-override-kind")).to_contain_text("not the text-to-image that Image needs")
    page.locator("select[name=capability]").select_option("chat")
    expect(page.locator("#aim-override-kind")).to_be_hidden()
    expect(page.locator("#aim-unclassified-warning")).to_be_hidden()
    page.screenshot(path=artifacts_dir / f"activate-{THEME}.png", full_page=True)
    assert not AIModel.objects.exists()

    page.get_by_role("button", name="Yes, activate it").click()

    expect(page.get_by_text("OpenAI: GPT-4.1 mini is now the active model for Chat.")).to_be_visible()
    row = page.locator("#result_list tbody tr", has=page.locator(f'input[value="{MINI}"]'))
    expect(row).to_contain_text("active for Chat")

    page.get_by_role("link", name="View the saved model").click()
    expect(page).to_have_url(re.compile(r"/admin/ai_models/aimodel/\d+/change/$"))
    expect(page.locator(".aim-json")).to_contain_text('"model_id": "openai/gpt-4.1-mini"')

    page.goto(f"{live_server.url}/admin/ai_models/aimodel/")
    saved = page.locator("#result_list tbody tr", has_text="openai/gpt-4.1-mini")
    expect(saved.locator(".field-state .aim-badge-active").first).to_have_text("active")
    page.screenshot(path=artifacts_dir / f"saved-{THEME}.png", full_page=True)
    active = AIModel.objects.get(capability="chat", is_active=True)
    assert active.model_id == "openai/gpt-4.1-mini"


def test_catalog_in_persian_reads_right_to_left(signed_in, live_server, artifacts_dir):
    page = signed_in
    page.context.add_cookies([{"name": "django_language", "value": "fa", "url": live_server.url}])

    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".aim-panel")).to_contain_text("ارائه‌دهندگان")
    panel, table = page.locator(".aim-panel").bounding_box(), page.locator("#result_list").bounding_box()
    assert panel["x"] + panel["width"] >= table["x"] + table["width"] - 1  # both start at the right edge
    page.screenshot(path=artifacts_dir / f"catalog-fa-{THEME}.png")


def test_provider_key_is_write_only(signed_in, live_server, artifacts_dir):
    page = signed_in
    key = "sk-or-e2e-0123456789WXYZ"

    page.goto(f"{live_server.url}/admin/ai_models/provider/add/")
    page.locator("select[name=slug]").select_option("openrouter")
    page.locator("input[name=api_key]").fill(key)
    page.locator("[name=_continue]").click()

    expect(page.get_by_text("…WXYZ")).to_be_visible()
    expect(page.locator("input[name=api_key]")).to_have_value("")
    assert key not in page.content()
    page.screenshot(path=artifacts_dir / f"provider-{THEME}.png", full_page=True)

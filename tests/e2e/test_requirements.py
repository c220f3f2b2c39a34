"""A host capability with requirements in a real browser: the filter, the Activate page's
met / not met list, refusal without the override, activation with it (logged)."""

import re

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from playwright.sync_api import expect

from ai_models.models import AIModel
from tests.e2e import admin_login

THEME = "unfold" if apps.is_installed("unfold") else "plain"
NO_TOOLS = "snapshot:google/gemma-3-27b-it:free"  # image input, but no tools
MEETS = "snapshot:openai/gpt-4.1"


@pytest.fixture
def assistant(settings):
    settings.AI_MODELS = {**settings.AI_MODELS, "CAPABILITIES": {
        "chat": "Chat",
        "assistant": {"label": "Assistant", "kind": "chat",
                      "requires": {"input_modalities": ["image"], "parameters": ["tools"]}},
    }}


def test_requirements_filter_and_refused_activation(assistant, page, live_server, admin_user, artifacts_dir):
    admin_login(page, live_server, "admin", "password")
    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/?meets=assistant")
    results = page.locator("#result_list")
    expect(results).to_contain_text("openai/gpt-4.1")
    expect(results).not_to_contain_text("gemma-3-27b-it")  # lacks tools: filtered out
    page.screenshot(path=artifacts_dir / f"requirements-filter-{THEME}.png", full_page=True)

    page.goto(f"{live_server.url}/admin/ai_models/catalogentry/?q=gemma-3-27b")
    page.locator(f'input[name=_selected_action][value="{NO_TOOLS}"]').check()
    page.locator("select[name=action]").first.select_option("activate")
    page.locator("button[name=index]").first.click()

    page.locator("select[name=capability]").select_option("assistant")
    requirements = page.locator('[data-requirements-for="assistant"]')
    expect(requirements).to_be_visible()
    expect(requirements.locator('[data-state="met"]')).to_contain_text("input modalities image")
    expect(requirements.locator('[data-state="unmet"]')).to_contain_text("lacks tools")
    override = page.locator("#aim-override-requirements")
    expect(override).to_be_visible()
    page.locator("select[name=capability]").select_option("chat")  # chat requires nothing
    expect(override).to_be_hidden()
    expect(requirements).to_be_hidden()
    page.locator("select[name=capability]").select_option("assistant")
    page.screenshot(path=artifacts_dir / f"requirements-activate-{THEME}.png", full_page=True)

    page.get_by_role("button", name="Yes, activate it").click()
    expect(page.locator(".aim-confirm")).to_contain_text("Tick this box to go ahead anyway")
    assert not AIModel.objects.filter(capability="assistant").exists()

    page.locator("input[name=override_requirements]").check()
    page.get_by_role("button", name="Yes, activate it").click()
    expect(page.get_by_text(re.compile(r"is now the active model for Assistant"))).to_be_visible()
    active = AIModel.objects.get(capability="assistant", is_active=True)
    assert active.model_id == "google/gemma-3-27b-it:free"
    assert "requirements not met, overridden: parameters" in LogEntry.objects.get(object_id=str(active.pk)).change_message

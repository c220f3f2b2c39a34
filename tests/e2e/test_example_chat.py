"""The example project in a browser: a model activated for chat answers on the /chat/ page, to a
user logged in through the admin's login page (the pages ask the same login as the API)."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from ai_models import activation
from ai_models.providers import build_provider
from tests.example import example_project


@pytest.fixture
def example(transactional_db):
    """The example's pages served by live_server (its app and URLconf on top of tests.settings)."""
    with example_project():
        yield


def log_in_at_the_page(page, live_server):
    """Open /chat/, be sent to the login page, log in, land back on /chat/."""
    User.objects.create_user("visitor", password="pw", is_staff=True)
    page.goto(f"{live_server.url}/chat/")
    page.fill("#id_username", "visitor")
    page.fill("#id_password", "pw")
    page.click("[type=submit]")
    page.wait_for_url(f"{live_server.url}/chat/")


def test_chat_page_answers_through_the_activated_model(page, live_server, example, artifacts_dir):
    entry = next(e for e in build_provider("snapshot").fetch_catalog() if e.model_id == "openai/gpt-4.1-mini")
    activation.activate(entry, "chat")

    log_in_at_the_page(page, live_server)
    expect(page.get_by_text("Answered by OpenAI: GPT-4.1 mini (snapshot)")).to_be_visible()
    page.get_by_label("Prompt").fill("What is <b>Django</b>?")
    page.get_by_role("button", name="Generate").click()

    result = page.locator(".result")
    expect(result).to_contain_text("openai/gpt-4.1-mini · snapshot")
    expect(result).to_contain_text("demo output")
    expect(result.locator(".text")).not_to_be_empty()
    expect(result.locator("b")).to_have_count(0)  # nothing the prompt or provider sent became markup
    page.screenshot(path=artifacts_dir / "example-chat.png", full_page=True)


def test_chat_page_says_where_to_activate_when_nothing_is_active(page, live_server, example):
    log_in_at_the_page(page, live_server)
    expect(page.get_by_text("No model is active for Chat")).to_be_visible()

    page.get_by_label("Prompt").fill("Hello")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("alert")).to_contain_text("Activate one in the Django admin")

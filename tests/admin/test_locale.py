"""The admin in Persian: right-to-left, and the app's own strings translated."""

import pytest
from django.utils import translation

from .conftest import CATALOG_URL, messages_of

MINI = "snapshot:openai/gpt-4.1-mini"


@pytest.fixture
def persian(settings):
    settings.LANGUAGE_CODE = "fa"
    yield
    translation.activate("en")


def test_catalog_renders_right_to_left_in_persian(admin_client, persian):
    response = admin_client.get(CATALOG_URL)

    html = response.content.decode()
    assert 'lang="fa"' in html
    assert 'dir="rtl"' in html
    assert "مرور کاتالوگ" in html  # Browse catalog
    assert "ارائه‌دهندگان" in html  # the provider panel
    assert "تازه‌سازی همه" in html  # Refresh all
    assert "گفت‌وگو" in html  # the Chat capability label
    assert "فعال کردن مدل انتخاب‌شده" in html  # the Activate action


def test_messages_are_translated(admin_client, persian):
    data = {"action": "activate", "_selected_action": MINI, "confirm": "yes", "capability": "chat"}

    response = admin_client.post(CATALOG_URL, data, follow=True)

    assert "اکنون OpenAI: GPT-4.1 mini مدل فعال برای گفت‌وگو است." in messages_of(response)[0]

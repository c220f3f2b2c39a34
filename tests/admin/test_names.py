"""Names and fit (issue 25): each page titled as the app calls it, in both themes and in Persian."""

import re

import pytest
from django.utils import translation

from .conftest import CATALOG_URL, PROVIDERS_URL, SAVED_URL


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


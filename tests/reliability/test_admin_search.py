"""A search of thousands of words on any of the app's admin pages answers 200 with the first
words used and a warning, instead of a query the database refuses (a 500 on SQLite)."""

import pytest

from ai_models import activation
from ai_models.models import Provider
from tests.factories import catalog_model

from .pages import CATALOG_URL, PROVIDERS_URL, SAVED_URL, messages_of

WARNING = "Only the first 10 words (at most 200 characters) of the search were used."
FLOOD = " ".join(f"w{i}" for i in range(5000))


@pytest.fixture
def rows(db):
    Provider.objects.create(slug="openai", name="OpenAI")
    activation.activate(catalog_model("gpt-4.1-mini", provider="openai"), "chat")


@pytest.mark.parametrize("url", [SAVED_URL, PROVIDERS_URL, CATALOG_URL])
def test_a_flood_of_words_is_cut_to_the_first_ones_with_a_warning(admin_client, rows, url):
    response = admin_client.get(url, {"q": FLOOD})

    assert response.status_code == 200
    assert messages_of(response) == [WARNING]
    assert list(response.context["cl"].result_list) == []  # "w0" ... "w9" match nothing


@pytest.mark.parametrize("url, found", [(SAVED_URL, "gpt-4.1-mini"), (PROVIDERS_URL, "openai")])
def test_the_words_kept_still_search(admin_client, rows, url, found):
    response = admin_client.get(url, {"q": " ".join([found] * 5000)})  # every word must match

    assert response.status_code == 200
    assert messages_of(response) == [WARNING]
    assert len(response.context["cl"].result_list) == 1


def test_a_short_search_has_no_warning(admin_client, rows):
    response = admin_client.get(SAVED_URL, {"q": "gpt mini"})

    assert messages_of(response) == []
    assert len(response.context["cl"].result_list) == 1

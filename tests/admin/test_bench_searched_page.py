"""The bench's searched Browse catalog page times searches, not rebuilds of the catalog.

Its figure read 4.5x the vanilla changelist when each search entered the page's settings
anew: a settings change makes the app forget its memos, so every timed search rebuilt the
listing and its search index, which a running process builds once per catalog version.
"""

import pytest
from django.urls import reverse

from bench.bench_pages import _Page, _warm_catalog, searched_rounds
from bench.common import superuser_client

pytestmark = pytest.mark.django_db


def test_every_search_of_the_searched_page_uses_the_one_search_index(index_builds):
    _warm_catalog(50)
    client = superuser_client()
    catalog_page = _Page(client, reverse("admin:ai_models_catalogentry_changelist"), 50)
    other_page = _Page(client, reverse("admin:index"))  # the vanilla changelist's place; no settings of its own

    searched = searched_rounds(catalog_page, other_page, ["llama 70b", "qwen coder", "reasoning"], 6)

    assert len(searched["catalog"]) == len(searched["vanilla"]) == 6
    assert index_builds == [50]

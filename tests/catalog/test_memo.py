"""The per-process memo of listings and their views: bounded, and never mixing views up."""

import pytest

from ai_models import catalog
from ai_models.catalog import memo
from ai_models.catalog import EntryState, EntryStates, filter_entries, sort_entries

pytestmark = pytest.mark.django_db


def test_a_refresh_replaces_the_remembered_listing_instead_of_adding_one(use_fakes):
    use_fakes("fake1", "fake2")
    for _ in range(5):
        catalog.refresh()
        catalog.get_catalog()
    assert len(memo.LISTINGS) == 1


def test_derived_views_are_bounded_per_listing(use_fakes):
    use_fakes("fake1")
    entries = catalog.get_catalog().entries
    for n in range(200):
        sort_entries(filter_entries(entries, search=f"word{n}"), "name", descending=bool(n % 2))
    assert len(entries._source.views) <= memo.MAX_MEMO


def test_a_view_filtered_by_state_is_sorted_on_its_own_rows(use_fakes):
    use_fakes("fake1")
    entries = catalog.get_catalog().entries
    everything = sort_entries(entries, "name", descending=True)  # remembered
    first = entries[0]
    states = EntryStates({first.pk: EntryState(frozenset({"chat"}), frozenset({"chat"}))})

    active = sort_entries(filter_entries(entries, state="active", states=states), "name", descending=True)

    assert [entry.pk for entry in active] == [first.pk]
    assert len(everything) == len(entries) > 1


def test_new_searches_share_the_listings_search_index_until_a_refresh(use_fakes, index_builds):
    use_fakes("fake1")
    for word in ("alpha", "beta", "gamma"):
        entries = catalog.get_catalog().entries
        entries._source.views.clear()  # each search new to the listing
        filter_entries(entries, search=word)
    assert len(index_builds) == 1

    catalog.refresh()
    filter_entries(catalog.get_catalog().entries, search="alpha")
    assert len(index_builds) == 2  # a new catalog version: a new index

"""entry_states: saved/active annotation of a whole listing in one query, whatever its size."""

import pytest

from ai_models import catalog, activation

from ai_models.providers import test as test_provider

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [10, 10_000])
def test_saved_and_active_states_take_one_query_for_any_catalog_size(use_fakes, size, django_assert_num_queries):
    use_fakes("fake1", "fake2")
    test_provider.script("fake1", models=size)
    entries = catalog.get_catalog().entries
    first, second, third = entries[0], entries[1], entries[2]
    activation.activate(first, "chat")
    activation.save(first, "content")
    activation.save(second, "image")
    activation.activate(third, "content")
    activation.deactivate("content")

    with django_assert_num_queries(1):
        states = catalog.entry_states(entries)

    assert set(states) == {first.pk, second.pk, third.pk}
    assert (states[first.pk].saved_for, states[first.pk].active_for) == ({"chat", "content"}, {"chat"})
    assert (states[second.pk].saved, states[second.pk].active) == (True, False)
    assert (states[third.pk].saved, states[third.pk].active) == (True, False)
    assert not states[entries[-1].pk].saved  # any other entry: not saved


def test_states_can_be_narrowed_to_some_entries_and_feed_the_state_filter(use_fakes):
    use_fakes("fake1", "fake2")
    entries = catalog.get_catalog().entries
    activation.activate(entries[0], "chat")
    activation.save(entries[4], "content")
    states = catalog.entry_states()
    assert set(states) == {entries[0].pk, entries[4].pk}
    assert set(catalog.entry_states(entries[:2])) == {entries[0].pk}
    assert set(catalog.entry_states(catalog.filter_entries(entries, provider="fake2"))) == {entries[4].pk}
    assert set(catalog.entry_states(catalog.sort_entries(entries, "name"))) == {entries[0].pk, entries[4].pk}
    assert [e.pk for e in catalog.filter_entries(entries, state="active", states=states)] == [entries[0].pk]
    assert [e.pk for e in catalog.filter_entries(entries, state="saved", states=states)] == [
        entries[0].pk,
        entries[4].pk,
    ]
    assert len(catalog.filter_entries(entries, state="none", states=states)) == len(entries) - 2

"""Curation: staff hide models or families from Browse catalog and the API; a filter shows them to
restore them; the rules live in the database, with their history."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry

from ai_models import catalog
from ai_models.catalog import curation, filter_entries
from ai_models.catalog.criteria import hidden_test
from ai_models.models import CatalogRule

from .conftest import CATALOG_URL, messages_of

MINI = "snapshot:openai/gpt-4.1-mini"


def listed(client, **params):
    return {row.pk for row in client.get(CATALOG_URL, params).context["cl"].result_list}


def test_hiding_a_model_takes_it_out_of_the_catalog_until_shown_again(admin_client):
    done = admin_client.post(CATALOG_URL, {"action": "hide", "_selected_action": MINI, "index": "0"}, follow=True)

    assert messages_of(done)[0].startswith("1 model hidden")
    assert MINI not in listed(admin_client) and MINI not in listed(admin_client, capability="chat", q="gpt")
    assert listed(admin_client, hidden="yes") == {MINI}
    assert MINI not in {entry.pk for entry in catalog.get_catalog().entries}  # the API's, the command line's
    rule = CatalogRule.objects.get()
    assert LogEntry.objects.get(object_id=str(rule.pk)).action_flag == ADDITION

    admin_client.post(f"{CATALOG_URL}?hidden=yes", {"action": "show_again", "_selected_action": MINI, "index": "0"})

    assert MINI in listed(admin_client) and not CatalogRule.objects.exists()


def test_patterns_and_allow_lists_hide_families(db):
    CatalogRule.objects.create(provider="snapshot", pattern="openai/gpt-4*")
    shown = {entry.model_id for entry in catalog.get_catalog().entries}
    assert "openai/gpt-4.1-mini" not in shown and "openai/gpt-5" in shown

    CatalogRule.objects.create(provider="snapshot", pattern="anthropic/*", action=CatalogRule.ALLOW)
    listing = catalog.get_catalog()
    shown = {entry.model_id for entry in filter_entries(listing.entries, capability="chat")}
    assert shown and all(model_id.startswith("anthropic/") for model_id in shown)
    assert "openai/gpt-5" in {entry.model_id for entry in listing.hidden}


def test_hiding_needs_the_rule_permissions(login):
    client = login("ai_models.view_catalogentry", "ai_models.activate_aimodel")
    actions = client.get(CATALOG_URL).context["action_form"].fields["action"].choices
    assert "hide" not in dict(actions)
    client.post(CATALOG_URL, {"action": "hide", "_selected_action": MINI, "index": "0"})
    assert not CatalogRule.objects.exists()


@pytest.mark.parametrize("model_id", ["vendor/model[1]", "vendor/a*b?"])
def test_hiding_one_model_hides_only_that_one(db, model_id):
    from ..factories import catalog_model

    entry, other = catalog_model(model_id), catalog_model("vendor/model1")
    curation.hide([entry])
    hidden = hidden_test(curation.rules())
    assert hidden(entry) and not hidden(other)

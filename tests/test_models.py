import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from ai_models.models import AIModel, CatalogEntry, Provider


@pytest.fixture
def provider(db):
    return Provider.objects.create(slug="snapshot", name="Snapshot")


def test_only_one_active_row_per_capability_in_the_database(provider):
    AIModel.objects.create(provider=provider, model_id="a", capability="chat", is_active=True)
    second = AIModel.objects.create(provider=provider, model_id="b", capability="chat")

    # A raw update bypasses every Python check: only the database can refuse it.
    with pytest.raises(IntegrityError), transaction.atomic():
        AIModel.objects.filter(pk=second.pk).update(is_active=True)

    assert list(AIModel.objects.filter(is_active=True).values_list("model_id", flat=True)) == ["a"]


def test_active_rows_of_different_capabilities_coexist(provider):
    AIModel.objects.create(provider=provider, model_id="a", capability="chat", is_active=True)
    AIModel.objects.create(provider=provider, model_id="a", capability="content", is_active=True)
    AIModel.objects.create(provider=provider, model_id="b", capability="chat", is_active=False)
    AIModel.objects.create(provider=provider, model_id="c", capability="chat", is_active=False)
    assert AIModel.objects.filter(is_active=True).count() == 2


def test_same_model_cannot_be_saved_twice_for_one_capability(provider):
    AIModel.objects.create(provider=provider, model_id="a", capability="chat")
    with pytest.raises(IntegrityError), transaction.atomic():
        AIModel.objects.create(provider=provider, model_id="a", capability="chat")


@pytest.mark.postgres
def test_constraint_is_a_partial_unique_index_on_postgresql(provider):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ai_models_one_active_per_capability'"
        )
        (definition,) = cursor.fetchone()
    assert "UNIQUE" in definition and "WHERE is_active" in definition


def test_catalog_entry_has_no_table_and_queries_are_empty(db):
    assert CatalogEntry._meta.managed is False
    assert list(CatalogEntry.objects.all()) == []
    assert CatalogEntry._base_manager.count() == 0
    with pytest.raises(TypeError):
        CatalogEntry(id="snapshot:x", provider="snapshot", model_id="x", name="x").save()


@pytest.mark.parametrize("flags", [[], ["--all"]])
def test_dumpdata_passes_with_the_tableless_model(provider, flags, capsys):
    call_command("dumpdata", "ai_models", *flags)
    out = capsys.readouterr().out
    assert '"model": "ai_models.provider"' in out
    assert "catalogentry" not in out


def test_api_key_is_encrypted_at_rest_and_shown_by_last_four(provider):
    provider.api_key = "sk-test-1234567890abcd"
    provider.save()
    stored = Provider.objects.values_list("api_key_encrypted", flat=True).get(pk=provider.pk)
    assert "sk-test" not in stored
    assert Provider.objects.get(pk=provider.pk).api_key == "sk-test-1234567890abcd"
    assert provider.api_key_last4 == "abcd"

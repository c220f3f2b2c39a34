import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from ai_models import NoActiveModel, UnknownCapability, get_active_model, activation
from tests.factories import catalog_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.usefixtures("active_clock_stopped")
def test_returns_the_active_model_with_its_provider_loaded(db, django_assert_num_queries):
    activation.activate(catalog_model("openai/gpt-4.1-mini"), "chat")
    model = get_active_model("chat")
    assert model.model_id == "openai/gpt-4.1-mini"
    with django_assert_num_queries(0):
        assert model.provider.slug == "snapshot"


@pytest.mark.usefixtures("active_clock_stopped")
def test_warm_call_runs_no_sql(db, django_assert_num_queries):
    activation.activate(catalog_model("a"), "chat")
    get_active_model("chat")
    with django_assert_num_queries(0):
        for _ in range(100):
            assert get_active_model("chat").model_id == "a"


@pytest.mark.usefixtures("active_clock_stopped")
def test_no_active_model_is_remembered_too(db, django_assert_num_queries):
    with pytest.raises(NoActiveModel):
        get_active_model("image")
    with django_assert_num_queries(0), pytest.raises(NoActiveModel):
        get_active_model("image")


def test_a_new_activation_is_seen_on_the_next_call(db):
    activation.activate(catalog_model("a"), "chat")
    assert get_active_model("chat").model_id == "a"
    activation.activate(catalog_model("b"), "chat")
    assert get_active_model("chat").model_id == "b"
    activation.deactivate("chat")
    with pytest.raises(NoActiveModel):
        get_active_model("chat")


def test_an_edit_through_the_orm_is_seen_too(db):
    model = activation.activate(catalog_model("a"), "chat").model
    get_active_model("chat")
    model.display_name = "Renamed"
    model.save()
    assert get_active_model("chat").display_name == "Renamed"


def test_no_active_model_message_names_the_capability_and_where_to_act(db):
    with pytest.raises(NoActiveModel) as caught:
        get_active_model("audio")
    message = str(caught.value)
    assert "'audio'" in message and "Django admin" in message and "ai_models activate" in message
    assert isinstance(caught.value, LookupError)


def test_unknown_capability_lists_the_valid_ones(db):
    with pytest.raises(UnknownCapability) as caught:
        get_active_model("telepathy")
    assert "chat, content, image, audio" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_host_defined_capabilities(db):
    with override_settings(AI_MODELS={"CAPABILITIES": ["chat", "summary"]}):
        activation.activate(catalog_model("a"), "summary")
        assert get_active_model("summary").model_id == "a"
        with pytest.raises(UnknownCapability):
            get_active_model("image")


# An evicted version token: tests/host/test_memo.py (the shared-cache path).


SECOND_PROCESS = textwrap.dedent(
    """
    import sys, django
    django.setup()
    from ai_models import activation
    from tests.factories import catalog_model
    activation.activate(catalog_model(sys.argv[1]), "chat", via="second process")
    """
)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@override_settings(AI_MODELS={**settings.AI_MODELS, "ACTIVE_MODEL_RECHECK": 0})  # the cache on every call
def test_change_committed_by_another_process_is_seen_on_the_next_call():
    activation.activate(catalog_model("first"), "chat")
    assert get_active_model("chat").model_id == "first"

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    from django.db import connection

    # The second process must write to the test database this process uses.
    env["PGDATABASE"] = connection.settings_dict["NAME"]
    subprocess.run([sys.executable, "-c", SECOND_PROCESS, "second"], cwd=ROOT, env=env, check=True)

    assert get_active_model("chat").model_id == "second"

"""``aget_active_model`` in async views: cold, right after an activation in another thread, warm
with no thread hop; and the async backend calls."""

import threading

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.test import override_settings

from ai_models import NoActiveModel, active, aget_active_model, aget_active_models, activation, get_active_model
from tests.factories import catalog_model

from .test_memo import SHARED

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.host.urls")]


def activate_in_another_thread(model_id):
    errors = []

    def work():
        try:
            activation.activate(catalog_model(model_id), "chat", via="other thread")
        except Exception as err:  # reported below
            errors.append(err)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert not errors


def test_an_async_view_cold_and_right_after_an_activation_in_another_thread(async_client):
    assert async_to_sync(async_client.get)("/achat/").status_code == 404  # cold, nothing active
    activate_in_another_thread("first")
    response = async_to_sync(async_client.get)("/achat/")  # cold for this model
    assert response.status_code == 200 and response.content == b"first|True"
    activate_in_another_thread("second")
    assert async_to_sync(async_client.get)("/achat/").content == b"second|True"


def test_a_warm_call_stays_in_the_event_loop(monkeypatch):
    with override_settings(CACHES=SHARED):
        caches["default"].clear()
        activation.activate(catalog_model("a"), "chat")
        get_active_model("chat")

        def no_thread(*args, **kwargs):
            raise AssertionError("a warm aget_active_model hopped to a thread")

        monkeypatch.setattr(active, "sync_to_async", no_thread)
        assert async_to_sync(aget_active_model)("chat").model_id == "a"
        assert [model.model_id for model in async_to_sync(aget_active_models)("chat")] == ["a"]


def test_nothing_active_raises_no_active_model():
    with pytest.raises(NoActiveModel):
        async_to_sync(aget_active_model)("image")

"""The capability lock: contention is an ``ActivationBusy`` every front end answers in its own way
(the API's JSON 409, an admin message, the command line's exit status), never a 500; the wait is
bounded (the answer comes while the other change still holds the lock); and a caller's own
transaction gets its settings back."""

import io
import threading
import time
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.models.sql import InsertQuery

from ai_models import activation
from ai_models.activation import locks
from ai_models.exceptions import ActivationBusy
from ai_models.models import AIModel, Provider
from tests.factories import catalog_model

from ..admin.conftest import CATALOG_URL, messages_of

API = "/api/ai-models/"
MINI = "openai/gpt-4.1-mini"

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def held(*capabilities):
    """Another change holding the lock of ``capabilities`` (in a thread of its own) until the block ends."""
    taken, done, failed = threading.Event(), threading.Event(), []

    def hold():
        try:
            with locks.capability_lock(*capabilities):
                taken.set()
                done.wait(30)
        except Exception as err:  # surfaced below
            failed.append(err)
            taken.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(30) and not failed, failed
    try:
        yield
    finally:
        done.set()
        thread.join(30)


@pytest.fixture(autouse=True)
def short_wait(monkeypatch):
    monkeypatch.setattr(locks, "LOCK_WAIT", 0.3)


@pytest.fixture
def api(db):
    pytest.importorskip("rest_framework")
    from rest_framework.test import APIClient

    from ..admin.conftest import make_user

    client = APIClient()
    client.force_login(make_user("root", superuser=True))
    return client


def test_the_flow_raises_busy_while_another_change_holds_the_capability():
    activation.activate(catalog_model("a"), "chat")
    with held("chat"):
        with pytest.raises(ActivationBusy, match="Another change of Chat is in progress"):
            activation.activate(catalog_model("b"), "chat")
        with pytest.raises(ActivationBusy):
            activation.deactivate("chat")
    assert activation.activate(catalog_model("b"), "chat").replaced.model_id == "a"  # free again


def test_every_api_write_answers_busy_as_json(api):
    row = activation.save(catalog_model(MINI), "chat").model
    with held("chat"):
        answers = {
            "activations": api.post(API + "activations/", {"provider": "snapshot", "model_id": MINI,
                                                           "capability": "chat"}, format="json"),
            "saved": api.post(API + "saved/", {"provider": "snapshot", "model_id": MINI, "capability": "chat"},
                              format="json"),
            "bulk": api.post(API + "saved/bulk/", {"provider": "snapshot", "capability": "chat", "limit": 2},
                             format="json"),
            "delete": api.delete(API + "saved/?capability=chat"),
            "deactivate": api.post(API + "active/chat/deactivate/", {}, format="json"),
            "rollback": api.post(API + "active/chat/rollback/", {}, format="json"),
        }
    for name, response in answers.items():
        if name == "rollback":  # nothing to roll back to: found out before the lock
            assert response.status_code == 404, response.content
            continue
        assert response.status_code == 409 and response["Content-Type"] == "application/json", (name, response.content)
        assert response.json()["code"] == "busy", name
    assert AIModel.objects.get() == row


def test_the_admin_says_so_and_the_command_line_exits_1(admin_client):
    data = {"action": "activate", "_selected_action": f"snapshot:{MINI}", "confirm": "yes", "capability": "chat"}
    with held("chat"):
        page = admin_client.post(CATALOG_URL, data, follow=True)
        err = io.StringIO()
        with pytest.raises(CommandError) as failed:
            call_command("ai_models", "activate", "snapshot", MINI, "--capability", "chat", stderr=err)
    assert page.status_code == 200
    assert messages_of(page) == ["Nothing was changed: Another change of Chat is in progress: nothing was changed; try "
                                 "again in a moment."]
    assert failed.value.returncode == 1 and "Another change of Chat is in progress" in str(failed.value)
    assert not AIModel.objects.exists()


def test_an_admin_deletion_says_so_too(admin_client):
    row = activation.save(catalog_model("a"), "chat").model
    data = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    with held("chat"):
        bulk = admin_client.post("/admin/ai_models/aimodel/", data, follow=True)
        single = admin_client.post(f"/admin/ai_models/aimodel/{row.pk}/delete/", {"post": "yes"}, follow=True)
    assert bulk.status_code == 200 == single.status_code
    assert messages_of(bulk)[-1].startswith("Nothing was deleted: Another change of Chat is in progress")
    assert messages_of(single)[-1].startswith("Nothing was deleted: Another change of Chat is in progress")
    assert AIModel.objects.filter(pk=row.pk).exists()


@pytest.mark.postgres  # SQLite has one write lock for the whole database
def test_other_capabilities_are_not_held_back():
    with held("chat"):
        assert activation.activate(catalog_model("a", capabilities=("content",)), "content").model.is_active


def _insert_uncommitted(row):
    """``row`` inserted on a connection of its own, left uncommitted, bypassing Django (so no cache
    such as django-cachalot hears of it): another process's change. Returns the connection."""
    query = InsertQuery(type(row))
    query.insert_values([field for field in row._meta.local_concrete_fields if not field.primary_key], [row])
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    other = connection.get_new_connection(connection.get_connection_params())
    other.cursor().execute(sql, params)
    return other


def _when_someone_waits(other):
    """Commit ``other`` once another transaction waits for one of its locks (at most 15 s)."""
    try:
        for _ in range(300):
            if other.cursor().execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0]:
                break
            time.sleep(0.05)
    finally:
        other.commit()
        other.close()


@pytest.mark.postgres
def test_two_capabilities_first_saving_one_provider_do_not_collide(monkeypatch):
    """A change of Chat (another process) has just created the row of a provider nothing was saved
    from yet, not committed, while a change of Content needs the same row: Content waits for it and
    uses it. It was a 409 busy: the unique slug's violation taken for contention (and a retry after
    it answered by django-cachalot's cache of the first miss)."""
    monkeypatch.setattr(locks, "LOCK_WAIT", 10.0)
    other = _insert_uncommitted(Provider(slug="snapshot", name="Snapshot"))
    thread = threading.Thread(target=_when_someone_waits, args=(other,))
    thread.start()
    try:
        change = activation.activate(catalog_model("a", capabilities=("content",)), "content")
    finally:
        thread.join(30)

    assert change.model.is_active
    assert list(Provider.objects.values_list("slug", flat=True)) == ["snapshot"]


@pytest.mark.postgres
def test_a_callers_transaction_gets_its_own_lock_timeout_back():
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '7s'")
        activation.activate(catalog_model("a"), "chat")
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "7s"

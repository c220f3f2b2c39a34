"""A key typed into the admin never reaches an error report.

Saving a provider fails because the database refuses the write (forced with an execute wrapper
that raises ``OperationalError`` on the provider table), or because encryption fails while the key
is in hand. With ``DEBUG = False`` Django mails the admins a report of the request: its POST data
and the local variables of every frame. The key typed must be in neither the text nor the HTML
version of that email, nor in the logged record.
"""

import logging

import django
import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import OperationalError, connection
from django.utils.log import AdminEmailHandler

from ai_models.models import Provider

from .conftest import API_KEY, local_settings
from .pages import PROVIDERS_URL

# Django 6.1 warns when mail is sent without settings.MAILERS; what is sent is what matters here.
pytestmark = pytest.mark.filterwarnings("ignore:Django 2028 will not have a default mailer")

SECRET_PART = API_KEY.removeprefix("sk-")  # what a report would show even if it cut the prefix


def refuse_provider_writes(execute, sql, params, many, context):
    if "ai_models_provider" in sql and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
        raise OperationalError("the database is down")
    return execute(sql, params, many, context)


@pytest.fixture
def reporting(settings, server, sleeps, client, db):
    """Error emails with their HTML part, a superuser whose requests may fail with a 500."""
    settings.AI_MODELS = local_settings(server)
    settings.DEBUG = False
    settings.ADMINS = ["ops@example.com"] if django.VERSION >= (6, 0) else [("Ops", "ops@example.com")]
    handler = AdminEmailHandler(include_html=True)
    handler.setLevel(logging.ERROR)
    records = []
    handler.addFilter(lambda record: records.append(record) or True)
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(handler)
    client.raise_request_exception = False
    client.force_login(User.objects.create_superuser("root", password="pw"))
    yield client, records
    request_logger.removeHandler(handler)


def assert_no_key_in_the_reports(records):
    """Every email sent (Django's own mail_admins handler and ours, with HTML) and every record."""
    htmls = [content for email in mail.outbox for content, mimetype in email.alternatives if mimetype == "text/html"]
    assert htmls and records
    for email in mail.outbox:
        assert "Traceback" in email.body  # the report is all there
        assert "api_key = '********************'" in email.body  # named, its value hidden
    texts = [*(email.subject for email in mail.outbox), *(email.body for email in mail.outbox), *htmls]
    for text in texts + [record.getMessage() for record in records]:
        assert SECRET_PART not in text


def test_adding_a_provider_when_the_database_fails(reporting):
    client, records = reporting
    data = {"slug": "openai", "name": "", "base_url": "", "api_key": API_KEY, "is_active": "on"}

    with connection.execute_wrapper(refuse_provider_writes):
        response = client.post(f"{PROVIDERS_URL}add/", data)

    assert response.status_code == 500 and not Provider.objects.exists()
    assert "the database is down" in mail.outbox[0].body
    assert_no_key_in_the_reports(records)


def test_changing_a_providers_key_when_the_database_fails(reporting):
    client, records = reporting
    row = Provider.objects.create(slug="openai", name="OpenAI")
    data = {"name": "OpenAI", "base_url": "", "api_key": API_KEY, "is_active": "on"}

    with connection.execute_wrapper(refuse_provider_writes):
        response = client.post(f"{PROVIDERS_URL}{row.pk}/change/", data)

    assert response.status_code == 500 and not Provider.objects.get().has_stored_key
    assert "the database is down" in mail.outbox[0].body
    assert_no_key_in_the_reports(records)


class BrokenCipher:
    """A cipher failing in a way nobody planned for, with the key in hand."""

    def encrypt(self, data):
        raise RuntimeError("the cipher broke")


def test_a_failure_while_the_key_is_being_encrypted(reporting, monkeypatch):
    client, records = reporting
    monkeypatch.setattr("ai_models.crypto._fernet", BrokenCipher)
    data = {"slug": "openai", "name": "", "base_url": "", "api_key": API_KEY, "is_active": "on"}

    response = client.post(f"{PROVIDERS_URL}add/", data)

    assert response.status_code == 500 and not Provider.objects.exists()
    assert "the cipher broke" in mail.outbox[0].body
    assert_no_key_in_the_reports(records)

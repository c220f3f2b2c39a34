import pytest
from django.test import Client

from . import example_project


@pytest.fixture(autouse=True)
def _example_project():
    with example_project():
        yield


@pytest.fixture
def visitor(db, django_user_model):
    """The test client logged in as a plain user: the generation API takes no anonymous callers
    (see test_api_access.py)."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("visitor", password="pw"))
    return client

import pytest

from . import example_project


@pytest.fixture(autouse=True)
def _example_project():
    with example_project():
        yield


@pytest.fixture
def client(client, django_user_model):
    """A logged-in visitor: the API takes no anonymous callers (see test_api_access.py)."""
    client.force_login(django_user_model.objects.create_user("visitor", password="pw"))
    return client

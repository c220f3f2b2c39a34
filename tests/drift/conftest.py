import pytest

from .fakes import acme_enabled


@pytest.fixture(autouse=True)
def acme_provider():
    """Acme enabled with its default catalog for every test here."""
    with acme_enabled() as provider:
        yield provider

import pytest

from ..drift.fakes import acme_enabled


@pytest.fixture(autouse=True)
def acme_provider():
    """Acme enabled (its calls answer "OK" unless a test says otherwise)."""
    with acme_enabled() as provider:
        yield provider

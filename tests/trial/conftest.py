import pytest

from ..drift.fakes import DriftProvider, acme


@pytest.fixture(autouse=True)
def acme_provider():
    """Acme enabled (its calls answer "OK" unless a test says otherwise)."""
    DriftProvider.reset()
    with acme():
        yield DriftProvider
    DriftProvider.reset()

import pytest

from .fakes import DriftProvider, acme


@pytest.fixture(autouse=True)
def acme_provider():
    """Acme enabled with its default catalog for every test here."""
    DriftProvider.reset()
    with acme():
        yield DriftProvider
    DriftProvider.reset()

import pytest
from django.contrib.auth.models import Group, User

from ai_models import activation
from tests.factories import catalog_model


@pytest.fixture
def models(db):
    """The active model of chat ("active") and a saved candidate ("candidate")."""
    active = activation.activate(catalog_model("active"), "chat").model
    candidate = activation.save(catalog_model("candidate"), "chat").model
    return active, candidate


def member(username, *groups):
    """A saved user in ``groups`` (Group rows, made when named by a string)."""
    user = User.objects.create_user(username)
    for group in groups:
        user.groups.add(Group.objects.get_or_create(name=group)[0] if isinstance(group, str) else group)
    return user


def simulated(count, start=1):
    """``count`` users as a request carries them (authenticated, with a primary key), unsaved."""
    return [User(pk=pk, username=f"u{pk}") for pk in range(start, start + count)]

"""A process of its own for test_processes.py: ``setup`` makes a database of 10,000 users and 20
members of the group "beta", with a rollout of chat at 10% naming "beta"; ``assign`` prints, as
JSON, which users and which beta members get the candidate, as ``get_active_model(user=...)``
answers in this process."""

import json
import sys

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from ai_models import activation, get_active_model  # noqa: E402
from ai_models.activation import rollouts  # noqa: E402
from tests.factories import catalog_model  # noqa: E402

USERS, BETA = 10_000, 20


def setup():
    call_command("migrate", verbosity=0)
    activation.activate(catalog_model("active"), "chat")
    candidate = activation.save(catalog_model("candidate"), "chat").model
    beta = Group.objects.create(name="beta")
    User.objects.bulk_create([User(username=f"user{n}") for n in range(USERS)])
    beta.user_set.set(User.objects.bulk_create([User(username=f"beta{n}") for n in range(BETA)]))
    rollouts.start("chat", candidate, percent=10, groups=[beta])


def assign():
    def candidates(users):
        return [user.pk for user in users if get_active_model("chat", user=user).model_id == "candidate"]

    users = User.objects.prefetch_related("groups").order_by("pk")  # as a site would load them: 2 queries
    beta = [user for user in users if user.username.startswith("beta")]
    print(json.dumps({
        "simulated": candidates(user for user in users if user.username.startswith("user")),
        "beta": candidates(beta),
        "beta_count": len(beta),
    }))


if __name__ == "__main__":
    {"setup": setup, "assign": assign}[sys.argv[1]]()

"""Who gets which model: ``get_active_model(capability, user=...)`` with a rollout and group models."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory

from ai_models import aget_active_model, get_active_model, get_active_model_for, get_active_models
from ai_models.activation import rollouts
from ai_models.active import BUCKETS, in_candidate_share
from ai_models import activation
from tests.factories import catalog_model

from .conftest import member, simulated


def share_of_candidate(users, capability="chat"):
    return sum(get_active_model(capability, user=user).model_id == "candidate" for user in users) / len(users)


def test_without_a_user_or_a_rollout_the_active_model(models):
    active, candidate = models
    assert get_active_model("chat").pk == active.pk
    assert get_active_model("chat", user=simulated(1)[0]).pk == active.pk
    rollouts.start("chat", candidate, percent=100)
    assert get_active_model("chat").pk == active.pk  # no user: the active model, as before
    assert get_active_model("chat", user=AnonymousUser()).pk == active.pk  # nobody to place


def test_ten_thousand_users_at_ten_percent(models):
    rollouts.start("chat", models[1], percent=10)
    users = simulated(10_000)
    share = share_of_candidate(users)
    assert 0.09 <= share <= 0.11
    assert share_of_candidate(users) == share  # each keeps their side


def test_a_user_keeps_the_candidate_while_the_share_grows_and_leaves_it_when_it_shrinks(models):
    rollouts.start("chat", models[1], percent=10)
    users = simulated(2_000)
    at_ten = {user.pk for user in users if get_active_model("chat", user=user).model_id == "candidate"}
    rollouts.change("chat", percent=30)
    at_thirty = {user.pk for user in users if get_active_model("chat", user=user).model_id == "candidate"}
    assert at_ten < at_thirty and 0.25 <= len(at_thirty) / len(users) <= 0.35
    rollouts.change("chat", percent=0)
    assert share_of_candidate(users) == 0


def test_the_side_is_a_stable_hash_of_salt_and_id():
    # Fixed values: the same in every process, every Python (hash randomisation) and every release.
    assert [in_candidate_share("s", str(pk), BUCKETS // 2) for pk in range(6)] == [
        in_candidate_share("s", str(pk), BUCKETS // 2) for pk in range(6)
    ]
    assert in_candidate_share("salt", "1", BUCKETS) and not in_candidate_share("salt", "1", 0)
    sides = {salt: [in_candidate_share(salt, str(pk), BUCKETS // 2) for pk in range(64)] for salt in ("a", "b")}
    assert sides["a"] != sides["b"]  # a new rollout (salt) draws new sides


def test_a_member_of_a_named_group_always_gets_the_candidate(models):
    beta = member("beta-tester", "beta")
    rollouts.start("chat", models[1], percent=0, groups=[Group.objects.get(name="beta")])
    for _ in range(3):
        assert get_active_model("chat", user=beta).model_id == "candidate"
    assert share_of_candidate(simulated(200, start=1000)) == 0


def test_group_models_the_first_group_in_order_wins(models):
    active, candidate = models
    third = activation.save(catalog_model("third"), "chat").model
    paying, staff = Group.objects.create(name="paying"), Group.objects.create(name="staff")
    rollouts.set_group_model("chat", staff, third)
    rollouts.set_group_model("chat", paying, candidate)
    both, payer = member("both", paying, staff), member("payer", paying)
    assert get_active_model("chat", user=both).model_id == "third"  # staff was named first
    assert get_active_model("chat", user=payer).model_id == "candidate"
    assert get_active_model("chat", user=member("other")).pk == active.pk
    rollouts.set_group_model("chat", staff, third, order=5)  # now after paying (1)
    assert get_active_model("chat", user=both).model_id == "candidate"
    with pytest.raises(activation.ActivationError):
        rollouts.set_group_model("chat", staff, third, order=-1)
    rollouts.remove_group_model("chat", paying)
    assert get_active_model("chat", user=payer).pk == active.pk
    # The fallbacks follow the model chosen, without it.
    activation.set_fallbacks("chat", [third, candidate])
    assert [row.model_id for row in get_active_models("chat", user=both)] == ["third", "candidate"]


def test_a_group_model_passes_the_gates(models):
    video = activation.save(catalog_model("openai/sora-2", capabilities=("video",)), "chat").model
    with pytest.raises(activation.ActivationRefused):
        rollouts.set_group_model("chat", Group.objects.create(name="g"), video)
    rollouts.set_group_model("chat", Group.objects.get(name="g"), video, overrides={"kind"})  # logged


@pytest.mark.usefixtures("active_clock_stopped")
def test_warm_with_a_user_and_a_rollout_runs_no_sql(models, django_assert_num_queries):
    beta = member("b", "beta")
    rollouts.start("chat", models[1], percent=50)
    users = simulated(50)
    for user in [*users, beta]:
        get_active_model("chat", user=user)
    with django_assert_num_queries(0):
        for user in [*users, beta]:
            get_active_model("chat", user=user)
    rollouts.change("chat", groups=[Group.objects.get(name="beta")])
    get_active_model("chat", user=beta)  # reads the new rollout and beta's groups once
    with django_assert_num_queries(0):
        for _ in range(10):
            assert get_active_model("chat", user=beta).model_id == "candidate"


@pytest.mark.usefixtures("active_clock_stopped")
def test_without_rollout_or_group_model_no_group_is_read(models, django_assert_num_queries):
    get_active_model("chat", user=member("x", "g"))
    with django_assert_num_queries(0):
        for user in simulated(20):  # users never seen: nothing to read about them
            assert get_active_model("chat", user=user).model_id == "active"


def test_anonymous_visitors_by_their_session(models):
    rollouts.start("chat", models[1], percent=50)
    factory = RequestFactory()
    sides = set()
    for key in (f"session-{n}" for n in range(40)):
        request = factory.get("/")
        request.user = AnonymousUser()
        request.session = type("Session", (), {"session_key": key})()
        first = get_active_model_for(request, "chat").model_id
        assert get_active_model_for(request, "chat").model_id == first
        sides.add(first)
    assert sides == {"active", "candidate"}
    request = factory.get("/")
    request.user = AnonymousUser()
    assert get_active_model_for(request, "chat").model_id == "active"  # no session: the active model


@pytest.mark.django_db(transaction=True)
def test_async_callers_get_the_same_side(models):
    beta = member("beta-async", "beta")
    rollouts.start("chat", models[1], percent=10, groups=[Group.objects.get(name="beta")])
    users = simulated(300)
    expected = [get_active_model("chat", user=user).model_id for user in users]

    async def read():
        return [(await aget_active_model("chat", user=user)).model_id for user in [*users, beta]]

    assert async_to_sync(read)() == [*expected, "candidate"]

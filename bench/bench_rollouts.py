"""Warm ``get_active_model`` for a user while a rollout runs, against the same call without a user.

One process and one run: a rollout of 10% (and, second, one naming a group, its users loaded with
``prefetch_related("groups")`` as a site's middleware would), 1,000 users taken in turn, each
call after their first; the default freshness settings, so the checks fall inside the rounds.
"""

from itertools import cycle

from bench.bench_active import CAPABILITY, _activate_one, _forget
from bench.common import compare, figure, median, queries_of, ratio

USERS = 1_000


def bench_rollout(backend: str) -> dict:
    """Warm ``get_active_model(…, user=…)`` with a rollout ÷ warm ``get_active_model(…)``, on ``backend``."""
    from django.contrib.auth.models import Group, User

    from ai_models import activation, active, get_active_model
    from ai_models.activation import rollouts
    from ai_models.models import Rollout
    from ai_models.providers.base import CatalogModel

    chosen = _activate_one()
    candidate = activation.save(
        CatalogModel(provider="snapshot", model_id="bench/candidate", name="Bench candidate",
                     kinds=frozenset({"chat"}), capabilities=frozenset({"chat"})),
        CAPABILITY,
    ).model
    group = Group.objects.create(name="bench-beta")
    User.objects.bulk_create([User(username=f"bench-user-{n}") for n in range(USERS)])
    group.user_set.set(User.objects.filter(username__startswith="bench-user-")[: USERS // 20])
    users = list(User.objects.filter(username__startswith="bench-user-").prefetch_related("groups"))
    try:
        rollouts.start(CAPABILITY, candidate, percent=10)
        active.clear_memo()
        turns = cycle(users)
        for user in users:
            get_active_model(CAPABILITY, user=user)
        share = sum(get_active_model(CAPABILITY, user=user).pk == candidate.pk for user in users) / len(users)
        warm_queries = queries_of(lambda: [get_active_model(CAPABILITY, user=next(turns)) for _ in range(USERS)])
        funcs = {
            "without_user": lambda: (next(turns), get_active_model(CAPABILITY)),
            "with_user_rollout": lambda: get_active_model(CAPABILITY, user=next(turns)),
        }
        rounds = compare(funcs)
        rollouts.change(CAPABILITY, groups=[group])
        for user in users:
            get_active_model(CAPABILITY, user=user)
        grouped_queries = queries_of(lambda: [get_active_model(CAPABILITY, user=next(turns)) for _ in range(USERS)])
        grouped = compare({"without_user": funcs["without_user"],
                           "with_user_rollout_groups": lambda: get_active_model(CAPABILITY, user=next(turns))})
    finally:
        Rollout.objects.filter(capability=CAPABILITY).delete()
        User.objects.filter(username__startswith="bench-user-").delete()
        group.delete()
        candidate.delete()
        _forget(chosen)
        active.clear_memo()

    label = {"sqlite-locmem": "SQLite+locmem", "postgres-redis": "PostgreSQL+Redis"}[backend]
    how = (f"median of the round-by-round ratios (40 interleaved rounds) of get_active_model(…, user=…) over "
           f"{USERS} users in turn ÷ get_active_model(…) taking the same next user")
    figures = [
        figure(f"{label}: warm get_active_model with a user and a 10% rollout ÷ without a user",
               ratio(rounds["with_user_rollout"], rounds["without_user"]), 2, how=how),
        figure(f"{label}: … with a rollout naming a group (users with prefetched groups) ÷ without a user",
               ratio(grouped["with_user_rollout_groups"], grouped["without_user"]), 2, how=how),
        figure(f"{label}: SQL queries of a warm call with a user and a rollout",
               (warm_queries + grouped_queries) / (2 * USERS), 0, unit="",
               how=f"CaptureQueriesContext around 2 × {USERS} warm calls"),
    ]
    return {
        "backend": backend,
        "candidate_share": round(share, 3),
        "microseconds_per_call": {
            **{name: round(median(values) * 1e6, 3) for name, values in rounds.items()},
            "with_user_rollout_groups": round(median(grouped["with_user_rollout_groups"]) * 1e6, 3),
        },
        "figures": figures,
    }

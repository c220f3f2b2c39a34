"""``get_active_model`` warm, per call, against the other ways of answering the same lookup.

All in one process and one run: the plain ORM query with cachalot off, the same query through
cachalot (warm), a dict lookup (the floor) and one cache get on the same cache backend (and,
on Redis, one GET through redis-py itself).
"""

from decimal import Decimal

from bench.common import compare, figure, median, queries_of, ratio

CAPABILITY = "chat"


def _activate_one():
    from ai_models import activation
    from ai_models.providers.base import CatalogModel

    entry = CatalogModel(
        provider="snapshot",
        model_id="bench/active-chat-model",
        name="Bench chat model",
        description="The model get_active_model returns in the benchmark.",
        kinds=frozenset({"chat"}),
        capabilities=frozenset({"chat"}),
        context_window=131072,
        input_price=Decimal("0.4"),
        output_price=Decimal("1.6"),
    )
    return activation.activate(entry, CAPABILITY).model


def _forget(aimodel):
    """Delete the benchmark's model and provider rows, so later benchmarks list only their own provider."""
    from django.db import transaction

    with transaction.atomic():
        provider = aimodel.provider
        aimodel.delete()
        if not provider.ai_models.exists():
            provider.delete()


def bench_active_model(backend: str) -> dict:
    """Warm ``get_active_model`` on ``backend`` ("sqlite-locmem" or "postgres-redis"), in µs per call."""
    from cachalot.api import cachalot_disabled
    from django.core.cache import caches

    from ai_models import active, get_active_model
    from ai_models.conf import ai_settings
    from ai_models.models import AIModel

    chosen = _activate_one()
    active.clear_memo()
    assert get_active_model(CAPABILITY).pk == chosen.pk
    warm_sql = []
    warm_queries = queries_of(lambda: [get_active_model(CAPABILITY) for _ in range(100)], warm_sql)

    def orm():
        return AIModel.objects.select_related("provider").filter(capability=CAPABILITY, is_active=True).first()

    def orm_uncached():
        with cachalot_disabled():
            return orm()

    orm_queries = queries_of(orm_uncached)
    orm()  # cachalot stores the result
    cachalot_queries = queries_of(orm)

    cache = caches[ai_settings.CACHE]
    if backend == "postgres-redis":
        assert cache.get(active.VERSION_KEY) is not None  # locmem: the memo does not use the cache
    floor = {CAPABILITY: chosen}
    funcs = {
        "get_active_model_warm": lambda: get_active_model(CAPABILITY),
        "orm_query_uncached": orm_uncached,
        "orm_query_cachalot_warm": orm,
        "dict_lookup": lambda: floor[CAPABILITY],
        "cache_get_django_api": lambda: cache.get(active.VERSION_KEY),
    }
    if backend == "postgres-redis":
        # One GET through redis-py, of the key django-redis keeps the version under.
        client = cache.client.get_client(write=False)
        raw_key = cache.make_key(active.VERSION_KEY)
        assert client.get(raw_key) is not None
        funcs["redis_get_redis_py"] = lambda: client.get(raw_key)
    rounds = compare(funcs)
    active = rounds["get_active_model_warm"]
    orm_ratio = ratio(rounds["orm_query_uncached"], active)
    cache_ratio = ratio(active, rounds["cache_get_django_api"])
    redis_ratio = ratio(active, rounds["redis_get_redis_py"]) if "redis_get_redis_py" in rounds else None
    _forget(chosen)

    label = {"sqlite-locmem": "SQLite+locmem", "postgres-redis": "PostgreSQL+Redis"}[backend]
    figures = [
        figure(
            f"{label}: SQL queries of a warm get_active_model call",
            warm_queries / 100,
            0,
            unit="",
            how="CaptureQueriesContext around 100 warm calls ÷ 100",
        )
    ]
    if backend == "sqlite-locmem":
        figures.append(
            figure(
                f"{label}: uncached ORM query ÷ warm get_active_model",
                orm_ratio,
                30,
                op="≥",
                how="AIModel.objects.select_related('provider').filter(capability=…, is_active=True).first() "
                "with cachalot disabled, ÷ get_active_model(…) warm; median of 40 interleaved rounds at rotating call depths",
            )
        )
    else:
        figures.append(
            figure(
                f"{label}: warm get_active_model ÷ one raw Redis GET",
                redis_ratio,
                1.5,
                how="get_active_model(…) warm ÷ redis-py GET of the same key on the same connection pool; "
                "median of 40 interleaved rounds at rotating call depths",
            )
        )
    figures += [
        figure(
            f"{label}: cachalot (warm) ÷ warm get_active_model",
            ratio(rounds["orm_query_cachalot_warm"], active),
            how="for information: the same ORM query answered by django-cachalot from the same cache",
        ),
        figure(
            f"{label}: warm get_active_model ÷ one Django cache.get",
            cache_ratio,
            how="for information: cache.get of the version key on the same backend (the one get it makes)",
        ),
        figure(
            f"{label}: warm get_active_model ÷ dict lookup (the floor)",
            ratio(active, rounds["dict_lookup"]),
            how="for information: a Python dict lookup through the same lambda call",
        ),
    ]
    return {
        "backend": backend,
        "microseconds_per_call": {name: round(median(values) * 1e6, 3) for name, values in rounds.items()},
        "ratios": {
            "orm_uncached_over_active": round(orm_ratio, 2),
            "cachalot_warm_over_active": round(ratio(rounds["orm_query_cachalot_warm"], active), 2),
            "active_over_dict": round(ratio(active, rounds["dict_lookup"]), 1),
            "active_over_cache_get": round(cache_ratio, 2),
            **({"active_over_redis_get": round(redis_ratio, 2)} if redis_ratio else {}),
        },
        "queries": {
            "get_active_model_warm": warm_queries / 100,
            **({"warm_call_sql": warm_sql} if warm_sql else {}),
            "orm_query": orm_queries,
            "orm_query_cachalot_warm": cachalot_queries,
        },
        "figures": figures,
    }

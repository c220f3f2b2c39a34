"""Catalog benchmark: parallel refresh, page views of a large catalog, memory of the cached catalog.

Run from the repository root::

    .venv/bin/python bench/bench_catalog.py            # a table
    .venv/bin/python bench/bench_catalog.py --json     # JSON on stdout (or --json PATH)

Uses the test settings with SQLite in memory and the locmem cache (so the cached bytes
live in this process and count in the memory figure). Providers are local fakes with an
injected latency and a synthetic OpenRouter-shaped catalog: nothing touches the network.
Each ``bench_*`` function returns a dict and can be imported by a larger suite.
"""

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ORGS = [
    ("meta-llama", "Llama"), ("mistralai", "Mistral"), ("qwen", "Qwen"), ("google", "Gemma"),
    ("deepseek", "DeepSeek"), ("microsoft", "Phi"), ("nousresearch", "Hermes"), ("cohere", "Command"),
    ("01-ai", "Yi"), ("allenai", "OLMo"), ("ibm-granite", "Granite"), ("tiiuae", "Falcon"),
    ("nvidia", "Nemotron"), ("thudm", "GLM"), ("baidu", "Ernie"), ("moonshotai", "Kimi"),
    ("amazon", "Nova"), ("inflection", "Pi"), ("liquid", "LFM"), ("sao10k", "Euryale"),
]
SIZES = ["1b", "3b", "7b", "8b", "13b", "34b", "70b", "405b"]
VARIANTS = ["instruct", "chat", "coder", "vision", "base", "preview", "turbo", "mini"]
QUERIES = [
    "llama 70b", "qwen coder", "mistral instruct", "gemma vision", "deepseek chat", "phi mini", "hermes 13b",
    "command turbo", "yi 34b", "olmo base", "granite coder", "falcon 7b", "nemotron instruct", "glm chat",
    "kimi preview", "nova mini", "lfm 3b", "euryale 70b", "reasoning", "multilingual",
]


# --- setup --------------------------------------------------------------------------------


def setup():
    """Configure Django with the test settings (SQLite in memory, locmem) and create the tables."""
    import django
    from django.conf import settings

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
        os.environ["AI_MODELS_TEST_DB"] = "sqlite"
        os.environ["AI_MODELS_TEST_CACHE"] = "locmem"
        os.environ.pop("AI_MODELS_TEST_SQLITE", None)
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


@lru_cache(maxsize=None)
def _vocabulary(size=4000):
    rng = random.Random(1)
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "qua", "tri", "ex", "or", "an", "is", "ul", "pe"]
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    common = ["model", "reasoning", "tasks", "with", "and", "the", "for", "multilingual", "context", "tuned"]
    return common + sorted(words)[:size]


@lru_cache(maxsize=None)
def synthetic_payload(count: int, seed: int = 0) -> list:
    """``count`` OpenRouter-shaped list-models items (about 1.4 kB of JSON each, like the real ones)."""
    rng = random.Random(seed)
    vocabulary = _vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like word frequencies
    items = []
    for n in range(count):
        org, family = rng.choice(ORGS)
        size, variant = rng.choice(SIZES), rng.choice(VARIANTS)
        model_id = f"{org}/{family.lower()}-{rng.randint(1, 4)}.{rng.randint(0, 9)}-{size}-{variant}-{n}"
        output = rng.choices([["text"], ["image", "text"], ["audio", "text"], ["embeddings"]], [90, 4, 3, 3])[0]
        prompt = rng.choice(["0", "0.0000001", "0.0000004", "0.0000012", "0.000003", "0.000015"])
        items.append(
            {
                "id": model_id,
                "canonical_slug": f"{model_id}-2026",
                "hugging_face_id": f"{org}/{family}-{size}-{variant}",
                "name": f"{family}: {family} {size.upper()} {variant.title()}",
                "created": 1_700_000_000 + rng.randint(0, 60_000_000),
                "description": f"{family} {size} {variant} model. "
                + " ".join(rng.choices(vocabulary, weights, k=rng.randint(25, 45))),
                "context_length": rng.choice([4096, 8192, 32768, 131072, 1048576]),
                "architecture": {
                    "modality": "text->" + "+".join(output),
                    "input_modalities": ["text"],
                    "output_modalities": output,
                    "tokenizer": family,
                    "instruct_type": None,
                },
                "pricing": {"prompt": prompt, "completion": str(Decimal(prompt) * 4), "input_cache_read": "0"},
                "top_provider": {"context_length": 131072, "max_completion_tokens": 16384, "is_moderated": False},
                "per_request_limits": None,
                "supported_parameters": ["max_tokens", "temperature", "top_p", "stop", "seed", "tools"],
                "default_parameters": {"temperature": None, "top_p": None, "frequency_penalty": None},
                "supported_voices": None,
                "knowledge_cutoff": None,
                "expiration_date": None,
                "links": {"details": f"/api/v1/models/{model_id}/endpoints"},
            }
        )
    return items


def raw_json_size(payload) -> int:
    """Bytes of the payload as compact JSON (the smaller, stricter denominator)."""
    return len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())


def _bench_provider_class():
    from ai_models.providers.base import BaseProvider, CatalogModel, ParsedCatalog

    class BenchProvider(BaseProvider):
        """A local provider: sleeps ``LATENCY`` seconds, then lists ``MODELS`` synthetic models."""

        id = "bench"
        name = "Bench"
        requires_key = False

        def fetch_payload(self):
            time.sleep(float(self.options.get("LATENCY", 0)))
            return synthetic_payload(int(self.options.get("MODELS", 100)), int(self.options.get("SEED", 0)))

        def fetch_catalog(self):
            preparsed = _PREPARSED.get(self.id)
            return preparsed if preparsed is not None else super().fetch_catalog()

        @classmethod
        def parse_catalog(cls, payload):
            per_million = Decimal(1_000_000)
            kinds_of = {"text": {"chat"}, "image": {"image"}, "audio": {"speech"}}
            models = []
            for item in payload:
                outputs = item["architecture"]["output_modalities"]
                kinds = frozenset().union(*(kinds_of.get(o, {"embedding"}) for o in outputs))
                models.append(
                    CatalogModel(
                        provider=cls.id,
                        model_id=item["id"],
                        name=item["name"],
                        description=item["description"],
                        kinds=kinds,
                        reasons={kind: f"output_modalities: {', '.join(outputs)}" for kind in kinds},
                        context_window=item["context_length"],
                        input_price=Decimal(item["pricing"]["prompt"]) * per_million,
                        output_price=Decimal(item["pricing"]["completion"]) * per_million,
                        created=None,
                        input_modalities=tuple(item["architecture"]["input_modalities"]),
                        output_modalities=tuple(outputs),
                        raw=item,
                    )
                )
            return ParsedCatalog(models)

    return BenchProvider


_PREPARSED = {}  # provider id -> parsed list returned by fetch_catalog (memory bench: not the cache's cost)
_CLASSES = {}


def _register(count):
    """Provider classes bench1..bench<count>, importable by dotted path from this module."""
    base = _bench_provider_class()
    module = sys.modules[__name__]
    for n in range(1, count + 1):
        name = f"Bench{n}"
        if name not in _CLASSES:
            _CLASSES[name] = type(name, (base,), {"id": f"bench{n}", "name": f"Bench {n}", "__module__": __name__})
            setattr(module, name, _CLASSES[name])
    return {f"bench{n}": f"{__name__}.Bench{n}" for n in range(1, count + 1)}


def _settings(providers: dict):
    """override_settings for the bench providers given as id -> options."""
    from django.conf import settings
    from django.test.utils import override_settings

    return override_settings(
        AI_MODELS={
            "ENCRYPTION_KEYS": settings.AI_MODELS.get("ENCRYPTION_KEYS", []),
            "PROVIDER_CLASSES": _register(len(providers)),
            "PROVIDERS": providers,
        }
    )


def _reset():
    from django.core.cache import caches

    from ai_models import catalog

    caches["default"].clear()
    catalog.clear_memo()
    _PREPARSED.clear()
    gc.collect()


def _figure(name, value, target, unit="×", how=""):
    return {"name": name, "value": round(value, 3), "target": target, "met": value <= target, "unit": unit, "how": how}


# --- benchmarks ---------------------------------------------------------------------------


def bench_parallel_refresh(providers: int = 6, latency: float = 0.3, models: int = 200, rounds: int = 3) -> dict:
    """Cold refresh of ``providers`` providers that each take ``latency`` s, ÷ that latency (target ≤ 1.5)."""
    setup()
    from ai_models import catalog

    config = {f"bench{n}": {"LATENCY": latency, "MODELS": models, "SEED": n} for n in range(1, providers + 1)}
    for n in range(1, providers + 1):
        synthetic_payload(models, n)  # the fake data is made once, outside the timings
    single, many = [], []
    with _settings(config):
        for _ in range(rounds):
            _reset()
            started = time.perf_counter()
            catalog.refresh(["bench1"])
            single.append(time.perf_counter() - started)
            _reset()
            started = time.perf_counter()
            listing = catalog.refresh()
            many.append(time.perf_counter() - started)
            assert [s.state for s in listing.statuses] == ["fresh"] * providers, listing.statuses
    wall = statistics.median(many)
    return {
        "providers": providers,
        "latency_s": latency,
        "single_provider_wall_s": round(statistics.median(single), 4),
        "all_providers_wall_s": round(wall, 4),
        "serial_would_take_s": round(providers * latency, 3),
        "figure": _figure(
            f"cold refresh of {providers} providers ÷ one provider's latency",
            wall / latency,
            1.5,
            how=f"median of {rounds}; latency {latency}s each, {models} models each",
        ),
    }


def _page_view(query, capability="chat", sort="input_price", page=100):
    """What a Browse-catalog page asks of the catalog: listing, states, filters, search, sort, one page."""
    from ai_models import catalog

    listing = catalog.get_catalog()
    states = catalog.entry_states(listing.entries)  # as the admin asks
    rows = catalog.filter_entries(listing.entries, capability=capability, states=states)
    rows = catalog.filter_entries(rows, search=query, states=states)
    rows = catalog.sort_entries(rows, sort, descending=False)
    return rows[:page], len(rows)


def _time_views(queries, repeat):
    from ai_models import catalog

    timings, matches = [], []
    for _ in range(repeat):
        for query in queries:
            entries = catalog.get_catalog().entries
            entries._source.views.clear()  # a query never seen before: nothing remembered
            started = time.perf_counter()
            _rows, count = _page_view(query)
            timings.append(time.perf_counter() - started)
            matches.append(count)
    return statistics.median(timings), statistics.median(matches)


def _time_repeat_views(query, repeat):
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        _page_view(query)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def bench_page_views(small: int = 100, large: int = 10_000, repeat: int = 15) -> dict:
    """A filtered, searched, sorted page of a ``large`` catalog ÷ the same of a ``small`` one (target ≤ 3)."""
    setup()
    from ai_models import catalog, activation

    results = {}
    for size in (small, large):
        with _settings({"bench1": {"MODELS": size}}):
            _reset()
            listing = catalog.refresh()
            # A few saved models, so entry_states has rows to read.
            for entry in listing.entries[:3]:
                activation.save(entry, "chat")
            started = time.perf_counter()
            _page_view("warm up")  # builds the search index and the sort ranks once
            first = time.perf_counter() - started
            new_query, matches = _time_views(QUERIES, repeat)
            repeat_view = _time_repeat_views(QUERIES[0], repeat * 10)
            results[size] = {
                "first_view_ms": round(first * 1000, 3),
                "new_query_view_ms": round(new_query * 1000, 3),
                "repeat_view_ms": round(repeat_view * 1000, 3),
                "median_matches": matches,
            }
            from ai_models.models import AIModel

            AIModel.objects.all().delete()
    ratio = results[large]["new_query_view_ms"] / results[small]["new_query_view_ms"]
    repeat_ratio = results[large]["repeat_view_ms"] / results[small]["repeat_view_ms"]
    return {
        "sizes": {str(size): figures for size, figures in results.items()},
        "repeat_view_ratio": round(repeat_ratio, 3),
        "figure": _figure(
            f"page view (filter+search+sort+page) at {large:,} ÷ at {small:,} entries",
            ratio,
            3.0,
            how="median over distinct search queries, each seen for the first time; includes get_catalog "
            "and the one entry_states query",
        ),
    }


def bench_memory(count: int = 10_000) -> dict:
    """Peak memory of caching and serving a ``count``-entry catalog ÷ its raw JSON size (target ≤ 3)."""
    setup()
    from ai_models import catalog

    payload = synthetic_payload(count)
    raw = raw_json_size(payload)
    provider_cls = _bench_provider_class()
    with _settings({"bench1": {"MODELS": count}}):
        _reset()
        # The provider's own fetch result is not the cache's cost: parse it before tracing.
        _PREPARSED["bench1"] = provider_cls.parse_catalog(payload)
        gc.collect()
        tracemalloc.start()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            catalog.refresh()  # encode and store in locmem (pickled bytes held in this process)
            _PREPARSED.clear()
            catalog.clear_memo()  # another worker: nothing decoded yet
            gc.collect()
            cached = tracemalloc.get_traced_memory()[0] - baseline
            _rows, _count = _page_view(QUERIES[0])  # decode, index, filter, search, sort, page
            current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return {
        "entries": count,
        "raw_json_bytes": raw,
        "cache_bytes": cached,
        "served_bytes": current - baseline,
        "peak_bytes": peak - baseline,
        "figure": _figure(
            f"peak memory, {count:,}-entry catalog cached and served ÷ raw JSON",
            (peak - baseline) / raw,
            3.0,
            how="tracemalloc peak from storing in locmem through a cold page view in a fresh process memo "
            "(cache bytes + decoded entries + search index), excluding the provider's own parse",
        ),
    }


def run_all() -> dict:
    return {
        "parallel_refresh": bench_parallel_refresh(),
        "page_views": bench_page_views(),
        "memory": bench_memory(),
    }


def print_table(results: dict):
    figures = [result["figure"] for result in results.values()]
    width = max(len(f["name"]) for f in figures)
    print(f"{'figure':<{width}}  {'value':>8}  {'target':>8}  met")
    for f in figures:
        print(f"{f['name']:<{width}}  {f['value']:>7.2f}{f['unit']}  {'≤ ' + str(f['target']):>8}  "
              f"{'yes' if f['met'] else 'NO'}")
    print()
    for key, result in results.items():
        details = {k: v for k, v in result.items() if k != "figure"}
        print(f"{key}: {result['figure']['how']}")
        print("  " + json.dumps(details))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="write JSON (stdout, or to PATH)")
    args = parser.parse_args(argv)
    results = run_all()
    if args.json:
        text = json.dumps(results, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
            print_table(results)
    else:
        print_table(results)
    return 0 if all(result["figure"]["met"] for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

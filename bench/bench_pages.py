"""The Browse-catalog admin page, through Django's test client as a logged-in staff superuser.

- ``bench_browse_pages``: the page (100 rows) with catalogs of 100, 1,000 and 10,000 entries,
  against Django's own changelist of a real table of the same 10,000 rows (``bench.vanilla``).
- ``bench_old_way``: a 400-row catalog table marked saved/active the old way (two queries per
  row) and our way (``entry_states``: one query), rendered by the same template.

The catalog comes from a local fake provider (``bench_catalog``'s synthetic OpenRouter-shaped
models, registered through ``AI_MODELS["PROVIDER_CLASSES"]``) and is warm in the cache. cachalot
is off while pages are measured, so every query counted is one the database really ran.
"""

from urllib.parse import urlencode

from django.urls import reverse

from bench import bench_catalog
from bench.common import DEPTHS, figure, log, median, per_request, queries_of, ratio, superuser_client
from bench.common import same_queries_figure, size_ratio_figure

ROW_MARK = b'name="_selected_action"'  # one checkbox per listed row, in both admins


def _catalog_settings(size):
    return bench_catalog._settings({"bench1": {"MODELS": size}})


def _warm_catalog(size):
    """Fetch the ``size``-entry catalog into the cache and this process's memo; return its entries."""
    from ai_models import catalog

    with _catalog_settings(size):
        listing = catalog.refresh()
        assert [status.state for status in listing.statuses] == ["fresh"], listing.statuses
        return listing.entries


def _seed_saved_models(entries):
    """A realistic selection state: two active models, two more saved (all among the first rows)."""
    from ai_models import activation
    from ai_models.models import AIModel

    if AIModel.objects.exists():
        return
    # Whatever their kinds and prices: a benchmark's state, not a choice the gates should judge.
    activation.activate(entries[0], "chat", overrides=activation.OVERRIDABLE)
    activation.save(entries[1], "chat")
    activation.activate(entries[2], "content", overrides=activation.OVERRIDABLE)
    activation.save(entries[3], "content")


def _fill_vanilla(count):
    """The same ``count`` synthetic models as rows of ``VanillaEntry``."""
    from ai_models.capabilities import allowed as configured_pairs
    from ai_models.capabilities import offered_for
    from bench.vanilla.models import VanillaEntry

    if VanillaEntry.objects.count() == count:
        return
    VanillaEntry.objects.all().delete()
    allowed = configured_pairs()
    models = bench_catalog._bench_provider_class().parse_catalog(bench_catalog.synthetic_payload(count))
    VanillaEntry.objects.bulk_create(
        (
            VanillaEntry(
                provider="bench1",
                model_id=model.model_id,
                name=model.name,
                description=model.description,
                capabilities=",".join(sorted(offered_for(model.kinds, allowed))),
                context_window=model.context_window,
                input_price=model.input_price,
                output_price=model.output_price,
                created=model.created,
            )
            for model in models
        ),
        batch_size=1000,
    )


class _Page:
    """One page to measure: a URL, and the catalog settings it needs (None for the vanilla admin)."""

    def __init__(self, client, url, size=None):
        self.client, self.url, self.size = client, url, size

    def __enter__(self):
        self.override = _catalog_settings(self.size) if self.size else None
        if self.override:
            self.override.enable()
        return self

    def __exit__(self, *exc):
        if self.override:
            self.override.disable()

    def get(self, query=""):
        response = self.client.get(self.url + query)
        assert response.status_code == 200, (self.url, response.status_code)
        return response


def _measure_rounds(pages: dict, rounds: int) -> dict:
    """Seconds of one GET of each page per round: name -> [per round], pages visited in a rotating order.

    Requests of different pages alternate, so a load change on a shared machine hits all of
    them alike and ratios can be taken round by round (``common.ratio``); each round runs at
    the next of ``common.DEPTHS``. Each timed GET follows an untimed one: the catalog keeps one
    listing per choice of providers, and the sizes share one fake provider, so the first request
    after a switch of size rebuilds the listing, which a real process does once per refresh.
    """
    names, timings = list(pages), {name: [] for name in pages}
    for round_ in range(rounds):
        shift, depth = round_ % len(names), DEPTHS[round_ % len(DEPTHS)]
        for name in names[shift:] + names[:shift]:
            with pages[name] as page:
                timings[name] += per_request(page.get, 1, warmup=1, depth=depth)
    return timings


def searched_rounds(catalog_page, vanilla_page, queries, rounds) -> dict:
    """Seconds of each searched GET (``?q=`` the next of ``queries``), "catalog" and "vanilla" alternating.

    Each search is new to the catalog page: the listing's memo of views is cleared before it,
    as in ``bench_catalog``; the search index, built once per catalog version, stays. So the
    catalog's settings stay on for the whole loop (the vanilla page reads none of them): every
    settings change makes the app forget its memos, the listing and its index with them, which
    a real process never sees, and a loop entering the page for each search timed a rebuild of
    the whole listing each time.
    """
    from ai_models import catalog

    searched = {"catalog": [], "vanilla": []}
    with catalog_page:
        catalog_page.get("?" + urlencode({"q": queries[0]}))  # untimed: the listing and its index, as a process has them
        for index in range(rounds):
            query, depth = "?" + urlencode({"q": queries[index % len(queries)]}), DEPTHS[index % len(DEPTHS)]
            catalog.get_catalog().entries._source.views.clear()
            searched["catalog"] += per_request(lambda query=query: catalog_page.get(query), 1, warmup=0, depth=depth)
            searched["vanilla"] += per_request(lambda query=query: vanilla_page.get(query), 1, warmup=0, depth=depth)
    return searched


def bench_browse_pages(sizes=(100, 1_000, 10_000), vanilla_rows=10_000, rounds=2 * len(DEPTHS)) -> dict:
    """The Browse-catalog page at each catalog size and the vanilla DB changelist, ms per GET."""
    from cachalot.api import cachalot_disabled

    client = superuser_client()
    ours_url = reverse("admin:ai_models_catalogentry_changelist")
    vanilla_url = reverse("admin:vanilla_vanillaentry_changelist")
    with cachalot_disabled():
        entries = {}
        for size in sizes:
            entries[size] = _warm_catalog(size)
        with _catalog_settings(min(sizes)):
            _seed_saved_models(entries[min(sizes)])
        _fill_vanilla(vanilla_rows)
        largest = max(sizes)
        pages = {f"catalog_{size}": _Page(client, ours_url, size) for size in sizes}
        pages["vanilla"] = _Page(client, vanilla_url)
        # The same catalog page with the vanilla admin's plain columns (bench.vanilla.admin.plain_site).
        plain_url = reverse("plain:ai_models_catalogentry_changelist")
        pages[f"catalog_{largest}_plain_columns"] = _Page(client, plain_url, largest)

        details = {}
        for name, page in pages.items():
            with page:
                response = page.get()
                rows = response.content.count(ROW_MARK)
                assert rows == 100, (name, rows)
                details[name] = {"queries": queries_of(page.get), "rows": rows, "html_bytes": len(response.content)}
                if page.size and len(entries[page.size]) <= 100:
                    assert b"active for" in response.content  # the saved/active marks are on the page

        log("  browse pages: default page (100 rows) …")
        for page in pages.values():  # warm up every page
            with page:
                per_request(page.get, 0, warmup=2)
        timings = _measure_rounds(pages, rounds)
        for name, values in timings.items():
            details[name]["ms"] = round(median(values) * 1000, 3)

        log("  browse pages: searched page …")
        queries = bench_catalog.QUERIES
        searched = searched_rounds(pages[f"catalog_{largest}"], pages["vanilla"], queries, 2 * len(queries))

    large = f"catalog_{largest}"
    counts = {size: details[f"catalog_{size}"]["queries"] for size in sizes}
    searched_ms = {name: round(median(values) * 1000, 3) for name, values in searched.items()}
    return {
        "pages": details,
        "searched_page_ms": searched_ms,
        "figures": [
            same_queries_figure("Browse catalog", "page", counts, "vanilla DB changelist", details["vanilla"]["queries"]),
            figure(
                f"Browse catalog page at {largest:,} ÷ vanilla DB changelist of {vanilla_rows:,} rows",
                ratio(timings[large], timings["vanilla"]),
                1.0,
                how=f"default page (100 rows); median of {rounds} round-by-round ratios (pages alternate); "
                f"medians {details[large]['ms']} ms vs {details['vanilla']['ms']} ms",
            ),
            size_ratio_figure(
                "Browse catalog page",
                {size: timings[f"catalog_{size}"] for size in sizes},
                {size: details[f"catalog_{size}"]["ms"] for size in sizes},
                rounds,
            ),
            figure(
                f"Browse catalog page at {largest:,}, with the vanilla admin's plain columns ÷ vanilla changelist",
                ratio(timings[f"catalog_{largest}_plain_columns"], timings["vanilla"]),
                how="for information: what the in-memory catalog itself costs a page, the richer columns "
                "(capability labels, formatted prices, state) left out; medians "
                f"{details[f'catalog_{largest}_plain_columns']['ms']} ms vs {details['vanilla']['ms']} ms",
            ),
            figure(
                f"Browse catalog searched page at {largest:,} ÷ vanilla DB changelist searched",
                ratio(searched["catalog"], searched["vanilla"]),
                how=f"for information: ?q= each of {len(queries)} queries, twice, new to the page each time, "
                "pages alternating; "
                f"{searched_ms['catalog']} ms vs {searched_ms['vanilla']} ms",
            ),
        ],
    }


def bench_old_way(count=400, repeat=len(DEPTHS)) -> dict:
    """A ``count``-row catalog table marked the old way (2 queries a row) ÷ our way (one query)."""
    from cachalot.api import cachalot_disabled

    client = superuser_client()
    entries = _warm_catalog(count)
    old_url, new_url = reverse("bench_old_catalog"), reverse("bench_new_catalog")
    with _catalog_settings(count):
        _seed_saved_models(entries)

        def get(url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        with cachalot_disabled():
            old_html, new_html = get(old_url), get(new_url)
            assert old_html.count(b'class="row"') == new_html.count(b'class="row"') == count
            assert old_html.replace(b"old way", b"new way") == new_html, "the two ways must render the same page"
            assert b"<td>active</td>" in new_html
            old_queries, new_queries = queries_of(lambda: get(old_url)), queries_of(lambda: get(new_url))
            admin_url = reverse("admin:ai_models_catalogentry_changelist")
            admin_queries = queries_of(lambda: get(admin_url))
            old_s, new_s, admin_s = [], [], []
            for round_ in range(repeat):  # interleaved
                depth = DEPTHS[round_ % len(DEPTHS)]
                old_s += per_request(lambda: get(old_url), 1, warmup=0, depth=depth)
                new_s += per_request(lambda: get(new_url), 1, warmup=0, depth=depth)
                admin_s += per_request(lambda: get(admin_url), 1, warmup=0, depth=depth)
        # For information: the old way with cachalot on and warm (its 2 queries a row become cache hits).
        get(old_url)
        cachalot_queries = queries_of(lambda: get(old_url))
        cachalot_s = [
            time for depth in DEPTHS[::2] for time in per_request(lambda: get(old_url), 1, warmup=0, depth=depth)
        ]

    ms = {
        "old_way": round(median(old_s) * 1000, 3),
        "our_way": round(median(new_s) * 1000, 3),
        "old_way_cachalot_warm": round(median(cachalot_s) * 1000, 3),
        "our_admin_page_100_rows": round(median(admin_s) * 1000, 3),
    }
    queries = {
        "old_way": old_queries,
        "our_way": new_queries,
        "old_way_cachalot_warm": cachalot_queries,
        "our_admin_page_100_rows": admin_queries,
    }
    return {
        "entries": count,
        "ms": ms,
        "queries": queries,
        "figures": [
            figure(
                f"{count}-row catalog page, SQL queries: old way / ours",
                old_queries,
                shown=f"{old_queries} / {new_queries}",
                unit="",
                how="same rows, same template; old: .exists() for saved and for active per row; "
                "ours: catalog.entry_states (the counts include the session and user queries)",
            ),
            figure(
                f"{count}-row catalog page, time: old way ÷ ours",
                ms["old_way"] / ms["our_way"],
                how=f"for information: {ms['old_way']} ms vs {ms['our_way']} ms, median of {repeat} interleaved GETs; "
                f"old way with cachalot warm: {ms['old_way_cachalot_warm']} ms ({cachalot_queries} queries)",
            ),
        ],
    }


TEN_CAPABILITIES = ["chat", "content", "image", "audio", "transcription", "embedding", "moderation", "rerank", "video",
                    "assistant"]


def bench_board(sizes=(100, 1_000, 10_000), saved=(4, 40, 400)) -> dict:
    """The capability board (the app's index) with ten capabilities: SQL queries and ms per GET at
    each catalog size, with more saved models (and fallbacks) each time."""
    from cachalot.api import cachalot_disabled
    from django.test import override_settings

    from ai_models import activation
    from ai_models.models import AIModel

    client = superuser_client()
    url = reverse("admin:app_list", kwargs={"app_label": "ai_models"})
    capabilities = {name: None for name in TEN_CAPABILITIES[:-1]}
    capabilities["assistant"] = {"label": "Assistant", "kind": "chat", "requires": {"input_modalities": ["image"]}}
    counts, timings = {}, {}
    with cachalot_disabled():
        for size, wanted in zip(sizes, saved):
            entries = _warm_catalog(size)
            with override_settings(AI_MODELS={**_catalog_settings(size).options["AI_MODELS"],
                                              "CAPABILITIES": capabilities}):
                for index, entry in enumerate(entries[AIModel.objects.count():wanted]):
                    capability = TEN_CAPABILITIES[index % 10]
                    # A benchmark's state, whatever the gates would say of the choice.
                    activation.activate(entry, capability, overrides=activation.OVERRIDABLE)
                for capability in TEN_CAPABILITIES:  # the models replaced become its fallbacks
                    earlier = list(AIModel.objects.filter(capability=capability, is_active=False)[:3])
                    activation.set_fallbacks(capability, earlier, overrides=activation.OVERRIDABLE)

                def get():
                    response = client.get(url)
                    assert response.status_code == 200 and b"aim-board" in response.content, response.status_code

                get()
                counts[size] = queries_of(get)
                per_request(get, 0, warmup=2)
                timings[size] = round(median(per_request(get, 10, warmup=0)) * 1000, 3)
            log(f"  board: {size:,} entries, {AIModel.objects.count()} saved: {counts[size]} queries, {timings[size]} ms")
    return {
        "board_ms": timings,
        "figures": [
            figure(
                "Capability board (10 capabilities): SQL queries per page at " + " / ".join(f"{size:,}" for size in sizes)
                + " catalog entries and " + " / ".join(str(count) for count in saved) + " saved models",
                max(counts.values()) - min(counts.values()),
                0,
                unit="",
                shown=" / ".join(str(counts[size]) for size in sizes),
                how="CaptureQueriesContext around one GET of the app's index; target: the same count every time "
                "(cachalot off); ms per GET: " + " / ".join(str(timings[size]) for size in sizes),
            ),
        ],
    }

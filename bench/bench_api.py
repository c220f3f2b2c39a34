"""``GET catalog/`` of the HTTP API, through Django's test client as a logged-in superuser.

The listing (one page of 100 entries) with catalogs of 100, 1,000 and 10,000 entries, against
a plain DRF ``ListAPIView`` over a real table of the same 10,000 rows (``bench.vanilla.api``),
same pagination class and page size. The catalog and the table are those of ``bench_pages``;
cachalot is off, so every query counted is one the database ran.
"""

from django.urls import reverse

from bench.bench_pages import _catalog_settings, _fill_vanilla, _measure_rounds, _Page, _seed_saved_models, _warm_catalog
from bench.common import DEPTHS, figure, log, median, per_request, queries_of, ratio, superuser_client
from bench.common import same_queries_figure, size_ratio_figure

QUERY = "?page_size=100"


def bench_api_catalog(sizes=(100, 1_000, 10_000), vanilla_rows=10_000, rounds=2 * len(DEPTHS)) -> dict:
    """ms per GET of ``catalog/`` at each catalog size and of the vanilla ``ListAPIView``."""
    from cachalot.api import cachalot_disabled

    client = superuser_client()
    ours_url = reverse("ai_models_api:catalog") + QUERY
    vanilla_url = reverse("bench_api_vanilla") + QUERY
    with cachalot_disabled():
        entries = {size: _warm_catalog(size) for size in sizes}
        with _catalog_settings(min(sizes)):
            _seed_saved_models(entries[min(sizes)])
        _fill_vanilla(vanilla_rows)
        pages = {f"catalog_{size}": _Page(client, ours_url, size) for size in sizes}
        pages["vanilla"] = _Page(client, vanilla_url)

        details = {}
        for name, page in pages.items():
            with page:
                body = page.get().json()
                assert len(body["results"]) == 100, (name, len(body["results"]))
                details[name] = {"queries": queries_of(page.get), "count": body["count"],
                                 "fields": len(body["results"][0])}

        log("  api catalog: one page of 100 entries …")
        for page in pages.values():
            with page:
                per_request(page.get, 0, warmup=2)
        timings = _measure_rounds(pages, rounds)
        for name, values in timings.items():
            details[name]["ms"] = round(median(values) * 1000, 3)

    large = f"catalog_{max(sizes)}"
    versus = (
        f"page_size=100, same pagination class; ours renders {details[large]['fields']} fields per entry "
        f"(state, reasons, modalities included), the ListAPIView the table's {details['vanilla']['fields']}; "
        f"median of {rounds} round-by-round ratios; medians {details[large]['ms']} ms vs {details['vanilla']['ms']} ms"
    )
    return {
        "pages": details,
        "figures": [
            same_queries_figure(
                "HTTP API catalog/", "GET", {size: details[f"catalog_{size}"]["queries"] for size in sizes},
                "vanilla ListAPIView", details["vanilla"]["queries"],
            ),
            figure(f"HTTP API catalog/ at {max(sizes):,} ÷ DRF ListAPIView over {vanilla_rows:,} rows",
                   ratio(timings[large], timings["vanilla"]), 1.0, how=versus),
            size_ratio_figure(
                "HTTP API catalog/",
                {size: timings[f"catalog_{size}"] for size in sizes},
                {size: details[f"catalog_{size}"]["ms"] for size in sizes},
                rounds,
            ),
        ],
    }

"""Run every benchmark and print each figure with its target and whether it is met.

    .venv/bin/python bench/run.py               # the table (what `make bench` runs)
    .venv/bin/python bench/run.py --json        # JSON on stdout instead
    .venv/bin/python bench/run.py --json PATH   # the table, and JSON written to PATH

Each group runs in a fresh subprocess (``--only GROUP``): SQLite + locmem; PostgreSQL + Redis
when they answer (settings from ``scripts/services.sh env``), else a "not measured" line; and
each memory measurement on its own, so its RSS starts clean. Nothing is asserted: a missed
target is printed as such and the exit status stays 0 (1 only when a benchmark crashed).
"""

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import from_bench_catalog, log, setup  # noqa: E402

# group -> (backend, [(scenario key, heading)])
GROUPS = {
    "sqlite-locmem": (
        "sqlite-locmem",
        [
            ("active_model_sqlite_locmem", "1. get_active_model, warm (SQLite + locmem)"),
            ("browse_pages", "2. Browse catalog page (SQLite + locmem)"),
            ("old_way", "3. Saved/active marks: the old way vs ours (SQLite + locmem)"),
            ("parallel_refresh", "4. Cold refresh of six providers"),
            ("api_catalog", "6. HTTP API: GET catalog/ (SQLite + locmem)"),
            ("usage_sqlite_locmem", "9. Counting calls: recording overhead per call"),
            ("rollout_sqlite_locmem", "10. get_active_model for a user while a rollout runs (SQLite + locmem)"),
        ],
    ),
    "postgres-redis": (
        "postgres-redis",
        [
            ("active_model_postgres_redis", "1. get_active_model, warm (PostgreSQL + Redis)"),
            ("propagation", "8. An activation reaching another process (PostgreSQL + Redis)"),
            ("usage_postgres_redis", "9. Counting calls: recording overhead per call"),
            ("rollout_postgres_redis", "10. get_active_model for a user while a rollout runs (PostgreSQL + Redis)"),
        ],
    ),
    "memory-cached": ("sqlite-locmem", [("memory", "5. Memory of the cached catalog")]),
    "memory-fetched": ("sqlite-locmem", [("memory_fetched", "5. Memory of the cached catalog")]),
    "calls": ("sqlite-locmem", [("calls", "7. Calls to a model, against a local server")]),
    "board": ("sqlite-locmem", [("board", "8. The capability board (SQLite + locmem)")]),
}
SUBPROCESS_TIMEOUT = 240


def run_scenario(key: str) -> dict:
    """One scenario in this process (Django already set up for its backend); a dict with ``figures``."""
    if key.startswith("active_model_"):
        from bench.bench_active import bench_active_model

        return bench_active_model(key.removeprefix("active_model_").replace("_", "-"))
    if key == "propagation":
        from bench.bench_propagation import bench_propagation

        return bench_propagation()
    if key.startswith("rollout_"):
        from bench.bench_rollouts import bench_rollout

        return bench_rollout(key.removeprefix("rollout_").replace("_", "-"))
    if key.startswith("usage_"):
        from bench.bench_usage import bench_usage

        return bench_usage(key.removeprefix("usage_").replace("_", "-"))
    if key == "browse_pages":
        from bench.bench_pages import bench_browse_pages

        return bench_browse_pages()
    if key == "board":
        from bench.bench_pages import bench_board

        return bench_board()
    if key == "old_way":
        from bench.bench_pages import bench_old_way

        return bench_old_way()
    if key == "parallel_refresh":
        from bench import bench_catalog

        result = bench_catalog.bench_parallel_refresh()
        fig = result.pop("figure")
        return {**result, "figures": [from_bench_catalog(fig)]}
    if key == "api_catalog":
        from bench.bench_api import bench_api_catalog

        return bench_api_catalog()
    if key == "memory":
        from bench.bench_memory import bench_memory_cached

        return bench_memory_cached()
    if key == "calls":
        from bench.bench_calls import bench_calls

        return bench_calls()
    if key == "memory_fetched":
        from bench.bench_memory import bench_memory_fetched

        return bench_memory_fetched()
    raise KeyError(key)


def run_group(group: str) -> dict:
    """Every scenario of ``group``, in this process: {"environment": …, "scenarios": {key: result}}."""
    backend, scenarios = GROUPS[group]
    setup(backend)
    results = {}
    for key, _heading in scenarios:
        log(f"bench: {key} …")
        started = time.perf_counter()
        results[key] = run_scenario(key)
        results[key]["seconds"] = round(time.perf_counter() - started, 1)
    return {"environment": backend_versions(backend), "scenarios": results}


def backend_versions(backend: str) -> dict:
    from django.core.cache import caches
    from django.db import connection

    versions = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            versions["postgresql"] = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            versions["sqlite"] = cursor.fetchone()[0]
    if backend == "postgres-redis":
        versions["redis"] = caches["default"].client.get_client().info("server")["redis_version"]
    return versions


# --- orchestration ------------------------------------------------------------------------


def services_env() -> dict:
    """The PostgreSQL and Redis settings ``scripts/services.sh`` uses (its defaults, or this environment's)."""
    env = dict(os.environ)
    try:
        output = subprocess.run(
            ["bash", str(ROOT / "scripts" / "services.sh"), "env"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return env
    for line in output.splitlines():
        parts = shlex.split(line)
        if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
            name, value = parts[1].split("=", 1)
            env[name] = value
    return env


def unreachable(env: dict) -> str:
    """Why PostgreSQL or Redis cannot be used ("" when both answer)."""
    problems = []
    try:
        import psycopg

        psycopg.connect(
            host=env.get("PGHOST", "127.0.0.1"),
            port=env.get("PGPORT", "5432"),
            user=env.get("PGUSER", "postgres"),
            password=env.get("PGPASSWORD", ""),
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except Exception as err:  # any failure means "not measured", with the reason
        problems.append(f"PostgreSQL: {str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__}")
    try:
        import redis

        redis.Redis.from_url(env.get("REDIS_URL", "redis://127.0.0.1:6379/15"), socket_connect_timeout=3).ping()
    except Exception as err:
        problems.append(f"Redis: {err}")
    return "; ".join(problems)


def spawn(group: str, env: dict) -> dict:
    """Run ``group`` in a fresh Python process; its JSON result, or {"error": …}."""
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--only", group, "--json"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {SUBPROCESS_TIMEOUT}s"}
    if done.returncode != 0:
        return {"error": f"exited with status {done.returncode} (traceback above)"}
    return json.loads(done.stdout)


def machine() -> dict:
    import django

    info = {
        "cpus": os.cpu_count(),
        "cpu_model": "",
        "memory_gb": None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "packages": {},
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["code"] = code_state()
    from importlib.metadata import PackageNotFoundError, version

    for name in ("django-cachalot", "django-redis", "redis", "psycopg", "django-unfold"):
        try:
            info["packages"][name] = version(name)
        except PackageNotFoundError:
            pass
    return info


def code_state() -> str:
    """The commit measured, and whether the library had uncommitted changes ("" outside a git checkout)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "ai_models"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{commit} + uncommitted changes in ai_models/" if changed else commit


def load_average() -> list:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def run_all() -> dict:
    started = time.perf_counter()
    results = {"machine": machine(), "load_average_before": load_average(), "environment": {}, "scenarios": {}}
    env = services_env()
    for group, (backend, scenarios) in GROUPS.items():
        if backend == "postgres-redis":
            reason = unreachable(env)
            if reason:
                note = f"not measured: PostgreSQL/Redis unreachable ({reason})"
                log(f"bench: {note}")
                for key, _heading in scenarios:
                    results["scenarios"][key] = {"not_measured": note}
                continue
        log(f"bench: group {group} (fresh process)")
        outcome = spawn(group, env)
        if "error" in outcome:
            for key, _heading in scenarios:
                results["scenarios"][key] = {"error": f"{group}: {outcome['error']}"}
            continue
        results["environment"][group] = outcome["environment"]
        results["scenarios"].update(outcome["scenarios"])
    results["load_average_after"] = load_average()
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


# --- output -------------------------------------------------------------------------------


def _value(fig: dict) -> str:
    if fig.get("shown"):
        return fig["shown"]
    value, unit = fig["value"], fig["unit"]
    if not unit:  # a count
        return f"{value:g}"
    return (f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}") + unit


def _target(fig: dict) -> str:
    if fig["target"] is None:
        return "—"
    if fig["name"].startswith(("Browse catalog: SQL queries", "HTTP API catalog/: SQL queries", "Capability board")):
        return "constant"
    return f"{fig['op']} {fig['target']:g}{fig['unit']}"


def _met(fig: dict) -> str:
    return {True: "yes", False: "NO", None: "info"}[fig["met"]]


def headings() -> dict:
    """Scenario key -> heading, in the order of the headings' numbers (not the order they run in)."""
    pairs = [(key, heading) for _backend, scenarios in GROUPS.values() for key, heading in scenarios]
    return dict(sorted(pairs, key=lambda pair: int(pair[1].split(".")[0])))


def table(results: dict) -> str:
    """The results as a Markdown table (pasted as is into docs/performance.md)."""
    lines = ["| figure | value | target | met |", "|---|---:|---:|:---:|"]
    previous = None
    for key, heading in headings().items():
        result = results["scenarios"].get(key, {})
        if heading != previous:
            lines.append(f"| **{heading}** | | | |")
            previous = heading
        if "not_measured" in result or "error" in result:
            lines.append(f"| {result.get('not_measured') or 'FAILED: ' + result['error']} | | | |")
            continue
        for fig in result.get("figures", []):
            lines.append(f"| {fig['name']} | {_value(fig)} | {_target(fig)} | {_met(fig)} |")
    return "\n".join(lines)


def summary(results: dict) -> str:
    figs = [fig for result in results["scenarios"].values() for fig in result.get("figures", [])]
    targets = [fig for fig in figs if fig["met"] is not None]
    missed = [fig["name"] for fig in targets if not fig["met"]]
    m = results["machine"]
    lines = [
        f"{sum(fig['met'] for fig in targets)} of {len(targets)} targets met"
        + (f"; missed: {'; '.join(missed)}" if missed else ""),
        f"machine: {m['cpus']} CPUs ({m['cpu_model'] or 'unknown'}), {m['memory_gb']} GB; Python {m['python']}, "
        f"Django {m['django']}; code {m['code'] or 'unknown'}; load average {results['load_average_before']} before, "
        f"{results['load_average_after']} after; {results['seconds']} s in all",
    ]
    return "\n".join(lines)


def details(results: dict) -> str:
    """How each figure was taken, and the raw numbers behind it."""
    lines = []
    for key, result in results["scenarios"].items():
        lines.append(f"{key}:")
        for fig in result.get("figures", []):
            if fig["how"]:
                lines.append(f"  - {fig['name']}: {fig['how']}")
        raw = {name: value for name, value in result.items() if name != "figures"}
        lines.append("  " + json.dumps(raw, ensure_ascii=False))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="write JSON: to stdout, or to PATH")
    parser.add_argument("--only", choices=GROUPS, help=argparse.SUPPRESS)  # one group, in this process
    args = parser.parse_args(argv)
    if args.only:
        print(json.dumps(run_group(args.only), ensure_ascii=False))
        return 0
    results = run_all()
    if args.json == "-":
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(table(results))
        print()
        print(summary(results))
        print()
        print(details(results))
    crashed = any("error" in result for result in results["scenarios"].values())
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())

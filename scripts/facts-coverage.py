"""How much the model facts complete: per provider, the share of chat models with both prices known.

    .venv/bin/python scripts/facts-coverage.py                      # the configured merge order
    .venv/bin/python scripts/facts-coverage.py --sources models.dev # one dataset alone
    .venv/bin/python scripts/facts-coverage.py --json

Parses the repository's own list-models captures (tests/providers/payloads/, one per provider;
the presets too) with each provider's parser, then completes them: "before" is what the
provider's list says, "after" the merged facts, and one column per dataset alone. The target
(issue 27): at least 90% over OpenAI, Groq, Gemini, Mistral, Anthropic and DeepSeek together,
no provider below 60%. Offline: the datasets come from the installed packages.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAYLOADS = ROOT / "tests" / "providers" / "payloads"
TARGETED = ("openai", "groq", "gemini", "mistral", "anthropic", "deepseek")
OTHERS = ("openrouter", "huggingface", "xai", "together", "cerebras", "nvidia")
TARGET_TOTAL, TARGET_EACH = 0.90, 0.60


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()


def capture(provider_id: str):
    path = PAYLOADS / f"{provider_id}.json"
    if not path.exists():
        path = PAYLOADS / "presets" / f"{provider_id}.json"
    return json.loads(path.read_text()) if path.exists() else None


def priced(entry) -> bool:
    return entry.input_price is not None and entry.output_price is not None


def measure(provider_id: str, datasets_by_name: dict, order: list) -> dict | None:
    from ai_models.conf import ai_settings
    from ai_models.facts.complete import complete
    from ai_models.providers import get_provider

    payload = capture(provider_id)
    if payload is None:
        return None
    parsed = get_provider(provider_id).parse_catalog(payload)
    threshold = ai_settings.FACTS_CONFLICT_THRESHOLD
    chat = [entry for entry in parsed if "chat" in entry.kinds]

    def known(datasets):
        completed = complete(parsed, provider_id, datasets, threshold)
        return sum(priced(entry) for entry in completed if "chat" in entry.kinds)

    return {
        "provider": provider_id,
        "chat": len(chat),
        "before": sum(map(priced, chat)),
        "after": known([datasets_by_name[name] for name in order if name in datasets_by_name]),
        "alone": {name: known([dataset]) for name, dataset in datasets_by_name.items()},
    }


def share(part, whole) -> str:
    return f"{part}/{whole} {part / whole:6.1%}" if whole else "—"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", nargs="+", help="datasets in merge order (default: AI_MODELS['FACTS_SOURCES'])")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    setup()
    from ai_models.conf import ai_settings
    from ai_models.facts import describe, sources

    order = args.sources or ai_settings.FACTS_SOURCES
    loaded = {name: sources.load(name) for name in sources.ORDER}
    datasets_by_name = {name: dataset for name, dataset in loaded.items() if dataset is not None}
    rows = [row for provider in (*TARGETED, *OTHERS) if (row := measure(provider, datasets_by_name, order))]
    targeted = [row for row in rows if row["provider"] in TARGETED]
    total = {key: sum(row[key] for row in targeted) for key in ("chat", "before", "after")}
    met = total["chat"] and total["after"] / total["chat"] >= TARGET_TOTAL and all(
        row["after"] / row["chat"] >= TARGET_EACH for row in targeted if row["chat"])
    if args.json:
        print(json.dumps({"order": order, "datasets": describe(), "providers": rows, "targeted": total,
                          "target_met": bool(met)}, indent=2, default=str))
        return
    for row in describe():
        print(f"{row['label']}: {row['package']} {row['version'] or 'not installed'}, dated {row['date'] or 'unknown'},"
              f" {row['models']} models of the mapped providers, licence {row['licence']}")
    print(f"merge order: provider, then {', '.join(order)}\n")
    names = list(datasets_by_name)
    header = f"{'provider':12} {'chat':>4}  {'before':>12}  {'after':>12}" + "".join(f"  {n + ' alone':>16}" for n in names)
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['provider']:12} {row['chat']:>4}  {share(row['before'], row['chat']):>12}  "
              f"{share(row['after'], row['chat']):>12}" + "".join(
                  f"  {share(row['alone'][n], row['chat']):>16}" for n in names))
        if row is targeted[-1]:
            print("-" * len(header))
            print(f"{'the six':12} {total['chat']:>4}  {share(total['before'], total['chat']):>12}  "
                  f"{share(total['after'], total['chat']):>12}")
            print("-" * len(header))
    print(f"\ntarget (the six >= {TARGET_TOTAL:.0%}, each >= {TARGET_EACH:.0%}): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()

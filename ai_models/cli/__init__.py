"""The ``manage.py ai_models`` subcommands, one module each, sharing ``output`` (tables, ``--json``,
exit statuses) and ``lookups`` (capability, provider and user arguments).

Each module's ``add_parser(subparsers)`` declares its arguments and its ``run(out, **options)``
does the work through the same functions as the admin (``ai_models.catalog``,
``ai_models.activation``), so a change made here is the change the admin would make.
"""

from . import activate, active, catalog, facts, providers, rollout, rotate_keys, usage, watch


def add_parsers(sub):
    """Declare every subcommand on ``sub`` (argparse subparsers); ``RUNNERS`` runs them."""
    catalog.add_parser(sub)
    activate.add_parsers(sub)
    active.add_parser(sub)
    watch.add_parser(sub)
    providers.add_parser(sub)
    rotate_keys.add_parser(sub)
    facts.add_parser(sub)
    usage.add_parser(sub)
    rollout.add_parser(sub)


RUNNERS = {
    "catalog": catalog.run,
    "activate": activate.activate,
    "deactivate": activate.deactivate,
    "active": active.run,
    "watch": watch.run,
    "providers": providers.run,
    "rotate_keys": rotate_keys.run,
    "facts": facts.run,
    "usage": usage.run,
    "rollout": rollout.run,
}

"""``manage.py ai_models``: the catalog and model selection from a terminal or a CI job.

Subcommands: ``catalog``, ``activate``, ``deactivate``, ``active``, ``watch``, ``providers``,
``rotate_keys``, ``facts``, one module each in ``ai_models.cli``.

Exit status: 0 on success; 1 when a provider or an operation failed (``watch``: when an
active model is flagged); 2 for a usage error (bad arguments, unknown capability, provider,
model or user; a refused activation); 3 when ``watch`` flagged nothing but could not check
every active model. Errors are one line on stderr.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ... import cli
from ...cli.output import Output


class Command(BaseCommand):
    @property
    def help(self):
        # A property, so argparse gets a plain string translated at run time.
        return _(
            "Browse the provider catalogs and choose the active AI model per capability. "
            "Run `manage.py ai_models SUBCOMMAND --help` for each subcommand."
        )

    def add_arguments(self, parser):
        cli.add_parsers(parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND"))

    def handle(self, *args, subcommand, **options):
        return cli.RUNNERS[subcommand](Output(self), **options)

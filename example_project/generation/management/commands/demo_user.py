"""``manage.py demo_user``: create (or reset) the demo superuser and say where to log in."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils.translation import gettext as _

from generation.views import CAPABILITIES

DEFAULT_PASSWORD = "admin"


class Command(BaseCommand):
    help = _(
        "Create the demo superuser, or reset its password if it exists, and print the admin URL, "
        "the login and the generation pages. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username",
            default=os.environ.get("DEMO_ADMIN_USERNAME", "admin"),
            help=_("Login name (default: $DEMO_ADMIN_USERNAME or admin)."),
        )
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_ADMIN_PASSWORD", DEFAULT_PASSWORD),
            help=_("Password (default: $DEMO_ADMIN_PASSWORD or admin)."),
        )
        parser.add_argument("--email", default="admin@example.com", help=_("E-mail address of the user."))
        parser.add_argument("--host", default="127.0.0.1", help=_("Host the server listens on, for the printed URLs."))
        parser.add_argument("--port", type=int, default=8000, help=_("Port the server listens on, for the printed URLs."))

    def handle(self, *args, username, password, email, host, port, **options):
        user_model = get_user_model()
        user, created = user_model._default_manager.get_or_create(
            **{user_model.USERNAME_FIELD: username}, defaults={"email": email}
        )
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address in a URL
        base = f"http://{host}:{port}"
        done = _("Created superuser %(username)s.") if created else _("Reset superuser %(username)s.")
        self.stdout.write(self.style.SUCCESS(done % {"username": username}))
        self.stdout.write(_("Admin: %(url)s") % {"url": base + reverse("admin:index")})
        # Echo only the well-known demo password, not one the user chose.
        shown = password if password == DEFAULT_PASSWORD else _("(the password you gave)")
        self.stdout.write(_("Login: %(username)s / %(password)s") % {"username": username, "password": shown})
        self.stdout.write(_("Generation pages:"))
        self.stdout.write(f"  {base}{reverse('generation:index')}")
        for capability in CAPABILITIES:
            self.stdout.write(f"  {base}{reverse(f'generation:{capability}')}")

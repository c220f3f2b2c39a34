from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenerationConfig(AppConfig):
    """Example app: generation services that use the model active for each capability."""

    name = "generation"
    verbose_name = _("Generation demo")

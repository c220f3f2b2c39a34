from django.apps import AppConfig


class VanillaConfig(AppConfig):
    name = "bench.vanilla"
    label = "vanilla"
    default_auto_field = "django.db.models.BigAutoField"

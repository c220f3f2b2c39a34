from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ai_models", "0006_provider_api_key_binding"),
    ]

    operations = [
        migrations.AddField(
            model_name="capabilitylock",
            name="version",
            field=models.BigIntegerField(default=0, verbose_name="version"),
        ),
    ]

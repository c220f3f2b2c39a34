from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ai_models", "0005_capability_lock"),
    ]

    operations = [
        migrations.AddField(
            model_name="capabilitylock",
            name="version",
            field=models.BigIntegerField(default=0, verbose_name="version"),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ai_models", "0004_host_integration"),
    ]

    operations = [
        migrations.CreateModel(
            name="CapabilityLock",
            fields=[
                ("capability", models.CharField(max_length=50, primary_key=True, serialize=False, verbose_name="capability")),
            ],
            options={
                "verbose_name": "capability lock",
                "verbose_name_plural": "capability locks",
                "default_permissions": (),
            },
        ),
    ]

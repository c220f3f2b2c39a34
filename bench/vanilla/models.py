from django.db import models


class VanillaEntry(models.Model):
    """A catalog model stored as a row, with the columns the Browse catalog shows."""

    provider = models.CharField(max_length=50)
    model_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255, db_index=True)  # the default ordering: indexed, as a tuned admin would
    description = models.TextField(blank=True)
    capabilities = models.CharField(max_length=100, blank=True)  # "chat,content"
    context_window = models.PositiveIntegerField(null=True)
    input_price = models.DecimalField(max_digits=14, decimal_places=6, null=True)
    output_price = models.DecimalField(max_digits=14, decimal_places=6, null=True)
    created = models.DateTimeField(null=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["provider", "model_id"], name="vanilla_unique_model")]

    def __str__(self):
        return f"{self.provider}:{self.model_id}"

"""The yardstick of the HTTP API's catalog listing: a plain DRF ``ListAPIView`` over a real table."""

from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated

from ai_models.api.views.base import Pagination

from .models import VanillaEntry


class VanillaEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = VanillaEntry
        fields = "__all__"


class VanillaList(ListAPIView):
    """The 10,000 rows of ``VanillaEntry``, ordered by the indexed name, paged like ``catalog/``."""

    queryset = VanillaEntry.objects.order_by("name", "pk")
    serializer_class = VanillaEntrySerializer
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

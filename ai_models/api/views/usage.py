"""Usage over HTTP: ``GET usage/?start=&end=&capability=``, the numbers of the admin's usage page
(``ai_models.usage.report``), with this month's figures per capability and the budgets."""

from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ...capabilities import capability_choices
from ...usage import budgets, report
from ..permissions import CanViewUsage
from .base import APIBase, document


class UsageQuery(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    capability = serializers.ChoiceField(choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capability"].choices = [name for name, _label in capability_choices()]

    def validate(self, data):
        try:
            data["start"], data["end"] = report.date_range(data.get("start"), data.get("end"))
        except ValueError as err:
            raise ValidationError({"start": [str(err)]}) from None
        return data


class UsageReport(APIBase):
    """GET: calls, errors, p50/p95 latency, tokens and cost per capability and day, per model and
    day, this month per capability, and every budget with what it has spent this month."""

    permission_classes = [CanViewUsage]

    @document("usage", {200: OpenApiTypes.OBJECT}, errors=(400,), parameters=[UsageQuery])
    def get(self, request):
        query = self.validated(UsageQuery, request.query_params)
        report.collect()
        data = report.as_data(query["start"], query["end"], query.get("capability"))
        data["budgets"] = [
            {
                "capability": entry["budget"].capability,
                "user": entry["budget"].user_id,
                "monthly_limit": str(entry["budget"].monthly_limit),
                "spent": str(entry["spent"].normalize()),
                "level": entry["level"],
                "on_limit": entry["budget"].on_limit,
            }
            for entry in budgets.status()
        ]
        return Response(data)


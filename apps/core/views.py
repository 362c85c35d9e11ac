from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .health import health_report


class CheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "down"])
    latency_ms = serializers.FloatField()
    backend = serializers.CharField()
    error = serializers.CharField(required=False, help_text="Type of the error when down.")


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "down"])
    checks = serializers.DictField(child=CheckSerializer())
    breakers = serializers.DictField(
        child=serializers.ChoiceField(choices=["closed", "open", "half_open"]),
        help_text="State of each circuit breaker (open: calls fail fast or degrade).",
    )


class HealthView(APIView):
    """Each configured dependency's state; 200 when all are up, 503 otherwise."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer}, tags=["health"])
    def get(self, request):
        healthy, report = health_report()
        return Response(report, status=200 if healthy else 503)

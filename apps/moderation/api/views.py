from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core import documents
from apps.core.api import parse, render
from apps.moderation import services
from apps.moderation.errors import ModerationError
from apps.moderation.models import TARGET_ID_LENGTH, ReportEntry, Target


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "pattern": documents.ANY_ID_PATTERN, "maxLength": TARGET_ID_LENGTH},
            {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
        ]
    }
)
class TargetIdField(serializers.CharField):
    """A message's, post's or comment's id (a string), or a channel's or person's (an integer;
    a string of digits is taken too)."""

    json_types = ((str, int), "a string or an integer")

    def __init__(self, **kwargs):
        pattern = RegexValidator(documents.ANY_ID_PATTERN, "Not an id.", ModerationError.BAD_TARGET_ID)
        super().__init__(max_length=TARGET_ID_LENGTH, validators=[pattern], **kwargs)


class ReportInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Target.choices)
    target_id = TargetIdField(help_text="The id of the message, post, comment, channel or user.")
    reason = serializers.ChoiceField(choices=ReportEntry.Reason.choices)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ReportOutput(serializers.Serializer):
    kind = serializers.CharField()
    target_id = serializers.CharField()
    status = serializers.CharField()


class ReportCreateView(APIView):
    throttle_scope = "report"

    @extend_schema(
        request=ReportInput,
        responses={201: ReportOutput, 200: ReportOutput},
        tags=["moderation"],
        description="Report a message, post, comment, channel or user you can see. Reporting the "
        "same thing again changes nothing (200).",
    )
    def post(self, request):
        data = parse(ReportInput, request.data)
        report, created = services.report_create(reporter=request.user, **data)
        return Response(
            render(
                ReportOutput, {"kind": report.kind, "target_id": report.target_id, "status": report.status}
            ),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

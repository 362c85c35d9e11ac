from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.files import services
from apps.files.models import File
from apps.files.selectors import file_of_owner, file_public


class FileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    kind = serializers.ChoiceField(choices=File.Kind.choices)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    name = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class FileUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={201: FileOutput},
        tags=["files"],
    )
    def post(self, request):
        file = services.file_upload(owner=request.user, upload=request.FILES.get("file"))
        return Response(FileOutput(file_public(file)).data, status=status.HTTP_201_CREATED)


class FileDetailView(APIView):
    @extend_schema(parameters=[], responses={200: FileOutput}, tags=["files"])
    def get(self, request, file_id: int):
        file = file_of_owner(file_id=file_id, user_id=request.user.pk)
        return Response(FileOutput(file_public(file)).data)

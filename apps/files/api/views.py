from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import render
from apps.core.errors import ApplicationError, NotFound
from apps.files import services
from apps.files.errors import FileError
from apps.files.models import File
from apps.files.selectors import file_of_owner, file_public, storage_name_from_url_token


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
                "required": ["file"],
            }
        },
        responses={201: FileOutput},
        tags=["files"],
        description="A file's type is judged from its bytes, not its name: a type not accepted is a "
        "415 `file_type_not_allowed`, an image that does not decode a 400 `image_invalid`.",
    )
    def post(self, request):
        services.upload_size_check(declared=request.META.get("CONTENT_LENGTH"))  # before reading it
        file = services.file_upload(owner=request.user, upload=request.FILES.get("file"))
        return Response(render(FileOutput, file_public(file)), status=status.HTTP_201_CREATED)


class FileDetailView(APIView):
    @extend_schema(parameters=[], responses={200: FileOutput}, tags=["files"])
    def get(self, request, file_id: int):
        file = file_of_owner(file_id=file_id, user_id=request.user.pk)
        return Response(render(FileOutput, file_public(file)))


class FileDownloadView(APIView):
    """The bytes behind a signed download link (filesystem storage; S3 links go to S3). The
    link is the permission: it names one object and expires after FILES_URL_TTL seconds."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.BINARY}, tags=["files"])
    def get(self, request, token: str):
        name = storage_name_from_url_token(token)
        if name is None:
            raise ApplicationError(FileError.LINK_EXPIRED, "This link expired or is not valid.", status=403)
        try:
            handle = default_storage.open(name, "rb")
        except FileNotFoundError:
            raise NotFound("This file was deleted.", code=FileError.FILE_NOT_FOUND) from None
        file = File.objects.filter(storage_name=name).values("content_type").first()
        response = FileResponse(
            handle, content_type=(file or {}).get("content_type", "application/octet-stream")
        )
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response

"""The S3 path for real: django-storages talking HTTP to moto's S3-compatible server on loopback."""

import urllib.request

import boto3
import pytest
from botocore.config import Config
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from apps.files.models import File
from tests.ports import free_port

pytestmark = pytest.mark.django_db
BUCKET = "tg-test-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def s3_storages(endpoint: str) -> dict:
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                "client_config": Config(
                    signature_version="s3v4", connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}
                ),
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_upload_goes_to_s3_and_downloads_through_a_presigned_url(
    client_for, user, png_bytes, settings, s3_endpoint
):
    settings.STORAGES = s3_storages(s3_endpoint)

    response = client_for(user).post(
        "/api/v1/files/", {"file": SimpleUploadedFile("cat.png", png_bytes)}, format="multipart"
    )

    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith(f"{s3_endpoint}/{BUCKET}/files/")
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=300" in url  # the configured lifetime of a download link
    with urllib.request.urlopen(url, timeout=5) as download:  # noqa: S310 (loopback)
        assert download.read() == png_bytes
    stored = File.objects.get(pk=response.json()["id"])
    listed = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).list_objects_v2(Bucket=BUCKET)
    assert stored.storage_name in [item["Key"] for item in listed["Contents"]]


def test_unreachable_object_storage_is_a_503_and_stores_no_row(client_for, user, png_bytes, settings):
    settings.STORAGES = s3_storages(f"http://127.0.0.1:{free_port()}")

    response = client_for(user).post(
        "/api/v1/files/", {"file": SimpleUploadedFile("cat.png", png_bytes)}, format="multipart"
    )

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert not File.objects.exists()

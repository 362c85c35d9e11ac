import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.files.models import File

pytestmark = pytest.mark.django_db

FILES = "/api/v1/files/"


def upload(client, name, content):
    return client.post(FILES, {"file": SimpleUploadedFile(name, content)}, format="multipart")


def test_image_upload_is_verified_measured_and_stored_under_our_name(client_for, user, png_bytes):
    response = upload(client_for(user), "../../etc/passwd.png", png_bytes)

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["content_type"], body["width"], body["height"]) == ("image", "image/png", 8, 8)
    assert body["size"] == len(png_bytes)
    assert body["name"] == "passwd.png"  # the base name only, kept as (encrypted) metadata
    stored = File.objects.get(pk=body["id"])
    assert stored.storage_name.startswith("files/")
    assert ".." not in stored.storage_name
    assert default_storage.open(stored.storage_name).read() == png_bytes


def test_type_is_judged_from_the_bytes_not_the_name(client_for, user, png_bytes):
    client = client_for(user)

    disguised = upload(client, "report.pdf", png_bytes)
    executable = upload(client, "cat.png", b"MZ\x90\x00\x03" + bytes(200))

    assert disguised.json()["content_type"] == "image/png"
    assert executable.status_code == 415
    assert executable.json()["code"] == "file_type_not_allowed"


def test_a_damaged_image_is_refused(client_for, user, png_bytes):
    response = upload(client_for(user), "broken.png", png_bytes[:40])

    assert response.status_code == 400
    assert response.json()["code"] == "image_invalid"
    assert not File.objects.exists()


def test_too_large_a_file_is_refused(client_for, user, settings):
    settings.FILES_MAX_UPLOAD_BYTES = 100

    response = upload(client_for(user), "notes.txt", b"a" * 101)

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"


def test_plain_text_and_pdf_are_accepted(client_for, user):
    client = client_for(user)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"

    assert upload(client, "notes.txt", "ünïcode text".encode()).json()["content_type"] == "text/plain"
    assert upload(client, "doc.pdf", pdf).json()["content_type"] == "application/pdf"


def test_missing_file_field_is_a_field_error(client_for, user):
    response = client_for(user).post(FILES, {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["fields"]["file"][0]["code"] == "file_missing"


def test_only_the_owner_sees_a_files_details(client_for, user, png_bytes):
    from tests.factories import UserFactory

    file_id = upload(client_for(user), "a.png", png_bytes).json()["id"]

    assert client_for(user).get(f"{FILES}{file_id}/").status_code == 200
    assert client_for(UserFactory()).get(f"{FILES}{file_id}/").status_code == 404


def test_upload_needs_authentication(api_client, png_bytes):
    assert upload(api_client, "a.png", png_bytes).status_code == 401


def test_decompression_bomb_is_refused(client_for, user, settings):
    from PIL import Image

    settings.FILES_MAX_IMAGE_PIXELS = 10_000
    buffer = io.BytesIO()
    Image.new("1", (200, 200)).save(buffer, format="PNG")

    response = upload(client_for(user), "big.png", buffer.getvalue())

    assert response.status_code == 400
    assert response.json()["code"] == "image_invalid"

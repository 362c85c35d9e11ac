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


# --- Early refusal, bounded decoding, quota ---------------------------------------------------


def test_an_upload_too_large_by_its_content_length_is_refused_before_it_is_read(client_for, user, settings):
    settings.FILES_MAX_UPLOAD_BYTES = 1000

    response = client_for(user).post(
        FILES, data=b"x" * 10, content_type="multipart/form-data; boundary=b", CONTENT_LENGTH="500000000"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"


def test_an_upload_that_grows_past_the_limit_is_stopped_while_it_is_read(client_for, user, settings):
    settings.FILES_MAX_UPLOAD_BYTES = 1000  # the body's length is within limit + multipart overhead

    response = upload(client_for(user), "notes.txt", b"a" * 5000)

    assert response.status_code == 413
    assert not File.objects.exists()


def _png_declaring(width: int, height: int) -> bytes:
    """A valid RGBA PNG of the given size, all zeros: a few hundred KB that decode to w*h*4 bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width * 4)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_checking_an_image_does_not_decode_its_pixels(tmp_path):
    """A small PNG declaring 36 megapixels (144 MiB decoded) is judged within a few MiB."""
    import subprocess
    import sys
    from pathlib import Path

    image = tmp_path / "wide.png"
    image.write_bytes(_png_declaring(6000, 6000))
    assert image.stat().st_size < 1_000_000
    probe = f"""
import resource, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telegram.settings.test")
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from apps.files.sniff import sniff
upload = SimpleUploadedFile("wide.png", open({str(image)!r}, "rb").read())
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kind = sniff(upload)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(kind.width, kind.height, (after - before) // 1024)
"""
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()

    width, height, grew_mib = map(int, out[-3:])
    assert (width, height) == (6000, 6000)
    assert grew_mib < 20


def test_a_person_has_a_storage_quota(client_for, user, settings, png_bytes):
    settings.FILES_USER_QUOTA_BYTES = len(png_bytes) + 10
    client = client_for(user)

    first = upload(client, "a.png", png_bytes)
    second = upload(client, "b.png", png_bytes)

    assert first.status_code == 201
    assert second.status_code == 413
    assert second.json()["code"] == "quota_exceeded"
    assert File.objects.count() == 1


# --- Downloads through expiring signed links ----------------------------------------------------


def _download(client, url):
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, content


def test_files_are_served_only_through_a_signed_link(api_client, client_for, user, png_bytes):
    body = upload(client_for(user), "a.png", png_bytes).json()
    stored = File.objects.get(pk=body["id"]).storage_name

    assert _download(api_client, body["url"]) == (200, png_bytes)
    tampered = body["url"].replace(
        body["url"].rsplit("/", 2)[-2], body["url"].rsplit("/", 2)[-2][:-3] + "AAA"
    )
    assert _download(api_client, tampered)[0] == 403
    assert api_client.get(f"/media/{stored}").status_code == 404  # no unauthenticated route to the bytes


def test_a_signed_link_expires(api_client, client_for, user, png_bytes, settings):
    import time

    body = upload(client_for(user), "a.png", png_bytes).json()
    settings.FILES_URL_TTL = 1
    time.sleep(2.1)

    status = api_client.get(body["url"])

    assert status.status_code == 403
    assert status.json()["code"] == "link_expired"


# --- Files go with what carries them ------------------------------------------------------------


def _message_with_file(client_for, alice, bob, png_bytes):
    from apps.chats import services as chats

    file_id = upload(client_for(alice), "a.png", png_bytes).json()["id"]
    chat, _ = chats.chat_direct_open(user=alice, peer_id=bob.id)
    sent = client_for(alice).post(
        f"/api/v1/chats/{chat.id}/messages/", {"text": "look", "attachments": [file_id]}, format="json"
    )
    assert sent.status_code == 201
    return chat, sent.json(), File.objects.get(pk=file_id).storage_name


def test_deleting_a_message_for_everyone_deletes_its_files(client_for, api_client, after_commit, png_bytes):
    from tests.factories import UserFactory

    alice, bob = UserFactory(), UserFactory()
    chat, message, stored = _message_with_file(client_for, alice, bob, png_bytes)

    with after_commit():
        deleted = client_for(alice).delete(
            f"/api/v1/chats/{chat.id}/messages/{message['id']}/?for_everyone=true"
        )

    assert deleted.status_code in (200, 204)
    assert not File.objects.filter(storage_name=stored).exists()
    assert not default_storage.exists(stored)
    assert api_client.get(message["attachments"][0]["url"]).status_code == 404


def test_erasing_a_person_deletes_their_files(client_for, after_commit, png_bytes):
    from apps.moderation.erasure import person_erase
    from tests.factories import UserFactory

    alice, bob = UserFactory(), UserFactory()
    _chat, _message, stored = _message_with_file(client_for, alice, bob, png_bytes)

    with after_commit():
        person_erase(user=alice)

    assert not File.objects.filter(owner_id=alice.id).exists()
    assert not default_storage.exists(stored)


def test_a_replaced_avatar_is_deleted(client_for, user, after_commit, png_bytes):
    client = client_for(user)
    first = upload(client, "a.png", png_bytes).json()["id"]
    second = upload(client, "b.png", png_bytes).json()["id"]
    client.patch("/api/v1/profiles/me/", {"avatar_file_id": first}, format="json")
    old = File.objects.get(pk=first).storage_name

    with after_commit():
        client.patch("/api/v1/profiles/me/", {"avatar_file_id": second}, format="json")

    assert not File.objects.filter(pk=first).exists()
    assert not default_storage.exists(old)
    assert File.objects.get(pk=second).refs == 1

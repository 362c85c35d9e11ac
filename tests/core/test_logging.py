import io
import json
import logging
import os
import uuid

import pytest

from apps.chats import services as chats
from apps.core.logging import JsonFormatter, TextFormatter, request_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """Everything logged, at every level, through the project's own JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_responses_carry_a_request_id_and_keep_a_well_formed_one_from_the_client(client):
    fresh = client.get("/api/health/")
    kept = client.get("/api/health/", HTTP_X_REQUEST_ID="trace-abc-123")
    refused = client.get("/api/health/", HTTP_X_REQUEST_ID="bad id; drop table")

    assert len(fresh["X-Request-ID"]) == 32
    assert kept["X-Request-ID"] == "trace-abc-123"
    assert refused["X-Request-ID"] != "bad id; drop table"


@pytest.mark.urls("tests.core.test_errors")
def test_every_log_line_of_a_request_carries_its_id(client, log_lines):
    client.raise_request_exception = False

    response = client.get("/api/v1/test-boom/", HTTP_X_REQUEST_ID="req-42")

    lines = [line for line in log_lines() if line["logger"] in ("apps.core.errors", "django.request")]
    assert response["X-Request-ID"] == "req-42"
    assert {line["logger"] for line in lines} == {"apps.core.errors", "django.request"}
    assert {line["request_id"] for line in lines} == {"req-42"}


def test_no_password_token_or_message_text_reaches_the_logs(api_client, log_lines, settings):
    password = "violet-anchor-meadow-17"
    registered = api_client.post(
        "/api/v1/auth/register/", {"username": "quiet", "password": password}, format="json"
    )
    tokens = api_client.post(
        "/api/v1/auth/token/", {"username": "quiet", "password": password}, format="json"
    ).json()
    api_client.post(
        "/api/v1/auth/token/", {"username": "quiet", "password": "wrong-" + password}, format="json"
    )
    api_client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    api_client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION="Bearer not-a-real-token-but-secret")
    peer = UserFactory()
    from apps.accounts.models import User

    quiet = User.objects.get(pk=registered.json()["id"])
    chat, _ = chats.chat_direct_open(user=quiet, peer_id=peer.id)
    secret_text = f"the vault code is {uuid.uuid4().hex}"
    sent = api_client.post(
        f"/api/v1/chats/{chat.id}/messages/",
        {"text": secret_text},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['access']}",
    )
    assert sent.status_code == 201
    settings.NATS_URL = "nats://127.0.0.1:9"  # a failing dependency logs warnings too
    api_client.get("/api/health/")

    text = "\n".join(json.dumps(line) for line in log_lines())
    assert text  # the flow did log
    for secret in (password, tokens["access"], tokens["refresh"], secret_text, "not-a-real-token-but-secret"):
        assert secret not in text


def test_anything_shaped_like_a_jwt_is_redacted(log_lines):
    logging.getLogger("apps.test").warning(
        "client sent eyJhbGciOiJIUzI1.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJlLXg in a URL"
    )

    (line,) = [entry for entry in log_lines() if entry["logger"] == "apps.test"]
    assert line["message"] == "client sent [redacted-jwt] in a URL"


def test_the_text_format_is_one_readable_line_with_extras_and_the_request_id():
    """`make run`'s format (LOG_FORMAT=text): for a person, redacted like the JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter())
    logger = logging.getLogger("apps.test.text")
    logger.addHandler(handler)
    token = request_id.set("0123456789abcdef")
    try:
        logger.warning(
            "refused eyJhbGciOiJIUzI1.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJlLXg", extra={"user_id": 7, "code": "x"}
        )
    finally:
        request_id.reset(token)
        logger.removeHandler(handler)

    (line,) = stream.getvalue().splitlines()
    assert line.endswith("WARNING apps.test.text: refused [redacted-jwt]  user_id=7 code=x  [01234567]")
    assert "{" not in line


def test_the_local_settings_log_text_and_the_base_settings_production_builds_on_log_json():
    import subprocess
    import sys

    def formatter(module: str) -> str:
        code = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
        env = {k: v for k, v in os.environ.items() if k != "LOG_FORMAT"}
        env |= {"DJANGO_SETTINGS_MODULE": module, "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "x"}
        done = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert formatter("telegram.settings.local") == "text"
    assert formatter("telegram.settings.base") == "json"

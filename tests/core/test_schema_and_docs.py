import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command


def test_openapi_schema_generates_valid_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert "/api/v1/auth/register/" in text
    assert "jwtAuth" in text


@pytest.mark.django_db
def test_schema_endpoint_and_swagger_ui_are_served_with_local_assets(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"openapi" in schema.content
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content  # the UI must work on a machine with no internet
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_metrics_endpoint_exposes_prometheus_text_to_loopback(client):
    response = client.get("/metrics")

    assert response.status_code == 200
    assert b"django_http_requests" in response.content


def test_metrics_are_refused_to_others_unless_they_bring_the_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret-123"

    stranger = client.get("/metrics", REMOTE_ADDR="198.51.100.7")
    wrong = client.get("/metrics", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer nope")
    scraper = client.get(
        "/metrics", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer scrape-secret-123"
    )

    assert (stranger.status_code, wrong.status_code, scraper.status_code) == (403, 403, 200)
    assert b"django_http_requests" in scraper.content


def test_check_deploy_with_production_settings_reports_no_errors():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "telegram.settings.production",
        "DJANGO_SECRET_KEY": "x" * 30 + "production-like-secret-value-0123456789abcdef",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/telegram",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "DJANGO_ALLOWED_HOSTS": "chat.example.org",
        "FIELD_ENCRYPTION_KEYS": os.environ.get("FIELD_ENCRYPTION_KEYS")
        or ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "BLIND_INDEX_KEY": os.environ.get("BLIND_INDEX_KEY") or settings.BLIND_INDEX_KEY,
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERRORS" not in result.stderr


@pytest.mark.django_db
def test_our_metrics_count_messages_and_the_outbox_backlog(client, after_commit):
    from apps.chats import services as chats
    from apps.core.events import event_emit
    from tests.factories import UserFactory

    alice, bob = UserFactory(), UserFactory()
    chat, _ = chats.chat_direct_open(user=alice, peer_id=bob.id)
    with after_commit(execute=False):  # the events stay unpublished
        # bob has no socket open: the message's event (for his push) waits too
        chats.message_send(sender=alice, chat_id=chat.id, text="counted")
        event_emit(name="test.waiting", payload={})

    text = client.get("/metrics").content.decode()

    assert "tg_outbox_backlog 2.0" in text
    assert "tg_websockets_open" in text
    assert "tg_messages_sent_total" in text


@pytest.mark.django_db
def test_the_grafana_dashboard_queries_only_metrics_we_export(client, user, client_for):
    import json
    import re

    client_for(user).get("/api/v1/chats/")  # a request, so the per-view series exist
    exported = client.get("/metrics").content.decode()
    names = set(re.findall(r"^# TYPE (\w+)", exported, re.MULTILINE))
    dashboard = json.loads((settings.BASE_DIR / "docker/grafana/dashboard.json").read_text())

    queried = {
        re.sub(r"_(bucket|count|sum)$", "", metric)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for metric in re.findall(r"\b((?:tg|django)_\w+)", target["expr"])
    }

    assert queried
    missing = {m for m in queried if m not in names and m.removesuffix("_total") not in names}
    assert missing == set()

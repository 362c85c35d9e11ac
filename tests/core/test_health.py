import pytest

from tests.services import service_url

HEALTH = "/api/health/"
CLOSED_PORT_REDIS = "redis://127.0.0.1:9/0"  # port 9 (discard) is closed here


@pytest.mark.django_db
def test_health_is_200_with_every_configured_dependency(client, settings):
    response = client.get(HEALTH)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    expected = {"database", "cache", "channel_layer"} | ({"nats"} if settings.NATS_URL else set())
    if settings.DOCUMENT_STORE_ALIAS != "default":
        expected.add(f"database_{settings.DOCUMENT_STORE_ALIAS}")
    assert set(body["checks"]) == expected
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert check["latency_ms"] >= 0


@pytest.mark.django_db
def test_health_is_503_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }

    response = client.get(HEALTH)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_health_is_503_when_the_channel_layer_is_down(client, settings):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CLOSED_PORT_REDIS]},
        }
    }
    channel_layers.backends.clear()
    settings.HEALTH_CHECK_TIMEOUT = 1.0
    try:
        response = client.get(HEALTH)
    finally:
        channel_layers.backends.clear()

    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"]["status"] == "down"


@pytest.mark.django_db
def test_health_is_503_when_nats_is_down(client, settings):
    settings.NATS_URL = "nats://127.0.0.1:9"
    settings.HEALTH_CHECK_TIMEOUT = 1.0

    response = client.get(HEALTH)

    assert response.status_code == 503
    nats = response.json()["checks"]["nats"]
    assert nats["status"] == "down"
    assert "127.0.0.1" not in nats["error"]


@pytest.mark.nats
@pytest.mark.django_db
def test_health_reports_real_nats_jetstream_up(client, settings):
    settings.NATS_URL = service_url("nats")

    response = client.get(HEALTH)

    assert response.json()["checks"]["nats"] == {
        "status": "ok",
        "latency_ms": response.json()["checks"]["nats"]["latency_ms"],
        "backend": "jetstream",
    }


@pytest.mark.django_db
def test_healthcheck_command_exits_0_when_up_and_1_when_a_dependency_is_down(settings, capsys):
    from django.core.management import call_command

    call_command("healthcheck")
    assert "database" in capsys.readouterr().out

    settings.NATS_URL = "nats://127.0.0.1:9"
    settings.HEALTH_CHECK_TIMEOUT = 1.0
    with pytest.raises(SystemExit) as exited:
        call_command("healthcheck", "--json")

    assert exited.value.code == 1
    assert '"status": "down"' in capsys.readouterr().out

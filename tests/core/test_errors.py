import pytest
from django.urls import path
from rest_framework.views import APIView

from telegram.urls import urlpatterns as project_urls


class Boom(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("kaboom with a secret-looking detail")


class DatabaseDown(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        from django.db import OperationalError

        raise OperationalError("couldn't get a connection after 2.00 sec")


class RedisDown(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        from redis.exceptions import ConnectionError as RedisConnectionError

        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")


urlpatterns = [
    *project_urls,
    path("api/v1/test-boom/", Boom.as_view()),
    path("api/v1/test-database-down/", DatabaseDown.as_view()),
    path("api/v1/test-redis-down/", RedisDown.as_view()),
]


def test_unknown_api_url_is_json_404(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_unknown_non_api_url_stays_html(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_wrong_method_is_json_405(api_client):
    response = api_client.get("/api/v1/auth/register/")

    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "detail": 'Method "GET" not allowed.'}


@pytest.mark.urls("tests.core.test_errors")
def test_server_error_under_api_is_json_500_and_logged_without_leaking(client, caplog):
    client.raise_request_exception = False

    response = client.get("/api/v1/test-boom/")

    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "detail": "Internal server error. It has been logged."}
    assert "secret-looking" not in response.content.decode()
    assert any(record.name == "apps.core.errors" for record in caplog.records)


def test_a_body_too_large_is_refused_before_it_is_parsed(client_for, user, settings):
    settings.JSON_MAX_BYTES = 1000
    response = client_for(user).patch(
        "/api/v1/profiles/me/", data='{"bio": "' + "a" * 2000 + '"}', content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(client_for, user, depth):
    body = '{"sections": ' + "[" * depth + "]" * depth + "}"

    response = client_for(user).patch("/api/v1/profiles/me/", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def test_malformed_json_is_a_400_with_a_code(client_for, user):
    response = client_for(user).patch("/api/v1/profiles/me/", data="{oops", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.urls("tests.core.test_errors")
@pytest.mark.parametrize("path", ["/api/v1/test-database-down/", "/api/v1/test-redis-down/"])
def test_an_unreachable_store_is_a_503_with_retry_after_not_a_500(client, path, settings):
    response = client.get(path)

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == str(settings.OUTAGE_RETRY_AFTER)
    assert "127.0.0.1" not in response.content.decode()

"""A PostgreSQL outage, on a real daphne with a PostgreSQL of its own that the test stops: each
request is answered at once with a 503 and Retry-After (never held for long, never a 500),
health says the database is down within its timeout, and service comes back by itself."""

import time
import uuid

import pytest

from tests.e2e.servers import Stack, api, sign_up
from tests.e2e.test_redis_outage import health
from tests.postgres_tools import PrivatePostgres

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


def test_with_the_database_down_requests_are_quick_503s_then_service_returns(tmp_path):
    with (
        PrivatePostgres() as postgres,
        Stack(
            instances=1, tmp=tmp_path, database_server=postgres.url, env={"HEALTH_CHECK_TIMEOUT": "1.5"}
        ) as stack,
    ):
        (server,) = stack.servers
        suffix = uuid.uuid4().hex[:6]
        _alice_id, alice = sign_up(server, f"alice{suffix}")
        assert api(server, "GET", "/api/v1/chats/", token=alice)[0] == 200

        postgres.stop()

        for path in ("/api/v1/chats/", "/api/v1/contacts/"):
            started = time.monotonic()
            status, body = api(server, "GET", path, token=alice)
            took = time.monotonic() - started
            assert (status, body["code"]) == (503, "service_unavailable"), body
            assert took < 3.5  # the pool's 2 s wait, plus a connection attempt
        status, report, took = health(server)
        assert status == 503
        assert report["checks"]["database"]["status"] == "down"
        assert took < 1.5 + 1.0

        postgres.start()

        deadline = time.monotonic() + 20
        while api(server, "GET", "/api/v1/chats/", token=alice)[0] != 200:
            assert time.monotonic() < deadline, "service did not come back"
            time.sleep(0.3)
        assert health(server)[0] == 200

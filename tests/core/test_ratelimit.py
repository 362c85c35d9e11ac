import threading

import pytest

from apps.core import ratelimit

pytestmark = pytest.mark.django_db


def test_a_scope_admits_its_limit_then_refuses_with_retry_after(settings):
    settings.RATE_LIMITS = {"probe": "3/min"}

    verdicts = [ratelimit.hit(scope="probe", ident="user:1") for _ in range(5)]

    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert verdicts[-1].retry_after in range(1, 61)
    assert ratelimit.hit(scope="probe", ident="user:2").allowed  # per identity
    assert ratelimit.hit(scope="unlimited", ident="user:1").allowed  # a scope with no rate


@pytest.mark.redis
async def test_several_scopes_counted_in_one_call_share_their_counts_with_hit(settings):
    settings.RATE_LIMITS = {"frames": "5/min", "sends": "2/min"}

    verdicts = [await ratelimit.hit_async(scopes=("frames", "sends"), ident="user:3") for _ in range(3)]

    assert [v.allowed for v in verdicts] == [True, True, False]  # `sends` ran out
    assert verdicts[-1].retry_after in range(1, 61)
    # `frames` counted all three, whichever path counts it.
    assert ratelimit.hit(scope="frames", ident="user:3").allowed
    assert ratelimit.hit(scope="frames", ident="user:3").allowed
    assert not (await ratelimit.hit_async(scopes=("frames",), ident="user:3")).allowed


@pytest.mark.redis
def test_200_concurrent_requests_against_a_limit_of_50_admit_exactly_50(settings):
    settings.RATE_LIMITS = {"burst": "50/hour"}
    barrier = threading.Barrier(20)
    allowed = []

    def client():
        barrier.wait()
        for _ in range(10):
            allowed.append(ratelimit.hit(scope="burst", ident="user:7").allowed)

    threads = [threading.Thread(target=client) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == 200
    assert allowed.count(True) == 50


def test_login_is_limited_per_client_address_with_a_429_and_retry_after(api_client, settings, user):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/min"}

    answers = [
        api_client.post(
            "/api/v1/auth/token/", {"username": user.username, "password": "wrong-pass-1"}, format="json"
        )
        for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [401, 401, 429]
    assert answers[-1].json()["code"] == "throttled"
    assert int(answers[-1]["Retry-After"]) in range(1, 61)


def test_rejections_are_counted_in_the_metrics(client, settings):
    settings.RATE_LIMITS = {"default": "1/min"}
    client.get("/api/health/")
    client.get("/api/health/")

    metrics = client.get("/metrics").content.decode()

    assert 'tg_rate_limit_rejections_total{scope="default"}' in metrics

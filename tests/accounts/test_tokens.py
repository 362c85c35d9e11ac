import threading

import pytest
from django.db import connection

from apps.accounts import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
LOGOUT_ALL = "/api/v1/auth/logout-all/"
ME = "/api/v1/auth/me/"


def bearer(api_client, access):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api_client


def test_login_with_right_password_gives_working_tokens(api_client, user, password):
    response = api_client.post(TOKEN, {"username": user.username, "password": password}, format="json")

    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}
    me = bearer(api_client, tokens["access"]).get(ME)
    assert me.status_code == 200
    assert me.json() == {"id": user.id, "username": user.username}


def test_login_username_is_case_insensitive(api_client, user, password):
    response = api_client.post(
        TOKEN, {"username": user.username.upper(), "password": password}, format="json"
    )

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["known", "unknown"])
def test_login_with_wrong_password_or_unknown_user_gives_the_same_401(api_client, user, who):
    username = user.username if who == "known" else "nobody_here"

    response = api_client.post(TOKEN, {"username": username, "password": "wrong-password-1"}, format="json")

    assert response.status_code == 401
    assert response.json() == {"code": "invalid_credentials", "detail": "Wrong username or password."}


def test_request_without_token_is_401(api_client):
    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_request_with_garbage_token_is_401(api_client):
    response = bearer(api_client, "not.a.token").get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_rotates_and_the_old_refresh_token_is_refused(api_client, user, login):
    old = login(user)

    response = api_client.post(REFRESH, {"refresh": old["refresh"]}, format="json")

    assert response.status_code == 200
    new = response.json()
    assert new["refresh"] != old["refresh"]
    assert bearer(api_client, new["access"]).get(ME).status_code == 200
    again = api_client.post(REFRESH, {"refresh": old["refresh"]}, format="json")
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"
    assert api_client.post(REFRESH, {"refresh": new["refresh"]}, format="json").status_code == 200


def test_refresh_with_an_access_token_is_refused(api_client, user, login):
    tokens = login(user)

    response = api_client.post(REFRESH, {"refresh": tokens["access"]}, format="json")

    assert response.status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_let_exactly_one_through(user, login):
    refresh = login(user)["refresh"]
    outcomes = []
    barrier = threading.Barrier(4)

    def attempt():
        barrier.wait()
        try:
            services.tokens_refresh(refresh=refresh)
            outcomes.append("ok")
        except services.ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "token_not_valid", "token_not_valid", "token_not_valid"]


def test_logout_makes_the_refresh_token_unusable(api_client, user, login):
    tokens = login(user)

    response = api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 204
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_logout_with_a_bad_token_is_401(api_client):
    response = api_client.post(LOGOUT, {"refresh": "garbage"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_logout_all_revokes_every_earlier_access_and_refresh_token(api_client, user, login):
    phone, laptop = login(user), login(user)

    response = bearer(api_client, phone["access"]).post(LOGOUT_ALL)

    assert response.status_code == 204
    for session in (phone, laptop):
        refused = bearer(api_client, session["access"]).get(ME)
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_revoked"
        assert api_client.post(REFRESH, {"refresh": session["refresh"]}, format="json").status_code == 401
    fresh = login(user)
    assert bearer(api_client, fresh["access"]).get(ME).status_code == 200


def test_logout_all_needs_authentication(api_client):
    response = api_client.post(LOGOUT_ALL)

    assert response.status_code == 401


def test_banned_user_is_refused_at_once_and_cannot_log_in(api_client, user, login, password):
    tokens = login(user)

    services.user_ban(user=user)

    refused = bearer(api_client, tokens["access"]).get(ME)
    assert refused.status_code == 401
    assert refused.json()["code"] == "account_banned"
    api_client.credentials()
    denied = api_client.post(TOKEN, {"username": user.username, "password": password}, format="json")
    assert denied.status_code == 403
    assert denied.json()["code"] == "account_banned"


def test_unbanned_user_can_log_in_again(api_client, user, login):
    services.user_ban(user=user)
    services.user_unban(user=user)

    assert bearer(api_client, login(user)["access"]).get(ME).status_code == 200


def test_deactivated_user_tokens_stop_working(api_client, user, login):
    tokens = login(user)
    user.is_active = False
    user.save()
    from apps.accounts.auth_state import auth_state_store

    auth_state_store(user)

    assert bearer(api_client, tokens["access"]).get(ME).status_code == 401


def test_authenticated_request_makes_no_query_once_auth_state_is_cached(
    api_client, user, login, django_assert_num_queries
):
    bearer(api_client, login(user)["access"])
    assert api_client.get(ME).status_code == 200  # fills the cache

    with django_assert_num_queries(0):
        response = api_client.get(ME)

    assert response.status_code == 200
    assert response.json()["id"] == user.id


def test_auth_state_survives_a_flushed_cache(api_client, user, login, django_assert_num_queries):
    from django.core.cache import cache

    bearer(api_client, login(user)["access"])
    cache.clear()

    with django_assert_num_queries(1):  # the one look-up that refills the entry
        assert api_client.get(ME).status_code == 200


def test_cached_user_loads_deferred_fields_on_demand(user):
    from apps.accounts.auth_state import auth_state_get

    cached_user = auth_state_get(user.id).as_user()

    assert cached_user.get_deferred_fields() >= {"email", "password"}
    assert cached_user.email == user.email


def test_second_user_tokens_are_unaffected_by_first_users_logout_all(api_client, login):
    alice, bob = UserFactory(), UserFactory()
    alice_tokens, bob_tokens = login(alice), login(bob)

    bearer(api_client, alice_tokens["access"]).post(LOGOUT_ALL)

    assert bearer(api_client, bob_tokens["access"]).get(ME).status_code == 200

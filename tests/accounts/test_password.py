"""Changing a password ends every other session; so does any new password, set anywhere (an
admin's reset too)."""

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD_URL = "/api/v1/auth/password/"
NEW = "copper-kettle-orchard-88"


def _me(api_client, access):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api_client.get("/api/v1/auth/me/").status_code


def _refresh(api_client, refresh):
    api_client.credentials()
    return api_client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json").status_code


def test_changing_my_password_ends_my_other_sessions_and_keeps_this_one(api_client, login, user):
    phone, laptop = login(user), login(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {laptop['access']}")

    response = api_client.post(PASSWORD_URL, {"old_password": PASSWORD, "new_password": NEW}, format="json")

    assert response.status_code == 200
    fresh = response.json()
    assert _me(api_client, phone["access"]) == 401
    assert _me(api_client, laptop["access"]) == 401
    assert _refresh(api_client, phone["refresh"]) == 401
    assert _me(api_client, fresh["access"]) == 200
    assert _refresh(api_client, fresh["refresh"]) == 200
    assert login(user, password=NEW)["access"]


def test_the_current_password_is_required(client_for, user):
    response = client_for(user).post(
        PASSWORD_URL, {"old_password": "guess", "new_password": NEW}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["old_password"][0]["code"] == "wrong_password"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_a_weak_new_password_is_refused(client_for, user):
    response = client_for(user).post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password": "password123"}, format="json"
    )

    assert response.status_code == 400
    assert "new_password" in response.json()["fields"]


def test_changing_a_password_needs_a_login(api_client):
    response = api_client.post(PASSWORD_URL, {"old_password": PASSWORD, "new_password": NEW}, format="json")

    assert response.status_code == 401


def test_an_admins_password_reset_ends_every_session(api_client, login, user):
    tokens = login(user)
    account = User.objects.get(pk=user.pk)

    account.set_password(NEW)  # what the admin's reset form and `changepassword` do
    account.save()

    assert _me(api_client, tokens["access"]) == 401
    assert _refresh(api_client, tokens["refresh"]) == 401


def test_the_admin_reset_form_ends_every_session(admin_client, api_client, login, user):
    tokens = login(user)

    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/", {"password1": NEW, "password2": NEW}
    )

    assert response.status_code == 302
    assert _me(api_client, tokens["access"]) == 401
    assert _refresh(api_client, tokens["refresh"]) == 401


def test_changepassword_is_a_new_password_too(monkeypatch, api_client, login, user):
    tokens = login(user)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW)

    call_command("changepassword", user.username)

    assert _me(api_client, tokens["access"]) == 401


def test_log_in_attempts_are_limited_per_account_whatever_the_address(settings, user):
    from rest_framework.test import APIClient

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": "2/min"}
    answers = [
        APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(
            "/api/v1/auth/token/", {"username": user.username, "password": "guess"}, format="json"
        )
        for n in range(3)
    ]

    assert [a.status_code for a in answers] == [401, 401, 429]
    assert answers[-1].json()["code"] == "throttled"
    assert int(answers[-1]["Retry-After"]) >= 1


def test_the_admin_log_in_form_is_limited_too(settings, client, user):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": "2/min"}

    codes = [
        client.post("/admin/login/", {"username": user.username, "password": "guess"}).status_code
        for _ in range(3)
    ]

    assert codes == [200, 200, 429]

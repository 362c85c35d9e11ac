import pytest

from apps.accounts.models import User
from apps.core import crypto

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
STRONG = "violet-anchor-meadow-17"


def register(api_client, **data):
    return api_client.post(REGISTER, data, format="json")


def field_codes(response, field):
    return [error["code"] for error in response.json()["fields"][field]]


def test_register_creates_user_with_argon2_password(api_client):
    response = register(api_client, username="alice", password=STRONG, email="Alice@Example.org")

    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "username": "alice"}
    user = User.objects.get(pk=body["id"])
    assert user.password.startswith("argon2$")
    assert user.check_password(STRONG)
    assert user.email == "Alice@Example.org"


def test_register_with_phone_normalises_it(api_client):
    response = register(api_client, username="bob_1", password=STRONG, phone="+1 (415) 555-0123")

    assert response.status_code == 201
    assert User.objects.get(username="bob_1").phone == "+14155550123"


def test_register_duplicate_username_is_refused_without_regard_to_case(api_client, user):
    response = register(api_client, username=user.username.upper(), password=STRONG)

    assert response.status_code == 409  # well formed, and someone has it
    assert response.json()["code"] == "invalid"
    assert field_codes(response, "username") == ["username_taken"]


def test_a_registered_email_is_not_confirmed_to_a_stranger(api_client, user):
    """The answer is that of a fresh address; the new account does not get the address."""
    response = register(api_client, username="carol", password=STRONG, email=user.email.upper())

    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"], "username": "carol"}
    assert User.objects.get(username="carol").email is None
    assert User.objects.by_email(user.email).get() == user


def test_a_registered_phone_is_not_confirmed_to_a_stranger(api_client):
    assert register(api_client, username="dave", password=STRONG, phone="+442071838750").status_code == 201

    response = register(api_client, username="erin", password=STRONG, phone="+44 20 7183 8750")

    assert response.status_code == 201
    assert User.objects.get(username="erin").phone is None
    assert User.objects.by_phone("+442071838750").get().username == "dave"


def test_a_weak_password_is_judged_before_anything_about_others(api_client, user):
    response = register(api_client, username=user.username, password="short1", email=user.email)

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"password"}


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1", "password_too_short"),
        ("password123", "password_too_common"),
        ("83749201746", "password_entirely_numeric"),
    ],
)
def test_register_weak_password_is_refused(api_client, password, code):
    response = register(api_client, username="frank", password=password)

    assert response.status_code == 400
    assert code in field_codes(response, "password")
    assert not User.objects.filter(username="frank").exists()


def test_register_password_like_username_is_refused(api_client):
    response = register(api_client, username="gracehopper", password="gracehopper1")

    assert response.status_code == 400
    assert "password_too_similar" in field_codes(response, "password")


def test_register_missing_fields_lists_each(api_client):
    response = register(api_client)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field_codes(response, "username") == ["required"]
    assert field_codes(response, "password") == ["required"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "1abc"),
        ("username", "ab"),
        ("username", "bad name"),
        ("email", "not-an-email"),
        ("phone", "0123"),
    ],
)
def test_register_malformed_field_is_refused(api_client, field, value):
    data = {"username": "henry", "password": STRONG, field: value}

    response = register(api_client, **data)

    assert response.status_code == 400
    assert field_codes(response, field) == ["invalid"]


def test_register_non_json_body_is_a_clear_error(api_client):
    response = api_client.post(REGISTER, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db(transaction=True)
def test_the_migration_binds_stored_emails_to_their_row():
    """Before 0003 an e-mail was sealed with its column only; after, with its row."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import UserFactory

    user = UserFactory(email="older@example.org")

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("accounts", target)])

    migrate("0002_alter_user_options")  # sealed with the column only, as older code did
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM accounts_user WHERE id = %s", [user.pk])
        (legacy,) = cursor.fetchone()
    assert crypto.decrypt(legacy, context="accounts.user.email") == "older@example.org"

    migrate("0003_user_seal")

    account = User.objects.get(pk=user.pk)
    assert account.email == "older@example.org"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(
            User.objects.filter(pk=user.pk).values_list("email", flat=True).get(),
            context="accounts.user.email",
        )

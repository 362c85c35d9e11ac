import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from apps.accounts.models import User
from apps.core import crypto

K1 = "k1:" + base64.b64encode(b"k1" * 16).decode()
K2 = "k2:" + base64.b64encode(b"k2" * 16).decode()
K3 = "k3:" + base64.b64encode(b"k3" * 16).decode()


def test_encrypt_round_trip_with_fresh_nonce_each_time():
    first = crypto.encrypt("hello, world", context="t.c")
    second = crypto.encrypt("hello, world", context="t.c")

    assert first != second
    assert "hello" not in first
    assert crypto.decrypt(first, context="t.c") == "hello, world"
    assert crypto.decrypt(second, context="t.c") == "hello, world"


def test_ciphertext_does_not_decrypt_in_another_context():
    token = crypto.encrypt("secret", context="accounts.user.email")

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="accounts.user.phone")


def test_tampered_ciphertext_is_refused():
    key_id, body = crypto.encrypt("secret", context="c").split("$")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{key_id}${base64.b64encode(bytes(raw)).decode()}", context="c")


def test_key_rotation_decrypts_old_values_and_encrypts_with_the_newest(settings):
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    old = crypto.encrypt("before rotation", context="c")
    assert crypto.key_id_of(old) == "k1"

    settings.FIELD_ENCRYPTION_KEYS = [K3, K1]

    assert crypto.decrypt(old, context="c") == "before rotation"
    assert not crypto.is_current(old)
    new = crypto.encrypt("after rotation", context="c")
    assert crypto.key_id_of(new) == "k3"
    assert crypto.is_current(new)


def test_value_under_a_retired_key_is_a_clear_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    old = crypto.encrypt("x", context="c")
    settings.FIELD_ENCRYPTION_KEYS = [K2]

    with pytest.raises(crypto.DecryptionError, match="k1"):
        crypto.decrypt(old, context="c")


@pytest.mark.parametrize(
    "keys",
    [["nokeyid"], ["k1:not-base64!"], ["k1:" + base64.b64encode(b"short").decode()], [K1, K1], []],
)
def test_bad_key_configuration_is_refused_with_advice(settings, keys):
    settings.FIELD_ENCRYPTION_KEYS = keys

    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x", context="c")


def test_blind_index_is_stable_and_normalised():
    assert crypto.blind_index(" Ann@Example.ORG ", kind="email") == crypto.blind_index(
        "ann@example.org", kind="email"
    )
    assert crypto.blind_index("+1 (415) 555-0123", kind="phone") == crypto.blind_index(
        "+14155550123", kind="phone"
    )
    assert crypto.blind_index("ann@example.org", kind="email") != crypto.blind_index(
        "bob@example.org", kind="email"
    )


@pytest.mark.django_db
def test_database_row_holds_ciphertext_not_the_email_or_phone():
    user = User.objects.create_user(
        username="ivy", email="ivy@example.org", phone="+15550001111", password="x"
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT email, phone, email_index FROM accounts_user WHERE id = %s", [user.id])
        email, phone, email_index = cursor.fetchone()

    # "@" is outside base64's alphabet, so no ciphertext can hold it by chance (a short
    # fragment such as "ivy" can turn up in random base64 now and then).
    assert "ivy@example.org" not in email
    assert "@" not in email
    assert "5550001111" not in phone
    assert email.startswith("k2$")
    assert phone.startswith("k2$")
    assert email_index == crypto.blind_index("ivy@example.org", kind="email")
    assert User.objects.get(pk=user.id).email == "ivy@example.org"


@pytest.mark.django_db
def test_look_up_by_email_and_phone_goes_through_the_blind_index():
    user = User.objects.create_user(
        username="jack", email="Jack@Example.org", phone="+15550002222", password="x"
    )

    assert list(User.objects.by_email("jack@example.org")) == [user]
    assert list(User.objects.by_phone("+1 555 000 2222")) == [user]
    assert not User.objects.by_email("nobody@example.org").exists()


@pytest.mark.django_db
def test_comparing_an_encrypted_column_is_refused_not_silently_empty():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(User.objects.filter(email="jack@example.org"))


@pytest.mark.django_db
def test_changing_email_updates_its_index():
    user = User.objects.create_user(username="kate", email="old@example.org", password="x")

    user.email = "new@example.org"
    user.save()

    assert list(User.objects.by_email("new@example.org")) == [user]
    assert not User.objects.by_email("old@example.org").exists()
    user.email = None
    user.save()
    assert User.objects.get(pk=user.pk).email_index is None


@pytest.mark.django_db
def test_a_ciphertext_copied_to_another_row_does_not_open_there():
    """Values are bound to their row: someone who can write the database cannot make their own
    message show another's text by copying its ciphertext over."""
    from apps.chats import services as chats
    from apps.chats.models import Message
    from apps.core.crypto import DecryptionError
    from tests.factories import UserFactory

    alice, bob, mallory = UserFactory(), UserFactory(), UserFactory()
    private, _ = chats.chat_direct_open(user=alice, peer_id=bob.id)
    own, _ = chats.chat_direct_open(user=mallory, peer_id=bob.id)
    secret, _, _ = chats.message_send(sender=alice, chat_id=private.id, text="the vault code is 0451")
    decoy, _, _ = chats.message_send(sender=mallory, chat_id=own.id, text="hello")
    stolen = Message.objects.filter(pk=secret["id"]).values_list("text", flat=True).get()

    Message.objects.filter(pk=decoy["id"]).update(text=stolen)

    with pytest.raises(DecryptionError):
        Message.objects.get(pk=decoy["id"])
    assert Message.objects.get(pk=secret["id"]).text == "the vault code is 0451"


@pytest.mark.django_db
def test_an_email_copied_to_another_account_does_not_open_there():
    from apps.accounts.models import User
    from apps.core.crypto import DecryptionError
    from tests.factories import UserFactory

    alice, mallory = UserFactory(email="alice@example.org"), UserFactory()
    stolen = User.objects.filter(pk=alice.pk).values_list("email", flat=True).get()

    User.objects.filter(pk=mallory.pk).update(email=stolen)

    with pytest.raises(DecryptionError):
        User.objects.get(pk=mallory.pk)

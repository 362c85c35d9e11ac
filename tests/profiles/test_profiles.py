import pytest

from apps.contacts.services import user_block
from apps.files.selectors import storage_name_from_url_token
from apps.profiles.models import Profile
from apps.profiles.selectors import profiles_for
from tests.factories import UserFactory
from tests.stores import connection_for

pytestmark = pytest.mark.django_db

ME = "/api/v1/profiles/me/"


def test_registration_creates_a_profile(api_client):
    response = api_client.post(
        "/api/v1/auth/register/", {"username": "nina", "password": "violet-anchor-meadow-17"}, format="json"
    )

    profile = Profile.objects.get(user_id=response.json()["id"])
    assert (profile.username, profile.display_name, profile.discoverable) == ("nina", "nina", False)


def test_my_profile_is_read_and_patched(client_for, user):
    client = client_for(user)

    response = client.patch(
        ME,
        {"display_name": "Nina N.", "bio": "hello", "sections": [{"title": "Work", "body": "Typesetter"}]},
        format="json",
    )

    assert response.status_code == 200
    assert client.get(ME).json() == {
        "id": user.id,
        "username": user.username,
        "display_name": "Nina N.",
        "bio": "hello",
        "avatar_url": None,
        "sections": [{"title": "Work", "body": "Typesetter"}],
        "discoverable": False,
    }


def test_renaming_takes_the_username_and_keeps_it_unique_without_regard_to_case(client_for, user):
    other = UserFactory(username="taken_name")
    client = client_for(user)

    refused = client.patch(ME, {"username": "TAKEN_NAME"}, format="json")
    renamed = client.patch(ME, {"username": "fresh_name"}, format="json")

    assert refused.status_code == 409
    assert refused.json()["fields"]["username"][0]["code"] == "username_taken"
    assert renamed.json()["username"] == "fresh_name"
    user.refresh_from_db()
    assert user.username == "fresh_name"
    assert client_for(other).get(f"/api/v1/profiles/{user.id}/").json()["username"] == "fresh_name"


def test_a_rename_writes_the_profile_once_and_a_refused_one_not_at_all(client_for, user):
    UserFactory(username="taken_name")
    client = client_for(user)
    version = Profile.objects.get(user_id=user.id).version

    client.patch(ME, {"username": "TAKEN_NAME"}, format="json")
    assert Profile.objects.get(user_id=user.id).version == version  # refused: nothing written
    client.patch(ME, {"username": "fresh_name"}, format="json")
    assert Profile.objects.get(user_id=user.id).version == version + 1
    client.patch(ME, {"username": "other_name", "bio": "and a bio"}, format="json")

    profile = Profile.objects.get(user_id=user.id)
    assert (profile.username, profile.bio) == ("other_name", "and a bio")


def test_an_account_made_or_renamed_in_the_admin_keeps_its_profile_in_step(admin_client):
    from apps.accounts.models import User

    created = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "from_admin",
            "password1": "violet-anchor-meadow-17",
            "password2": "violet-anchor-meadow-17",
            "usable_password": "true",
        },
    )
    assert created.status_code == 302, created.content[:500]
    made = User.objects.get(username="from_admin")
    assert Profile.objects.get(user_id=made.id).username == "from_admin"


@pytest.mark.parametrize(
    "sections",
    [
        "not a list",
        [{"title": "only title"}],
        [{"title": "", "body": "x"}],
        [{"title": "t", "body": "x" * 2100}],
        [{"title": f"t{i}", "body": "b"} for i in range(21)],
    ],
)
def test_bad_sections_are_refused_and_nothing_changes(client_for, user, sections):
    client = client_for(user)

    response = client.patch(ME, {"sections": sections, "bio": "changed"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["sections"][0]["code"] == "sections_invalid"
    assert client.get(ME).json()["bio"] == ""


def test_avatar_must_be_an_image_the_user_uploaded(client_for, user, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(user)
    image = client.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("me.png", png_bytes)}, format="multipart"
    ).json()
    text = client.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("a.txt", b"plain words")}, format="multipart"
    ).json()
    someone_elses = (
        client_for(UserFactory())
        .post("/api/v1/files/", {"file": SimpleUploadedFile("x.png", png_bytes)}, format="multipart")
        .json()
    )

    assert client.patch(ME, {"avatar_file_id": text["id"]}, format="json").json()["code"] == "not_an_image"
    assert client.patch(ME, {"avatar_file_id": someone_elses["id"]}, format="json").status_code == 403
    response = client.patch(ME, {"avatar_file_id": image["id"]}, format="json")
    avatar_link = response.json()["avatar_url"].rsplit("/", 2)[-2]
    assert storage_name_from_url_token(avatar_link) == storage_name_from_url_token(
        image["url"].rsplit("/", 2)[-2]
    )
    assert client.patch(ME, {"avatar_file_id": None}, format="json").json()["avatar_url"] is None


def test_another_users_profile_is_visible_unless_they_blocked_me(client_for, user):
    other = UserFactory()
    client = client_for(user)

    assert client.get(f"/api/v1/profiles/{other.id}/").status_code == 200
    user_block(user=other, blocked_id=user.id)
    hidden = client.get(f"/api/v1/profiles/{other.id}/")
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "profile_not_found"
    assert client.get("/api/v1/profiles/999999/").status_code == 404


def test_profiles_need_authentication(api_client, user):
    assert api_client.get(ME).status_code == 401
    assert api_client.get(f"/api/v1/profiles/{user.id}/").status_code == 401


def test_batch_selector_answers_many_in_one_query_then_from_cache(django_assert_num_queries):
    users = [UserFactory() for _ in range(5)]
    ids = [u.id for u in users]

    store = connection_for(Profile)
    with django_assert_num_queries(1, connection=store):
        first = profiles_for(user_ids=ids)
    with django_assert_num_queries(0, connection=store):
        second = profiles_for(user_ids=ids)

    assert set(first) == set(ids)
    assert first == second


def test_profile_cache_is_refreshed_on_change(client_for, user, after_commit):
    profiles_for(user_ids=[user.id])  # cached
    with after_commit():
        client_for(user).patch(ME, {"display_name": "Changed"}, format="json")

    assert profiles_for(user_ids=[user.id])[user.id]["display_name"] == "Changed"


def test_stale_cache_write_never_overwrites_a_newer_profile(user):
    from apps.profiles.selectors import profile_cache_store

    profile = Profile.objects.get(user_id=user.id)
    old = Profile.objects.get(pk=profile.pk)
    profile.display_name, profile.version = "New", profile.version + 1
    profile.save()
    profile_cache_store(Profile.objects.get(pk=profile.pk))

    profile_cache_store(old)  # a reader that loaded the row before the change, writing late

    assert profiles_for(user_ids=[user.id])[user.id]["display_name"] == "New"


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_profiles_stored_in_clear(user):
    from django.db import connections, router
    from django.db.migrations.executor import MigrationExecutor

    from apps.profiles.models import Profile
    from apps.profiles.services import profile_update
    from tests.stores import raw_column

    profile_update(user=user, bio="plain bio", sections=[{"title": "t", "body": "plain section"}])
    connection = connections[router.db_for_write(Profile)]

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("profiles", target)])

    migrate("0001_initial")  # back to the columns in clear
    assert raw_column(Profile, "bio", user_id=user.id) == ["plain bio"]

    migrate("0002_encrypt_personal_fields")

    assert "plain" not in str(raw_column(Profile, "bio", user_id=user.id))
    assert "plain" not in str(raw_column(Profile, "sections", user_id=user.id))
    profile = Profile.objects.get(user_id=user.id)
    assert profile.bio == "plain bio"
    assert profile.sections == [{"title": "t", "body": "plain section"}]

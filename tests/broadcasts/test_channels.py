import threading

import pytest
from django.db import connections

from apps.broadcasts import services
from apps.broadcasts.models import Channel, Subscription
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANNELS = "/api/v1/channels/"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"title": "   "}, "title", "text_empty"),
        ({"title": "x" * 129}, "title", "text_too_long"),
        ({"description": "x" * 1001}, "description", "text_too_long"),
    ],
)
def test_the_service_refuses_a_bad_title_or_description_on_its_own_field(owner, changes, field, code):
    """Callers other than the API (which checks lengths first) get the field that is wrong."""
    from apps.broadcasts.services import channel_create
    from apps.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        channel_create(owner=owner, handle="daily_dogs", **{"title": "Dogs", **changes})

    assert refused.value.fields[field][0]["code"] == code


def test_create_channel_makes_the_owner_its_first_subscriber(client_for, owner):
    response = client_for(owner).post(
        CHANNELS, {"handle": "@Daily_Dogs", "title": "Daily dogs", "description": "Woof"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["handle"], body["role"], body["subscribed"], body["subscriber_count"]) == (
        "daily_dogs",
        "owner",
        True,
        1,
    )
    assert body["invite_token"]


@pytest.mark.parametrize(
    ("handle", "status", "code"),
    [
        ("ab", 400, "handle_invalid"),
        ("1cats", 400, "handle_invalid"),
        ("has space", 400, "handle_invalid"),
        ("KITTEN_NEWS", 409, "handle_taken"),
        ("@Kitten_News", 409, "handle_taken"),  # the same handle, as a person may write it
    ],
)
def test_bad_or_taken_handle_is_refused(client_for, owner, channel, handle, status, code):
    response = client_for(owner).post(CHANNELS, {"handle": handle, "title": "x"}, format="json")

    assert response.status_code == status
    assert response.json()["fields"]["handle"][0]["code"] == code


def test_only_admins_edit_and_only_the_owner_deletes(client_for, owner, reader, channel):
    url = f"{CHANNELS}{channel.id}/"
    refused = client_for(reader).patch(url, {"title": "Mine now"}, format="json")
    edited = client_for(owner).patch(url, {"title": "Kitten news daily"}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (403, "not_channel_admin")
    assert edited.json()["title"] == "Kitten news daily"
    assert client_for(reader).delete(url).status_code == 403
    assert client_for(owner).delete(url).status_code == 204
    assert client_for(owner).get(url).status_code == 404


def test_subscribe_and_unsubscribe_are_idempotent_and_counted(client_for, owner, reader, channel):
    client = client_for(reader)

    first = client.post(f"{CHANNELS}{channel.id}/subscribe/", format="json")
    again = client.post(f"{CHANNELS}{channel.id}/subscribe/", format="json")

    assert (first.json()["subscribed"], first.json()["subscriber_count"]) == (True, 2)
    assert again.json()["subscriber_count"] == 2
    assert client.post(f"{CHANNELS}{channel.id}/unsubscribe/").status_code == 204
    assert client.post(f"{CHANNELS}{channel.id}/unsubscribe/").status_code == 204
    assert client.get(f"{CHANNELS}{channel.id}/").json()["subscriber_count"] == 1
    owner_leaves = client_for(owner).post(f"{CHANNELS}{channel.id}/unsubscribe/")
    assert (owner_leaves.status_code, owner_leaves.json()["code"]) == (409, "owner_cannot_unsubscribe")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_subscriber_count_stays_right_under_concurrent_subscribes(owner, channel):
    people = [UserFactory() for _ in range(12)]
    barrier = threading.Barrier(len(people) * 2)

    def subscribe(user):
        barrier.wait()
        try:
            services.channel_subscribe(user=user, channel_id=channel.id)
        finally:
            connections.close_all()  # the thread's connections, the document store's too

    threads = [threading.Thread(target=subscribe, args=(u,)) for u in people for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    channel.refresh_from_db()
    assert Subscription.objects.filter(channel=channel).count() == 13
    assert channel.subscriber_count == 13


def test_private_channel_is_invisible_and_joined_only_with_its_invite(
    client_for, owner, reader, private_channel
):
    client = client_for(reader)
    url = f"{CHANNELS}{private_channel.id}/"

    assert client.get(url).status_code == 404
    assert client.get(f"{url}posts/").status_code == 404
    no_invite = client.post(f"{url}subscribe/", {}, format="json")
    wrong = client.post(f"{url}subscribe/", {"invite": "guess"}, format="json")
    missing = client.post(f"{CHANNELS}987654321/subscribe/", {}, format="json")
    # A private channel without its invite answers exactly as a channel that does not exist.
    assert (no_invite.status_code, no_invite.json()) == (missing.status_code, missing.json())
    assert (wrong.status_code, wrong.json()) == (404, missing.json())
    invite = client_for(owner).get(url).json()["invite_token"]

    joined = client.post(f"{CHANNELS}join/", {"invite": invite}, format="json")

    assert joined.status_code == 200
    assert joined.json()["subscribed"] is True
    assert "invite_token" not in joined.json()
    assert client.get(url).status_code == 200


def test_renewing_the_invite_link_retires_the_old_one(client_for, owner, reader, private_channel):
    old = private_channel.invite_token
    client_for(owner).patch(f"{CHANNELS}{private_channel.id}/", {"renew_invite": True}, format="json")

    response = client_for(reader).post(f"{CHANNELS}join/", {"invite": old}, format="json")

    assert response.status_code == 404


def test_my_subscriptions_are_listed_newest_first(client_for, owner, reader, channel):
    other = services.channel_create(owner=owner, handle="puppy_news", title="Puppy news")
    client = client_for(reader)
    client.post(f"{CHANNELS}{channel.id}/subscribe/")
    client.post(f"{CHANNELS}{other.id}/subscribe/")

    listed = client.get(CHANNELS).json()["results"]

    assert [c["handle"] for c in listed] == ["puppy_news", "kitten_news"]


def test_search_finds_public_channels_by_title_handle_or_description(
    client_for, owner, reader, channel, private_channel
):
    services.channel_create(
        owner=owner, handle="dog_days", title="Dog days", description="No cats here, honest"
    )
    client = client_for(reader)

    by_title = client.get(CHANNELS, {"q": "kitten"}).json()["results"]
    by_description = client.get(CHANNELS, {"q": "cats"}).json()["results"]
    private = client.get(CHANNELS, {"q": "secret"}).json()["results"]

    assert [c["handle"] for c in by_title] == ["kitten_news"]
    assert {c["handle"] for c in by_description} == {"kitten_news", "dog_days"}
    assert private == []


@pytest.mark.postgres
def test_postgres_search_ranks_and_tolerates_typos(client_for, owner, reader):
    for handle, title in [
        ("kitten_news", "Kitten news"),
        ("kitchen_tips", "Kitchen tips"),
        ("garden_life", "Garden life"),
    ]:
        services.channel_create(owner=owner, handle=handle, title=title)
    client = client_for(reader)

    typo = client.get(CHANNELS, {"q": "kiten news"}).json()["results"]

    assert typo[0]["handle"] == "kitten_news"
    assert "garden_life" not in [c["handle"] for c in typo]


def test_taken_down_channel_disappears(client_for, owner, reader, channel):
    services.channel_takedown(channel_id=channel.id)

    assert client_for(reader).get(f"{CHANNELS}{channel.id}/").status_code == 404
    assert client_for(reader).get(CHANNELS, {"q": "kitten"}).json()["results"] == []
    assert Channel.objects.filter(pk=channel.id).exists()


@pytest.fixture
def gardens(owner):
    """Channels whose titles share words (their handles do not), the exact ones the smallest."""
    made = {}
    for handle, title, description, subscribers in [
        ("club_one", "The x gardens club", "", 5_000),
        ("more_two", "X gardens and more", "", 90_000),
        ("small_three", "X Gardens", "", 3),
        ("digest_four", "Daily digest", "Gardens of the world, and x", 1_000_000),
        ("green_thumbs", "Gardening tips", "", 10),
        ("green_weekly", "Green thumbs weekly", "", 50_000),
    ]:
        made[handle] = services.channel_create(
            owner=owner, handle=handle, title=title, description=description
        )
        Channel.objects.filter(pk=made[handle].pk).update(subscriber_count=subscribers)
    return made


def searched(client, q):
    return [c["handle"] for c in client.get(CHANNELS, {"q": q}).json()["results"]]


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres), "simple"])
def test_search_puts_the_exact_title_or_handle_first_whatever_its_size(
    client_for, reader, gardens, settings, backend
):
    settings.CHANNEL_SEARCH_BACKEND = backend
    client = client_for(reader)

    assert searched(client, "x gardens")[0] == "small_three"  # before longer titles and bigger channels
    assert searched(client, "X  Gardens!")[0] == "small_three"  # as words, whatever the case and marks
    assert searched(client, "green_thumbs")[0] == "green_thumbs"  # the handle, before a title
    assert searched(client, "@green_thumbs")[0] == "green_thumbs"


@pytest.mark.postgres
def test_search_ranks_relevance_before_popularity(client_for, reader, gardens):
    ranked = searched(client_for(reader), "gardens")

    # In the title before only in the description, however big; then the shorter title (more
    # of it is what was asked); then the bigger channel.
    assert ranked == ["small_three", "more_two", "club_one", "digest_four"]

"""Reactions to channel posts: subscribers react, every reader sees the counts, each sees their
own; a few per person; refused to those who do not follow; gone with the post, the channel or
the person who gave them."""

import pytest
from django.conf import settings

from apps.broadcasts import services
from apps.broadcasts.models import PostReaction
from apps.moderation.erasure import person_erase
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

THUMBS, FIRE = "👍", "🔥"


@pytest.fixture
def post(owner, channel, after_commit):
    with after_commit():
        return services.post_create(user=owner, channel_id=channel.id, text="Kittens at noon")


@pytest.fixture
def subscribers(channel):
    people = [UserFactory(username=f"sub{index}") for index in range(3)]
    for person in people:
        services.channel_subscribe(user=person, channel_id=channel.id)
    return people


def react(client, post, emoji):
    return client.post(f"/api/v1/posts/{post.pk}/reactions/", {"emoji": emoji}, format="json")


def unreact(client, post, emoji):
    return client.delete(f"/api/v1/posts/{post.pk}/reactions/?emoji={emoji}")


def newest(client, channel):
    return client.get(f"/api/v1/channels/{channel.id}/posts/").json()["results"][0]


def test_readers_see_counts_and_each_their_own(client_for, owner, channel, post, subscribers, after_commit):
    first, second, third = subscribers
    with after_commit():
        react(client_for(first), post, THUMBS)
        react(client_for(second), post, THUMBS)
        answer = react(client_for(second), post, FIRE)

    assert answer.json()["reactions"] == [{"emoji": THUMBS, "count": 2}, {"emoji": FIRE, "count": 1}]
    assert answer.json()["my_reactions"] == [THUMBS, FIRE]
    shown = newest(client_for(third), channel)  # the cached newest page
    assert shown["reactions"] == [{"emoji": THUMBS, "count": 2}, {"emoji": FIRE, "count": 1}]
    assert shown["my_reactions"] == []
    assert newest(client_for(first), channel)["my_reactions"] == [THUMBS]
    assert "user_ids" not in shown["reactions"][0]  # counts only: who reacted is not shown


def test_taking_back_and_repeating_change_nothing_twice(client_for, post, subscribers):
    client = client_for(subscribers[0])
    react(client, post, THUMBS)
    again = react(client, post, THUMBS)
    removed = unreact(client, post, THUMBS)
    removed_again = unreact(client, post, THUMBS)

    assert again.json()["reactions"] == [{"emoji": THUMBS, "count": 1}]
    assert removed.json()["reactions"] == removed_again.json()["reactions"] == []
    assert removed_again.json()["my_reactions"] == []


def test_refusals(client_for, reader, post, subscribers):
    not_following = react(client_for(reader), post, THUMBS)
    unknown_emoji = react(client_for(subscribers[0]), post, "🦄")
    client = client_for(subscribers[1])
    for emoji in settings.REACTIONS[: settings.REACTIONS_PER_PERSON]:
        react(client, post, emoji)
    too_many = react(client, post, settings.REACTIONS[settings.REACTIONS_PER_PERSON])

    assert (not_following.status_code, not_following.json()["code"]) == (403, "not_subscribed")
    assert unknown_emoji.status_code == 400
    assert "emoji" in unknown_emoji.json()["fields"]
    assert (too_many.status_code, too_many.json()["code"]) == (409, "too_many_reactions")
    kept = client.get(f"/api/v1/channels/{post.channel_id}/posts/").json()["results"][0]["my_reactions"]
    assert kept == settings.REACTIONS[: settings.REACTIONS_PER_PERSON]  # nothing lost


def test_a_deleted_post_takes_its_reactions_and_is_no_longer_reacted_to(client_for, owner, post, subscribers):
    react(client_for(subscribers[0]), post, THUMBS)

    client_for(owner).delete(f"/api/v1/posts/{post.pk}/")
    gone = react(client_for(subscribers[1]), post, THUMBS)

    assert not PostReaction.objects.filter(post_id=post.pk).exists()
    assert (gone.status_code, gone.json()["code"]) == (404, "post_not_found")


def test_an_erased_person_s_reactions_are_taken_back(client_for, channel, post, subscribers, after_commit):
    first, second, _ = subscribers
    react(client_for(first), post, THUMBS)
    react(client_for(second), post, THUMBS)

    with after_commit():
        person_erase(user=first)

    assert newest(client_for(second), channel)["reactions"] == [{"emoji": THUMBS, "count": 1}]
    assert not PostReaction.objects.filter(user_id=first.pk).exists()

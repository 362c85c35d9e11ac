import pytest
from django.test.utils import CaptureQueriesContext

from apps.broadcasts import services
from apps.broadcasts.models import Post
from tests.stores import connection_for, raw_column

pytestmark = pytest.mark.django_db


def posts_url(channel):
    return f"/api/v1/channels/{channel.id}/posts/"


def texts(page):
    return [p["text"] for p in page["results"]]


def test_admins_post_and_others_may_not(client_for, owner, reader, channel):
    created = client_for(owner).post(posts_url(channel), {"text": "First!"}, format="json")
    refused = client_for(reader).post(posts_url(channel), {"text": "Me too"}, format="json")

    assert created.status_code == 201
    assert (created.json()["seq"], created.json()["text"]) == (1, "First!")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_channel_admin")


def test_newest_page_is_ten_posts_served_from_the_cache(client_for, owner, reader, channel, after_commit):
    with after_commit():
        for index in range(12):
            services.post_create(user=owner, channel_id=channel.id, text=f"p{index}")
    client = client_for(reader)
    client.get(posts_url(channel))  # warm the auth state

    with CaptureQueriesContext(connection_for(Post)) as captured:
        page = client.get(posts_url(channel)).json()

    assert texts(page) == [f"p{i}" for i in range(11, 1, -1)]
    assert page["has_more"] is True
    assert not [q for q in captured.captured_queries if "broadcasts_post" in q["sql"]]


def test_cache_follows_new_edited_and_deleted_posts(client_for, owner, reader, channel, after_commit):
    client = client_for(reader)
    with after_commit():
        first = services.post_create(user=owner, channel_id=channel.id, text="one")
    client.get(posts_url(channel))
    with after_commit():
        second = services.post_create(user=owner, channel_id=channel.id, text="two")
        services.post_edit(user=owner, post_id=first.id, text="ONE")
        services.post_delete(user=owner, post_id=second.id)

    cached = client.get(posts_url(channel)).json()

    assert texts(cached) == ["ONE"]
    from django.core.cache import cache

    cache.clear()
    assert client.get(posts_url(channel)).json() == cached


def test_older_posts_page_from_the_database(client_for, owner, reader, channel):
    for index in range(15):
        services.post_create(user=owner, channel_id=channel.id, text=f"p{index}")

    older = client_for(reader).get(posts_url(channel), {"before": 6}).json()

    assert texts(older) == ["p4", "p3", "p2", "p1", "p0"]
    assert older["has_more"] is False


@pytest.mark.parametrize("query", [{"before": "abc"}, {"before": 0}, {"limit": 100}])
def test_bad_post_cursors_are_clear_400s(client_for, reader, channel, query):
    response = client_for(reader).get(posts_url(channel), query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_post_text_is_encrypted_at_rest(owner, channel):
    post = services.post_create(user=owner, channel_id=channel.id, text="embargoed scoop")

    (stored,) = raw_column(Post, "text", id=post.id)
    assert "scoop" not in stored
    assert stored.startswith("k2$")


def test_editing_and_deleting_posts_needs_an_admin(client_for, owner, reader, channel):
    post = services.post_create(user=owner, channel_id=channel.id, text="news")

    assert (
        client_for(reader).patch(f"/api/v1/posts/{post.id}/", {"text": "fake"}, format="json").status_code
        == 403
    )
    assert client_for(reader).delete(f"/api/v1/posts/{post.id}/").status_code == 403
    assert (
        client_for(owner).patch(f"/api/v1/posts/{post.id}/", {"text": "news!"}, format="json").json()["text"]
        == "news!"
    )
    assert client_for(owner).delete(f"/api/v1/posts/{post.id}/").status_code == 204
    assert Post.objects.get(pk=post.id).deleted


def test_comments_need_a_subscription_and_poll_with_after(client_for, owner, reader, channel):
    post = services.post_create(user=owner, channel_id=channel.id, text="Discuss")
    url = f"/api/v1/posts/{post.id}/comments/"
    client = client_for(reader)

    refused = client.post(url, {"text": "hi"}, format="json")
    client.post(f"/api/v1/channels/{channel.id}/subscribe/")
    first = client.post(url, {"text": "first"}, format="json").json()
    second = client.post(url, {"text": "second"}, format="json").json()

    assert (refused.status_code, refused.json()["code"]) == (403, "not_subscribed")
    assert [c["text"] for c in client.get(url).json()["results"]] == ["first", "second"]
    assert [c["text"] for c in client.get(url, {"after": first["id"]}).json()["results"]] == ["second"]
    assert client.get(url, {"after": second["id"]}).json()["results"] == []
    assert client.get(url, {"after": "x"}).status_code == 400


def test_commenting_on_a_deleted_post_is_refused(client_for, owner, reader, channel):
    post = services.post_create(user=owner, channel_id=channel.id, text="gone soon")
    services.channel_subscribe(user=reader, channel_id=channel.id)
    services.post_delete(user=owner, post_id=post.id)

    response = client_for(reader).post(f"/api/v1/posts/{post.id}/comments/", {"text": "late"}, format="json")

    assert (response.status_code, response.json()["code"]) == (404, "post_not_found")


def test_comment_is_deleted_by_its_author_or_a_channel_admin(client_for, owner, reader, channel):
    post = services.post_create(user=owner, channel_id=channel.id, text="Discuss")
    services.channel_subscribe(user=reader, channel_id=channel.id)
    from tests.factories import UserFactory

    stranger = UserFactory()
    services.channel_subscribe(user=stranger, channel_id=channel.id)
    mine = services.comment_create(user=reader, post_id=post.id, text="mine")
    other = services.comment_create(user=reader, post_id=post.id, text="other")
    url = f"/api/v1/posts/{post.id}/comments/"

    assert client_for(stranger).delete(f"{url}{mine.id}/").status_code == 403
    assert client_for(reader).delete(f"{url}{mine.id}/").status_code == 204
    assert client_for(owner).delete(f"{url}{other.id}/").status_code == 204
    assert client_for(reader).get(url).json()["results"] == []

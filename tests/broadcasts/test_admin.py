import pytest

from apps.broadcasts import services
from apps.broadcasts.models import Channel, Comment, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_superuser(username="mod", password="x-admin-pass-123")


def test_take_down_actions_hide_channels_and_erase_posts_and_comments(
    client, moderator, owner, reader, channel
):
    post = services.post_create(user=owner, channel_id=channel.id, text="bad post")
    services.channel_subscribe(user=reader, channel_id=channel.id)
    comment = services.comment_create(user=reader, post_id=post.id, text="bad comment")
    client.force_login(moderator)

    for model, pk in (("comment", comment.id), ("post", post.id), ("channel", channel.id)):
        response = client.post(
            f"/admin/broadcasts/{model}/", {"action": "take_down", "_selected_action": [pk]}, follow=True
        )
        assert response.status_code == 200

    assert Comment.objects.get(pk=comment.id).text == ""
    assert Post.objects.get(pk=post.id).deleted
    assert Channel.objects.get(pk=channel.id).taken_down_at is not None
    for path in (
        "/admin/broadcasts/channel/",
        f"/admin/broadcasts/channel/{channel.id}/change/",
        "/admin/broadcasts/post/",
    ):
        assert client.get(path).status_code == 200

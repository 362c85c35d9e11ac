from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.broadcasts import search, selectors, services
from apps.core.api import parse, render

from . import serializers as s


def _detail(request, channel_id: int) -> dict:
    return render(s.ChannelOutput, selectors.channel_detail(channel_id=channel_id, user_id=request.user.id))


class ChannelListView(APIView):
    throttle_scope = {"GET": "search"}

    @extend_schema(
        operation_id="channels_list",
        parameters=[s.ChannelListQuery],
        responses={200: s.ChannelPageOutput},
        tags=["channels"],
        description="With `q`: search public channels, best match first. Without: my subscriptions.",
    )
    def get(self, request):
        query = parse(s.ChannelListQuery, request.query_params)
        if query.get("q", "").strip():
            found = search.channel_search(q=query["q"].strip(), limit=query["limit"])
            subscribed = selectors.subscribed_ids(user_id=request.user.id, channel_ids=[c.pk for c in found])
            rows = [selectors.channel_public(c, role=None, subscribed=c.pk in subscribed) for c in found]
            return Response(render(s.ChannelPageOutput, {"results": rows, "has_more": False}))
        page = selectors.channels_subscribed(
            user_id=request.user.id, before_id=query.get("before"), limit=query["limit"]
        )
        return Response(render(s.ChannelPageOutput, page))

    @extend_schema(request=s.ChannelCreateInput, responses={201: s.ChannelOutput}, tags=["channels"])
    def post(self, request):
        data = parse(s.ChannelCreateInput, request.data)
        channel = services.channel_create(owner=request.user, **data)
        return Response(_detail(request, channel.pk), status=status.HTTP_201_CREATED)


class ChannelDetailView(APIView):
    @extend_schema(responses={200: s.ChannelOutput}, tags=["channels"])
    def get(self, request, channel_id: int):
        return Response(_detail(request, channel_id))

    @extend_schema(request=s.ChannelUpdateInput, responses={200: s.ChannelOutput}, tags=["channels"])
    def patch(self, request, channel_id: int):
        data = parse(s.ChannelUpdateInput, request.data)
        services.channel_update(user=request.user, channel_id=channel_id, **data)
        return Response(_detail(request, channel_id))

    @extend_schema(responses={204: None}, tags=["channels"])
    def delete(self, request, channel_id: int):
        services.channel_delete(user=request.user, channel_id=channel_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscribeView(APIView):
    @extend_schema(request=s.SubscribeInput, responses={200: s.ChannelOutput}, tags=["channels"])
    def post(self, request, channel_id: int):
        data = parse(s.SubscribeInput, request.data)
        services.channel_subscribe(user=request.user, channel_id=channel_id, invite=data.get("invite"))
        return Response(_detail(request, channel_id))


class UnsubscribeView(APIView):
    @extend_schema(request=None, responses={204: None}, tags=["channels"])
    def post(self, request, channel_id: int):
        services.channel_unsubscribe(user=request.user, channel_id=channel_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JoinView(APIView):
    @extend_schema(request=s.JoinInput, responses={200: s.ChannelOutput}, tags=["channels"])
    def post(self, request):
        data = parse(s.JoinInput, request.data)
        channel, _ = services.channel_subscribe(user=request.user, invite=data["invite"])
        return Response(_detail(request, channel.pk))


class PostListView(APIView):
    @extend_schema(
        operation_id="channel_posts_list",
        parameters=[s.PostsQuery],
        responses={200: s.PostPageOutput},
        tags=["channels"],
    )
    def get(self, request, channel_id: int):
        query = parse(s.PostsQuery, request.query_params)
        return Response(
            render(
                s.PostPageOutput,
                selectors.posts_page(
                    channel_id=channel_id,
                    user_id=request.user.id,
                    before_seq=query.get("before"),
                    limit=query["limit"],
                ),
            )
        )

    @extend_schema(request=s.PostInput, responses={201: s.PostOutput}, tags=["channels"])
    def post(self, request, channel_id: int):
        data = parse(s.PostInput, request.data)
        post = services.post_create(
            user=request.user, channel_id=channel_id, text=data["text"], attachment_ids=data["attachments"]
        )
        return Response(
            render(
                s.PostOutput,
                selectors.posts_public([selectors.post_stored(post)], user_id=request.user.id)[0],
            ),
            status=status.HTTP_201_CREATED,
        )


class PostDetailView(APIView):
    @extend_schema(request=s.PostEditInput, responses={200: s.PostOutput}, tags=["channels"])
    def patch(self, request, post_id: int):
        data = parse(s.PostEditInput, request.data)
        post = services.post_edit(user=request.user, post_id=post_id, text=data["text"])
        shown = selectors.posts_public([selectors.post_stored(post)], user_id=request.user.id)[0]
        return Response(render(s.PostOutput, shown))

    @extend_schema(responses={204: None}, tags=["channels"])
    def delete(self, request, post_id: int):
        services.post_delete(user=request.user, post_id=post_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostReactionsView(APIView):
    throttle_scope = {"POST": "reaction", "DELETE": "reaction"}

    @extend_schema(
        request=s.PostReactionInput,
        responses={200: s.PostOutput},
        tags=["channels"],
        description="Subscribers (and admins) react, at most `REACTIONS_PER_PERSON` on one post; "
        "adding one you gave already changes nothing.",
    )
    def post(self, request, post_id: int):
        data = parse(s.PostReactionInput, request.data)
        return Response(render(s.PostOutput, services.post_react(user=request.user, post_id=post_id, **data)))

    @extend_schema(
        parameters=[s.PostReactionInput],
        responses={200: s.PostOutput},
        tags=["channels"],
        description="Take back your reaction; one you did not give changes nothing.",
    )
    def delete(self, request, post_id: int):
        data = parse(s.PostReactionInput, request.query_params)
        post = services.post_react(user=request.user, post_id=post_id, add=False, **data)
        return Response(render(s.PostOutput, post))


class CommentListView(APIView):
    @extend_schema(
        operation_id="post_comments_list",
        parameters=[s.CommentsQuery],
        responses={200: s.CommentPageOutput},
        tags=["channels"],
    )
    def get(self, request, post_id: int):
        query = parse(s.CommentsQuery, request.query_params)
        page = selectors.comments_page(
            post_id=post_id, user_id=request.user.id, after_id=query.get("after"), limit=query["limit"]
        )
        return Response(render(s.CommentPageOutput, page))

    @extend_schema(request=s.CommentInput, responses={201: s.CommentOutput}, tags=["channels"])
    def post(self, request, post_id: int):
        data = parse(s.CommentInput, request.data)
        comment = services.comment_create(user=request.user, post_id=post_id, text=data["text"])
        return Response(
            render(s.CommentOutput, selectors.comment_public(comment)), status=status.HTTP_201_CREATED
        )


class CommentDetailView(APIView):
    @extend_schema(responses={204: None}, tags=["channels"])
    def delete(self, request, post_id: int, comment_id: int):
        services.comment_delete(user=request.user, post_id=post_id, comment_id=comment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

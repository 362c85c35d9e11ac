from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chats import selectors, services
from apps.core.api import parse, parse_one_of, render
from apps.updates.selectors import updates_since, updates_state

from . import serializers as s


class ChatListView(APIView):
    @extend_schema(
        operation_id="chats_list",
        parameters=[s.ChatListQuery],
        responses={200: s.ChatPageOutput},
        tags=["chats"],
    )
    def get(self, request):
        query = parse(s.ChatListQuery, request.query_params)

        page = selectors.chat_list(user_id=request.user.id, before=query.get("before"), limit=query["limit"])
        last = page["results"][-1] if page["results"] else None
        page["next"] = (
            s.CHAT_LIST_CURSOR.encode(last["last_activity_at"], last["id"]) if page["has_more"] else None
        )
        return Response(render(s.ChatPageOutput, page))

    @extend_schema(
        request=s.ChatCreateInput,
        responses={200: s.ChatDetailOutput, 201: s.ChatDetailOutput},
        tags=["chats"],
    )
    def post(self, request):
        data = parse_one_of(s.CHAT_CREATE_INPUTS, "kind", request.data)
        if data["kind"] == "direct":
            chat, created = services.chat_direct_open(user=request.user, peer_id=data["user_id"])
        else:
            chat = services.chat_group_create(
                creator=request.user, title=data["title"], member_ids=data["member_ids"]
            )
            created = True
        detail = selectors.chat_detail(user_id=request.user.id, chat_id=chat.pk)
        return Response(
            render(s.ChatDetailOutput, detail),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ChatDetailView(APIView):
    @extend_schema(responses={200: s.ChatDetailOutput}, tags=["chats"])
    def get(self, request, chat_id: int):
        return Response(
            render(s.ChatDetailOutput, selectors.chat_detail(user_id=request.user.id, chat_id=chat_id))
        )

    @extend_schema(request=s.ChatUpdateInput, responses={200: s.ChatDetailOutput}, tags=["chats"])
    def patch(self, request, chat_id: int):
        data = parse(s.ChatUpdateInput, request.data)
        services.chat_update(user=request.user, chat_id=chat_id, **data)
        return Response(
            render(s.ChatDetailOutput, selectors.chat_detail(user_id=request.user.id, chat_id=chat_id))
        )


class MemberListView(APIView):
    @extend_schema(operation_id="chat_members_list", responses={200: s.MemberListOutput}, tags=["chats"])
    def get(self, request, chat_id: int):
        members = selectors.chat_members(user_id=request.user.id, chat_id=chat_id)
        return Response(render(s.MemberListOutput, {"results": members}))

    @extend_schema(request=s.MembersAddInput, responses={200: s.MemberListOutput}, tags=["chats"])
    def post(self, request, chat_id: int):
        data = parse(s.MembersAddInput, request.data)
        services.chat_members_add(actor=request.user, chat_id=chat_id, user_ids=data["user_ids"])
        members = selectors.chat_members(user_id=request.user.id, chat_id=chat_id)
        return Response(render(s.MemberListOutput, {"results": members}))


class MemberDetailView(APIView):
    @extend_schema(
        responses={204: None}, tags=["chats"], description="Remove a member (admins), or leave (yourself)."
    )
    def delete(self, request, chat_id: int, user_id: int):
        services.chat_member_remove(actor=request.user, chat_id=chat_id, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.MemberRoleInput, responses={204: None}, tags=["chats"])
    def patch(self, request, chat_id: int, user_id: int):
        data = parse(s.MemberRoleInput, request.data)
        services.chat_member_set_role(actor=request.user, chat_id=chat_id, user_id=user_id, role=data["role"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageListView(APIView):
    throttle_scope = {"POST": "message_send"}

    @extend_schema(
        operation_id="messages_list",
        parameters=[s.HistoryQuery],
        responses={200: s.MessagePageOutput},
        tags=["messages"],
    )
    def get(self, request, chat_id: int):
        query = parse(s.HistoryQuery, request.query_params)
        if "q" in query:  # a search: limited as searches are, besides the request's own limit
            self.throttle_scope = "search"
            self.check_throttles(request)
            found = selectors.messages_search(
                user_id=request.user.id,
                chat_id=chat_id,
                q=query["q"],
                before_seq=query.get("before_seq"),
                limit=query["limit"],
            )
            return Response(render(s.MessagePageOutput, found))
        page = selectors.history_page(user_id=request.user.id, chat_id=chat_id, **query)
        return Response(render(s.MessagePageOutput, page))

    @extend_schema(
        request=s.MessageSendInput, responses={200: s.MessageOutput, 201: s.MessageOutput}, tags=["messages"]
    )
    def post(self, request, chat_id: int):
        data = parse(s.MessageSendInput, request.data)
        message, _pts, created = services.message_send(
            sender=request.user,
            chat_id=chat_id,
            text=data["text"],
            client_msg_id=data.get("client_msg_id"),
            reply_to=data.get("reply_to"),
            attachment_ids=data["attachments"],
        )
        return Response(
            render(s.MessageOutput, message),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ForwardView(APIView):
    throttle_scope = "message_send"

    @extend_schema(
        request=s.ForwardInput,
        responses={201: s.ForwardedOutput},
        tags=["messages"],
        description="Copies into this chat, as new messages from you, of messages of a chat you "
        "are in (at most `FORWARD_MAX_MESSAGES`, in their order) or of a channel post you can "
        "read; each keeps its origin (`forwarded_from`) and shares the files. All or nothing.",
    )
    def post(self, request, chat_id: int):
        data = parse_one_of(s.FORWARD_INPUTS, "source", request.data)
        sent = services.messages_forward(
            sender=request.user,
            chat_id=chat_id,
            from_chat_id=data.get("from_chat_id"),
            message_ids=data.get("message_ids", ()),
            post_id=data.get("post_id"),
        )
        return Response(render(s.ForwardedOutput, {"results": sent}), status=status.HTTP_201_CREATED)


class MessageSearchView(APIView):
    throttle_scope = "search"

    @extend_schema(
        operation_id="messages_search",
        parameters=[s.MessageSearchQuery],
        responses={200: s.MessageSearchOutput},
        tags=["messages"],
        description="Messages of all your chats with every word of `q`, newest first.",
    )
    def get(self, request):
        query = parse(s.MessageSearchQuery, request.query_params)
        found = selectors.messages_search(
            user_id=request.user.id, q=query["q"], before=query.get("before"), limit=query["limit"]
        )
        return Response(render(s.MessageSearchOutput, found))


class MessageDetailView(APIView):
    @extend_schema(request=s.MessageEditInput, responses={200: s.MessageOutput}, tags=["messages"])
    def patch(self, request, chat_id: int, message_id: int):
        data = parse(s.MessageEditInput, request.data)
        message, _pts = services.message_edit(
            user=request.user, chat_id=chat_id, message_id=message_id, text=data["text"]
        )
        return Response(render(s.MessageOutput, message))

    @extend_schema(
        parameters=[
            OpenApiParameter("for_everyone", bool, description="Delete for every member, not just you.")
        ],
        responses={204: None},
        tags=["messages"],
    )
    def delete(self, request, chat_id: int, message_id: int):
        query = parse(s.MessageDeleteQuery, request.query_params)
        services.message_delete(
            user=request.user, chat_id=chat_id, message_id=message_id, for_everyone=query["for_everyone"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageReactionsView(APIView):
    throttle_scope = {"POST": "reaction", "DELETE": "reaction"}

    @extend_schema(
        request=s.ReactionInput,
        responses={200: s.MessageOutput},
        tags=["messages"],
        description="Add a reaction (at most `REACTIONS_PER_PERSON` of yours on one message); "
        "adding one you gave already changes nothing.",
    )
    def post(self, request, chat_id: int, message_id: int):
        data = parse(s.ReactionInput, request.data)
        message = services.message_react(user=request.user, chat_id=chat_id, message_id=message_id, **data)
        return Response(render(s.MessageOutput, message))

    @extend_schema(
        parameters=[s.ReactionInput],
        responses={200: s.MessageOutput},
        tags=["messages"],
        description="Take back your reaction; one you did not give changes nothing.",
    )
    def delete(self, request, chat_id: int, message_id: int):
        data = parse(s.ReactionInput, request.query_params)
        message = services.message_react(
            user=request.user, chat_id=chat_id, message_id=message_id, add=False, **data
        )
        return Response(render(s.MessageOutput, message))


class ChatScheduledView(APIView):
    @extend_schema(
        request=s.ScheduleInput,
        responses={201: s.ScheduledOutput},
        tags=["messages"],
        description="Schedule a message: sent at `send_at` by the server, as if you sent it "
        "then (the chat's rules are checked now and again then). `send_at` must be in the future "
        "and at most a year ahead: a 400 `send_at_invalid` otherwise.",
    )
    def post(self, request, chat_id: int):
        data = parse(s.ScheduleInput, request.data)
        scheduled = services.scheduled_create(
            user=request.user,
            chat_id=chat_id,
            send_at=data["send_at"],
            text=data["text"],
            reply_to=data.get("reply_to"),
            attachment_ids=data["attachments"],
        )
        return Response(render(s.ScheduledOutput, scheduled), status=status.HTTP_201_CREATED)


class ScheduledListView(APIView):
    @extend_schema(
        operation_id="scheduled_list",
        parameters=[s.ScheduledQuery],
        responses={200: s.ScheduledListOutput},
        tags=["messages"],
    )
    def get(self, request):
        query = parse(s.ScheduledQuery, request.query_params)
        scheduled = services.scheduled_list(user_id=request.user.id, chat_id=query.get("chat_id"))
        return Response(render(s.ScheduledListOutput, {"results": scheduled}))


class ScheduledDetailView(APIView):
    @extend_schema(
        request=s.ScheduleEditInput,
        responses={200: s.ScheduledOutput},
        tags=["messages"],
        description="A new `send_at` must be in the future and at most a year ahead: a 400 "
        "`send_at_invalid` otherwise.",
    )
    def patch(self, request, scheduled_id):
        data = parse(s.ScheduleEditInput, request.data)
        scheduled = services.scheduled_edit(user=request.user, scheduled_id=scheduled_id, **data)
        return Response(render(s.ScheduledOutput, scheduled))

    @extend_schema(responses={204: None}, tags=["messages"])
    def delete(self, request, scheduled_id):
        services.scheduled_cancel(user=request.user, scheduled_id=scheduled_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduledSendView(APIView):
    throttle_scope = "message_send"

    @extend_schema(request=None, responses={200: s.ScheduledOutput}, tags=["messages"])
    def post(self, request, scheduled_id):
        scheduled = services.scheduled_send_now(user=request.user, scheduled_id=scheduled_id)
        return Response(render(s.ScheduledOutput, scheduled))


class ConfigView(APIView):
    @extend_schema(
        operation_id="messaging_config",
        responses={200: s.ConfigOutput},
        tags=["messages"],
        description="This server's messaging limits and choices, for clients to offer only what it takes.",
    )
    def get(self, request):
        return Response(
            render(
                s.ConfigOutput,
                {
                    "reactions": settings.REACTIONS,
                    "reactions_per_person": settings.REACTIONS_PER_PERSON,
                    "message_max_length": settings.MESSAGE_MAX_LENGTH,
                    "message_max_attachments": settings.MESSAGE_MAX_ATTACHMENTS,
                    "forward_max_messages": settings.FORWARD_MAX_MESSAGES,
                    "chat_max_pins": settings.CHAT_MAX_PINS,
                    "scheduled_max_ahead_days": settings.SCHEDULED_MAX_AHEAD_DAYS,
                },
            )
        )


class PinListView(APIView):
    @extend_schema(operation_id="chat_pins_list", responses={200: s.PinListOutput}, tags=["messages"])
    def get(self, request, chat_id: int):
        pins = selectors.pinned_messages(user_id=request.user.id, chat_id=chat_id)
        return Response(render(s.PinListOutput, {"results": pins}))

    @extend_schema(
        request=s.PinInput,
        responses={200: s.PinListOutput},
        tags=["messages"],
        description="Members of a direct chat, admins of a group (every member, if the group's "
        "`members_can_pin`); pinning what is pinned changes nothing.",
    )
    def post(self, request, chat_id: int):
        data = parse(s.PinInput, request.data)
        services.message_pin(user=request.user, chat_id=chat_id, message_id=data["message_id"])
        pins = selectors.pinned_messages(user_id=request.user.id, chat_id=chat_id)
        return Response(render(s.PinListOutput, {"results": pins}))


class PinDetailView(APIView):
    @extend_schema(responses={204: None}, tags=["messages"])
    def delete(self, request, chat_id: int, message_id: int):
        services.message_pin(user=request.user, chat_id=chat_id, message_id=message_id, pinned=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadView(APIView):
    @extend_schema(request=s.ReadInput, responses={200: s.ReadOutput}, tags=["messages"])
    def post(self, request, chat_id: int):
        data = parse(s.ReadInput, request.data)
        seq = services.chat_read(user=request.user, chat_id=chat_id, seq=data["seq"])
        return Response(render(s.ReadOutput, {"last_read_seq": seq}))


class UpdatesView(APIView):
    @extend_schema(parameters=[s.UpdatesQuery], responses={200: s.UpdatesOutput}, tags=["updates"])
    def get(self, request):
        query = parse(s.UpdatesQuery, request.query_params)
        updates = updates_since(user_id=request.user.id, since=query["since"], limit=query.get("limit"))
        return Response(render(s.UpdatesOutput, updates))


class UpdatesStateView(APIView):
    @extend_schema(responses={200: s.StateOutput}, tags=["updates"])
    def get(self, request):
        return Response(render(s.StateOutput, {"pts": updates_state(user_id=request.user.id)}))

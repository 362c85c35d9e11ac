"""The WebSocket at /ws/: one consumer per socket. It parses frames with the REST API's input
serializers (apps.chats.api.serializers, "Socket frames"), calls the same services, and
forwards what the channel layer delivers to `user.<id>`.

Close codes: 4401 bad, missing or revoked token; 4403 banned."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from rest_framework.exceptions import ValidationError

from apps.accounts.errors import AccountError
from apps.accounts.services import CLOSE_BANNED, CLOSE_UNAUTHORIZED
from apps.accounts.ws_auth import BEARER_SUBPROTOCOL, socket_reauthenticate
from apps.core import jsonparse, ratelimit
from apps.core.api import parse, parse_one_of, render
from apps.core.errors import OUTAGE_DETAIL, ApplicationError, CoreError, is_outage
from apps.core.exceptions import validation_error_body
from apps.core.frames import registered_frame
from apps.core.logging import new_request_id, request_id
from apps.core.metrics import SOCKETS_OPEN
from apps.core.realtime import deferred_frames, in_worker_thread, user_group
from apps.updates.selectors import updates_since

from . import selectors, services
from .api import serializers as s
from .presence import presence_connected, presence_disconnected

logger = logging.getLogger(__name__)

# The rate limits a frame counts against besides `ws_frame` (REST's own, so both paths share one).
FRAME_SCOPES = {
    "message.send": ("message_send",),
    "message.forward": ("message_send",),
    "message.react": ("reaction",),
    "search": ("search",),
}


class ChatConsumer(AsyncWebsocketConsumer):
    """Client frames go through a small queue worked by one task per socket, in order. Frames for
    the socket from the channel layer are forwarded at once: they never wait behind the socket's
    own writes (measured: with both ends of a chat sending, delivery lagged by seconds when each
    socket handled one thing at a time). The task lives while frames wait: an idle socket holds
    none (bench/README.md: memory per idle socket)."""

    session = None  # the socket's authentication
    frames: deque | None = None  # client frames waiting: set once the socket is accepted
    frame_worker: asyncio.Task | None = None
    closing = False

    async def dispatch(self, message):
        """Channels' own dispatch first runs `close_old_connections` through the one
        thread-sensitive thread, for every client frame and every delivered message: each
        socket event queued behind every other on that thread (measured: 11 % of the process's
        CPU and most of its latency at load). This consumer never touches the database on the
        event loop; its database work runs through `in_worker_thread`, which closes stale
        connections around each call."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.user = self.scope.get("user")
        offered = self.scope.get("subprotocols") or []
        subprotocol = BEARER_SUBPROTOCOL if BEARER_SUBPROTOCOL in offered else None
        if self.user is None or not self.user.is_authenticated:
            # Accept first, then close: a close code reaches the client only after the handshake.
            await self.accept(subprotocol)
            code = CLOSE_BANNED if self.scope.get("auth_error") == "account_banned" else CLOSE_UNAUTHORIZED
            await self.close(code=code)
            return
        self.session = self.scope["auth_session"]
        self.group = user_group(self.user.id)
        # One id per socket for its log lines (inherited by the frame worker's context).
        request_id.set(f"ws-{new_request_id()}")
        # Subscribed before the handshake completes: once the client sees its socket open, every
        # message sent to the user reaches it live. (Accepted first, a socket missed what was
        # sent while it subscribed: measured as frames "lost" at the start of a benchmark.)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept(subprotocol)
        self.frames = deque()
        SOCKETS_OPEN.inc()
        await presence_connected(user_id=self.user.id, socket=self.channel_name)

    async def disconnect(self, code):
        if self.frames is not None:
            SOCKETS_OPEN.dec()
        if self.frame_worker is not None:
            self.frame_worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.frame_worker
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await presence_disconnected(user_id=self.user.id, socket=self.channel_name)

    async def send_json(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, cls=DjangoJSONEncoder))

    async def receive(self, text_data=None, bytes_data=None):
        if self.frames is None or self.closing:
            return  # closing: not authenticated, or its session ended
        if len(self.frames) >= settings.WEBSOCKET_FRAME_QUEUE:
            await self._error("too_many_frames", "Too many frames are waiting; slow down.", None)
            return
        self.frames.append((text_data, bytes_data))
        if self.frame_worker is None:
            self.frame_worker = asyncio.create_task(self._work_frames())

    async def _work_frames(self):
        try:
            while self.frames and not self.closing:
                await self._handle(*self.frames.popleft())
        finally:
            self.frame_worker = None  # no await since the last check: a new frame starts a new task

    async def _handle(self, text_data, bytes_data):
        if text_data is None:
            await self._error("binary_not_supported", "Frames are JSON text, not binary.", None)
            return
        try:
            frame = jsonparse.loads(text_data)
        except jsonparse.JsonRejected as exc:
            await self._error(str(exc.code), exc.detail, None)
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error("invalid_frame", 'A frame is a JSON object with a "type".', None)
            return
        # Every answer to this frame, errors included, carries its ref (the client_msg_id of a send).
        ref = frame.get("ref", frame.get("client_msg_id"))
        if not isinstance(ref, (str, int)) or isinstance(ref, bool):
            ref = None
        try:
            await self._dispatch(frame, ref)
        except asyncio.CancelledError:
            raise
        except ValidationError as exc:  # a frame's fields, refused by its input serializer
            body = validation_error_body(exc)
            await self._error(body["code"], body["detail"], ref, fields=body["fields"])
        except ApplicationError as exc:
            await self._error(exc.code, exc.detail, ref, fields=exc.fields)
        except Exception as exc:
            if is_outage(exc):
                logger.warning("frame refused: outage", extra={"error": type(exc).__name__})
                await self._error(CoreError.SERVICE_UNAVAILABLE, OUTAGE_DETAIL, ref)
                return
            logger.exception("frame handling failed", extra={"user_id": self.user.id})
            await self._error("server_error", "Internal error. It has been logged.", ref)

    async def _session_ends(self, ref=None) -> bool:
        """Close the socket if its token expired or its account may no longer use it (banned,
        logged out everywhere): True if it was closed. Expiry costs nothing to check; the
        account is read again every WEBSOCKET_AUTH_RECHECK seconds."""
        now = time.time()
        if self.session.expired(now):
            error = AccountError.TOKEN_EXPIRED
        elif self.session.due_for_check(now):
            error = await in_worker_thread(socket_reauthenticate)(self.session)
        else:
            return False
        if error is None:
            return False
        await self._end_session(error, "Your session ended; refresh your token and reconnect.", ref)
        return True

    async def _end_session(self, error: str, detail: str, ref) -> None:
        await self._error(str(error), detail, ref)
        await self.close(code=CLOSE_BANNED if error == AccountError.ACCOUNT_BANNED else CLOSE_UNAUTHORIZED)
        self.closing = True

    async def _dispatch(self, frame: dict, ref) -> None:
        if frame["type"] == "auth.refresh":
            await self.on_auth_refresh(frame, ref)
            return
        if await self._session_ends(ref):
            return
        registered = registered_frame(frame["type"])
        extra = registered.scopes if registered else FRAME_SCOPES.get(frame["type"], ())
        scopes = ("ws_frame", *extra)
        verdict = await ratelimit.hit_async(scopes=scopes, ident=f"user:{self.user.id}")
        if not verdict.allowed:
            await self._error("rate_limited", f"Too many frames; retry in {verdict.retry_after} s.", ref)
            return
        if registered is not None:  # another app's frame (apps.core.frames)
            async with deferred_frames():
                answer = await in_worker_thread(registered.answer)(self.user, parse(registered.reader, frame))
            await self.send_json({**answer, "ref": ref})
            return
        handler = self.HANDLERS.get(frame["type"])
        if handler is None:
            await self._error("unknown_type", f"Unknown frame type {frame['type']!r}.", ref)
            return
        async with deferred_frames():
            await handler(self, frame)

    async def _error(self, code: str, detail: str, ref, fields=None) -> None:
        frame = {"type": "error", "code": str(code), "detail": detail, "ref": ref}
        if fields:
            frame["fields"] = fields
        await self.send_json(frame)

    # --- Client frames ------------------------------------------------------------------

    async def on_message_send(self, frame):
        data = parse(s.MessageSendFrame, frame)
        message, pts, _created = await in_worker_thread(services.message_send)(
            sender=self.user,
            chat_id=data["chat_id"],
            text=data["text"],
            client_msg_id=data["client_msg_id"],
            reply_to=data.get("reply_to"),
            attachment_ids=data["attachments"],
            origin=self.channel_name,
        )
        await self.send_json(
            {
                "type": "message.ack",
                "ref": str(data["client_msg_id"]),
                "pts": pts,
                "message": render(s.MessageOutput, message),
            }
        )

    async def on_message_edit(self, frame):
        data = parse(s.MessageEditFrame, frame)
        await in_worker_thread(services.message_edit)(
            user=self.user, chat_id=data["chat_id"], message_id=data["message_id"], text=data["text"]
        )

    async def on_message_delete(self, frame):
        data = parse(s.MessageDeleteFrame, frame)
        await in_worker_thread(services.message_delete)(
            user=self.user,
            chat_id=data["chat_id"],
            message_id=data["message_id"],
            for_everyone=data["for_everyone"],
        )

    async def on_message_react(self, frame):
        data = parse(s.MessageReactFrame, frame)
        await in_worker_thread(services.message_react)(
            user=self.user,
            chat_id=data["chat_id"],
            message_id=data["message_id"],
            emoji=data["emoji"],
            add=data["add"],
        )

    async def on_message_forward(self, frame):
        data = parse_one_of(s.FORWARD_FRAMES, "source", frame)
        sent = await in_worker_thread(services.messages_forward)(
            sender=self.user,
            chat_id=data["chat_id"],
            from_chat_id=data.get("from_chat_id"),
            message_ids=data.get("message_ids", ()),
            post_id=data.get("post_id"),
            origin=self.channel_name,
        )
        await self.send_json(
            {
                "type": "message.forwarded",
                "ref": frame.get("ref"),
                "messages": [render(s.MessageOutput, message) for message in sent],
            }
        )

    async def on_message_schedule(self, frame):
        data = parse(s.MessageScheduleFrame, frame)
        scheduled = await in_worker_thread(services.scheduled_create)(
            user=self.user,
            chat_id=data["chat_id"],
            send_at=data["send_at"],
            text=data["text"],
            reply_to=data.get("reply_to"),
            attachment_ids=data["attachments"],
        )
        await self.send_json(
            {
                "type": "message.scheduled",
                "ref": frame.get("ref"),
                "scheduled": render(s.ScheduledOutput, scheduled),
            }
        )

    async def on_message_pin(self, frame):
        data = parse(s.MessagePinFrame, frame)
        await in_worker_thread(services.message_pin)(
            user=self.user, chat_id=data["chat_id"], message_id=data["message_id"], pinned=data["pinned"]
        )

    async def on_typing(self, frame):
        data = parse(s.ChatFrame, frame)
        await in_worker_thread(services.typing_send)(user=self.user, chat_id=data["chat_id"])

    async def on_read(self, frame):
        data = parse(s.ReadFrame, frame)
        await in_worker_thread(services.chat_read)(user=self.user, chat_id=data["chat_id"], seq=data["seq"])

    async def on_search(self, frame):
        data = parse(s.SearchFrame, frame)
        found = await in_worker_thread(selectors.messages_search)(
            user_id=self.user.id,
            q=data["q"],
            chat_id=data.get("chat_id"),
            before=data.get("before"),
            limit=data["limit"],
        )
        await self.send_json(
            {"type": "search.results", "ref": frame.get("ref"), **render(s.MessageSearchOutput, found)}
        )

    async def on_sync(self, frame):
        data = parse(s.SyncFrame, frame)
        result = await in_worker_thread(updates_since)(
            user_id=self.user.id, since=data["since"], limit=data.get("limit")
        )
        await self.send_json({"type": "sync", "ref": frame.get("ref"), **result})

    async def on_auth_refresh(self, frame, ref):
        """A fresher access token for this socket (the same user's): it lives on without a
        reconnect. A bad one closes it."""
        token = frame.get("token")
        error = await in_worker_thread(socket_reauthenticate)(
            self.session, token if isinstance(token, str) else ""
        )
        if error is not None:
            await self._end_session(error, "That token cannot continue this session.", ref)
            return
        await self.send_json(
            {"type": "auth.refreshed", "ref": ref, "expires_at": int(self.session.expires_at)}
        )

    async def on_ping(self, frame):
        await self.send_json({"type": "pong", "ref": frame.get("ref")})

    HANDLERS = {
        "message.send": on_message_send,
        "message.edit": on_message_edit,
        "message.delete": on_message_delete,
        "message.react": on_message_react,
        "message.pin": on_message_pin,
        "message.forward": on_message_forward,
        "message.schedule": on_message_schedule,
        "typing": on_typing,
        "read": on_read,
        "sync": on_sync,
        "search": on_search,
        "ping": on_ping,
    }

    # --- Channel-layer events -----------------------------------------------------------

    async def deliver(self, event):
        if self.closing or event.get("exclude") == self.channel_name:
            return
        if self.session.expired(time.time()):  # nothing more for a socket whose token ran out
            await self._session_ends()
            return
        await self.send(text_data=event["text"])

    async def session_close(self, event):
        """Sent by accounts when a user is banned or logs out everywhere."""
        await self.close(code=event.get("code", CLOSE_UNAUTHORIZED))

"""WebSocket authentication: the access token comes as a subprotocol (`bearer, <token>`) in the
Sec-WebSocket-Protocol header, or as `?token=`. The consumer closes with 4401 when
`scope["user"]` is anonymous; `scope["auth_error"]` says why."""

import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from .auth_state import auth_state_get
from .authentication import session_refusal, user_for_validated_token
from .services import TOKEN_VERSION_CLAIM

BEARER_SUBPROTOCOL = "bearer"


def token_from_scope(scope) -> str | None:
    for protocol in scope.get("subprotocols") or []:
        if protocol != BEARER_SUBPROTOCOL and protocol.count(".") == 2:
            return protocol
    tokens = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return tokens[0] if tokens else None


@dataclass
class SocketSession:
    """What a socket's access token allows: whose it is and until when. The consumer checks
    the expiry on every frame (free) and the account's state every WEBSOCKET_AUTH_RECHECK
    seconds (one cache read), and takes a fresher token in an `auth.refresh` frame."""

    user_id: int
    token_version: int
    expires_at: float
    checked_at: float

    def expired(self, now: float) -> bool:
        return now >= self.expires_at

    def due_for_check(self, now: float) -> bool:
        return now - self.checked_at >= settings.WEBSOCKET_AUTH_RECHECK


def _authenticate(raw_token: str | None):
    """(user, error code, session) for a socket's token."""
    if not raw_token:
        return AnonymousUser(), "token_missing", None
    try:
        token = AccessToken(raw_token)
        user = user_for_validated_token(token)
    except TokenError:
        return AnonymousUser(), "token_not_valid", None
    except AuthenticationFailed as exc:
        return AnonymousUser(), exc.get_codes(), None
    return (
        user,
        None,
        SocketSession(
            user_id=user.pk,
            token_version=token.get(TOKEN_VERSION_CLAIM),
            expires_at=float(token["exp"]),
            checked_at=time.time(),
        ),
    )


def socket_reauthenticate(session: SocketSession, raw_token: str | None = None) -> str | None:
    """Check a socket's session again (the account's state now; and a new token, if given,
    which must be the same user's): None if it may go on, else the error code (the session
    takes the new token's expiry)."""
    if raw_token is not None:
        user, error, fresh = _authenticate(raw_token)
        if error:
            return error
        if user.pk != session.user_id:
            return "token_not_valid"
        session.expires_at, session.token_version = fresh.expires_at, fresh.token_version
    elif refusal := session_refusal(auth_state_get(session.user_id), session.token_version):
        return refusal
    session.checked_at = time.time()
    return None


class JWTAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        user, error, session = await database_sync_to_async(_authenticate)(token_from_scope(scope))
        scope = dict(scope, user=user, auth_error=error, auth_session=session)
        return await super().__call__(scope, receive, send)

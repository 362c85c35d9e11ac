"""WebSocket authentication: the access token comes as a subprotocol (`bearer, <token>`) in the
Sec-WebSocket-Protocol header, or as `?token=`. The consumer closes with 4401 when
`scope["user"]` is anonymous; `scope["auth_error"]` says why."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from .authentication import user_for_validated_token

BEARER_SUBPROTOCOL = "bearer"


def token_from_scope(scope) -> str | None:
    for protocol in scope.get("subprotocols") or []:
        if protocol != BEARER_SUBPROTOCOL and protocol.count(".") == 2:
            return protocol
    tokens = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return tokens[0] if tokens else None


def _authenticate(raw_token: str | None):
    if not raw_token:
        return AnonymousUser(), "token_missing"
    try:
        return user_for_validated_token(AccessToken(raw_token)), None
    except TokenError:
        return AnonymousUser(), "token_not_valid"
    except AuthenticationFailed as exc:
        return AnonymousUser(), exc.get_codes()


class JWTAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        user, error = await database_sync_to_async(_authenticate)(token_from_scope(scope))
        scope = dict(scope, user=user, auth_error=error)
        return await super().__call__(scope, receive, send)

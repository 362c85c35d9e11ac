"""JWT authentication that asks the database nothing while the user's auth state is cached."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings

from .auth_state import AuthState, auth_state_get
from .errors import AccountError
from .models import User
from .services import TOKEN_VERSION_CLAIM

_REFUSALS = {
    AccountError.ACCOUNT_INACTIVE: "This account is not active.",
    AccountError.ACCOUNT_BANNED: "This account is banned.",
    AccountError.TOKEN_REVOKED: "This token was revoked.",
}


def session_refusal(state: AuthState | None, token_version) -> AccountError | None:
    """Why a token of this version may no longer act for the account (gone, inactive, banned,
    logged out everywhere since), or None. Used by requests and by open sockets alike."""
    if state is None or not state.is_active:
        return AccountError.ACCOUNT_INACTIVE
    if state.is_banned:
        return AccountError.ACCOUNT_BANNED
    if token_version != state.token_version:
        return AccountError.TOKEN_REVOKED
    return None


def user_for_validated_token(validated_token) -> User:
    """The user behind a token whose signature and expiry were checked; AuthenticationFailed if
    the account is gone, inactive or banned, or the token predates a logout-all."""
    state = auth_state_get(validated_token.get(api_settings.USER_ID_CLAIM))
    if refusal := session_refusal(state, validated_token.get(TOKEN_VERSION_CLAIM)):
        raise AuthenticationFailed(_REFUSALS[refusal], code=refusal)
    return state.as_user()


class CachedJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        return user_for_validated_token(validated_token)


class CachedJWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.CachedJWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}

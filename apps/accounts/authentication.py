"""JWT authentication that asks the database nothing while the user's auth state is cached."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings

from .auth_state import auth_state_get
from .errors import AccountError
from .models import User
from .services import TOKEN_VERSION_CLAIM


def user_for_validated_token(validated_token) -> User:
    """The user behind a token whose signature and expiry were checked; AuthenticationFailed if
    the account is gone, inactive or banned, or the token predates a logout-all."""
    state = auth_state_get(validated_token.get(api_settings.USER_ID_CLAIM))
    if state is None or not state.is_active:
        raise AuthenticationFailed("This account is not active.", code=AccountError.ACCOUNT_INACTIVE)
    if state.is_banned:
        raise AuthenticationFailed("This account is banned.", code=AccountError.ACCOUNT_BANNED)
    if validated_token.get(TOKEN_VERSION_CLAIM) != state.token_version:
        raise AuthenticationFailed("This token was revoked.", code=AccountError.TOKEN_REVOKED)
    return state.as_user()


class CachedJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        return user_for_validated_token(validated_token)


class CachedJWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.CachedJWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}

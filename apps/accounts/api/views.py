from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services
from apps.core.api import parse, render

from .serializers import (
    LoginInput,
    PasswordChangeInput,
    RefreshInput,
    RegisterInput,
    RegisterOutput,
    TokenPairOutput,
)


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "register"

    @extend_schema(
        request=RegisterInput,
        responses={201: RegisterOutput},
        tags=["auth"],
        description="The password must pass the server's password rules (long enough, not common, "
        "not all digits, not like the username or e-mail): a 400 naming the rule otherwise.",
    )
    def post(self, request):
        data = parse(RegisterInput, request.data)
        user = services.user_register(**data)
        return Response(RegisterOutput(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(request=LoginInput, responses={200: TokenPairOutput}, tags=["auth"])
    def post(self, request):
        data = parse(LoginInput, request.data)
        return Response(render(TokenPairOutput, services.tokens_login(**data)))


class TokenRefreshView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(request=RefreshInput, responses={200: TokenPairOutput}, tags=["auth"])
    def post(self, request):
        data = parse(RefreshInput, request.data)
        return Response(render(TokenPairOutput, services.tokens_refresh(**data)))


class LogoutView(APIView):
    """Ends one session: its refresh token can no longer be used."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshInput, responses={204: None}, tags=["auth"])
    def post(self, request):
        data = parse(RefreshInput, request.data)
        services.token_logout(**data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Ends every session of the caller at once, on every device and server instance."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        services.user_logout_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who the bearer of this token is. Answered from the auth-state cache: no database query."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: RegisterOutput}, tags=["auth"])
    def get(self, request):
        return Response(RegisterOutput(request.user).data)


class PasswordChangeView(APIView):
    """Change your password. Every session ends, on every device; this one continues with the
    token pair in the answer."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "login"

    @extend_schema(
        request=PasswordChangeInput,
        responses={200: TokenPairOutput},
        tags=["auth"],
        description="`new_password` must pass the password rules of registration (a 400 naming the "
        "rule otherwise); a wrong `old_password` is a 400 `wrong_password`.",
    )
    def post(self, request):
        data = parse(PasswordChangeInput, request.data)
        return Response(render(TokenPairOutput, services.password_change(user=request.user, **data)))

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services

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

    @extend_schema(request=RegisterInput, responses={201: RegisterOutput}, tags=["auth"])
    def post(self, request):
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(RegisterOutput(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(request=LoginInput, responses={200: TokenPairOutput}, tags=["auth"])
    def post(self, request):
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.tokens_login(**data.validated_data))


class TokenRefreshView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "login"

    @extend_schema(request=RefreshInput, responses={200: TokenPairOutput}, tags=["auth"])
    def post(self, request):
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.tokens_refresh(**data.validated_data))


class LogoutView(APIView):
    """Ends one session: its refresh token can no longer be used."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshInput, responses={204: None}, tags=["auth"])
    def post(self, request):
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.token_logout(**data.validated_data)
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

    @extend_schema(request=PasswordChangeInput, responses={200: TokenPairOutput}, tags=["auth"])
    def post(self, request):
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.password_change(user=request.user, **data.validated_data))

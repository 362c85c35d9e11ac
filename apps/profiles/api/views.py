from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import parse, render
from apps.core.errors import NotFound
from apps.profiles import selectors, services
from apps.profiles.errors import ProfileError

from .serializers import ProfileOutput, ProfileUpdateInput


def _visible_profile(*, viewer_id: int, user_id: int) -> dict:
    profile = selectors.profile_visible_to(viewer_id=viewer_id, user_id=user_id)
    if profile is None:
        raise NotFound("No such user.", code=ProfileError.NOT_FOUND)
    return profile


class MyProfileView(APIView):
    @extend_schema(responses={200: ProfileOutput}, tags=["profiles"])
    def get(self, request):
        return Response(
            render(ProfileOutput, _visible_profile(viewer_id=request.user.id, user_id=request.user.id))
        )

    @extend_schema(request=ProfileUpdateInput, responses={200: ProfileOutput}, tags=["profiles"])
    def patch(self, request):
        data = parse(ProfileUpdateInput, request.data)
        profile = services.profile_update(user=request.user, **data)
        return Response(render(ProfileOutput, selectors.profile_public(profile)))


class ProfileView(APIView):
    @extend_schema(responses={200: ProfileOutput}, tags=["profiles"])
    def get(self, request, user_id: int):
        return Response(render(ProfileOutput, _visible_profile(viewer_id=request.user.id, user_id=user_id)))

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import parse, render
from apps.notifications import selectors, services
from apps.notifications.models import Mute


class DeviceInput(serializers.Serializer):
    registration_id = serializers.CharField(max_length=4096, help_text="The FCM registration token.")
    type = serializers.ChoiceField(choices=["ios", "android", "web"])
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    device_id = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class DeviceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    device_id = serializers.CharField(allow_null=True)
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class DeviceListOutput(serializers.Serializer):
    results = DeviceOutput(many=True)


class MuteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Mute.Kind.choices)
    target_id = serializers.IntegerField(min_value=1)
    until = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Empty: for ever."
    )


class SettingsInput(serializers.Serializer):
    enabled = serializers.BooleanField()


class SettingsOutput(serializers.Serializer):
    enabled = serializers.BooleanField()
    mutes = MuteSerializer(many=True)


class DeviceListView(APIView):
    @extend_schema(operation_id="devices_list", responses={200: DeviceListOutput}, tags=["notifications"])
    def get(self, request):
        return Response(render(DeviceListOutput, {"results": selectors.devices_of(user_id=request.user.id)}))

    @extend_schema(
        request=DeviceInput, responses={200: DeviceOutput, 201: DeviceOutput}, tags=["notifications"]
    )
    def post(self, request):
        device, created = services.device_register(user=request.user, **parse(DeviceInput, request.data))
        return Response(
            render(DeviceOutput, selectors.device_public(device)),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DeviceDetailView(APIView):
    @extend_schema(responses={204: None}, tags=["notifications"])
    def delete(self, request, device_id: int):
        services.device_unregister(user=request.user, device_pk=device_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SettingsView(APIView):
    @extend_schema(responses={200: SettingsOutput}, tags=["notifications"])
    def get(self, request):
        return Response(render(SettingsOutput, selectors.settings_of(user_id=request.user.id)))

    @extend_schema(request=SettingsInput, responses={200: SettingsOutput}, tags=["notifications"])
    def patch(self, request):
        services.settings_update(user=request.user, **parse(SettingsInput, request.data))
        return Response(render(SettingsOutput, selectors.settings_of(user_id=request.user.id)))


class MuteListView(APIView):
    @extend_schema(
        request=MuteSerializer,
        responses={200: SettingsOutput},
        tags=["notifications"],
        description="`until` (or none: for ever) must be in the future: a 400 `until_in_the_past` otherwise.",
    )
    def post(self, request):
        services.mute_set(user=request.user, **parse(MuteSerializer, request.data))
        return Response(render(SettingsOutput, selectors.settings_of(user_id=request.user.id)))


class MuteDetailView(APIView):
    @extend_schema(responses={204: None}, tags=["notifications"])
    def delete(self, request, kind: str, target_id: int):
        services.mute_clear(user=request.user, kind=kind, target_id=target_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

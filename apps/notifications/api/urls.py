from django.urls import path

from . import views

urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="devices"),
    path("devices/<id:device_id>/", views.DeviceDetailView.as_view(), name="device-detail"),
    path("notification-settings/", views.SettingsView.as_view(), name="notification-settings"),
    path("notification-settings/mutes/", views.MuteListView.as_view(), name="mutes"),
    path(
        "notification-settings/mutes/<str:kind>/<id:target_id>/",
        views.MuteDetailView.as_view(),
        name="mute-detail",
    ),
]

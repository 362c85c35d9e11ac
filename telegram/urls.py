from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.metrics_view import metrics
from apps.core.views import HealthView

api_v1 = [
    path("auth/", include("apps.accounts.api.urls")),
    path("profiles/", include("apps.profiles.api.urls")),
    path("files/", include("apps.files.api.urls")),
    path("", include("apps.contacts.api.urls")),
    path("", include("apps.chats.api.urls")),
    path("", include("apps.broadcasts.api.urls")),
    path("", include("apps.notifications.api.urls")),
    path("", include("apps.moderation.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/health/", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("metrics", metrics, name="prometheus-django-metrics"),
    path("", include("apps.web.urls")),  # the web client
]

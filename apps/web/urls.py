from django.urls import path

from .views import WebClientView

urlpatterns = [path("", WebClientView.as_view(), name="web-client")]

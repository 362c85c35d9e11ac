from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MyProfileView.as_view(), name="profile-me"),
    path("<id:user_id>/", views.ProfileView.as_view(), name="profile-detail"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("", views.FileUploadView.as_view(), name="files"),
    path("<id:file_id>/", views.FileDetailView.as_view(), name="file-detail"),
    path("download/<str:token>/", views.FileDownloadView.as_view(), name="file-download"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("contacts/", views.ContactListView.as_view(), name="contacts"),
    path("contacts/lookup/", views.LookupView.as_view(), name="contacts-lookup"),
    path("contacts/invitations/", views.InvitationListView.as_view(), name="invitations"),
    path(
        "contacts/invitations/<id:invitation_id>/accept/",
        views.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path(
        "contacts/invitations/<id:invitation_id>/deny/",
        views.InvitationDenyView.as_view(),
        name="invitation-deny",
    ),
    path(
        "contacts/invitations/<id:invitation_id>/cancel/",
        views.InvitationCancelView.as_view(),
        name="invitation-cancel",
    ),
    path("contacts/<id:user_id>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("blocks/", views.BlockListView.as_view(), name="blocks"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("blocks/<id:user_id>/", views.BlockDetailView.as_view(), name="block-detail"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("chats/", views.ChatListView.as_view(), name="chats"),
    path("chats/<id:chat_id>/", views.ChatDetailView.as_view(), name="chat-detail"),
    path("chats/<id:chat_id>/members/", views.MemberListView.as_view(), name="chat-members"),
    path("chats/<id:chat_id>/members/<id:user_id>/", views.MemberDetailView.as_view(), name="chat-member"),
    path("chats/<id:chat_id>/messages/", views.MessageListView.as_view(), name="chat-messages"),
    path("chats/<id:chat_id>/messages/forward/", views.ForwardView.as_view(), name="chat-forward"),
    path(
        "chats/<id:chat_id>/messages/<docid:message_id>/",
        views.MessageDetailView.as_view(),
        name="chat-message",
    ),
    path(
        "chats/<id:chat_id>/messages/<docid:message_id>/reactions/",
        views.MessageReactionsView.as_view(),
        name="chat-message-reactions",
    ),
    path("chats/<id:chat_id>/scheduled/", views.ChatScheduledView.as_view(), name="chat-scheduled"),
    path("scheduled/", views.ScheduledListView.as_view(), name="scheduled"),
    path("scheduled/<docid:scheduled_id>/", views.ScheduledDetailView.as_view(), name="scheduled-detail"),
    path("scheduled/<docid:scheduled_id>/send/", views.ScheduledSendView.as_view(), name="scheduled-send"),
    path("chats/<id:chat_id>/pins/", views.PinListView.as_view(), name="chat-pins"),
    path("chats/<id:chat_id>/pins/<docid:message_id>/", views.PinDetailView.as_view(), name="chat-pin"),
    path("chats/<id:chat_id>/read/", views.ReadView.as_view(), name="chat-read"),
    path("messages/search/", views.MessageSearchView.as_view(), name="messages-search"),
    path("config/", views.ConfigView.as_view(), name="messaging-config"),
    path("updates/", views.UpdatesView.as_view(), name="updates"),
    path("updates/state/", views.UpdatesStateView.as_view(), name="updates-state"),
]

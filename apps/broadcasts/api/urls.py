from django.urls import path

from . import views

urlpatterns = [
    path("channels/", views.ChannelListView.as_view(), name="channels"),
    path("channels/join/", views.JoinView.as_view(), name="channel-join"),
    path("channels/<id:channel_id>/", views.ChannelDetailView.as_view(), name="channel-detail"),
    path("channels/<id:channel_id>/subscribe/", views.SubscribeView.as_view(), name="channel-subscribe"),
    path(
        "channels/<id:channel_id>/unsubscribe/", views.UnsubscribeView.as_view(), name="channel-unsubscribe"
    ),
    path("channels/<id:channel_id>/posts/", views.PostListView.as_view(), name="channel-posts"),
    path("posts/<docid:post_id>/", views.PostDetailView.as_view(), name="post-detail"),
    path("posts/<docid:post_id>/reactions/", views.PostReactionsView.as_view(), name="post-reactions"),
    path("posts/<docid:post_id>/comments/", views.CommentListView.as_view(), name="post-comments"),
    path(
        "posts/<docid:post_id>/comments/<docid:comment_id>/",
        views.CommentDetailView.as_view(),
        name="post-comment",
    ),
]

"""The broadcasts app's socket frames (apps.core.frames): reacting to a post."""

from rest_framework import serializers

from apps.core.api import DocumentIdField, render

from . import services
from .api.serializers import PostOutput, PostReactionInput


class PostReactFrame(PostReactionInput):
    post_id = DocumentIdField()
    add = serializers.BooleanField(required=False, default=True, help_text="False: take it back.")


def post_react(user, data: dict) -> dict:
    post = services.post_react(user=user, post_id=data["post_id"], emoji=data["emoji"], add=data["add"])
    return {"type": "post.reacted", "post": render(PostOutput, post)}

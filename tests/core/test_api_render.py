"""Responses as their output serializers declare them (apps.core.api.render)."""

import pytest
from rest_framework import serializers

from apps.core.api import render


class Attachment(serializers.Serializer):
    url = serializers.CharField()


class Item(serializers.Serializer):
    id = serializers.CharField()
    note = serializers.CharField(required=False)
    attachments = Attachment(many=True)
    owner = Attachment(allow_null=True)


class Page(serializers.Serializer):
    results = Item(many=True)
    has_more = serializers.BooleanField()


class Update(serializers.Serializer):
    open_ended = True
    pts = serializers.IntegerField()


def test_only_declared_fields_reach_the_client_at_every_depth():
    page = {
        "results": [
            {
                "id": "1",
                "version": 7,  # internal: not declared
                "attachments": [{"url": "/f/1", "path": "files/secret/1.png"}],
                "owner": None,
            }
        ],
        "has_more": False,
        "cursor_internal": (1, 2),
    }

    assert render(Page, page) == {
        "results": [{"id": "1", "attachments": [{"url": "/f/1"}], "owner": None}],
        "has_more": False,
    }


def test_a_declared_field_the_data_lacks_is_a_bug_not_a_silent_gap():
    with pytest.raises(KeyError, match=r"Item\.attachments"):
        render(Item, {"id": "1", "owner": None})


def test_an_open_ended_output_keeps_its_kinds_own_fields():
    assert render(Update, {"pts": 3, "type": "read", "seq": 9}) == {"pts": 3, "type": "read", "seq": 9}

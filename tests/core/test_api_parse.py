"""Input as the schema states it: a JSON body is held to its types and to the length of the
text as sent; a query string (all text) is converted by its fields."""

import pytest
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from apps.core.api import parse, parse_one_of


class Child(serializers.Serializer):
    title = serializers.CharField(max_length=5)


class Body(serializers.Serializer):
    children = Child(many=True, required=False)
    user_id = serializers.IntegerField(required=False)
    enabled = serializers.BooleanField(required=False)
    name = serializers.CharField(required=False, max_length=5)
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    child = Child(required=False)


def errors_of(data) -> dict:
    with pytest.raises(ValidationError) as refused:
        parse(Body, data)
    return refused.value.get_full_details()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": "5"}, "user_id"),  # DRF alone takes "5"
        ({"user_id": True}, "user_id"),
        ({"enabled": 0}, "enabled"),  # DRF alone takes 0 and "true"
        ({"enabled": "true"}, "enabled"),
        ({"name": 5}, "name"),  # DRF alone takes 5 as "5"
        ({"ids": [1, "2"]}, "ids"),
        ({"ids": "1,2"}, "ids"),
        ({"child": []}, "child"),
        ({"children": [{"title": "ok"}, {"title": 3}]}, "children"),
    ],
)
def test_a_json_body_of_the_wrong_type_is_refused_naming_the_field(body, field):
    errors = errors_of(body)

    assert list(errors) == [field]


def test_a_nested_field_of_the_wrong_type_is_named_inside_its_parent():
    assert errors_of({"child": {"title": 7}}) == {
        "child": {"title": [{"message": "Must be a string.", "code": "wrong_type"}]}
    }


def test_text_counts_as_sent_not_after_trimming():
    assert "name" in errors_of({"name": "   abc"})  # 6 characters sent, 3 after trimming
    assert parse(Body, {"name": "  abc"})["name"] == "abc"


def test_right_types_pass_and_null_is_the_fields_to_judge():
    data = parse(Body, {"user_id": 5, "enabled": False, "ids": [1, 2], "child": {"title": "hi"}})

    assert data == {"user_id": 5, "enabled": False, "ids": [1, 2], "child": {"title": "hi"}}
    assert "user_id" in errors_of({"user_id": None})  # not allow_null: the field refuses it


def test_a_query_string_is_text_that_its_fields_convert():
    data = parse(Body, QueryDict("user_id=5&enabled=true"))

    assert data == {"user_id": 5, "enabled": True}


def test_one_of_picks_the_shape_by_its_discriminator_and_refuses_an_unknown_one():
    class Direct(serializers.Serializer):
        kind = serializers.ChoiceField(choices=["direct"])
        user_id = serializers.IntegerField()

    shapes = {"direct": Direct}

    assert parse_one_of(shapes, "kind", {"kind": "direct", "user_id": 2}) == {"kind": "direct", "user_id": 2}
    with pytest.raises(ValidationError) as refused:
        parse_one_of(shapes, "kind", {"kind": "teleport"})
    assert list(refused.value.get_full_details()) == ["kind"]


def test_the_fields_bound_once_serve_parses_in_many_threads_without_mixing_them():
    """parse() binds a serializer class's fields once (DRF copies them per instance): valid and
    invalid bodies, parsed at once in many threads, each get their own answer."""
    from concurrent.futures import ThreadPoolExecutor

    def one(n: int):
        if n % 3 == 0:
            try:
                parse(Body, {"user_id": "not a number", "child": {"title": n}})
            except ValidationError as refused:
                return sorted(refused.get_full_details())
            return "accepted"
        return parse(Body, {"user_id": n, "child": {"title": str(n % 100)}})

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(600)))

    for n, answer in enumerate(answers):
        if n % 3 == 0:
            assert answer == ["child", "user_id"]
        else:
            assert answer == {"user_id": n, "child": {"title": str(n % 100)}}

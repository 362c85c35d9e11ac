from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from apps.accounts.api.serializers import USERNAME_PATTERN
from apps.profiles.api.serializers import ProfileOutput


class InvitationInput(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1)


class InvitationQuery(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["incoming", "outgoing"], default="incoming")
    status = serializers.ChoiceField(choices=["pending", "accepted", "denied", "cancelled"], required=False)
    before = serializers.IntegerField(required=False, min_value=1, help_text="Older than this invitation id.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    from_user = serializers.IntegerField()
    to_user = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class InvitationPageOutput(serializers.Serializer):
    results = InvitationOutput(many=True)
    has_more = serializers.BooleanField()


class PersonOutput(serializers.Serializer):
    user = ProfileOutput()
    since = serializers.DateTimeField()


class PeopleOutput(serializers.Serializer):
    results = PersonOutput(many=True)


class BlockInput(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1)


class LookupByEmail(serializers.Serializer):
    email = serializers.EmailField()


class LookupByPhone(serializers.Serializer):
    phone = serializers.CharField(max_length=32)


class LookupByUsername(serializers.Serializer):
    username = serializers.RegexField(USERNAME_PATTERN, help_text="Exactly, whatever its case.")


# Exactly one of them (oneOf in the schema: a body with two matches two, and is refused).
LOOKUP_INPUTS = {"email": LookupByEmail, "phone": LookupByPhone, "username": LookupByUsername}
LookupInput = PolymorphicProxySerializer(
    component_name="LookupInput", serializers=list(LOOKUP_INPUTS.values()), resource_type_field_name=None
)


class LookupOutput(serializers.Serializer):
    results = ProfileOutput(
        many=True,
        help_text="Empty when nobody has this username, or nobody who allows it this e-mail or phone.",
    )


class PrivacySerializer(serializers.Serializer):
    groups = serializers.ChoiceField(
        choices=["everybody", "contacts", "nobody"],
        help_text="Who may add you to groups. Someone you blocked, or who blocked you, never may.",
    )

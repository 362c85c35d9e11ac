from rest_framework import serializers

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


class LookupInput(serializers.Serializer):
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(required=False, max_length=32)

    def validate(self, attrs):
        if bool(attrs.get("email")) == bool(attrs.get("phone")):
            raise serializers.ValidationError("Give exactly one of email or phone.", code="lookup_needs_one")
        return attrs


class LookupOutput(serializers.Serializer):
    results = ProfileOutput(many=True, help_text="Empty when nobody who allows it has this e-mail or phone.")


class PrivacySerializer(serializers.Serializer):
    groups = serializers.ChoiceField(
        choices=["everybody", "contacts", "nobody"],
        help_text="Who may add you to groups. Someone you blocked, or who blocked you, never may.",
    )

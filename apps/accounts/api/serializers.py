from rest_framework import serializers

USERNAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{2,31}$"
# As a person may write it: E.164 with spaces, brackets, dots or dashes anywhere after the "+".
_SEPARATORS = " ().-"
PHONE_INPUT_PATTERN = r"^\+[ ().-]*[1-9]([ ().-]*[0-9]){6,14}[ ().-]*$"


class RegisterInput(serializers.Serializer):
    username = serializers.RegexField(
        USERNAME_PATTERN,
        help_text="3-32 characters: letters, digits and _, starting with a letter. Unique, "
        "without regard to case.",
        error_messages={"invalid": "Use 3-32 letters, digits or _, starting with a letter."},
    )
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_null=True, max_length=254)
    phone = serializers.RegexField(
        PHONE_INPUT_PATTERN,
        required=False,
        allow_null=True,
        help_text="E.164, e.g. +14155550123.",
        error_messages={"invalid": "Use the international format, e.g. +14155550123."},
    )

    def validate_phone(self, phone):
        return phone and "".join(c for c in phone if c not in _SEPARATORS)


class RegisterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=32)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)

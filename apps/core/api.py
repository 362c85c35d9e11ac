"""Helpers shared by the apps' API views."""


def parse(serializer_class, data) -> dict:
    """Validate request data with an input serializer; a 400 in the one error shape if invalid."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

"""Account reads for other apps."""

from __future__ import annotations

from .models import User


def user_active_exists(*, user_id: int) -> bool:
    return User.objects.filter(pk=user_id, is_active=True).exists()


def active_user_ids(*, user_ids) -> set[int]:
    return set(User.objects.filter(pk__in=list(user_ids), is_active=True).values_list("pk", flat=True))


def user_find_by_contact_point(*, email: str | None = None, phone: str | None = None) -> int | None:
    """The id of the active user with exactly this e-mail or phone (through the blind index)."""
    queryset = User.objects.by_email(email) if email else User.objects.by_phone(phone)
    return queryset.filter(is_active=True).values_list("pk", flat=True).first()


def user_find_by_username(*, username: str) -> int | None:
    """The id of the active user with this username, whatever its case."""
    return User.objects.filter(username__iexact=username, is_active=True).values_list("pk", flat=True).first()


def account_export(user) -> dict:
    """The account as its owner may have it exported (manage.py export_user_data)."""
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "phone": user.phone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "banned_at": user.banned_at,
    }

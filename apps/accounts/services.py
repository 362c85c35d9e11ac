"""Account writes: registration, tokens, logout, bans."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.core import ratelimit
from apps.core.errors import ApplicationError, CoreError
from apps.core.realtime import send_control

from .auth_state import auth_state_get, auth_state_store
from .errors import AccountError
from .models import User
from .signals import account_created, account_renamed

TOKEN_VERSION_CLAIM = "ver"  # noqa: S105 (a claim name)
# WebSocket close codes: a revoked or bad token, a banned account.
CLOSE_UNAUTHORIZED = 4401
CLOSE_BANNED = 4403


def _taken_fields(*, username: str, email: str | None, phone: str | None) -> dict:
    fields: dict[str, list[dict[str, str]]] = {}
    if User.objects.filter(username__iexact=username).exists():
        fields["username"] = [{"code": AccountError.USERNAME_TAKEN, "detail": "This username is taken."}]
    if email and User.objects.by_email(email).exists():
        fields["email"] = [{"code": AccountError.EMAIL_TAKEN, "detail": "This e-mail is already registered."}]
    if phone and User.objects.by_phone(phone).exists():
        fields["phone"] = [{"code": AccountError.PHONE_TAKEN, "detail": "This phone is already registered."}]
    return fields


def _invalid(fields: dict) -> ApplicationError:
    field, errors = next(iter(fields.items()))
    return ApplicationError(CoreError.INVALID, f"{field}: {errors[0]['detail']}", fields=fields)


def _username_taken() -> ApplicationError:
    """A 409: the name is well formed, and someone has it."""
    return ApplicationError.for_field(
        "username", AccountError.USERNAME_TAKEN, "This username is taken.", status=409
    )


def _password_errors(password: str, candidate: User) -> list[dict[str, str]]:
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        return [{"code": e.code or "invalid", "detail": " ".join(e.messages)} for e in exc.error_list]
    return []


def user_register(
    *, username: str, password: str, email: str | None = None, phone: str | None = None
) -> User:
    """A new account. The password is judged first, so a weak one says nothing about who else
    is registered. A taken username is said (usernames are public); a taken e-mail or phone is
    not: the account is made without it and the answer is the same as with it, so registration
    does not tell a stranger whose address is registered (docs/api.md)."""
    candidate = User(username=username, email=email, phone=phone)
    if errors := _password_errors(password, candidate):
        raise _invalid({"password": errors})
    taken = _taken_fields(username=username, email=email, phone=phone)
    if "username" in taken:
        raise _username_taken()
    email = None if "email" in taken else email
    phone = None if "phone" in taken else phone
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password, phone=phone)
            account_created.send(sender=User, user=user)
            return user
    except IntegrityError:
        # Lost a race with a concurrent registration of the same username, e-mail or phone.
        taken = _taken_fields(username=username, email=email, phone=phone)
        if "username" in taken or not taken:
            raise _username_taken() from None
        return user_register(
            username=username,
            password=password,
            email=None if "email" in taken else email,
            phone=None if "phone" in taken else phone,
        )


def user_rename(*, user: User, username: str) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    if User.objects.filter(username__iexact=username).exclude(pk=locked.pk).exists():
        raise _username_taken()
    locked.username = username
    try:
        with transaction.atomic():
            locked.save(update_fields=["username"])
    except IntegrityError:
        raise _username_taken() from None
    account_renamed.send(sender=User, user=locked)
    auth_state_store(locked)
    return locked


def tokens_issue(*, user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)  # records it as outstanding, for logout-all
    refresh[TOKEN_VERSION_CLAIM] = user.token_version
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def login_attempt_check(*, username: str) -> None:
    """Password guessing against one account from many addresses: a limit per account (the
    per-address limit is the view's throttle). Raises a 429."""
    verdict = ratelimit.hit(scope="login_account", ident=f"account:{username.strip().lower()}")
    if not verdict.allowed:
        raise ApplicationError(
            CoreError.THROTTLED,
            f"Too many attempts for this account; retry in {verdict.retry_after} s.",
            status=429,
            headers={"Retry-After": str(verdict.retry_after)},
        )


def tokens_login(*, username: str, password: str) -> dict[str, str]:
    login_attempt_check(username=username)
    user = authenticate(username=username, password=password)
    if user is None:
        raise ApplicationError(AccountError.INVALID_CREDENTIALS, "Wrong username or password.", status=401)
    if user.is_banned:
        raise ApplicationError(AccountError.ACCOUNT_BANNED, "This account is banned.", status=403)
    return tokens_issue(user=user)


def _invalid_token(detail: str = "Token is invalid, expired or revoked.") -> ApplicationError:
    return ApplicationError(AccountError.TOKEN_NOT_VALID, detail, status=401)


def tokens_refresh(*, refresh: str) -> dict[str, str]:
    """Trade a refresh token for a new pair. The old one is blacklisted; under a row lock, so of
    two concurrent refreshes with the same token exactly one succeeds."""
    try:
        token = RefreshToken(refresh)  # signature, expiry, blacklist
    except TokenError:
        raise _invalid_token() from None
    state = auth_state_get(token.payload.get("user_id"))
    if state is None or not state.is_active or state.is_banned:
        raise _invalid_token("The account behind this token cannot log in.")
    if token.payload.get(TOKEN_VERSION_CLAIM) != state.token_version:
        raise _invalid_token("This session was logged out.")
    with transaction.atomic():
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=token["jti"]).first()
        if outstanding is None:
            raise _invalid_token()
        _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
        if not created:
            raise _invalid_token("Token was already used.")
        return tokens_issue(user=state.as_user())


def token_logout(*, refresh: str) -> None:
    try:
        RefreshToken(refresh).blacklist()
    except TokenError:
        raise _invalid_token() from None


def _revoke_all_tokens(user: User) -> None:
    """Bump the token version (every access token stops working at once) and blacklist every
    outstanding refresh token. Call inside a transaction, with `user` locked."""
    user.token_version += 1
    user.save(update_fields=["token_version", "banned_at"])
    outstanding = OutstandingToken.objects.filter(user_id=user.pk, expires_at__gt=timezone.now())
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding.exclude(blacklistedtoken__isnull=False)],
        ignore_conflicts=True,
    )
    auth_state_store(user)


def _close_sockets(user_id: int, *, code: int) -> None:
    transaction.on_commit(lambda: send_control(user_id, {"type": "session.close", "code": code}), robust=True)


@transaction.atomic
def sessions_end_on_new_password(*, user: User) -> None:
    """Revoke every token of an account whose password was just changed (called by Django
    after the save, apps.accounts.validators). An account that never logged in has none."""
    if not OutstandingToken.objects.filter(user_id=user.pk).exists():
        return
    locked = User.objects.select_for_update().get(pk=user.pk)
    _revoke_all_tokens(locked)
    _close_sockets(locked.pk, code=CLOSE_UNAUTHORIZED)
    user.token_version = locked.token_version


def password_change(*, user: User, old_password: str, new_password: str) -> dict[str, str]:
    """Change one's own password: every session ends (on every device), and this one goes on
    with the fresh token pair returned."""
    account = User.objects.get(pk=user.pk)
    if not account.check_password(old_password):
        raise ApplicationError.for_field(
            "old_password", AccountError.WRONG_PASSWORD, "The current password is wrong."
        )
    if errors := _password_errors(new_password, account):
        raise _invalid({"new_password": errors})
    account.set_password(new_password)
    account.save(update_fields=["password"])  # ends every session (NewPasswordEndsSessions)
    return tokens_issue(user=User.objects.get(pk=user.pk))


@transaction.atomic
def user_logout_all(*, user: User) -> None:
    _revoke_all_tokens(User.objects.select_for_update().get(pk=user.pk))
    _close_sockets(user.pk, code=CLOSE_UNAUTHORIZED)


@transaction.atomic
def user_ban(*, user: User) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.banned_at = locked.banned_at or timezone.now()
    _revoke_all_tokens(locked)
    _close_sockets(locked.pk, code=CLOSE_BANNED)
    return locked


@transaction.atomic
def user_unban(*, user: User) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.banned_at = None
    locked.save(update_fields=["banned_at"])
    auth_state_store(locked)
    return locked


@transaction.atomic
def account_erase(*, user: User) -> User:
    """Make the account anonymous and unable to log in (its part of erasing a person:
    apps.moderation.erasure). The row stays, so that the person's messages in others' chats
    keep their place and show as from a deleted account."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.username = f"deleted{locked.pk}"
    locked.email = None
    locked.phone = None
    locked.is_active = False
    locked.set_unusable_password()
    locked.save(
        update_fields=["username", "email", "email_index", "phone", "phone_index", "is_active", "password"]
    )
    _revoke_all_tokens(locked)
    _close_sockets(locked.pk, code=CLOSE_UNAUTHORIZED)
    return locked

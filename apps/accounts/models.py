from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core import crypto
from apps.core.fields import BlindIndexField, EncryptedTextField, RowSealedModel, seal_field


class UserManager(DjangoUserManager):
    def get_by_natural_key(self, username):
        # Usernames are unique without regard to case, and log in the same way.
        return self.get(username__iexact=username)

    def create_user(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **extra_fields)

    def _create_user(self, username, email, password, **extra_fields):
        user = self.model(username=username, email=email or None, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def by_email(self, email: str):
        return self.filter(email_index=crypto.blind_index(email, kind="email"))

    def by_phone(self, phone: str):
        return self.filter(phone_index=crypto.blind_index(phone, kind="phone"))


class User(RowSealedModel, AbstractBaseUser, PermissionsMixin):
    # The row identity its encrypted fields are bound to (apps.core.fields).
    seal = seal_field()
    username = models.CharField(max_length=32, unique=True)
    # Personal data, encrypted at rest; the blind indexes allow exact look-ups.
    email = EncryptedTextField(null=True, blank=True)
    email_index = BlindIndexField(source="email", kind="email", unique=True)
    phone = EncryptedTextField(null=True, blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone", unique=True)

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    banned_at = models.DateTimeField(null=True, blank=True)
    # Part of every token; bumping it revokes every token issued before (logout-all, bans).
    token_version = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]
        permissions = [("ban_user", "Can ban and unban users")]

    def __str__(self):
        return self.username

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None

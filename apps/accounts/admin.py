from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpResponse

from apps.core import crypto, ratelimit
from apps.core.errors import ApplicationError

from . import services
from .auth_state import auth_state_store
from .models import User
from .signals import account_created


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("username",)


class UserEditForm(UserChangeForm):
    email = forms.EmailField(required=False)
    phone = forms.CharField(required=False, max_length=20)

    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return self.cleaned_data["email"] or None

    def clean_phone(self):
        return self.cleaned_data["phone"] or None


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("username", "date_joined", "is_active", "is_staff", "banned_at")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("username",)
    search_help_text = "Username (part of it), or an exact e-mail address or phone number."
    ordering = ("-date_joined",)
    readonly_fields = ("date_joined", "last_login", "banned_at", "token_version")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal data (encrypted at rest)", {"fields": ("email", "phone")}),
        ("State", {"fields": ("is_active", "banned_at", "token_version", "date_joined", "last_login")}),
        ("Permissions", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),)

    def save_model(self, request, obj, form, change):
        # A rename goes through the service, which tells the apps that keep a copy.
        new_username = obj.username
        if change and "username" in form.changed_data:
            obj.username = form.initial["username"]
        super().save_model(request, obj, form, change)
        if change and "username" in form.changed_data:
            obj.username = services.user_rename(user=obj, username=new_username).username
        elif not change:
            account_created.send(sender=User, user=obj)
        auth_state_store(obj)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        # E-mail and phone are ciphertext in the database: match them exactly, by blind index.
        if "@" in term:
            results |= queryset.filter(email_index=crypto.blind_index(term, kind="email"))
        elif term.startswith("+"):
            results |= queryset.filter(phone_index=crypto.blind_index(term, kind="phone"))
        return results, may_have_duplicates


_admin_login = admin.site.login


def _throttled_admin_login(request, extra_context=None):
    """The admin's log-in form, under the same limits as the API's: per address, and per
    account from any address (services.login_attempt_check)."""
    if request.method == "POST":
        verdict = ratelimit.hit(scope="login", ident=ratelimit.identity(request))
        retry_after = None if verdict.allowed else verdict.retry_after
        if retry_after is None:
            try:
                services.login_attempt_check(username=request.POST.get("username", ""))
            except ApplicationError as exc:
                retry_after = exc.headers["Retry-After"]
        if retry_after is not None:
            response = HttpResponse(
                f"Too many log-in attempts; retry in {retry_after} s.\n",
                status=429,
                content_type="text/plain",
            )
            response["Retry-After"] = str(retry_after)
            return response
    return _admin_login(request, extra_context)


admin.site.login = _throttled_admin_login

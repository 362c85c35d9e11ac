"""Not a rule for passwords: Django calls `password_changed` of every configured password
validator after a user with a new password is saved (AbstractBaseUser.save), wherever the
password was set: the API, the admin's reset form, `manage.py changepassword`. So every new
password ends every session of its account, without each of those places remembering to."""

from .services import sessions_end_on_new_password


class NewPasswordEndsSessions:
    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return ""

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            sessions_end_on_new_password(user=user)

from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "apps.profiles"
    label = "profiles"
    verbose_name = "Profiles"

    def ready(self):
        from apps.accounts.signals import account_created, account_renamed

        from .services import profile_create, profile_rename

        def created(sender, user, **kwargs):
            profile_create(user_id=user.pk, username=user.username)

        def renamed(sender, user, **kwargs):
            profile_rename(user_id=user.pk, username=user.username)

        account_created.connect(created, weak=False, dispatch_uid="profiles.account_created")
        account_renamed.connect(renamed, weak=False, dispatch_uid="profiles.account_renamed")

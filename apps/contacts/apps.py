from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "apps.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self):
        from apps.profiles.selectors import register_withholder

        from . import events  # noqa: F401 (declares the app's events in the catalogue)
        from .selectors import withholding_from

        register_withholder(withholding_from)

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "apps.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self):
        from apps.profiles.selectors import register_withholder

        from .selectors import withholding_from

        register_withholder(withholding_from)

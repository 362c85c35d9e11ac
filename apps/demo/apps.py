from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`manage.py seed_demo`: people, chats and channels to try the product with. It sits above
    every domain app (it drives them all through their services) and no app imports it."""

    name = "apps.demo"
    label = "demo"
    verbose_name = "Demo data"

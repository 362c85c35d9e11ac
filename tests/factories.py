import factory

from apps.accounts.models import User
from apps.profiles.services import profile_create

PASSWORD = "quiet-harbour-lantern-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def profile(user, create, extracted, **kwargs):
        if create:
            profile_create(
                user_id=user.pk, username=user.username, display_name=extracted or user.username.title()
            )

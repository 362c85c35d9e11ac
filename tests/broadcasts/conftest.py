import pytest

from apps.broadcasts import services
from tests.factories import UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(username="olga")


@pytest.fixture
def reader(db):
    return UserFactory(username="rita")


@pytest.fixture
def channel(owner):
    return services.channel_create(
        owner=owner, handle="Kitten_News", title="Kitten news", description="Daily cats"
    )


@pytest.fixture
def private_channel(owner):
    return services.channel_create(owner=owner, handle="secret_club", title="Secret club", is_public=False)

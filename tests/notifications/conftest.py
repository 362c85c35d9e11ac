import pytest

from tests.notifications.fake_fcm import FakeFCM


@pytest.fixture(scope="session")
def fake_fcm_server(tmp_path_factory):
    server = FakeFCM().start()
    server.credentials = server.credentials_file(tmp_path_factory.mktemp("firebase"))
    yield server
    server.stop()


@pytest.fixture
def fcm(fake_fcm_server, settings):
    """Pushes go through fcm-django and firebase-admin to the fake Firebase."""
    settings.PUSH_BACKEND = "fcm"
    settings.FCM_CREDENTIALS = str(fake_fcm_server.credentials)
    settings.FCM_API_URL = fake_fcm_server.send_url
    fake_fcm_server.reset()
    return fake_fcm_server


@pytest.fixture
def in_process_events(settings):
    """Events go through the in-process bus (as without NATS), their tasks run inline."""
    settings.NATS_URL = ""

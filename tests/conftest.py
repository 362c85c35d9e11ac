from contextlib import ExitStack, contextmanager

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory
from tests.services import CI, SERVICE_VARIABLES, service_problem


def pytest_report_header(config):
    lines = []
    for service in SERVICE_VARIABLES:
        problem = service_problem(service)
        lines.append(f"{service}: {'real service' if problem is None else problem}")
    return ["services: " + "; ".join(lines) + (" (CI: missing services fail)" if CI else "")]


def pytest_sessionstart(session):
    if CI:
        missing = {s: p for s in SERVICE_VARIABLES if (p := service_problem(s))}
        if missing:
            pytest.exit(
                "CI=true but these services are missing: "
                + "; ".join(f"{s}: {p}" for s, p in missing.items())
                + ". Start them (see DEVELOPERS.md) and export their URLs (see .ci/run).",
                returncode=3,
            )


_DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def pytest_collection_modifyitems(config, items):
    """With a separate document store (DOCUMENTS_DATABASE_URL, MONGODB_URI), every test that
    uses the database may use both (apps.core.documents)."""
    from django.conf import settings

    if settings.DOCUMENT_STORE_ALIAS == "default":
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and not _DB_FIXTURES & set(item.fixturenames):
            continue
        kwargs = {**(marker.kwargs if marker else {}), "databases": "__all__"}
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


def pytest_runtest_setup(item):
    for service in SERVICE_VARIABLES:
        if item.get_closest_marker(service) and (problem := service_problem(service)):
            message = f"needs {service}: {problem}; set {SERVICE_VARIABLES[service]} to run it"
            if CI:
                pytest.fail(message, pytrace=False)
            pytest.skip(message)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (in Redis too: the suite owns REDIS_URL's db)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit(): ...` runs the commit hooks of what the block did, as after a real
    commit, whichever database they wait on (the document store may be a database of its own)."""
    from django.conf import settings

    @contextmanager
    def run_hooks(execute=True):
        with ExitStack() as stack:
            for alias in dict.fromkeys(["default", settings.DOCUMENT_STORE_ALIAS]):
                stack.enter_context(django_capture_on_commit_callbacks(using=alias, execute=execute))
            yield

    return run_hooks


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def login(api_client):
    """login(user) -> {"access", "refresh"} through the real token endpoint."""

    def _login(user, password=PASSWORD):
        response = api_client.post(
            "/api/v1/auth/token/", {"username": user.username, "password": password}, format="json"
        )
        assert response.status_code == 200, response.content
        return response.json()

    return _login


@pytest.fixture
def client_for(login):
    """client_for(user) -> an APIClient sending that user's bearer token."""

    def _client_for(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {login(user)['access']}")
        return client

    return _client_for


@pytest.fixture
def png_bytes():
    """A real 8x8 PNG, made with Pillow."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads land in a per-test folder, never in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def _worker_threads_close_their_connections(django_db_setup):
    """At the end, our own worker threads (the outbox publisher, the sockets' worker pool) close
    their database connections, so the test database can be dropped. (It asks for
    django_db_setup so that it is torn down first.)"""
    yield
    import threading

    from django.db import connections

    from apps.core import events, realtime

    events._publisher.submit(connections.close_all).result()
    pool = realtime._worker_threads
    if pool is not None:
        size = pool._max_workers
        barrier = threading.Barrier(size)

        def close_in_this_thread():
            barrier.wait(timeout=10)  # one task a thread: every thread closes its own
            connections.close_all()

        for future in [pool.submit(close_in_this_thread) for _ in range(size)]:
            future.result()


@pytest.fixture
def direct_pair(db):
    """(chat, alice, bob): a direct chat of two people with display names."""
    from apps.chats import services as chats

    alice = UserFactory(username="alice", profile="Alice A.")
    bob = UserFactory(username="bob", profile="Bob B.")
    chat, _ = chats.chat_direct_open(user=alice, peer_id=bob.id)
    return chat, alice, bob

"""The API against its own OpenAPI schema: schemathesis, with every check, on every operation
of a real daphne server (tests/api/schemathesis.toml). It finds undocumented status codes,
requests the schema allows but the server refuses (a limit or a rule missing from the schema),
requests the schema refuses but the server takes, server errors, and answers that do not match
their schema (a view's dict drifting from its output serializer)."""

import base64
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.servers import Stack, api, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Fixed, so that a failure in CI is found again with the same command; change it to explore.
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261130")
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12")


def _world(server) -> tuple[str, dict[str, str]]:
    """A person with a direct chat holding a message, a channel holding a post: (their token,
    the ids for every path of the second pass)."""
    _, me = sign_up(server, "fuzzer")
    peer_id, _ = sign_up(server, "fuzzpeer")
    status, chat = api(server, "POST", "/api/v1/chats/", {"kind": "direct", "user_id": peer_id}, me)
    assert status == 201, chat
    status, message = api(server, "POST", f"/api/v1/chats/{chat['id']}/messages/", {"text": "hello"}, me)
    assert status == 201, message
    status, channel = api(server, "POST", "/api/v1/channels/", {"handle": "fuzz_news", "title": "Fuzz"}, me)
    assert status == 201, channel
    status, post = api(server, "POST", f"/api/v1/channels/{channel['id']}/posts/", {"text": "first"}, me)
    assert status == 201, post
    return me, {
        "chat_id": str(chat["id"]),
        "channel_id": str(channel["id"]),
        "post_id": str(post["id"]),
        "message_id": str(message["id"]),
        "user_id": str(peer_id),
    }


def _schemathesis(server, token: str, config: Path, mode: str, report: Path) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "--config-file",
            str(config),
            "run",
            f"{server.http}/api/schema/",
            "--checks",
            "all",
            "--mode",
            mode,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            # One worker: with two, the threads of hypothesis parse lambdas' source at once, and
            # CPython 3.11's AST builder keeps its recursion depth per interpreter, not per
            # thread, so a run could end in "SystemError: AST constructor recursion depth
            # mismatch" (python/cpython#106905) before sending anything wrong.
            "--workers",
            "1",
            "--header",
            f"Authorization: Bearer {token}",
            # Ends every session of the token under test: every later request would be a 401.
            "--exclude-path",
            "/api/v1/auth/logout-all/",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report.write_text(run.stdout + run.stderr)
    return run


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Stack(instances=1, tmp=tmp_path_factory.mktemp("schema")) as stack:
        yield stack.servers[0]


def test_every_operation_conforms_to_the_schema_with_all_checks(server, tmp_path):
    """Two passes: valid and invalid requests with ids as generated (mostly of nothing: 404s),
    then valid requests on real things (the same ids in every path: with fixed path values,
    schemathesis cannot make a path invalid, so that pass is positive only)."""
    token, ids = _world(server)
    first = _schemathesis(server, token, CONFIG, "all", tmp_path / "all.txt")
    on_real_things = tmp_path / "schemathesis.toml"
    on_real_things.write_text(
        CONFIG.read_text()
        + "\n[parameters]\n"
        + "".join(f'"path.{name}" = "{value}"\n' for name, value in ids.items())
    )
    second = _schemathesis(server, token, on_real_things, "positive", tmp_path / "positive.txt")
    daphne_log = server.log.read_text()

    for run, report in ((first, "all.txt"), (second, "positive.txt")):
        assert run.returncode == 0, f"schemathesis failed ({tmp_path / report}):\n{run.stdout[-6000:]}"
    assert "Traceback" not in daphne_log  # no server error slipped through as a documented one


def _upload(server, token: str, body: bytes, boundary: str = "b0undary"):
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        f"{server.http}/api/v1/files/",
        method="POST",
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Authorization": f"Bearer {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def test_uploads_reach_django_as_sent_through_daphne(server):
    """Twisted, under daphne, parsed multipart bodies itself and answered those it could not
    parse with an empty 400 (telegram/daphne_requests.py): an empty form, a field name that is
    not ASCII. Django reads them now: the API's JSON error, or the upload."""
    _, token = sign_up(server, "uploader")
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
    )

    empty = _upload(server, token, b"--b0undary--\r\n")
    named = _upload(
        server,
        token,
        b"--b0undary\r\n"
        + 'Content-Disposition: form-data; name="légende"\r\n\r\nun chat\r\n'.encode()
        + b"--b0undary\r\n"
        + b'Content-Disposition: form-data; name="file"; filename="cat.png"\r\n'
        + b"Content-Type: image/png\r\n\r\n"
        + png
        + b"\r\n--b0undary--\r\n",
    )

    assert empty[0] == 400
    assert empty[1] == "application/json"
    assert json.loads(empty[2])["code"] == "invalid"
    assert named[0] == 201, named[2]
    assert json.loads(named[2])["kind"] == "image"

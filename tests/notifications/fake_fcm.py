"""Firebase's side, and only it: an HTTP server on loopback that answers Google's OAuth token
endpoint and FCM's v1 send endpoint as they answer, so firebase-admin and fcm-django run for
real against it.

Tokens choose the answer: a token starting with `gone-` is UNREGISTERED (404), `busy-` is
QUOTA_EXCEEDED (429, a passing failure) and `busy1-` is that the first time only; any other is
accepted. Every send request is recorded."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT = "tg-test"
_SEND = re.compile(r"^/v1/projects/([^/]+)/messages:send$")


def _fcm_error(status: int, grpc_status: str, code: str) -> dict:
    return {
        "error": {
            "code": status,
            "message": code,
            "status": grpc_status,
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}],
        }
    }


class FakeFCM:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent: list[dict] = []  # the `message` of every send request, accepted or not
        self.seen_busy1: set[str] = set()
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def send_url(self) -> str:
        return f"{self.url}/v1/projects/{{0}}/messages:send"

    def start(self) -> FakeFCM:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.seen_busy1.clear()

    def tokens(self) -> list[str]:
        with self.lock:
            return [message["token"] for message in self.sent]

    def credentials_file(self, folder: Path) -> Path:
        """A service-account file whose token endpoint is this server (a fresh RSA key)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        path = folder / "firebase-service-account.json"
        path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": PROJECT,
                    "private_key_id": "test-key",
                    "private_key": pem,
                    "client_email": f"push@{PROJECT}.iam.gserviceaccount.com",
                    "client_id": "1",
                    "token_uri": f"{self.url}/token",
                }
            )
        )
        return path

    def _answer(self, token: str) -> tuple[int, dict]:
        with self.lock:
            first_busy1 = token.startswith("busy1-") and token not in self.seen_busy1
            self.seen_busy1.add(token)
        if token.startswith("gone-"):
            return 404, _fcm_error(404, "NOT_FOUND", "UNREGISTERED")
        if token.startswith("busy-") or first_busy1:
            return 429, _fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")
        return 200, {"name": f"projects/{PROJECT}/messages/{abs(hash(token))}"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    with fake.lock:
                        fake.token_requests += 1
                    self._reply(
                        200, {"access_token": "fake-access", "expires_in": 3600, "token_type": "Bearer"}
                    )
                    return
                match = _SEND.match(self.path)
                if not match or self.headers.get("Authorization") != "Bearer fake-access":
                    self._reply(401, _fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"))
                    return
                message = json.loads(raw)["message"]
                with fake.lock:
                    fake.sent.append(message)
                self._reply(*fake._answer(message["token"]))

        return Handler

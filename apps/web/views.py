"""The web client's one page. Everything it shows it reads through the public API."""

from functools import cache
from urllib.parse import urlsplit

from django.core.files.storage import default_storage
from django.views.generic import TemplateView


class WebClientView(TemplateView):
    template_name = "web/index.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = content_security_policy(request)
        response["Cache-Control"] = "no-store"
        return response


@cache
def storage_origin() -> str:
    """Where the links to files point, when not to this server (an S3 bucket's presigned URLs):
    avatars are shown from there. Signing a link is local work, with no request."""
    parts = urlsplit(default_storage.url("avatar"))
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def content_security_policy(request) -> str:
    """Only this server: its scripts, styles and images (and the file store's, for avatars), its
    API and its socket. No inline script or style, no other origin, not framed."""
    host = request.get_host()
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(["img-src 'self' blob: data:", storage_origin()]).strip(),
            f"connect-src 'self' ws://{host} wss://{host}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )

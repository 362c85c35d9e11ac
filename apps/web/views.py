"""The web client's one page. Everything it shows it reads through the public API."""

from django.views.generic import TemplateView


class WebClientView(TemplateView):
    template_name = "web/index.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = content_security_policy(request)
        response["Cache-Control"] = "no-store"
        return response


def content_security_policy(request) -> str:
    """Only this server: its scripts, styles and images, its API and its socket. No inline
    script or style, no other origin, not framed."""
    host = request.get_host()
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' blob: data:",
            f"connect-src 'self' ws://{host} wss://{host}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
